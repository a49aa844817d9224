import { DEMO, expect, gotoHydrated, reloadHydrated, shot, signInAs, test } from './fixtures';
import {
  cellIn,
  clickAndWaitForServer,
  expectTaskStatus,
  nodeButton,
  nodeStatus,
  statusMessage,
  taskRow,
  tasksTable,
} from './helpers';

test.describe('DataStudio', () => {
  test('a node is edited, saved, committed and published, and its task then runs in the workspace Operation Center', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);

    // The demo node "reconcile" is committed but was never published: no task yet.
    await gotoHydrated(page, '/workspaces/finance_etl/operation-center');
    await expect(page.getByRole('heading', { name: 'Operation Center', exact: true })).toBeVisible();
    await expect(taskRow(page, 'daily_ledger')).toHaveCount(1);
    await expect(taskRow(page, 'reconcile')).toHaveCount(0);

    await gotoHydrated(page, '/workspaces/finance_etl/datastudio');
    await expect(page.getByRole('heading', { name: 'DataStudio', exact: true })).toBeVisible();
    await expect(nodeButton(page, 'daily_ledger')).toBeVisible();
    await nodeButton(page, 'reconcile').click();
    const code = page.getByRole('textbox', { name: 'Code' });
    await expect(code).toBeVisible();
    await expect(nodeStatus(page, 'Committed')).toBeVisible();
    const publish = page.getByRole('button', { name: 'Publish', exact: true });
    await expect(publish).toBeEnabled();
    await shot(page, 'datastudio-reconcile-committed');

    const edited = `${await code.inputValue()}\n-- reviewed by the end-to-end suite\n`;
    await code.fill(edited);
    await clickAndWaitForServer(page, page.getByRole('button', { name: 'Save', exact: true }));
    await clickAndWaitForServer(page, page.getByRole('button', { name: 'Commit', exact: true }));
    await expect(nodeStatus(page, 'Committed')).toBeVisible();
    await expect(publish).toBeEnabled();
    await publish.click();
    await expect(statusMessage(page, 'synced to Operation Center')).toBeVisible();
    await expect(nodeStatus(page, 'Published')).toBeVisible();
    await shot(page, 'datastudio-reconcile-published');

    // The saved code survives a reload.
    await reloadHydrated(page);
    await nodeButton(page, 'reconcile').click();
    await expect(page.getByRole('textbox', { name: 'Code' })).toHaveValue(edited);
    await expect(nodeStatus(page, 'Published')).toBeVisible();

    await gotoHydrated(page, '/workspaces/finance_etl/operation-center');
    await expectTaskStatus(page, 'reconcile', 'Running');
    await expect(await cellIn(tasksTable(page), taskRow(page, 'reconcile'), 'Workspace')).toContainText('finance_etl');
    await shot(page, 'datastudio-reconcile-task-running');
  });

  test('publishing a published node again updates its task instead of adding a second one', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces/sales_dw/datastudio');
    await nodeButton(page, 'ods_orders').click();
    const code = page.getByRole('textbox', { name: 'Code' });
    await code.fill(`${await code.inputValue()}\n-- v2\n`);
    await clickAndWaitForServer(page, page.getByRole('button', { name: 'Save', exact: true }));
    await clickAndWaitForServer(page, page.getByRole('button', { name: 'Commit', exact: true }));
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(statusMessage(page, 'synced to Operation Center')).toBeVisible();
    await shot(page, 'datastudio-republish');

    await gotoHydrated(page, '/workspaces/sales_dw/operation-center');
    await expect(taskRow(page, 'ods_orders')).toHaveCount(1);
    await expectTaskStatus(page, 'ods_orders', 'Running');
  });

  test('a ReadOnly user can read a node but not save, commit or publish it', async ({ page }) => {
    await signInAs(page, DEMO.bob);
    await gotoHydrated(page, '/workspaces/finance_etl/datastudio');
    await expect(page.getByRole('heading', { name: 'DataStudio', exact: true })).toBeVisible();
    await nodeButton(page, 'reconcile').click();
    await expect(page.getByRole('textbox', { name: 'Code' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Code' })).not.toBeEditable();
    for (const action of ['Save', 'Commit', 'Publish']) {
      await expect(page.getByRole('button', { name: action, exact: true })).toBeDisabled();
    }
    await shot(page, 'datastudio-bob');
  });
});
