import fs from 'node:fs';
import { DEMO, advanceClock, expect, expectAccessible, gotoHydrated, reloadHydrated, shot, signInAs, test } from './fixtures';
import { cellText, deleteWorkspace, tableWithColumn } from './helpers';

const COLUMNS = ['Time', 'User', 'Action', 'Workspace', 'Source', 'Result'];
const DAY = 86_400;

function auditTable(page: import('@playwright/test').Page) {
  return tableWithColumn(page, 'Action');
}

/** Data rows of the Audit Log table (the header row has no cells). */
function auditRows(page: import('@playwright/test').Page) {
  return auditTable(page).getByRole('row').filter({ has: page.getByRole('cell') });
}

test.describe('Audit Log', () => {
  test('a deletion is listed by its user, the filter narrows to its workspace, and the CSV holds it', async ({ page }) => {
    await signInAs(page, DEMO.alice);
    await deleteWorkspace(page, 'finance_etl');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit Log', exact: true }).click();
    await expect(page).toHaveURL(/\/audit-log$/);
    await expect(page.getByRole('heading', { name: 'Audit Log', exact: true })).toBeVisible();
    await expectAccessible(page);
    const table = auditTable(page);
    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
    expect(headers).toEqual(COLUMNS);

    // Newest first: the deletion is the first row.
    const first = auditRows(page).first();
    expect(await cellText(table, first, 'User')).toBe('alice@acme');
    expect(await cellText(table, first, 'Action')).toBe('DeleteWorkspace');
    expect(await cellText(table, first, 'Workspace')).toBe('finance_etl');
    expect(await cellText(table, first, 'Source')).toContain('Console');
    expect(await cellText(table, first, 'Result')).toContain('Success');

    await page.getByRole('textbox', { name: 'Workspace' }).fill('finance_etl');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect(page).toHaveURL(/workspace=finance_etl/);
    const shown = () =>
      auditRows(page).evaluateAll((rows) => rows.map((r) => (r.querySelectorAll('td')[3]?.textContent ?? '').trim()));
    await expect.poll(async () => [...new Set(await shown())]).toEqual(['finance_etl']);
    const workspaces = await shown();
    expect(workspaces.length).toBeGreaterThan(1);
    await expect(auditRows(page).first()).toContainText('DeleteWorkspace');
    await shot(page, 'audit-log-filtered');

    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV', exact: true }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('audit-log.csv');
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('Time,User,Action,Workspace,Source,Client IP,Result,Message');
    expect(csv.length - 1).toBe(workspaces.length);
    expect(csv[1]).toContain(',alice@acme,DeleteWorkspace,finance_etl,Console,');
    expect(csv.slice(1).every((line) => line.split(',')[3] === 'finance_etl')).toBe(true);
  });

  test("a ReadOnly user's delete posted directly is refused and recorded as Denied", async ({ page }) => {
    await signInAs(page, DEMO.bob);
    // Sent as the page would send it: with the console's own Origin.
    const refused = await page.request.post('/api/delete_workspace', {
      form: { workspace: 'sales_dw', typed_name: 'sales_dw', freeze_tasks: 'true' },
      headers: { Origin: new URL(page.url()).origin },
    });
    expect(refused.status()).toBe(403);
    await gotoHydrated(page, '/audit-log?action=DeleteWorkspace');
    const table = auditTable(page);
    const row = auditRows(page).first();
    expect(await cellText(table, row, 'User')).toBe('bob@acme');
    expect(await cellText(table, row, 'Workspace')).toBe('sales_dw');
    expect(await cellText(table, row, 'Result')).toContain('Denied');
    expect(await cellText(table, row, 'Result')).toContain('Requires AliyunDataWorksFullAccess');
    await gotoHydrated(page, '/workspaces');
    await expect(page.getByRole('link', { name: 'sales_dw', exact: true })).toBeVisible();
  });

  test('a user with no policy cannot view it', async ({ page }) => {
    await signInAs(page, DEMO.carol);
    await gotoHydrated(page, '/audit-log');
    await expect(page.getByRole('heading', { name: 'No permission' })).toBeVisible();
    const csv = await page.request.get('/audit-log/export.csv');
    expect(csv.status()).toBe(403);
  });
});

test.describe('Notifications', () => {
  test('seven days after a deletion the deleter is warned; the panel links to the bin and marks all as read', async ({
    page,
    baseURL,
  }) => {
    // The warnings due at start-up are written (the pass the job runs, now, not at some moment
    // during the sign-in).
    await advanceClock(baseURL!, 0);
    await signInAs(page, DEMO.alice);
    // The demo's poc_2025, deleted by alice 10 days before start-up, has its 7-day warning (SPEC §25).
    await page.getByRole('button', { name: 'Notifications (1)', exact: true }).click();
    const atStart = page.getByRole('region', { name: 'Notifications' });
    await expect(
      atStart.getByRole('link', { name: /^poc_2025 will be permanently deleted on .*; recover it before then$/ }),
    ).toBeVisible();
    await atStart.getByRole('button', { name: 'Mark all as read', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible();
    // Her other entries leave the bin (a recovered entry gets no further warnings), so what
    // follows are finance_etl's notices alone.
    await gotoHydrated(page, '/recycle-bin?deleted_by=alice%40acme');
    await page.getByRole('checkbox', { name: 'Select all on this page', exact: true }).check();
    await page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Recover selected', exact: true }).click();
    await page.getByRole('dialog', { name: 'Recover 3 Workspaces' }).getByRole('button', { name: 'OK', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Bulk recovery report' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible();
    await deleteWorkspace(page, 'finance_etl');
    await advanceClock(baseURL!, 7 * DAY);
    await reloadHydrated(page);
    const button = page.getByRole('button', { name: 'Notifications (1)', exact: true });
    await expect(button).toBeVisible();
    await button.click();
    const panel = page.getByRole('region', { name: 'Notifications' });
    await expect(panel).toBeVisible();
    const notice = panel.getByRole('link', { name: /^finance_etl will be permanently deleted on .*; recover it before then$/ });
    await expect(notice).toBeVisible();
    await expect(notice).toHaveAttribute('href', '/recycle-bin');
    await expectAccessible(page, 'the Notifications panel');
    await shot(page, 'notifications-panel');
    await panel.getByRole('button', { name: 'Mark all as read', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Mark all as read', exact: true })).toBeDisabled();
    await reloadHydrated(page);
    await expect(page.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible();

    // Six days later: the 1-day warning; then the purge, and its notice links to the Audit Log.
    await advanceClock(baseURL!, 6 * DAY);
    await reloadHydrated(page);
    await expect(page.getByRole('button', { name: 'Notifications (1)', exact: true })).toBeVisible();
    await advanceClock(baseURL!, DAY);
    await reloadHydrated(page);
    await page.getByRole('button', { name: 'Notifications (2)', exact: true }).click();
    const purged = page.getByRole('region', { name: 'Notifications' }).getByRole('link', { name: /^finance_etl has been permanently deleted/ });
    await purged.click();
    await expect(page).toHaveURL(/\/audit-log\?workspace=finance_etl/);
    await expect(auditRows(page).first()).toContainText('PurgeExpiredWorkspace');
    await expect(auditRows(page).first()).toContainText('system');
  });

  test('the root sets a webhook on the RAM Users page; other schemes are refused', async ({ page }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/ram-users');
    const settings = page.getByRole('region', { name: 'Notifications' });
    const url = settings.getByRole('textbox', { name: 'Webhook URL' });
    await url.fill('ftp://example.com/hook');
    await settings.getByRole('button', { name: 'Save Webhook', exact: true }).click();
    await expect(settings.getByRole('alert')).toContainText('http:// or https://');
    // The cloud metadata service is never a webhook, whatever the operator allows.
    await url.fill('http://169.254.169.254/latest/meta-data/');
    await settings.getByRole('button', { name: 'Save Webhook', exact: true }).click();
    await expect(settings.getByRole('alert')).toContainText(
      'A webhook may only be sent to a public address: 169.254.169.254 is a cloud metadata address (AWS, Google Cloud, Azure, Oracle Cloud and others).',
    );
    await expect(settings.getByText('Last delivery: none yet.')).toBeVisible();
    await expect(settings.getByText('Deliveries are not signed yet')).toBeVisible();
    // The test servers allow private receivers (--webhook-allow-private), as an operator whose
    // receiver is in their own network would.
    await url.fill('http://127.0.0.1:9/hook');
    await settings.getByRole('button', { name: 'Save Webhook', exact: true }).click();
    await expect(settings.getByText('Notices will be POSTed to http://127.0.0.1:9/hook.')).toBeVisible();
    await expect(settings.getByText(/New signing secret \(copy it now: it is not shown again\): whsec_\w{32}/)).toBeVisible();
    await expect(settings.getByText('Deliveries are signed')).toBeVisible();
    await expectAccessible(page);
    await shot(page, 'ram-users-webhook');
    await reloadHydrated(page);
    const reloaded = page.getByRole('region', { name: 'Notifications' });
    await expect(reloaded.getByRole('textbox', { name: 'Webhook URL' })).toHaveValue('http://127.0.0.1:9/hook');
    await expect(reloaded.getByText(/whsec_/)).toHaveCount(0);
    await reloaded.getByRole('button', { name: 'New Signing Secret', exact: true }).click();
    await expect(reloaded.getByText(/New signing secret \(copy it now: it is not shown again\): whsec_\w{32}/)).toBeVisible();
  });
});
