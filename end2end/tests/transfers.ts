import type { CDPSession, Page } from '@playwright/test';

export type Transfer = {
  url: string;
  type: string;
  encoding: string;
  cacheControl: string;
  bytes: number;
  cached: boolean;
};

/** Records every response of the page through the DevTools protocol: bytes on the wire, cache hits. */
export async function recordTransfers(page: Page): Promise<{ cdp: CDPSession; take: () => Transfer[] }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let byId = new Map<string, Transfer>();
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
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

/** The file kind a transfer counts as: html, wasm, js, css, json (server functions) or other. */
export function kindOf(t: Transfer): string {
  const path = new URL(t.url).pathname;
  if (t.type === 'Document') return 'html';
  const ext = path.split('.').pop() ?? '';
  if (['wasm', 'js', 'css'].includes(ext)) return ext;
  if (path.startsWith('/api/')) return 'api';
  return 'other';
}

export const isCode = (t: Transfer) => /\/pkg\/.*\.(wasm|js)$/.test(new URL(t.url).pathname);
