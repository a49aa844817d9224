import { DEMO, expect, expectAccessible, gotoHydrated, signInAs, test } from './fixtures';
import { binRow, taskRow } from './helpers';

// Every page is checked by gotoHydrated; these are the dialogs and menus the journeys open
// without going through a helper that checks them.
test.describe('Accessibility (axe-core: no serious or critical violation)', () => {
  test('the Recycle Bin dialogs, the Delete Task dialog and the Create RAM User dialog', async ({ page }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/recycle-bin');
    for (const [button, title] of [
      ['Recover', 'Recover Workspace'],
      ['Delete Permanently', 'Delete Permanently'],
    ]) {
      await binRow(page, 'legacy_reports').getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: title });
      await expect(dialog).toBeVisible();
      await expectAccessible(page, `the ${title} dialog`);
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
    }

    await gotoHydrated(page, '/operation-center');
    const row = taskRow(page, 'ads_report');
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    const deleteTask = page.getByRole('dialog', { name: 'Delete Task' });
    await expect(deleteTask).toBeVisible();
    await expectAccessible(page, 'the Delete Task dialog');
    await deleteTask.getByRole('button', { name: 'Cancel', exact: true }).click();

    await gotoHydrated(page, '/ram-users');
    await page.getByRole('button', { name: 'Create RAM User', exact: true }).click();
    await expect(page.getByRole('dialog', { name: 'Create RAM User' })).toBeVisible();
    await expectAccessible(page, 'the Create RAM User dialog');
  });

  test('the workspace row menu and DataStudio with a node open', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await page.getByRole('button', { name: 'More', exact: true }).first().click();
    await expect(page.getByRole('menu')).toBeVisible();
    await expectAccessible(page, 'the workspace row menu');
    await gotoHydrated(page, '/workspaces/sales_dw/datastudio');
    await page.getByRole('main').getByRole('button', { name: 'ads_report', exact: true }).click();
    await expect(page.getByRole('main').getByText('Published', { exact: true })).toBeVisible();
    await expectAccessible(page, 'DataStudio with a node open');
  });
});
