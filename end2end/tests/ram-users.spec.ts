import { DEMO, expect, gotoHydrated, shot, signIn, signInAs, test } from './fixtures';
import { createWorkspaceButton } from './helpers';

function userRow(page: import('@playwright/test').Page, signInName: string) {
  return page.getByRole('main').getByRole('row').filter({ hasText: signInName });
}

async function signOut(page: import('@playwright/test').Page) {
  await page.getByRole('banner').getByRole('button', { name: 'Sign Out', exact: true }).click();
  await page.waitForURL(/\/login/);
}

test.describe('RAM Users', () => {
  test('the root creates a ReadOnly RAM user, who can then sign in and view but not change', async ({ page }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/ram-users');
    await expect(page.getByRole('heading', { name: 'RAM Users', exact: true })).toBeVisible();
    for (const user of ['alice@acme', 'bob@acme', 'carol@acme']) await expect(userRow(page, user)).toHaveCount(1);
    await expect(
      userRow(page, 'alice@acme').getByRole('checkbox', { name: 'AliyunDataWorksFullAccess' }),
    ).toBeChecked();

    await page.getByRole('button', { name: 'Create RAM User', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Create RAM User' });
    await dialog.getByLabel('User Name', { exact: true }).fill('dave');
    await dialog.getByLabel('Password', { exact: true }).fill('dave-demo-1');
    await dialog.getByLabel('Policy', { exact: true }).selectOption('AliyunDataWorksReadOnlyAccess');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('status')).toContainText('dave@acme');
    await expect(
      userRow(page, 'dave@acme').getByRole('checkbox', { name: 'AliyunDataWorksReadOnlyAccess' }),
    ).toBeChecked();
    await shot(page, 'ram-users-created');

    await signOut(page);
    await signIn(page, 'dave@acme', 'dave-demo-1');
    await gotoHydrated(page, '/workspaces');
    await expect(page.getByRole('banner')).toContainText('dave@acme');
    await expect(createWorkspaceButton(page)).toBeDisabled();
  });

  test('attaching AliyunDataWorksFullAccess to a user without a policy lets them create workspaces', async ({ page, browser, baseURL }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/ram-users');
    await userRow(page, 'carol@acme').getByRole('checkbox', { name: 'AliyunDataWorksFullAccess' }).check();
    await expect(page.getByRole('status')).toContainText('AliyunDataWorksFullAccess attached to carol@acme');

    const carol = await (await browser.newContext({ baseURL })).newPage();
    await signInAs(carol, DEMO.carol);
    await gotoHydrated(carol, '/workspaces');
    await expect(carol.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    await expect(createWorkspaceButton(carol)).toBeEnabled();
    await carol.close();
  });

  test('a RAM user, even with full access, is refused the RAM Users page', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/ram-users');
    await expect(page.getByRole('alert')).toContainText('Only the Alibaba Cloud account');
    await expect(page.getByRole('main').getByRole('row')).toHaveCount(0);
    await shot(page, 'ram-users-refused');
  });
});
