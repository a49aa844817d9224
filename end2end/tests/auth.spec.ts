import { DEMO, expect, gotoHydrated, shot, signIn, signInAs, test, waitForHydration } from './fixtures';
import { createWorkspaceButton, searchWorkspaces, workspaceRow, workspaceRows } from './helpers';

const NAV_LINKS = ['Workspaces', 'Operation Center', 'Recycle Bin'];

test.describe('Sign-in and who may see what', () => {
  test('an account root signs in, sees who is signed in and the RAM Users link', async ({ page }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/workspaces');
    const banner = page.getByRole('banner');
    await expect(banner).toContainText('acme');
    for (const name of [...NAV_LINKS, 'RAM Users']) {
      await expect(banner.getByRole('link', { name, exact: true })).toBeVisible();
    }
    await expect(banner.getByRole('button', { name: 'Sign Out', exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    await expect(createWorkspaceButton(page)).toBeEnabled();
    await shot(page, 'auth-root-workspaces');
  });

  test('a FullAccess RAM user can create workspaces but has no RAM Users link', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const banner = page.getByRole('banner');
    await expect(banner).toContainText('alice@acme');
    for (const name of NAV_LINKS) {
      await expect(banner.getByRole('link', { name, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('link', { name: 'RAM Users' })).toHaveCount(0);
    await expect(createWorkspaceButton(page)).toBeEnabled();
    await expect(page.getByText('Requires AliyunDataWorksFullAccess')).toHaveCount(0);
    await shot(page, 'auth-alice-workspaces');
  });

  test('a ReadOnly RAM user sees the workspaces but Create Workspace is disabled and says why', async ({ page }) => {
    await signInAs(page, DEMO.bob);
    await gotoHydrated(page, '/workspaces');
    await expect(page.getByRole('banner')).toContainText('bob@acme');
    await expect(page.getByRole('link', { name: 'RAM Users' })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    await expect(workspaceRows(page).first()).toBeVisible();
    await expect(createWorkspaceButton(page)).toBeDisabled();
    await expect(page.getByText('Requires AliyunDataWorksFullAccess').first()).toBeVisible();
    await shot(page, 'auth-bob-workspaces');
  });

  test('a RAM user without a DataWorks policy gets a no-permission page on every console page', async ({ page }) => {
    await signInAs(page, DEMO.carol);
    await expect(page.getByRole('banner')).toContainText('carol@acme');
    const pages = [
      ['/workspaces', 'workspaces'],
      ['/operation-center', 'operation-center'],
      ['/recycle-bin', 'recycle-bin'],
      ['/workspaces/sales_dw/datastudio', 'datastudio'],
      ['/workspaces/sales_dw/operation-center', 'ws-operation-center'],
    ] as const;
    for (const [url, name] of pages) {
      await gotoHydrated(page, url);
      await expect(page.getByRole('heading', { name: 'No permission' })).toBeVisible();
      await expect(page.getByText(/AliyunDataWorksReadOnlyAccess/).first()).toBeVisible();
      await expect(page.getByRole('table')).toHaveCount(0);
      await expect(page.getByText('ods_orders')).toHaveCount(0);
      await expect(page.getByText('legacy_reports')).toHaveCount(0);
      await shot(page, `auth-carol-${name}`);
    }
  });

  test('the root of another account signs in to its own account', async ({ page }) => {
    await signInAs(page, DEMO.globex);
    await gotoHydrated(page, '/workspaces');
    const banner = page.getByRole('banner');
    await expect(banner).toContainText('globex');
    await expect(banner.getByRole('link', { name: 'RAM Users', exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    await shot(page, 'auth-globex-workspaces');
  });

  test('a wrong username or password gets one message that does not say which half was wrong', async ({ page }) => {
    const message = 'Incorrect username or password.';
    for (const [username, password, name] of [
      ['acme', 'not-the-password', 'wrong-password'],
      ['nobody@acme', 'acme-demo-1', 'wrong-username'],
    ]) {
      await gotoHydrated(page, '/login');
      await page.getByLabel('Username', { exact: true }).fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign In', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: message })).toBeVisible();
      await expect(page).toHaveURL(/\/login/);
      await shot(page, `auth-${name}`);
    }
  });

  test('a signed-out visit to any console page is sent to the sign-in page', async ({ page }) => {
    for (const url of ['/workspaces', '/operation-center', '/recycle-bin', '/workspaces/sales_dw/datastudio']) {
      await page.goto(url);
      await expect(page).toHaveURL(/\/login(\?|$)/);
      await expect(page.getByLabel('Username', { exact: true })).toBeVisible();
    }
    await shot(page, 'auth-signed-out-redirect');
  });

  test('Sign Out ends the session: going back and reloading shows the sign-in page, not data', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await searchWorkspaces(page, 'sales_dw');
    await expect(workspaceRow(page, 'sales_dw')).toBeVisible();
    await shot(page, 'auth-signout-before');

    await page.getByRole('banner').getByRole('button', { name: 'Sign Out', exact: true }).click();
    await expect(page).toHaveURL(/\/login/);
    await shot(page, 'auth-signout-login');

    await page.goBack();
    await page.reload();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('button', { name: 'Sign In', exact: true })).toBeVisible();
    await expect(page.getByText('sales_dw')).toHaveCount(0);

    await page.goto('/workspaces');
    await expect(page).toHaveURL(/\/login/);
    await shot(page, 'auth-signout-after');
  });

  test('Create Account registers a new account whose root lands on an empty Workspaces page', async ({ page }) => {
    await gotoHydrated(page, '/login');
    await page.getByRole('link', { name: 'Create Account' }).click();
    await expect(page).toHaveURL(/\/signup/);
    await expect(page.getByRole('heading', { name: 'Create Account' })).toBeVisible();
    await page.getByLabel('Account Name', { exact: true }).fill('initech');
    await page.getByLabel('Password', { exact: true }).fill('initech-pass-1');
    await shot(page, 'auth-signup');
    await page.getByRole('button', { name: 'Create Account', exact: true }).click();

    await expect(page).toHaveURL(/\/workspaces(\?|$)/);
    // The sign-up lands with a full page load; Sign Out is a button the WASM drives.
    await waitForHydration(page);
    await expect(page.getByRole('banner')).toContainText('initech');
    await expect(page.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    await expect(page.getByRole('banner').getByRole('link', { name: 'RAM Users', exact: true })).toBeVisible();
    await expect(workspaceRows(page)).toHaveCount(0);
    await shot(page, 'auth-signup-workspaces');

    await page.getByRole('banner').getByRole('button', { name: 'Sign Out', exact: true }).click();
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, 'initech', 'initech-pass-1');
    await expect(page.getByRole('banner')).toContainText('initech');
  });
});
