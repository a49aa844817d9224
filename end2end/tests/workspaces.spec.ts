import { DEMO, reloadHydrated, expect, gotoHydrated, shot, signInAs, test } from './fixtures';
import {
  binRow,
  cellText,
  createWorkspace,
  deleteWorkspace,
  openCreateDialog,
  searchBox,
  searchWorkspaces,
  taskRow,
  tryName,
  visibleWorkspaceNames,
  workspaceRow,
  workspaceRows,
  workspacesTable,
} from './helpers';

const COLUMNS = ['Workspace Name', 'Display Name', 'Created At', 'Created By', 'Actions'];

async function pageCount(page: import('@playwright/test').Page, current: number): Promise<number> {
  const label = page.getByText(new RegExp(`Page ${current} of \\d+`));
  await expect(label).toBeVisible();
  const m = /Page \d+ of (\d+)/.exec(await label.innerText());
  return Number(m![1]);
}

test.describe('Workspaces page', () => {
  test('lists the account workspaces in a table with the specified columns, 10 rows per page', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await expect(page.getByRole('heading', { name: 'Workspaces', exact: true })).toBeVisible();
    const headers = (await workspacesTable(page).getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
    expect(headers).toEqual(COLUMNS);
    await expect(workspaceRows(page)).toHaveCount(10);
    expect(await pageCount(page, 1)).toBeGreaterThanOrEqual(3);

    const first = workspaceRows(page).first();
    const name = (await visibleWorkspaceNames(page))[0];
    await expect(first.getByRole('link', { name, exact: true })).toHaveAttribute(
      'href',
      new RegExp(`/workspaces/${name}$`),
    );
    await expect(first.getByRole('button', { name: 'More', exact: true })).toHaveAttribute('aria-haspopup', /menu|true/);
    await shot(page, 'workspaces-list');
  });

  test('the Recycle Bin button in the upper-right corner opens the Recycle Bin', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await page.getByRole('main').getByRole('link', { name: 'Recycle Bin', exact: true }).click();
    await expect(page).toHaveURL(/\/recycle-bin/);
    await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await shot(page, 'workspaces-to-recycle-bin');
  });

  test('pagination walks through every workspace with Previous page and Next page', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const previous = page.getByRole('button', { name: 'Previous page' });
    const next = page.getByRole('button', { name: 'Next page' });
    const pages = await pageCount(page, 1);
    await expect(previous).toBeDisabled();

    const seen: string[] = [];
    let previousFirst = '';
    for (let current = 1; current <= pages; current++) {
      await expect(page.getByText(`Page ${current} of ${pages}`)).toBeVisible();
      // The rows may arrive after the page label: wait until the page's rows are new ones.
      await expect.poll(async () => (await visibleWorkspaceNames(page))[0] ?? '').not.toBe(previousFirst);
      const rows = workspaceRows(page);
      if (current < pages) await expect(rows).toHaveCount(10);
      const names = await visibleWorkspaceNames(page);
      previousFirst = names[0];
      expect(names.length).toBeGreaterThan(0);
      expect(names.length).toBeLessThanOrEqual(10);
      for (const n of names) expect(seen).not.toContain(n);
      seen.push(...names);
      if (current === 2) await shot(page, 'workspaces-page-2');
      if (current < pages) await next.click();
    }
    await expect(next).toBeDisabled();
    expect(seen.length).toBeGreaterThanOrEqual(30);
    expect(seen).toEqual(expect.arrayContaining(['sales_dw', 'marketing_ml', 'finance_etl']));
    expect(seen).not.toContain('legacy_reports');

    await previous.click();
    await expect(page.getByText(`Page ${pages - 1} of ${pages}`)).toBeVisible();
    await expect(workspaceRows(page)).toHaveCount(10);
  });

  test('search filters by name substring as you type, ignoring letter case', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await searchBox(page).pressSequentially('SALES_');
    await expect(workspaceRow(page, 'sales_dw')).toBeVisible();
    await expect
      .poll(async () => (await visibleWorkspaceNames(page)).filter((n) => !n.toLowerCase().includes('sales_')))
      .toEqual([]);
    await expect(page.getByText('Page 1 of 1')).toBeVisible();
    await shot(page, 'workspaces-search');

    await searchWorkspaces(page, 'zz_no_such_workspace');
    await expect(workspaceRows(page)).toHaveCount(0);

    await searchWorkspaces(page, '');
    await expect(workspaceRows(page)).toHaveCount(10);
  });

  test('a new workspace is created and can be found by search', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Workspace Name', { exact: true }).fill('q3_forecast');
    await dialog.getByLabel('Display Name', { exact: true }).fill('Q3 Forecast');
    await dialog.getByLabel('Description', { exact: true }).fill('Quarterly forecast models');
    await dialog.getByRole('checkbox', { name: 'Enable data modeling' }).check();
    await shot(page, 'workspaces-create-dialog');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toBeHidden();

    await searchWorkspaces(page, 'q3_fore');
    const row = workspaceRow(page, 'q3_forecast');
    await expect(row).toHaveCount(1);
    const table = workspacesTable(page);
    expect(await cellText(table, row, 'Display Name')).toBe('Q3 Forecast');
    expect(await cellText(table, row, 'Created By')).toContain('alice');
    expect(await cellText(table, row, 'Created At')).toMatch(/\d/);
    await expect(row.getByRole('link', { name: 'q3_forecast', exact: true })).toHaveAttribute(
      'href',
      /\/workspaces\/q3_forecast$/,
    );
    await shot(page, 'workspaces-created');

    await reloadHydrated(page);
    await searchWorkspaces(page, 'Q3_FORECAST');
    await expect(workspaceRow(page, 'q3_forecast')).toHaveCount(1);
  });

  test('a name that breaks the naming conventions is explained next to the field and nothing is created', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Display Name', { exact: true }).fill('Bad names');
    const nameField = dialog.getByLabel('Workspace Name', { exact: true });
    const cases = [
      ['ab', '3 to 64 characters'],
      ['_leading_underscore', 'start with a letter or a digit'],
      ['a'.repeat(65), '3 to 64 characters'],
      ['bad-name!', 'letters, digits and underscores'],
    ] as const;
    for (const [i, [name, rule]] of cases.entries()) {
      await tryName(dialog, name);
      await expect(dialog).toBeVisible();
      await expect(dialog).toContainText(rule);
      await expect(nameField).toHaveValue(name);
      await expect(dialog.getByLabel('Display Name', { exact: true })).toHaveValue('Bad names');
      await shot(page, `workspaces-bad-name-${i + 1}`);
    }
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toBeHidden();

    for (const name of ['_leading_underscore', 'a'.repeat(65), 'bad-name!']) {
      await searchWorkspaces(page, name);
      await expect(workspaceRows(page)).toHaveCount(0);
    }
  });

  test('a name already taken in the account is refused in any letter case', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Display Name', { exact: true }).fill('Sales again');
    await tryName(dialog, 'SALES_DW');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('already exists');
    await expect(dialog.getByLabel('Workspace Name', { exact: true })).toHaveValue('SALES_DW');
    await shot(page, 'workspaces-taken-name');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();

    await searchWorkspaces(page, 'sales_dw');
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(1);
    await expect(workspaceRow(page, 'SALES_DW')).toHaveCount(0);
  });

  test('a name held by a Recycle Bin entry is reserved: the message names the bin, the release and Recover', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Display Name', { exact: true }).fill('Legacy');
    await tryName(dialog, 'LEGACY_REPORTS');
    await expect(dialog).toBeVisible();
    for (const part of ['Recycle Bin', 'released', 'Recover']) await expect(dialog).toContainText(part);
    await expect(dialog.getByLabel('Workspace Name', { exact: true })).toHaveValue('LEGACY_REPORTS');
    await shot(page, 'workspaces-reserved-name');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await searchWorkspaces(page, 'legacy_reports');
    await expect(workspaceRows(page)).toHaveCount(0);
  });
});

test.describe('Accounts are isolated', () => {
  test("another account's workspaces, bin entries and tasks are invisible", async ({ page }) => {
    await signInAs(page, DEMO.globex);
    await gotoHydrated(page, '/workspaces');
    await expect(workspaceRows(page).first()).toBeVisible();
    await searchWorkspaces(page, 'finance_etl');
    await expect(workspaceRows(page)).toHaveCount(0);
    await searchWorkspaces(page, 'marketing_ml');
    await expect(workspaceRows(page)).toHaveCount(0);
    await searchWorkspaces(page, 'sales_dw');
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(1);
    await shot(page, 'isolation-globex-workspaces');

    await gotoHydrated(page, '/recycle-bin');
    await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await expect(binRow(page, 'legacy_reports')).toHaveCount(0);
    await shot(page, 'isolation-globex-recycle-bin');

    await gotoHydrated(page, '/operation-center');
    await expect(page.getByRole('heading', { name: 'Operation Center', exact: true })).toBeVisible();
    await expect(taskRow(page, 'daily_ledger')).toHaveCount(0);
    await shot(page, 'isolation-globex-operation-center');

    // A guessed name of acme's workspace answers like a missing one: no nodes, no tasks.
    await gotoHydrated(page, '/workspaces/finance_etl/datastudio');
    await expect(page.getByRole('button', { name: 'reconcile', exact: true })).toHaveCount(0);
    await expect(page.getByText('daily_ledger')).toHaveCount(0);
    await shot(page, 'isolation-globex-guessed-datastudio');
  });

  test("deleting one account's sales_dw leaves the other account's sales_dw untouched", async ({ page }) => {
    await signInAs(page, DEMO.globex);
    await deleteWorkspace(page, 'sales_dw');
    await gotoHydrated(page, '/recycle-bin');
    await expect(binRow(page, 'sales_dw')).toHaveCount(1);
    await shot(page, 'isolation-globex-deleted-sales-dw');
    await page.getByRole('banner').getByRole('button', { name: 'Sign Out', exact: true }).click();
    await expect(page).toHaveURL(/\/login/);

    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    await searchWorkspaces(page, 'sales_dw');
    await expect(workspaceRow(page, 'sales_dw')).toHaveCount(1);
    await shot(page, 'isolation-acme-still-has-sales-dw');
    await gotoHydrated(page, '/recycle-bin');
    await expect(binRow(page, 'legacy_reports')).toHaveCount(1);
    await expect(binRow(page, 'sales_dw')).toHaveCount(0);
    await gotoHydrated(page, '/operation-center');
    await expect(taskRow(page, 'ods_orders')).toHaveCount(1);
  });
});

test('a workspace created by one account does not show up in another', async ({ page }) => {
  await signInAs(page, DEMO.alice);
  await gotoHydrated(page, '/workspaces');
  await createWorkspace(page, { name: 'acme_private_ws', displayName: 'Acme private' });
  await page.getByRole('banner').getByRole('button', { name: 'Sign Out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await signInAs(page, DEMO.globex);
  await gotoHydrated(page, '/workspaces');
  await expect(workspaceRows(page).first()).toBeVisible();
  await searchWorkspaces(page, 'acme_private');
  await expect(workspaceRows(page)).toHaveCount(0);
  await shot(page, 'isolation-created-invisible');
});
