import { DEMO, expect, expectAccessible, gotoHydrated, reloadHydrated, shot, signInAs, test, waitForHydration } from './fixtures';
import { isCode, recordTransfers } from './transfers';

test.describe('Delivery', () => {
  test('the sign-in page is plain HTML: no WASM or JS, and it signs in without them', async ({ page }) => {
    const { take } = await recordTransfers(page);
    await gotoHydrated(page, '/login');
    const cold = take();
    const pkg = cold.filter((t) => new URL(t.url).pathname.startsWith('/pkg/'));
    expect(pkg.map((t) => new URL(t.url).pathname.split('.').pop())).toEqual(['css']);
    const page1 = cold.find((t) => t.type === 'Document')!;
    expect(page1.cacheControl).toBe('no-store');
    expect(cold.reduce((n, t) => n + t.bytes, 0)).toBeLessThan(20_000);

    // The form posts to the server function; a refusal comes back in the address, a success
    // goes on to Workspaces, where the console's code loads.
    await page.getByLabel('Username', { exact: true }).fill(DEMO.alice.username);
    await page.getByLabel('Password', { exact: true }).fill('not-her-password');
    await page.getByRole('button', { name: 'Sign In', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Incorrect username or password.' })).toBeVisible();
    await expect(page).toHaveURL(/\/login\?/);
    expect(take().filter(isCode)).toEqual([]);
    await page.getByLabel('Username', { exact: true }).fill(DEMO.alice.username);
    await page.getByLabel('Password', { exact: true }).fill(DEMO.alice.password);
    await page.getByRole('button', { name: 'Sign In', exact: true }).click();
    await expect(page).toHaveURL(/\/workspaces$/);
    await waitForHydration(page);
    await expect(page.getByRole('banner')).toContainText('alice@acme');

    // Signed in, /login goes straight on to Workspaces.
    await page.goto('/login');
    await expect(page).toHaveURL(/\/workspaces$/);
  });

  test('a refusal in the address is shown only with the console\'s own words', async ({ page }) => {
    const forged = Buffer.from(JSON.stringify({ kind: 'Invalid', message: 'Call +1 555 0100 to unlock.' })).toString(
      'base64url',
    );
    await gotoHydrated(page, `/login?__path=%2Fapi%2Fsign_in&__err=${forged}`);
    await expect(page.getByRole('alert')).toHaveText(/The sign-in did not go through/);
    await expect(page.getByText('555 0100')).toHaveCount(0);
  });

  test('WASM and JS arrive precompressed under hashed names, cached for a year; a reload downloads none', async ({
    page,
  }) => {
    const { take } = await recordTransfers(page);
    await signInAs(page, DEMO.alice); // the sign-in lands on Workspaces: its code arrives now
    await gotoHydrated(page, '/recycle-bin'); // a full page load: the shared code comes from the cache
    const cold = take();
    const code = cold.filter(isCode);
    expect(code.length).toBeGreaterThan(0);
    for (const t of cold.filter((t) => new URL(t.url).pathname.startsWith('/pkg/') && t.bytes > 0)) {
      expect(new URL(t.url).pathname).toMatch(/^\/pkg\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{10,}\.(wasm|js|css)$/);
      expect(t.encoding, t.url).toBe('br');
      expect(t.cacheControl, t.url).toBe('public, max-age=31536000, immutable');
    }
    // Code shared by Workspaces and the Recycle Bin (the main WASM, the JS) was downloaded once.
    const downloads = cold.filter((t) => isCode(t) && !t.cached && t.bytes > 0).map((t) => t.url);
    expect(downloads.length).toBe(new Set(downloads).size);
    const page1 = cold.find((t) => t.type === 'Document')!;
    expect(page1.encoding).toBe('br');
    expect(page1.cacheControl).toBe('no-store');

    await reloadHydrated(page);
    const warm = take();
    const fetchedAgain = warm.filter((t) => isCode(t) && !t.cached && t.bytes > 0);
    expect(fetchedAgain, JSON.stringify(warm, null, 1)).toEqual([]);
    await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await shot(page, 'delivery-recycle-bin-styled');
  });

  test('a dialog whose code does not download says so, and opens when tried again', async ({ page }) => {
    await signInAs(page, DEMO.alice); // Workspaces, hydrated: its dialogs' code is not loaded yet
    const code = /\/pkg\/.*\.wasm$/;
    await page.route(code, (route) => route.abort('internetdisconnected'));
    await page.getByRole('main').getByRole('button', { name: 'Create Workspace', exact: true }).click();
    const failed = page.getByRole('alert').filter({ hasText: 'this part of the page did not download' });
    await expect(failed).toBeVisible();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expectAccessible(page, 'a dialog that did not download');
    await shot(page, 'delivery-dialog-did-not-download');

    // The page still works (a failed download does not stop the WASM), and trying again loads it.
    await page.unroute(code);
    await page.getByRole('button', { name: 'Try again', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Workspace' });
    await expect(dialog).toBeVisible();
    await expect(failed).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toHaveCount(0);
  });
});
