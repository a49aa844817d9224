import type { CDPSession, Page } from '@playwright/test';
import { DEMO, expect, gotoHydrated, reloadHydrated, shot, signInAs, test } from './fixtures';

type Transfer = { url: string; type: string; encoding: string; cacheControl: string; bytes: number; cached: boolean };

/** Records every response of the page through the DevTools protocol: bytes on the wire, cache hits. */
async function recordTransfers(page: Page): Promise<{ cdp: CDPSession; take: () => Transfer[] }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let byId = new Map<string, Transfer>();
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    byId.set(e.requestId, {
      url: e.response.url,
      type: e.type,
      encoding: headers['content-encoding'] ?? '',
      cacheControl: headers['cache-control'] ?? '',
      bytes: 0,
      cached: Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache),
    });
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const t = byId.get(e.requestId);
    if (t) t.cached = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const t = byId.get(e.requestId);
    if (t) t.bytes = e.encodedDataLength;
  });
  return {
    cdp,
    take: () => {
      const all = [...byId.values()];
      byId = new Map();
      return all;
    },
  };
}

const isCode = (t: Transfer) => /\/pkg\/.*\.(wasm|js)$/.test(new URL(t.url).pathname);

test.describe('Delivery', () => {
  test('WASM, JS and CSS arrive precompressed under hashed names, and a reload downloads no WASM or JS', async ({
    page,
  }) => {
    const { take } = await recordTransfers(page);
    await gotoHydrated(page, '/login');
    const cold = take();
    const pkg = cold.filter((t) => new URL(t.url).pathname.startsWith('/pkg/'));
    expect(pkg.map((t) => new URL(t.url).pathname.split('.').pop()).sort()).toEqual(['css', 'js', 'wasm']);
    for (const t of pkg) {
      expect(new URL(t.url).pathname).toMatch(/^\/pkg\/workspace-console\.[A-Za-z0-9_-]{10,}\.(wasm|js|css)$/);
      expect(t.encoding, t.url).toBe('br');
      expect(t.cacheControl, t.url).toBe('public, max-age=31536000, immutable');
    }
    const wasm = pkg.find((t) => t.url.endsWith('.wasm'))!;
    expect(wasm.bytes).toBeGreaterThan(0);
    expect(wasm.bytes).toBeLessThan(600_000); // brotli: about 450 KB of 1.65 MB
    const page1 = cold.find((t) => t.type === 'Document')!;
    expect(page1.encoding).toBe('br');
    expect(page1.cacheControl).toBe('no-store');

    await reloadHydrated(page);
    const warm = take();
    const fetchedAgain = warm.filter((t) => isCode(t) && !t.cached && t.bytes > 0);
    expect(fetchedAgain, JSON.stringify(warm, null, 1)).toEqual([]);

    // Signed in, the console's pages reuse the same cached code.
    await signInAs(page, DEMO.alice);
    take();
    await gotoHydrated(page, '/workspaces');
    const signedIn = take();
    expect(signedIn.filter((t) => isCode(t) && !t.cached && t.bytes > 0)).toEqual([]);
    await expect(page.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    await shot(page, 'delivery-workspaces-styled');
  });
});
