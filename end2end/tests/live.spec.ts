import fs from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import {
  DEMO,
  clusterTest,
  expect,
  expectAccessible,
  gotoHydrated,
  restartServer,
  shot,
  signInAs,
  tabTo,
  test,
  type Principal,
} from './fixtures';
import { binRow, clickAndWaitForServer, createWorkspace, deleteWorkspace, nodeButton, openDeleteDialog, searchWorkspaces, workspaceRow } from './helpers';
import { unzip } from './unzip';

/** SPEC §13: open pages follow a change within 2 seconds. */
const WITHIN = { timeout: 2_000 };

/** A page in a browser context of its own, signed in as `who`, at `path` on `url`. */
async function openAs(browser: Browser, url: string, who: Principal, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await signInAs(page, who);
  await gotoHydrated(page, path);
  return page;
}

/** The polite live region of the console frame. */
function liveRegion(page: Page) {
  return page.locator('main [aria-live="polite"].live-note');
}

test.describe('Live console', () => {
  test("one person's deletion and purge show on everyone else's open pages of the account at once, and nowhere else", async ({
    page,
    browser,
    server,
  }) => {
    test.slow();
    // A: alice deletes. B: the account's root, with the Workspaces and Recycle Bin pages open.
    // C: the other account.
    await signInAs(page, DEMO.alice);
    const bWorkspaces = await openAs(browser, server.url, DEMO.root, '/workspaces');
    await searchWorkspaces(bWorkspaces, 'sales_dw');
    await expect(workspaceRow(bWorkspaces, 'sales_dw')).toHaveCount(1);
    const bBin = await bWorkspaces.context().newPage();
    await gotoHydrated(bBin, '/recycle-bin');
    await expect(binRow(bBin, 'sales_dw')).toHaveCount(0);
    const cWorkspaces = await openAs(browser, server.url, DEMO.globex, '/workspaces');

    await deleteWorkspace(page, 'sales_dw');
    await expect(workspaceRow(bWorkspaces, 'sales_dw')).toHaveCount(0, WITHIN);
    await expect(liveRegion(bWorkspaces)).toHaveText('sales_dw was deleted by alice@acme', WITHIN);
    await expect(binRow(bBin, 'sales_dw')).toHaveCount(1, WITHIN);
    await expect(liveRegion(bBin)).toHaveText('sales_dw was deleted by alice@acme');
    await expectAccessible(bWorkspaces, 'the Workspaces page with a live announcement');
    await shot(bWorkspaces, 'live-announcement');

    // B opens the Recover dialog on the entry; A permanently deletes it meanwhile.
    await binRow(bBin, 'sales_dw').getByRole('button', { name: 'Recover', exact: true }).click();
    const recover = bBin.getByRole('dialog', { name: 'Recover Workspace' });
    await expect(recover.getByRole('button', { name: 'OK', exact: true })).toBeEnabled();
    await gotoHydrated(page, '/recycle-bin');
    await binRow(page, 'sales_dw').getByRole('button', { name: 'Delete Permanently', exact: true }).click();
    const purge = page.getByRole('dialog', { name: 'Delete Permanently' });
    await purge.getByRole('textbox', { name: 'Workspace name' }).fill('sales_dw');
    await purge.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(purge).toBeHidden();
    await expect(recover.getByRole('alert')).toContainText(
      'sales_dw was permanently deleted by alice@acme while this dialog was open',
      WITHIN,
    );
    await expect(recover.getByRole('button', { name: 'OK', exact: true })).toBeDisabled();
    await expect(binRow(bBin, 'sales_dw')).toHaveCount(0, WITHIN);
    await expectAccessible(bBin, 'the Recover dialog of a purged entry');
    await shot(bBin, 'live-dialog-outdated');

    // The other account heard nothing of it, and its empty live region takes no room.
    await cWorkspaces.waitForTimeout(500);
    await expect(liveRegion(cWorkspaces)).toHaveText('');
    expect((await liveRegion(cWorkspaces).boundingBox())?.height ?? 0).toBe(0);
  });

  test('a copy of a workspace downloads from the Delete dialog and from its Recycle Bin row, code byte for byte', async ({
    page,
  }) => {
    await signInAs(page, DEMO.alice);
    // Code with quotes, a tab and non-Latin text, saved in DataStudio (a text area's lines end
    // in LF; the Rust export test covers CRLF and a BOM).
    const code = 'SELECT "id", \'x\'\n\t-- 日報 ✓\nFROM ods_orders;';
    await gotoHydrated(page, '/workspaces/sales_dw/datastudio');
    await nodeButton(page, 'ods_orders').click();
    await page.getByRole('textbox', { name: 'Code' }).fill(code);
    await clickAndWaitForServer(page, page.getByRole('button', { name: 'Save', exact: true }));

    const dialog = await openDeleteDialog(page, 'sales_dw');
    await shot(page, 'delete-dialog-download-a-copy');
    const fromDialog = page.waitForEvent('download');
    await dialog.getByRole('link', { name: 'Download a copy' }).click();
    const download = await fromDialog;
    expect(download.suggestedFilename()).toBe('sales_dw.zip');
    const files = unzip(fs.readFileSync(await download.path()));
    const doc = JSON.parse(files.get('workspace.json')!.toString('utf8'));
    expect(doc.workspace.name).toBe('sales_dw');
    const nodes = doc.assets.filter((a: { kind: string }) => a.kind === 'node');
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) expect(files.has(node.code_file)).toBe(true);
    const ods = nodes.find((n: { name: string }) => n.name === 'ods_orders');
    expect(ods.code_file).toBe('nodes/DataWorks/ods_orders.sql');
    expect(files.get(ods.code_file)!.equals(Buffer.from(code, 'utf8'))).toBe(true);
    for (const v of ods.versions) expect(files.has(v.file)).toBe(true);

    // Deleted, it still downloads from its Recycle Bin row.
    await dialog.getByRole('textbox', { name: 'Workspace name' }).fill('sales_dw');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await expect(dialog).toBeHidden();
    await gotoHydrated(page, '/recycle-bin');
    const fromBin = page.waitForEvent('download');
    await binRow(page, 'sales_dw').getByRole('link', { name: 'Download a copy' }).click();
    const binned = unzip(fs.readFileSync(await (await fromBin).path()));
    expect(binned.get('nodes/DataWorks/ods_orders.sql')!.equals(Buffer.from(code, 'utf8'))).toBe(true);
    expect(JSON.parse(binned.get('workspace.json')!.toString('utf8')).workspace.deleted_by).toBe('alice@acme');
  });

  test('the page follows changes again after the console restarts', async ({
    page,
    browser,
    server,
  }) => {
    test.slow();
    await signInAs(page, DEMO.alice);
    const b = await openAs(browser, server.url, DEMO.root, '/workspaces');
    await searchWorkspaces(b, 'sales_dw');
    await expect(workspaceRow(b, 'sales_dw')).toHaveCount(1);
    await restartServer(server);
    // Back up: the open page reconnected by itself; a deletion shows without a reload.
    await deleteWorkspace(page, 'sales_dw');
    await expect(workspaceRow(b, 'sales_dw')).toHaveCount(0, { timeout: 10_000 });
    await expect(liveRegion(b)).toHaveText('sales_dw was deleted by alice@acme');
  });
});

clusterTest.describe('Live console on two instances', () => {
  clusterTest('a change on one instance shows on pages served by the other, through its restart too', async ({
    page,
    browser,
    cluster,
  }) => {
    clusterTest.slow();
    const [a, b] = cluster.servers;
    await signInAs(page, DEMO.alice);
    const onB = await openAs(browser, b.url, DEMO.root, '/workspaces');
    await searchWorkspaces(onB, 'sales_dw');
    await expect(workspaceRow(onB, 'sales_dw')).toHaveCount(1);
    await deleteWorkspace(page, 'sales_dw');
    await expect(workspaceRow(onB, 'sales_dw')).toHaveCount(0, WITHIN);
    await expect(liveRegion(onB)).toHaveText('sales_dw was deleted by alice@acme');

    // B restarts; while it is down, alice deletes another workspace on A. Once B is back, the
    // page re-reads and shows the state after it.
    await searchWorkspaces(onB, 'supply_chain');
    await expect(workspaceRow(onB, 'supply_chain')).toHaveCount(1);
    await restartServer(b, cluster.databaseUrl, async () => {
      await deleteWorkspace(page, 'supply_chain');
    });
    await expect(workspaceRow(onB, 'supply_chain')).toHaveCount(0, { timeout: 10_000 });
    await searchWorkspaces(onB, 'finance_etl');
    await expect(workspaceRow(onB, 'finance_etl')).toHaveCount(1);
    await deleteWorkspace(page, 'finance_etl');
    await expect(workspaceRow(onB, 'finance_etl')).toHaveCount(0, WITHIN);
    void a;
  });
});

test('a tab whose session ended stops trying the live stream and says it is signed out', async ({ page }) => {
  await signInAs(page, DEMO.alice);
  await gotoHydrated(page, '/workspaces');
  // The same session signs out in another tab.
  const other = await page.context().newPage();
  await gotoHydrated(other, '/workspaces');
  await other.getByRole('banner').getByRole('button', { name: 'Sign Out', exact: true }).click();
  await expect(other).toHaveURL(/\/login/);
  // The stream checks its session every 5 s (src/live/sse.rs), the browser reconnects 1 s later
  // and is refused: the page knows within about 6 s.
  const alert = page.getByRole('alert').filter({ hasText: 'You are signed out' });
  await expect(alert).toBeVisible({ timeout: 15_000 });
  await expect(alert.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/login');
  await expectAccessible(page, 'a page whose session ended');
  // No more attempts at the stream.
  let attempts = 0;
  page.on('request', (r) => {
    if (r.url().includes('/live/events')) attempts += 1;
  });
  await page.waitForTimeout(4_000);
  expect(attempts).toBe(0);
});

test.describe('Live updates that leave the user alone (SPEC §19)', () => {
  test('a live update keeps the focus, an open menu, an open dialog and typed text; the same announcement is made twice', async ({
    page,
    browser,
    server,
  }) => {
    test.slow();
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/workspaces');
    const more = workspaceRow(page, 'sales_dw').getByRole('button', { name: 'More', exact: true });
    await tabTo(page, more);
    await page.keyboard.press('Enter');
    const item = page.getByRole('menuitem', { name: 'Delete Workspace' });
    await expect(item).toBeFocused();
    // Every row is tagged, so a row drawn again would lose its mark.
    await page.evaluate(() => document.querySelectorAll('tbody tr').forEach((tr) => tr.setAttribute('data-seen', '1')));

    // The root creates a workspace: it joins alice's list at once, the other rows stay as they were.
    const root = await openAs(browser, server.url, DEMO.root, '/workspaces');
    await createWorkspace(root, { name: 'aaa_new_ws' });
    await expect(workspaceRow(page, 'aaa_new_ws')).toHaveCount(1, WITHIN);
    await expect(item).toBeFocused();
    await expect(workspaceRow(page, 'sales_dw')).toHaveAttribute('data-seen', '1');
    await page.keyboard.press('Escape');
    await expect(more).toBeFocused();

    // Typing in the Create Workspace dialog while another change arrives.
    await page.getByRole('button', { name: 'Create Workspace', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Workspace' });
    const name = dialog.getByRole('textbox', { name: 'Workspace Name' });
    await name.pressSequentially('typed_by_al');
    await createWorkspace(root, { name: 'aab_new_ws' });
    await expect(liveRegion(page)).toHaveText('aab_new_ws was created by acme', WITHIN);
    await expect(name).toBeFocused();
    await name.pressSequentially('ice');
    await expect(name).toHaveValue('typed_by_alice');
    await page.keyboard.press('Escape');

    // The same words twice are said twice: the region changes again.
    await page.evaluate(() => {
      const region = document.querySelector('main [aria-live="polite"].live-note')!;
      (window as unknown as { said: string[] }).said = [];
      new MutationObserver(() =>
        (window as unknown as { said: string[] }).said.push(region.textContent ?? ''),
      ).observe(region, { childList: true, subtree: true, characterData: true });
    });
    await gotoHydrated(root, '/operation-center');
    for (const task of ['ods_orders', 'dwd_sales']) {
      await root.getByRole('row').filter({ hasText: task }).getByRole('button', { name: 'Freeze', exact: true }).click();
      await expect(liveRegion(page)).toHaveText('A task of sales_dw was frozen by acme', WITHIN);
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { said: string[] }).said.filter((t) => t.startsWith('A task')).length))
        .toBe(task === 'ods_orders' ? 1 : 2);
    }
    await root.context().close();
  });

  test('in the Operation Center a live update keeps the focus on a task that did not change', async ({ page, browser, server }) => {
    await signInAs(page, DEMO.alice);
    await gotoHydrated(page, '/operation-center');
    const adsDelete = page.getByRole('row').filter({ hasText: 'ads_report' }).getByRole('button', { name: 'Delete', exact: true });
    await tabTo(page, adsDelete);
    const root = await openAs(browser, server.url, DEMO.root, '/operation-center');
    await root.getByRole('row').filter({ hasText: 'ods_orders' }).getByRole('button', { name: 'Freeze', exact: true }).click();
    await expect(page.getByRole('row').filter({ hasText: 'ods_orders' })).toContainText('Frozen', WITHIN);
    await expect(adsDelete).toBeFocused();
    await root.context().close();
  });
});
