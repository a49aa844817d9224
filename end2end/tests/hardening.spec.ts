import type { Page } from '@playwright/test';
import { DEMO, advanceClock, expect, gotoHydrated, reloadHydrated, shot, signIn, signInAs, test } from './fixtures';

async function tryPassword(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign In', exact: true }).click();
}

/** Collects Content-Security-Policy violations the page reports. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

test.describe('Hardening', () => {
  test('five wrong passwords lock that user name with a clear wait, and the lock ends in time', async ({ page, baseURL }) => {
    await gotoHydrated(page, '/login');
    for (let i = 0; i < 5; i++) {
      await tryPassword(page, 'alice@acme', `not-her-password-${i}`);
      await expect(page.getByText('Incorrect username or password.')).toBeVisible();
    }
    await tryPassword(page, 'alice@acme', DEMO.alice.password);
    await expect(page.getByText(/Too many attempts\. Try again in 15 minutes\./)).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    await shot(page, 'hardening-throttled');

    await advanceClock(baseURL!, 15 * 60);
    await signInAs(page, DEMO.alice);
    await expect(page.getByRole('banner')).toContainText('alice@acme');
  });

  test('Create Account refuses a commonly used password and says why', async ({ page }) => {
    await gotoHydrated(page, '/signup');
    await page.getByLabel('Account Name', { exact: true }).fill('initech');
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByRole('button', { name: 'Create Account', exact: true }).click();
    await expect(page.getByText('This password is too common and easy to guess. Choose another one.')).toBeVisible();
    await expect(page).toHaveURL(/\/signup/);
    await shot(page, 'hardening-common-password');
  });

  test('a password reset by the root signs the user out everywhere at once', async ({ page, browser, baseURL }) => {
    const bob = await (await browser.newContext({ baseURL })).newPage();
    await signInAs(bob, DEMO.bob);
    await gotoHydrated(bob, '/workspaces');
    await expect(bob.getByRole('banner')).toContainText('bob@acme');

    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/ram-users');
    await page.getByLabel('New password for bob@acme', { exact: true }).fill('bob-fresh-pass-2');
    const row = page.getByRole('main').getByRole('row').filter({ hasText: 'bob@acme' });
    await row.getByRole('button', { name: 'Set Password', exact: true }).click();
    await expect(page.getByRole('status')).toContainText('bob@acme');

    await bob.reload();
    await expect(bob).toHaveURL(/\/login/);
    await signIn(bob, 'bob@acme', 'bob-fresh-pass-2');
    await expect(bob.getByRole('banner')).toContainText('bob@acme');
    await bob.close();
  });

  test('every page hydrates under a nonce Content-Security-Policy with no violation', async ({ page }) => {
    const violations = cspViolations(page);
    const login = await page.goto('/login');
    const csp = login!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(login!.headers()['x-frame-options']).toBe('DENY');
    await signInAs(page, DEMO.root);
    for (const url of ['/workspaces', '/recycle-bin', '/operation-center', '/ram-users', '/workspaces/sales_dw/datastudio']) {
      await gotoHydrated(page, url);
    }
    await reloadHydrated(page);
    expect(violations).toEqual([]);
  });
});
