import {
  DEMO,
  advanceClock,
  expect,
  expectAccessible,
  gotoHydrated,
  reloadHydrated,
  shot,
  signInAs,
  test,
  waitForHydration,
} from './fixtures';
import {
  binRow,
  binTable,
  cellIn,
  cellText,
  columnHeaders,
  countdownSeconds,
  createWorkspace,
  deleteWorkspace,
  expectTaskStatus,
  nodeButton,
  nodeStatus,
  openCreateDialog,
  parseCountdown,
  searchWorkspaces,
  statusMessage,
  taskRow,
  tasksTable,
  tryName,
  workspaceRow,
} from './helpers';

const COLUMNS = ['Workspace Name', 'Deleted By', 'Deletion Time', 'Physical Deletion Countdown', 'Actions'];
const DAY = 86_400;
const RETENTION = 14 * DAY;

test.describe('Recycle Bin', () => {
  test('a deleted workspace is listed with who deleted it, when, and a countdown that ticks in the browser', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'finance_etl');
    await page.getByRole('main').getByRole('link', { name: 'Recycle Bin', exact: true }).click();
    await expect(page).toHaveURL(/\/recycle-bin/);
    await waitForHydration(page);

    await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await expect(page.getByRole('main').getByText(/14 days/).first()).toBeVisible();
    const table = binTable(page);
    // The list arrives after the page's heading and lead (a client-side navigation fetches it): wait for
    // the table before reading its headers, which allInnerTexts does not wait for.
    await expect(table).toBeVisible();
    // The first column holds "Select all on this page" (SPEC §22).
    expect(await columnHeaders(table)).toEqual(['', ...COLUMNS]);
    await expect(table.getByRole('columnheader').first().getByRole('checkbox', { name: 'Select all on this page' })).toBeVisible();

    const row = binRow(page, 'finance_etl');
    await expect(row).toHaveCount(1);
    expect(await cellText(table, row, 'Deleted By')).toContain('alice');
    expect(await cellText(table, row, 'Deletion Time')).toMatch(/\d/);
    await expect(row.getByRole('button', { name: 'Recover', exact: true })).toBeEnabled();
    await expect(row.getByRole('button', { name: 'Delete Permanently', exact: true })).toBeEnabled();

    const countdown = await cellIn(table, row, 'Physical Deletion Countdown');
    const first = parseCountdown(await countdown.innerText());
    expect(first).toBeLessThanOrEqual(RETENTION);
    expect(first).toBeGreaterThan(RETENTION - 10 * 60);
    await expect(row).not.toContainText('Expiring soon');
    await shot(page, 'recycle-bin-after-delete');

    // Live: it changes without a reload (two reads at least 1.1 s apart).
    await page.waitForTimeout(1_100);
    await expect
      .poll(async () => parseCountdown(await countdown.innerText()), { timeout: 5_000 })
      .toBeLessThan(first);

    // The retention is fixed: nothing offers to extend it.
    await expect(page.getByRole('button', { name: /extend/i })).toHaveCount(0);
    await expect(page.getByRole('link', { name: /extend/i })).toHaveCount(0);
  });

  test('an entry in its last 24 hours is marked Expiring soon', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/recycle-bin');
    const row = binRow(page, 'legacy_reports');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('Expiring soon');
    const left = await countdownSeconds(page, 'legacy_reports');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(DAY);
    await shot(page, 'recycle-bin-expiring-soon');
  });

  test('while a workspace is in the bin its name is reserved; Recover restores it and reports what came back', async ({
    page,
  }) => {
    test.slow();
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'finance_etl');

    // The name is reserved, in any letter case.
    const create = await openCreateDialog(page);
    await create.getByLabel('Display Name', { exact: true }).fill('Finance again');
    await tryName(create, 'FINANCE_ETL');
    await expect(create).toBeVisible();
    for (const part of ['Recycle Bin', 'released', 'Recover']) await expect(create).toContainText(part);
    await expect(create.getByLabel('Workspace Name', { exact: true })).toHaveValue('FINANCE_ETL');
    await shot(page, 'recover-name-reserved');
    await create.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(create).toBeHidden();

    await gotoHydrated(page, '/recycle-bin');
    await binRow(page, 'finance_etl').getByRole('button', { name: 'Recover', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Recover Workspace' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
    await shot(page, 'recover-dialog');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(dialog).toBeHidden();

    const report = page.getByRole('region', { name: 'Recovery report' });
    await expect(report).toBeVisible();
    await expect(report).toContainText(/\d/);
    await expect(report).toContainText(/scheduling tasks/i);
    await expect(report).toContainText(/data integration tasks/i);
    await expect(report).toContainText(/not/i);
    await expect(report).toContainText('Nodes to publish again');
    const nodeLink = report.getByRole('link', { name: 'daily_ledger', exact: true });
    await expect(nodeLink).toHaveAttribute('href', /\/workspaces\/finance_etl\/datastudio/);
    await expect(binRow(page, 'finance_etl')).toHaveCount(0);
    await shot(page, 'recover-report');

    // Publish the recovered node again: its task comes back to Operation Center.
    await nodeLink.click();
    await page.waitForURL(/\/workspaces\/finance_etl\/datastudio/);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'DataStudio', exact: true })).toBeVisible();
    await nodeButton(page, 'daily_ledger').click();
    await expect(page.getByRole('textbox', { name: 'Code' })).toBeVisible();
    await expect(nodeStatus(page, 'Published')).toHaveCount(0);
    const publish = page.getByRole('button', { name: 'Publish', exact: true });
    await expect(publish).toBeEnabled();
    await publish.click();
    await expect(statusMessage(page, 'synced to Operation Center')).toBeVisible();
    await shot(page, 'recover-node-published');

    await gotoHydrated(page, '/workspaces/finance_etl/operation-center');
    await expectTaskStatus(page, 'daily_ledger', 'Running');
    await expect(await cellIn(tasksTable(page), taskRow(page, 'daily_ledger'), 'Workspace')).not.toContainText(
      /deleted/i,
    );
    await shot(page, 'recover-task-running');

    await gotoHydrated(page, '/workspaces');
    await searchWorkspaces(page, 'finance_etl');
    await expect(workspaceRow(page, 'finance_etl')).toHaveCount(1);
  });

  test('of two recovers of one entry, one wins and the other is told it is already recovered', async ({
    page,
    context,
  }) => {
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'finance_etl');
    const other = await context.newPage();
    await gotoHydrated(other, '/recycle-bin');
    await gotoHydrated(page, '/recycle-bin');
    // The other tab has its Recover dialog open (its list follows changes live, so an entry
    // recovered elsewhere would leave it; a dialog already open stays).
    await binRow(other, 'finance_etl').getByRole('button', { name: 'Recover', exact: true }).click();
    const otherDialog = other.getByRole('dialog', { name: 'Recover Workspace' });
    await expect(otherDialog).toBeVisible();

    await binRow(page, 'finance_etl').getByRole('button', { name: 'Recover', exact: true }).click();
    await page.getByRole('dialog', { name: 'Recover Workspace' }).getByRole('button', { name: 'OK', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Recovery report' })).toBeVisible();

    await otherDialog.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(other.getByText(/already (been )?recovered/i).first()).toBeVisible();
    await shot(other, 'recover-twice-second');

    await gotoHydrated(page, '/workspaces');
    await searchWorkspaces(page, 'finance_etl');
    await expect(workspaceRow(page, 'finance_etl')).toHaveCount(1);
  });

  test('after 14 days the entry is purged and its name is free again', async ({ page, baseURL }) => {
    test.slow();
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'finance_etl');
    await gotoHydrated(page, '/recycle-bin');
    await expect(binRow(page, 'finance_etl')).toHaveCount(1);
    await expect(binRow(page, 'legacy_reports')).toHaveCount(1);

    await advanceClock(baseURL!, RETENTION);
    await reloadHydrated(page);
    await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await expect(binRow(page, 'finance_etl')).toHaveCount(0);
    await expect(binRow(page, 'legacy_reports')).toHaveCount(0);
    await shot(page, 'purge-bin-empty');

    await gotoHydrated(page, '/workspaces');
    await createWorkspace(page, { name: 'finance_etl', displayName: 'Finance ETL (new)' });
    await searchWorkspaces(page, 'finance_etl');
    await expect(workspaceRow(page, 'finance_etl')).toHaveCount(1);
    await shot(page, 'purge-name-reused');
  });

  test('an entry whose time is up shows Expired and can no longer be recovered', async ({ page, baseURL }) => {
    test.slow();
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/recycle-bin');
    const left = await countdownSeconds(page, 'legacy_reports');
    expect(left).toBeGreaterThan(60);
    // Bring the end to ~8 s from now, then let the browser countdown run out.
    await advanceClock(baseURL!, left - 8);
    await reloadHydrated(page);
    const row = binRow(page, 'legacy_reports');
    await expect(row).toContainText('Expired', { timeout: 20_000 });
    await expect(row.getByRole('button', { name: 'Recover', exact: true })).toBeDisabled();
    await expect(row.getByRole('button', { name: 'Delete Permanently', exact: true })).toBeDisabled();
    await shot(page, 'recycle-bin-expired');
  });

  test('Delete Permanently purges the entry once the name is typed exactly, and releases the name', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/recycle-bin');
    const row = binRow(page, 'legacy_reports');
    const dialog = page.getByRole('dialog', { name: 'Delete Permanently' });

    await row.getByRole('button', { name: 'Delete Permanently', exact: true }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toHaveCount(1);

    await row.getByRole('button', { name: 'Delete Permanently', exact: true }).click();
    await expect(dialog).toBeVisible();
    const typed = dialog.getByRole('textbox', { name: 'Workspace name' });
    const ok = dialog.getByRole('button', { name: 'OK', exact: true });
    await expect(ok).toBeDisabled();
    for (const almost of ['LEGACY_REPORTS', 'legacy_report', 'legacy_reports ']) {
      await typed.fill(almost);
      await expect(ok, JSON.stringify(almost)).toBeDisabled();
    }
    await typed.fill('legacy_reports');
    await expect(ok).toBeEnabled();
    await shot(page, 'purge-now-dialog');
    await ok.click();
    await expect(dialog).toBeHidden();
    await expect(row).toHaveCount(0);
    await reloadHydrated(page);
    await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await expect(binRow(page, 'legacy_reports')).toHaveCount(0);
    await shot(page, 'purge-now-done');

    await gotoHydrated(page, '/workspaces');
    await createWorkspace(page, { name: 'legacy_reports', displayName: 'Legacy reports, reborn' });
    await searchWorkspaces(page, 'legacy_reports');
    await expect(workspaceRow(page, 'legacy_reports')).toHaveCount(1);
  });

  test('a ReadOnly user sees no enabled Recover or Delete Permanently', async ({ page }) => {
    await signInAs(page, DEMO.bob);
    await gotoHydrated(page, '/recycle-bin');
    await expect(binRow(page, 'legacy_reports')).toHaveCount(1);
    for (const action of ['Recover', 'Delete Permanently']) {
      const buttons = page.getByRole('main').getByRole('button', { name: action, exact: true });
      expect(await buttons.count()).toBeGreaterThan(0);
      for (const button of await buttons.all()) await expect(button).toBeDisabled();
    }
    await shot(page, 'recycle-bin-bob');
  });
});

test.describe('Purge protection', () => {
  test('the root turns it on: Delete Permanently is refused for the root and alice alike, live; off again, alice purges', async ({
    page,
    browser,
    server,
  }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/recycle-bin');
    const settings = page.getByRole('region', { name: 'Recycle Bin settings' });
    const checkbox = settings.getByRole('checkbox', { name: 'Purge protection' });
    await expect(checkbox).not.toBeChecked();
    // Alice has the Recycle Bin open in her own browser.
    const aliceContext = await browser.newContext({ baseURL: server.url });
    const alice = await aliceContext.newPage();
    await signInAs(alice, DEMO.alice);
    await gotoHydrated(alice, '/recycle-bin');
    await expect(alice.getByRole('region', { name: 'Recycle Bin settings' })).toHaveCount(0);
    const purgeButton = (p: typeof page) =>
      binRow(p, 'legacy_reports').getByRole('button', { name: 'Delete Permanently', exact: true });
    await expect(purgeButton(alice)).toBeEnabled();

    await checkbox.check();
    await expect(statusMessage(page, 'Purge protection is on.')).toBeVisible();
    await expect(checkbox).toBeChecked();
    const reason = 'Purge protection is on: entries leave the Recycle Bin by Recover or after 14 days';
    await expect(purgeButton(page)).toBeDisabled();
    await expect(page.getByText(reason)).toBeVisible();
    await expect(purgeButton(page)).toHaveAccessibleDescription(reason);
    // Alice's page follows without a reload: the line, the disabled button and its reason.
    await expect(purgeButton(alice)).toBeDisabled({ timeout: 2_000 });
    await expect(alice.getByText('Purge protection is on', { exact: true })).toBeVisible();
    await expect(alice.getByText(reason)).toBeVisible();
    await expect(binRow(alice, 'legacy_reports').getByRole('button', { name: 'Recover', exact: true })).toBeEnabled();
    await expectAccessible(page, 'the Recycle Bin with its settings, purge protection on');
    await expectAccessible(alice, 'the Recycle Bin with purge protection on, for a FullAccess user');
    await shot(page, 'recycle-bin-purge-protection-on');

    await checkbox.uncheck();
    await expect(statusMessage(page, 'Purge protection is off.')).toBeVisible();
    await expect(purgeButton(alice)).toBeEnabled({ timeout: 2_000 });
    await expect(alice.getByText('Purge protection is on', { exact: true })).toHaveCount(0);
    await purgeButton(alice).click();
    const dialog = alice.getByRole('dialog', { name: 'Delete Permanently' });
    await dialog.getByLabel('Workspace name').fill('legacy_reports');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await expect(statusMessage(alice, /legacy_reports" was permanently deleted/)).toBeVisible();
    // Alice was told who turned it off.
    await alice.getByRole('button', { name: /^Notifications/ }).click();
    await expect(alice.getByRole('region', { name: 'Notifications' })).toContainText(
      'Purge protection was turned off by acme',
    );
    await aliceContext.close();
  });
});

test.describe('A look into a Recycle Bin entry (SPEC §18)', () => {
  test('the name links to a read-only page with counts, what Recover brings back, the lists and a node\'s code', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/recycle-bin');
    await binRow(page, 'legacy_reports').getByRole('link', { name: 'legacy_reports', exact: true }).click();
    await expect(page).toHaveURL(/\/recycle-bin\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('legacy_reports (in Recycle Bin)');
    await waitForHydration(page);
    const main = page.getByRole('main');
    await expect(main.getByRole('region', { name: 'What Recover brings back' })).toContainText('come back unpublished');
    await expect(main.getByRole('region', { name: 'Still billing' })).toBeVisible();
    await expect(main.getByRole('region', { name: 'Downstream dependencies' })).toBeVisible();
    for (const name of ['Recover', 'Delete Permanently']) {
      await expect(main.getByRole('button', { name, exact: true })).toBeEnabled();
    }
    await expect(main.getByRole('link', { name: 'Download a copy' })).toBeVisible();
    // Read-only: nothing to type into.
    await expect(main.getByRole('textbox')).toHaveCount(0);
    // The countdown ticks.
    const clock = main.locator('.countdown .clock');
    const first = parseCountdown(await clock.innerText());
    await expect.poll(async () => parseCountdown(await clock.innerText())).toBeLessThan(first);

    const nodes = main.getByRole('region', { name: /^Nodes \(\d+\)$/ });
    await nodes.getByRole('button', { name: 'monthly_summary', exact: true }).click();
    const code = main.getByRole('region', { name: 'Node monthly_summary (read-only)' });
    await expect(code).toBeVisible();
    await expect(code.getByLabel('Code of monthly_summary')).not.toBeEmpty();
    await shot(page, 'bin-entry');
    await expectAccessible(page, 'a Recycle Bin entry');
  });

  test('an entry with orphaned Running tasks says they still bill and lists its downstream dependencies; Recover works from it', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'sales_dw', { freeze: false });
    await gotoHydrated(page, '/recycle-bin');
    await binRow(page, 'sales_dw').getByRole('link', { name: 'sales_dw', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('sales_dw (in Recycle Bin)');
    await waitForHydration(page);
    const main = page.getByRole('main');
    const billing = main.getByRole('region', { name: 'Still billing' });
    await expect(billing.getByRole('row').filter({ hasText: 'ods_orders' })).toContainText('$');
    await expect(billing.getByRole('link', { name: 'Operation Center' })).toBeVisible();
    const downstream = main.getByRole('region', { name: 'Downstream dependencies' });
    await expect(downstream.getByRole('row').filter({ hasText: 'daily_ledger' })).toContainText('Waiting for upstream');
    await shot(page, 'bin-entry-billing');

    await main.getByRole('button', { name: 'Recover', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Recover Workspace' });
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Recovery report' })).toBeVisible();
    await expect(statusMessage(page, 'Workspace "sales_dw" was recovered.')).toBeVisible();
  });

  test('a ReadOnly user may look but not act; another account\'s entry answers as a missing one', async ({ page, browser, baseURL }) => {
    await signInAs(page, DEMO.bob);
    await gotoHydrated(page, '/recycle-bin');
    await binRow(page, 'legacy_reports').getByRole('link', { name: 'legacy_reports', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('legacy_reports (in Recycle Bin)');
    await waitForHydration(page);
    const url = page.url();
    for (const name of ['Recover', 'Delete Permanently']) {
      await expect(page.getByRole('main').getByRole('button', { name, exact: true })).toBeDisabled();
    }
    const other = await (await browser.newContext({ baseURL })).newPage();
    await signInAs(other, DEMO.globex);
    await gotoHydrated(other, url);
    await expect(other.getByRole('main')).toContainText('There is no such entry in the Recycle Bin');
    const missing = url.replace(/\d+$/, '999999');
    await gotoHydrated(other, missing);
    await expect(other.getByRole('main')).toContainText('There is no such entry in the Recycle Bin');
    await other.context().close();
  });
});
