import type { Locator } from '@playwright/test';
import {
  DEMO,
  reloadHydrated,
  advanceClock,
  expect,
  expectAccessible,
  gotoHydrated,
  shot,
  signInAs,
  tabTo,
  test,
} from './fixtures';
import {
  binRow,
  cellIn,
  cellText,
  deleteWorkspace,
  expectTaskStatus,
  focusInside,
  freezeCheckbox,
  openCreateDialog,
  openDeleteDialog,
  searchBox,
  searchResultsShown,
  searchWorkspaces,
  statusMessage,
  taskCost,
  taskRow,
  tasksTable,
  workspaceRow,
} from './helpers';

const BASE_ASSET_ROWS = ['Data sources', 'Computing resources', 'Nodes', 'Resources'];

function coreAssets(dialog: Locator): Locator {
  return dialog.getByRole('table', { name: 'Core assets' });
}

function assetRow(dialog: Locator, assetType: string): Locator {
  return coreAssets(dialog)
    .getByRole('row')
    .filter({ has: dialog.page().getByRole('rowheader', { name: assetType, exact: true }) });
}

/** DataWorks + PAI count of one asset type in the Core assets table. */
async function assetCount(dialog: Locator, assetType: string): Promise<number> {
  const table = coreAssets(dialog);
  const row = assetRow(dialog, assetType);
  await expect(row).toHaveCount(1);
  const dataWorks = await cellText(table, row, 'DataWorks');
  const pai = await cellText(table, row, 'PAI');
  expect(dataWorks).toMatch(/^\d+$/);
  expect(pai).toMatch(/^\d+$/);
  return Number(dataWorks) + Number(pai);
}

test.describe('Deleting a workspace', () => {
  test('the delete dialog shows pre-deletion checks, core assets and a risk warning, in that order', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    const dialog = await openDeleteDialog(page, 'sales_dw');

    const headings = (await dialog.getByRole('heading').allInnerTexts()).map((h) => h.trim());
    const order = ['Pre-deletion checks', 'Core assets', 'Risk warning'].map((h) => headings.indexOf(h));
    expect(order.every((i) => i >= 0), `headings: ${headings.join(' | ')}`).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // PAI check: the associated PAI workspace, which is deleted too.
    await expect(dialog).toContainText('PAI workspace');
    // Billing check: each Running task with its cost so far, and a way to Operation Center.
    await expect(dialog).toContainText('ods_orders');
    await expect(dialog).toContainText('dwd_sales');
    await expect(dialog).toContainText(/\$\d[\d,]*\.\d{2}/);
    await expect(dialog.getByRole('link', { name: 'Operation Center' })).toHaveAttribute('href', /operation-center/);
    await expect(freezeCheckbox(dialog)).toBeChecked();

    // Core assets: counts per type, DataWorks / PAI.
    const headers = (await coreAssets(dialog).getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
    expect(headers).toEqual(['Asset type', 'DataWorks', 'PAI']);
    for (const assetType of BASE_ASSET_ROWS) {
      expect(await assetCount(dialog, assetType), assetType).toBeGreaterThan(0);
    }
    expect(await assetCount(dialog, 'Nodes')).toBeGreaterThanOrEqual(3);
    await expect(dialog).toContainText(/scheduling tasks/i);
    await expect(dialog).toContainText(/data integration tasks/i);
    await expect(dialog).toContainText(/14 days/);

    await expect(dialog.getByRole('textbox', { name: 'Workspace name' })).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'OK', exact: true })).toBeDisabled();
    await shot(page, 'delete-dialog-sales-dw');

    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(1);
  });

  test('Models and Metrics rows appear only when data modeling is enabled', async ({ page }) => {
    await signInAs(page, DEMO.alice);

    const withModeling = await openDeleteDialog(page, 'sales_dw');
    for (const assetType of [...BASE_ASSET_ROWS, 'Models', 'Metrics']) {
      await expect(assetRow(withModeling, assetType), assetType).toHaveCount(1);
    }
    await shot(page, 'delete-dialog-modeling-on');
    await withModeling.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(withModeling).toBeHidden();

    const withoutModeling = await openDeleteDialog(page, 'marketing_ml');
    for (const assetType of BASE_ASSET_ROWS) {
      await expect(assetRow(withoutModeling, assetType), assetType).toHaveCount(1);
    }
    await expect(coreAssets(withoutModeling).getByRole('rowheader', { name: 'Models' })).toHaveCount(0);
    await expect(coreAssets(withoutModeling).getByRole('rowheader', { name: 'Metrics' })).toHaveCount(0);
    expect(await assetCount(withoutModeling, 'Nodes')).toBeGreaterThan(0);
    await shot(page, 'delete-dialog-modeling-off');
  });

  test('OK stays disabled until the typed name equals the workspace name exactly; then it moves to the Recycle Bin', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    const dialog = await openDeleteDialog(page, 'sales_dw');
    const typed = dialog.getByRole('textbox', { name: 'Workspace name' });
    const ok = dialog.getByRole('button', { name: 'OK', exact: true });
    await expect(ok).toBeDisabled();
    for (const almost of ['SALES_DW', 'sales_dw ', ' sales_dw', 'sales_d', 'sales_dw2', 'Sales_dw']) {
      await typed.fill(almost);
      await expect(ok, JSON.stringify(almost)).toBeDisabled();
    }
    await typed.fill('sales_dw');
    await expect(ok).toBeEnabled();
    await shot(page, 'delete-ok-enabled');
    await ok.click();

    await expect(dialog).toBeHidden();
    await expect(statusMessage(page, 'moved to the Recycle Bin')).toBeVisible();
    // Gone from the table without a reload …
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(0);
    await shot(page, 'delete-done');
    // … and for good.
    await reloadHydrated(page);
    await searchWorkspaces(page, 'sales_dw');
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(0);
    await gotoHydrated(page, '/recycle-bin');
    await expect(binRow(page, 'sales_dw')).toHaveCount(1);
  });

  test('with the freeze box ticked, Running tasks are frozen and deleted with the workspace', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/operation-center');
    await expect(taskRow(page, 'ods_orders')).toHaveCount(1);

    await deleteWorkspace(page, 'sales_dw', { freeze: true });

    await gotoHydrated(page, '/operation-center');
    await expect(taskRow(page, 'daily_ledger')).toHaveCount(1);
    for (const task of ['ods_orders', 'dwd_sales', 'ads_report']) {
      await expect(taskRow(page, task), task).toHaveCount(0);
    }
    await shot(page, 'delete-freeze-operation-center');
  });

  test('with the freeze box unticked, a Running task stays as an orphan that keeps billing and can be frozen', async ({
    page,
    baseURL,
  }) => {
    await signInAs(page, DEMO.alice);
    const dialog = await openDeleteDialog(page, 'finance_etl');
    await expect(dialog).toContainText('daily_ledger');
    await freezeCheckbox(dialog).uncheck();
    await expect(freezeCheckbox(dialog)).not.toBeChecked();
    await dialog.getByRole('textbox', { name: 'Workspace name' }).fill('finance_etl');
    await shot(page, 'delete-unticked-dialog');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(statusMessage(page, 'moved to the Recycle Bin')).toBeVisible();

    await gotoHydrated(page, '/operation-center');
    await expectTaskStatus(page, 'daily_ledger', 'Running');
    const workspaceCell = await cellIn(tasksTable(page), taskRow(page, 'daily_ledger'), 'Workspace');
    await expect(workspaceCell).toContainText('finance_etl');
    await expect(workspaceCell).toContainText(/deleted/i);
    await shot(page, 'delete-orphan-running');

    // It keeps billing: an hour (and a bit) later one more hourly run has cost $0.50.
    const before = await taskCost(page, 'daily_ledger');
    await advanceClock(baseURL!, 3700);
    await reloadHydrated(page);
    const afterHour = await taskCost(page, 'daily_ledger');
    // 50 cents; 100 only if the window happened to hold two hour boundaries.
    expect([50, 100]).toContain(afterHour - before);

    // Freeze it from the account-wide Operation Center: then it accrues nothing.
    await taskRow(page, 'daily_ledger').getByRole('button', { name: 'Freeze', exact: true }).click();
    await expectTaskStatus(page, 'daily_ledger', 'Frozen');
    await advanceClock(baseURL!, 86400);
    await reloadHydrated(page);
    await expectTaskStatus(page, 'daily_ledger', 'Frozen');
    expect(await taskCost(page, 'daily_ledger')).toBe(afterHour);
    await shot(page, 'delete-orphan-frozen');
  });

  test('a workspace can be deleted with the keyboard alone, and Escape closes the dialog', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await tabTo(page, searchBox(page));
    await page.keyboard.type('marketing_ml');
    await searchResultsShown(page, 'marketing_ml');
    const row = workspaceRow(page, 'marketing_ml');
    await expect(row).toHaveCount(1);
    const more = row.getByRole('button', { name: 'More', exact: true });
    const item = page.getByRole('menu').getByRole('menuitem', { name: 'Delete Workspace' });
    const dialog = page.getByRole('dialog', { name: 'Delete Workspace' });

    // Open, then Escape: nothing is deleted.
    await tabTo(page, more);
    await page.keyboard.press('Enter');
    await expect(item).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await shot(page, 'delete-keyboard-dialog');
    await focusInside(dialog);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(row).toHaveCount(1);

    // Open again and confirm by typing the name.
    await tabTo(page, more);
    await page.keyboard.press('Enter');
    await expect(item).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    const typed = dialog.getByRole('textbox', { name: 'Workspace name' });
    await tabTo(page, typed);
    await page.keyboard.type('marketing_ml');
    const ok = dialog.getByRole('button', { name: 'OK', exact: true });
    await expect(ok).toBeEnabled();
    await tabTo(page, ok);
    await page.keyboard.press('Enter');

    await expect(dialog).toBeHidden();
    await expect(statusMessage(page, 'moved to the Recycle Bin')).toBeVisible();
    await expect(row).toHaveCount(0);
    await shot(page, 'delete-keyboard-done');
  });

  test('a ReadOnly user cannot open the delete action', async ({ page }) => {
    await signInAs(page, DEMO.bob);
    await gotoHydrated(page, '/workspaces');
    await searchWorkspaces(page, 'sales_dw');
    const row = workspaceRow(page, 'sales_dw');
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: 'More', exact: true }).click();
    const item = page.getByRole('menu').getByRole('menuitem', { name: 'Delete Workspace' });
    await expect(item).toBeVisible();
    await expect(item).toHaveAttribute('aria-disabled', 'true');
    await expect(item).toBeDisabled();
    await shot(page, 'delete-bob-menu');
    await item.click({ force: true });
    await expect(page.getByRole('dialog', { name: 'Delete Workspace' })).toHaveCount(0);
    await page.keyboard.press('Escape');
    await reloadHydrated(page);
    await searchWorkspaces(page, 'sales_dw');
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(1);
  });

  test('deletion protection: a protected workspace cannot be deleted until protection is turned off', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await searchWorkspaces(page, 'finance_etl');
    const row = workspaceRow(page, 'finance_etl');
    await expect(row).toHaveCount(1);
    const menuItem = (name: string) => page.getByRole('menu').getByRole('menuitem', { name, exact: true });

    await row.getByRole('button', { name: 'More', exact: true }).click();
    await menuItem('Enable Deletion Protection').click();
    await expect(statusMessage(page, 'Deletion protection is on for finance_etl.')).toBeVisible();
    await expect(row.getByText('Protected', { exact: true })).toBeVisible();

    await row.getByRole('button', { name: 'More', exact: true }).click();
    await expect(menuItem('Delete Workspace')).toBeDisabled();
    await expect(page.getByRole('menu').getByText('Deletion protection is on', { exact: true })).toBeVisible();
    await expect(menuItem('Disable Deletion Protection')).toBeFocused();
    await expectAccessible(page, 'the menu of a protected workspace');
    await shot(page, 'delete-protected-menu');
    await menuItem('Delete Workspace').click({ force: true });
    await expect(page.getByRole('dialog', { name: 'Delete Workspace' })).toHaveCount(0);

    await menuItem('Disable Deletion Protection').click();
    await expect(statusMessage(page, 'Deletion protection is off for finance_etl.')).toBeVisible();
    await expect(row.getByText('Protected', { exact: true })).toHaveCount(0);
    await deleteWorkspace(page, 'finance_etl');
  });

  test('a workspace created with deletion protection shows the badge', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Workspace Name', { exact: true }).fill('kept_forever');
    const protection = dialog.getByRole('checkbox', { name: 'Enable deletion protection' });
    await expect(protection).not.toBeChecked();
    await protection.check();
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toBeHidden();
    await searchWorkspaces(page, 'kept_forever');
    await expect(workspaceRow(page, 'kept_forever').getByText('Protected', { exact: true })).toBeVisible();
  });
});

test.describe('Cross-workspace dependencies', () => {
  test('an upstream added in DataStudio shows in the impact check; deleted, it is "Upstream in Recycle Bin"; recovered, whole again', async ({
    page,
  }) => {
    test.slow();
    await signInAs(page, DEMO.alice);
    const openNode = async () => {
      await gotoHydrated(page, '/workspaces/marketing_ml/datastudio');
      await page.getByRole('main').getByRole('button', { name: /^export_audience/ }).click();
      const section = page.getByRole('region', { name: 'Upstream Dependencies' });
      await expect(section).toBeVisible();
      return section;
    };
    let section = await openNode();
    await expect(section).toContainText('No upstream dependencies');
    await section.getByRole('button', { name: 'Add Upstream' }).click();
    await section.getByLabel('Workspace').selectOption('supply_chain');
    const nodeSelect = section.getByLabel('Node');
    await expect(nodeSelect.getByRole('option', { name: /supply_chain_daily/ })).toBeAttached();
    await nodeSelect.selectOption({ label: 'supply_chain_daily (DataWorks, ODPS SQL)' });
    await section.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(section.getByRole('listitem')).toHaveText([/^supply_chain\.supply_chain_daily\s*Remove$/]);
    await expect(section).toContainText('supply_chain.supply_chain_daily is now an upstream of this node.');
    await expectAccessible(page, 'DataStudio with an upstream dependency');
    await shot(page, 'datastudio-upstream');

    // The impact check of supply_chain's deletion lists it; sales_dw's lists the demo's two.
    let dialog = await openDeleteDialog(page, 'supply_chain');
    const downstream = dialog.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Depends on' }) });
    await expect(dialog.getByRole('heading', { name: 'Downstream dependencies' })).toBeVisible();
    await expect(downstream.getByRole('row')).toHaveCount(2);
    await expect(downstream.getByRole('row').nth(1)).toHaveText(/marketing_ml\s*export_audience\s*supply_chain_daily\s*Not published/);
    await shot(page, 'delete-dialog-downstream');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    dialog = await openDeleteDialog(page, 'finance_etl');
    await expect(dialog).toContainText('No other workspace depends on this one');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await deleteWorkspace(page, 'supply_chain');
    section = await openNode();
    await expect(section.getByRole('listitem')).toContainText('Upstream in Recycle Bin');

    await gotoHydrated(page, '/recycle-bin');
    await binRow(page, 'supply_chain').getByRole('button', { name: 'Recover', exact: true }).click();
    const recover = page.getByRole('dialog', { name: 'Recover Workspace' });
    await recover.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(statusMessage(page, 'Workspace "supply_chain" was recovered.')).toBeVisible();
    section = await openNode();
    await expect(section.getByRole('listitem')).toHaveText([/^supply_chain\.supply_chain_daily\s*Remove$/]);
    await section.getByRole('button', { name: 'Remove' }).click();
    await expect(section).toContainText('No upstream dependencies');
  });
});

test.describe('Undo (SPEC §17)', () => {
  test('"Undo" right after a delete recovers the workspace and shows the Recovery report', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'marketing_ml');
    const status = statusMessage(page, 'marketing_ml was moved to the Recycle Bin.');
    await expect(status).toBeVisible();
    await shot(page, 'undo-offered');
    await status.getByRole('button', { name: 'Undo', exact: true }).click();
    const report = page.getByRole('region', { name: 'Recovery report' });
    await expect(report).toBeVisible();
    await expect(report).toContainText('Nodes to publish again');
    // The button is gone; the focus is on what it did.
    await expect(page.locator(':focus')).toContainText('Workspace "marketing_ml" was recovered.');
    await expect(workspaceRow(page, 'marketing_ml')).toHaveCount(1);
    await shot(page, 'undo-done');
    await expectAccessible(page, 'the Workspaces page after an Undo');
  });

  test('after 30 seconds by the server clock Undo is refused and points to the Recycle Bin', async ({ page, baseURL }) => {
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'finance_etl');
    await advanceClock(baseURL!, 31);
    const status = statusMessage(page, 'finance_etl was moved to the Recycle Bin.');
    await status.getByRole('button', { name: 'Undo', exact: true }).click();
    await expect(status).toContainText('recover it from the Recycle Bin instead');
    await expect(status.getByRole('button', { name: 'Undo' })).toHaveCount(0);
    await expect(status.getByRole('link', { name: 'Recycle Bin' })).toBeVisible();
    await expect(workspaceRow(page, 'finance_etl')).toHaveCount(0);
  });

  test('the page takes the Undo button away when its 30 seconds end', async ({ page }) => {
    await page.clock.install();
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'marketing_ml');
    const status = statusMessage(page, 'marketing_ml was moved to the Recycle Bin.');
    const undo = status.getByRole('button', { name: 'Undo', exact: true });
    await page.clock.fastForward(29_000);
    await expect(undo).toBeVisible();
    await page.clock.fastForward(2_000);
    await expect(undo).toHaveCount(0);
    await expect(status.getByRole('link', { name: 'Recycle Bin' })).toBeVisible();
  });
});
