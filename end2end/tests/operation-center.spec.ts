import { DEMO, advanceClock, expect, gotoHydrated, reloadHydrated, shot, signInAs, test } from './fixtures';
import { COST_FORMAT, cellText, expectTaskStatus, taskCost, taskRow, tasksTable } from './helpers';

const COLUMNS = ['Task Name', 'Workspace', 'Status', 'Schedule', 'Cost So Far', 'Actions'];

test.describe('Operation Center', () => {
  test('the account-wide Operation Center lists every auto triggered task with its status, schedule and cost', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/operation-center');
    await expect(page.getByRole('heading', { name: 'Operation Center', exact: true })).toBeVisible();
    const table = tasksTable(page);
    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
    expect(headers).toEqual(COLUMNS);

    const expected = [
      ['ods_orders', 'sales_dw', 'Running'],
      ['dwd_sales', 'sales_dw', 'Running'],
      ['ads_report', 'sales_dw', 'Frozen'],
      ['daily_ledger', 'finance_etl', 'Running'],
    ] as const;
    for (const [task, workspace, status] of expected) {
      const row = taskRow(page, task);
      await expect(row, task).toHaveCount(1);
      expect(await cellText(table, row, 'Workspace')).toContain(workspace);
      await expectTaskStatus(page, task, status);
      expect(await cellText(table, row, 'Schedule')).not.toBe('');
      expect(await cellText(table, row, 'Cost So Far')).toMatch(COST_FORMAT);
      const toggle = status === 'Running' ? 'Freeze' : 'Unfreeze';
      await expect(row.getByRole('button', { name: toggle, exact: true })).toBeEnabled();
      await expect(row.getByRole('button', { name: 'Delete', exact: true })).toBeEnabled();
    }
    await shot(page, 'operation-center-account');
  });

  test("a workspace's Operation Center shows only that workspace's tasks", async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces/sales_dw/operation-center');
    await expect(page.getByRole('heading', { name: 'Operation Center', exact: true })).toBeVisible();
    await expectTaskStatus(page, 'ods_orders', 'Running');
    await expectTaskStatus(page, 'dwd_sales', 'Running');
    await expectTaskStatus(page, 'ads_report', 'Frozen');
    await expect(taskRow(page, 'daily_ledger')).toHaveCount(0);
    await shot(page, 'operation-center-sales-dw');
  });

  test('a Running task accrues $0.50 per hourly run while a Frozen task accrues nothing', async ({
    page,
    baseURL,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/operation-center');
    await taskRow(page, 'dwd_sales').getByRole('button', { name: 'Freeze', exact: true }).click();
    await expectTaskStatus(page, 'dwd_sales', 'Frozen');
    await expectTaskStatus(page, 'ods_orders', 'Running');
    await shot(page, 'operation-center-frozen');

    const before = {
      running: await taskCost(page, 'ods_orders'),
      frozenNow: await taskCost(page, 'dwd_sales'),
      frozenBefore: await taskCost(page, 'ads_report'),
    };
    await advanceClock(baseURL!, 86400);
    await reloadHydrated(page);
    await expectTaskStatus(page, 'dwd_sales', 'Frozen');
    const after = {
      running: await taskCost(page, 'ods_orders'),
      frozenNow: await taskCost(page, 'dwd_sales'),
      frozenBefore: await taskCost(page, 'ads_report'),
    };
    // 24 hourly runs at $0.50 = $12.00 (one run more only if the real clock crossed an hour meanwhile).
    expect([1200, 1250]).toContain(after.running - before.running);
    expect(after.frozenNow).toBe(before.frozenNow);
    expect(after.frozenBefore).toBe(before.frozenBefore);
    await shot(page, 'operation-center-after-a-day');

    // Unfreezing starts billing again.
    await taskRow(page, 'ads_report').getByRole('button', { name: 'Unfreeze', exact: true }).click();
    await expectTaskStatus(page, 'ads_report', 'Running');
    await advanceClock(baseURL!, 3700);
    await reloadHydrated(page);
    expect([50, 100]).toContain((await taskCost(page, 'ads_report')) - after.frozenBefore);
  });

  test('a ReadOnly user sees Freeze, Unfreeze and Delete disabled', async ({ page }) => {
    await signInAs(page, DEMO.bob);
    await gotoHydrated(page, '/operation-center');
    await expectTaskStatus(page, 'ods_orders', 'Running');
    const running = taskRow(page, 'ods_orders');
    const frozen = taskRow(page, 'ads_report');
    await expect(running.getByRole('button', { name: 'Freeze', exact: true })).toBeDisabled();
    await expect(running.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
    await expect(frozen.getByRole('button', { name: 'Unfreeze', exact: true })).toBeDisabled();
    await expect(frozen.getByRole('button', { name: 'Delete', exact: true })).toBeDisabled();
    await shot(page, 'operation-center-bob');

    await gotoHydrated(page, '/workspaces/sales_dw/operation-center');
    await expect(taskRow(page, 'dwd_sales').getByRole('button', { name: 'Freeze', exact: true })).toBeDisabled();
    await shot(page, 'operation-center-bob-sales-dw');
  });
});
