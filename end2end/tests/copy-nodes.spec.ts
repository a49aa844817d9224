import type { Browser, Locator, Page } from '@playwright/test';
import {
  DEMO,
  ENGINES,
  expect,
  expectAccessible,
  gotoHydrated,
  reloadHydrated,
  shot,
  signInAs,
  tabTo,
  waitForHydration,
  type Principal,
} from './fixtures';
import { binRow, focusInside, nodeButton, nodeStatus } from './helpers';

/**
 * Take back only what you need (SPEC §23, issue 46): nodes copied out of a Recycle Bin entry into
 * an active workspace, from the entry's page (§18).
 *
 * The demo (SPEC §25, src/startup/demo.toml): acme's entry `tmp_join_test` (deleted by acme 5 days
 * before start-up) holds the nodes `join_orders_customers` (ODPS SQL, two versions committed by
 * acme) and `check_join_counts` (Python, one version); no node of the active `finance_etl` has
 * either name.
 */
const ENTRY = 'tmp_join_test';
const NODE = 'join_orders_customers';
const OTHER_NODE = 'check_join_counts';
const TARGET = 'finance_etl';
/** What the bin holds (SPEC §8, §25): none of it may be a target. */
const IN_BIN = ['sandbox_a', 'sandbox_b', 'tmp_join_test', 'poc_2025', 'legacy_reports'];
/** The code of `join_orders_customers`: that of its last committed version. */
const NODE_CODE =
  "SELECT o.order_id, o.amount, c.name, c.region\nFROM ods_orders o\nJOIN dim_customer c ON o.customer_id = c.customer_id\nWHERE o.ds = '${bizdate}';";
const FULL_ACCESS_REQUIRED = 'Requires AliyunDataWorksFullAccess';
const PHONE = { width: 390, height: 844 };
/** SPEC §13: open pages follow a change within 2 seconds. */
const WITHIN = { timeout: 2_000 };

// ---------- the entry page's parts ----------

/** The bin → the entry's name link → its page, hydrated. */
async function openEntry(page: Page, how: 'click' | 'tap' = 'click'): Promise<void> {
  await gotoHydrated(page, '/recycle-bin');
  const link = binRow(page, ENTRY).getByRole('link', { name: ENTRY, exact: true });
  if (how === 'tap') await link.tap();
  else await link.click();
  await expect(page).toHaveURL(/\/recycle-bin\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${ENTRY} (in Recycle Bin)`);
  await waitForHydration(page);
}

/** The address of the entry's page, read from the bin's link (this context's session). */
async function entryPath(page: Page): Promise<string> {
  const html = await (await page.request.get('/recycle-bin')).text();
  const id = new RegExp(`href="/recycle-bin/(\\d+)"[^>]*>${ENTRY}<`).exec(html)?.[1];
  expect(id, `a link to ${ENTRY} in the bin`).toBeTruthy();
  return `/recycle-bin/${id}`;
}

function nodesList(page: Page): Locator {
  return page.getByRole('main').getByRole('region', { name: /^Nodes \(\d+\)$/ });
}

function selectBox(page: Page, node: string): Locator {
  return nodesList(page).getByRole('checkbox', { name: `Select ${node}`, exact: true });
}

function copyButton(page: Page): Locator {
  return page.getByRole('main').getByRole('button', { name: 'Copy to Workspace', exact: true });
}

function copyDialog(page: Page): Locator {
  return page.getByRole('dialog', { name: 'Copy Nodes to Workspace', exact: true });
}

function targetSelect(dialog: Locator): Locator {
  return dialog.getByRole('combobox', { name: 'Target workspace', exact: true });
}

function okButton(dialog: Locator): Locator {
  return dialog.getByRole('button', { name: 'OK', exact: true });
}

function copyReport(page: Page): Locator {
  return page.getByRole('region', { name: 'Copy report', exact: true });
}

/** The report's line about `node`. */
function reportLine(report: Locator, node: string): Locator {
  return report.getByRole('listitem').filter({ hasText: node });
}

/** The node names a dialog lists, in order. */
function dialogNames(dialog: Locator): Promise<string[]> {
  return dialog.getByRole('list', { name: 'Nodes' }).getByRole('listitem').allInnerTexts();
}

/** Opens the dialog with a click and waits until its targets have arrived. */
async function openCopyDialog(page: Page): Promise<Locator> {
  await copyButton(page).click();
  const dialog = copyDialog(page);
  await expect(dialog).toBeVisible();
  await expect(targetSelect(dialog).locator('option', { hasText: TARGET })).toHaveCount(1);
  await expect(okButton(dialog)).toBeEnabled();
  return dialog;
}

/**
 * What the entry's page says of the entry, less its ticking countdown: counts, "What Recover
 * brings back", its times, and its nodes with their status.
 */
async function entryFacts(page: Page) {
  const main = page.getByRole('main');
  await expect(nodesList(page)).toBeVisible();
  return {
    coreAssets: await main.getByRole('table', { name: 'Core assets' }).innerText(),
    bringsBack: await main.getByRole('region', { name: 'What Recover brings back' }).innerText(),
    times: await main.locator('dl.facts time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime'))),
    nodesHeading: await nodesList(page).getByRole('heading', { level: 2 }).innerText(),
    nodes: await nodesList(page)
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) =>
          Array.from(r.querySelectorAll('td:not(.select)'), (td) => (td.textContent ?? '').trim()).join(' | '),
        ),
      ),
  };
}

/** The committed versions a list shows, oldest first: "1 by acme at <datetime>". */
async function versionsIn(list: Locator): Promise<string[]> {
  const items = await list.getByRole('listitem').evaluateAll((lis) =>
    lis.map((li) => {
      const m = /^Version (\d+) by (\S+?),? /.exec((li.textContent ?? '').trim());
      return { v: Number(m?.[1] ?? -1), line: `${m?.[1]} by ${m?.[2]} at ${li.querySelector('time')?.getAttribute('datetime')}` };
    }),
  );
  return items.sort((a, b) => a.v - b.v).map((i) => i.line);
}

/** The read-only view of a node of the entry: its code and its committed versions. */
async function binNodeView(page: Page, node: string): Promise<{ code: string; versions: string[] }> {
  await nodesList(page).getByRole('button', { name: node, exact: true }).click();
  const view = page.getByRole('main').getByRole('region', { name: `Node ${node} (read-only)` });
  await expect(view).toBeVisible();
  return {
    code: await view.getByLabel(`Code of ${node}`).innerText(),
    versions: await versionsIn(view.getByRole('list')),
  };
}

/**
 * DataStudio shows `node` open: its code, its versions (as `versions`), committed and unpublished
 * (no task).
 */
async function expectInDataStudio(page: Page, node: string, versions: string[]): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`/workspaces/${TARGET}/datastudio\\?node=\\d+$`));
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { name: 'DataStudio', exact: true })).toBeVisible();
  await expect(main.getByRole('heading', { level: 2, name: node, exact: true })).toBeVisible();
  await expect(nodeButton(page, node)).toHaveAttribute('aria-current', 'true');
  await expect(page.getByRole('textbox', { name: 'Code' })).toHaveValue(NODE_CODE);
  await expect(nodeStatus(page, 'Committed')).toBeVisible();
  await expect(nodeStatus(page, 'Published')).toHaveCount(0);
  await expect(main.getByText(/^Auto triggered task:/)).toHaveCount(0);
  // It may be published, as any committed node.
  await expect(main.getByRole('button', { name: 'Publish', exact: true })).toBeEnabled();
  const list = main.locator('ul.versions');
  await expect(list.getByRole('listitem')).toHaveCount(versions.length);
  expect(await versionsIn(list)).toEqual(versions);
}

/** The page is no wider than the screen: nothing makes it scroll sideways. */
async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    screen: window.innerWidth,
  }));
  expect(widths.page, `${what}: page width ${widths.page} on a ${widths.screen} px screen`).toBeLessThanOrEqual(
    widths.screen,
  );
}

/** Taps `control` once it lies within the screen's width (no sideways scroll to reach it). */
async function tapWithin(page: Page, control: Locator): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  expect(box, `${control} is shown`).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
  await control.tap();
}

/** Presses Shift+Tab until `target` has focus. */
async function shiftTabTo(page: Page, target: Locator, maxPresses = 40): Promise<void> {
  await expect(target).toBeEnabled();
  for (let i = 0; i <= maxPresses; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Shift+Tab');
  }
  throw new Error(`Shift+Tab never reached ${target} after ${maxPresses} presses`);
}

/** A page in a browser context of its own, signed in as `who`, at `path` on `url`. */
async function openAs(browser: Browser, url: string, who: Principal, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await signInAs(page, who);
  await gotoHydrated(page, path);
  return page;
}

for (const [engine, test] of ENGINES) {
  test.describe(`Copy nodes out of a Recycle Bin entry, on ${engine} (SPEC §23)`, () => {
    test('copy one node into finance_etl: DataStudio has it with its code and versions, unpublished; again, it is refused by name; the entry stays as it was', async ({
      page,
    }) => {
      test.slow();
      await signInAs(page, DEMO.root);
      await openEntry(page);
      const before = await entryFacts(page);
      expect(before.nodesHeading).toBe('Nodes (2)');
      const original = await binNodeView(page, NODE);
      expect(original.code).toBe(NODE_CODE);
      expect(original.versions).toHaveLength(2);
      for (const v of original.versions) expect(v).toMatch(/^\d by acme at \d{4}-\d\d-\d\dT/);

      // Nothing selected: the button waits for a selection, and says so.
      await expect(copyButton(page)).toBeDisabled();
      await expect(nodesList(page).getByText('Select the nodes to copy into a workspace.')).toBeVisible();
      await expect(selectBox(page, NODE)).not.toBeChecked();
      await expect(selectBox(page, OTHER_NODE)).not.toBeChecked();
      await selectBox(page, NODE).check();
      await expect(copyButton(page)).toBeEnabled();
      await expect(nodesList(page).getByRole('status')).toHaveText('1 selected');
      await expectAccessible(page, 'a Recycle Bin entry with a node selected');
      await shot(page, 'copy-nodes-selected');

      // The dialog: the account's active workspaces, each by name, and the node's name.
      let dialog = await openCopyDialog(page);
      expect(await dialogNames(dialog)).toEqual([NODE]);
      const targets = await targetSelect(dialog).locator('option').allInnerTexts();
      expect(targets).toContain(TARGET);
      expect(targets).toContain('sales_dw');
      for (const name of IN_BIN) expect(targets, `${name} is in the bin`).not.toContain(name);
      for (const name of ['globex_lake', 'ops_monitoring']) expect(targets, "another account's").not.toContain(name);
      expect(targets.filter((t) => t === 'sales_dw'), "the account's own sales_dw, once").toHaveLength(1);
      await expect(dialog.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
      await expectAccessible(page, 'the Copy Nodes to Workspace dialog');
      await shot(page, 'copy-nodes-dialog');
      // Cancel copies nothing and keeps the selection.
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      await expect(copyReport(page)).toHaveCount(0);
      await expect(selectBox(page, NODE)).toBeChecked();

      dialog = await openCopyDialog(page);
      await targetSelect(dialog).selectOption({ label: TARGET });
      await expect(targetSelect(dialog)).toHaveValue(TARGET);
      await okButton(dialog).click();
      await expect(dialog).toHaveCount(0);
      let report = copyReport(page);
      await expect(report).toBeVisible();
      await expect(report.getByRole('heading')).toHaveText(`Copy report: into ${TARGET}`);
      await expect(report.getByRole('listitem')).toHaveCount(1);
      await expect(reportLine(report, NODE)).toContainText('Copied');
      await expect(report.getByText('Refused')).toHaveCount(0);
      // What was copied leaves the selection.
      await expect(selectBox(page, NODE)).not.toBeChecked();
      await expect(copyButton(page)).toBeDisabled();
      await expectAccessible(page, 'the Copy report');
      await shot(page, 'copy-nodes-report');
      // The entry is as it was.
      expect(await entryFacts(page)).toEqual(before);

      // The report's link opens the copy in DataStudio: its code, both versions with their
      // authors and times, committed and unpublished.
      const link = reportLine(report, NODE).getByRole('link', { name: NODE, exact: true });
      await expect(link).toHaveAttribute('href', new RegExp(`^/workspaces/${TARGET}/datastudio\\?node=\\d+$`));
      await link.click();
      await expectInDataStudio(page, NODE, original.versions);
      await expectAccessible(page, 'the copied node in DataStudio');
      await shot(page, 'copy-nodes-datastudio');
      // As it is after a reload, from the server.
      await reloadHydrated(page);
      await expectInDataStudio(page, NODE, original.versions);

      // Again, with the other node: that one is refused by name, the other copied.
      await openEntry(page);
      expect(await entryFacts(page)).toEqual(before);
      await selectBox(page, NODE).check();
      await selectBox(page, OTHER_NODE).check();
      await expect(nodesList(page).getByRole('status')).toHaveText('2 selected');
      dialog = await openCopyDialog(page);
      expect(await dialogNames(dialog)).toEqual([NODE, OTHER_NODE]);
      await targetSelect(dialog).selectOption({ label: TARGET });
      await okButton(dialog).click();
      await expect(dialog).toHaveCount(0);
      report = copyReport(page);
      await expect(report.getByRole('listitem')).toHaveCount(2);
      await expect(reportLine(report, NODE)).toContainText('Refused');
      await expect(reportLine(report, NODE)).toContainText(`A node named ${NODE} already exists in ${TARGET}`);
      await expect(reportLine(report, NODE).getByRole('link')).toHaveCount(0);
      await expect(reportLine(report, OTHER_NODE)).toContainText('Copied');
      await expect(reportLine(report, OTHER_NODE).getByRole('link', { name: OTHER_NODE, exact: true })).toBeVisible();
      // The refused node stays selected; the copied one leaves the selection.
      await expect(selectBox(page, NODE)).toBeChecked();
      await expect(selectBox(page, OTHER_NODE)).not.toBeChecked();
      await expectAccessible(page, 'a Copy report with a refusal');
      await shot(page, 'copy-nodes-refused');
      expect(await entryFacts(page)).toEqual(before);

      // Still in the bin, with the same counts, after a reload too.
      await reloadHydrated(page);
      expect(await entryFacts(page)).toEqual(before);
      await gotoHydrated(page, '/recycle-bin');
      await expect(binRow(page, ENTRY)).toHaveCount(1);

      // finance_etl holds each node once.
      await gotoHydrated(page, `/workspaces/${TARGET}/datastudio`);
      await expect(nodeButton(page, NODE)).toHaveCount(1);
      await expect(nodeButton(page, OTHER_NODE)).toHaveCount(1);
    });

    test('a read-only user sees no checkboxes, and "Copy to Workspace" is disabled with its reason', async ({
      page,
    }) => {
      await signInAs(page, DEMO.bob);
      await openEntry(page);
      await expect(nodesList(page).getByRole('button', { name: NODE, exact: true })).toBeVisible();
      await expect(page.getByRole('main').getByRole('checkbox')).toHaveCount(0);
      await expect(copyButton(page)).toBeDisabled();
      await expect(copyButton(page)).toHaveAccessibleDescription(FULL_ACCESS_REQUIRED);
      await expect(nodesList(page).getByText(FULL_ACCESS_REQUIRED, { exact: true })).toBeVisible();
      // Clicking it does nothing.
      await copyButton(page).click({ force: true });
      await expect(copyDialog(page)).toHaveCount(0);
      await expectAccessible(page, 'a Recycle Bin entry for a read-only user');
      await shot(page, 'copy-nodes-read-only');
    });

    test("another user's open DataStudio of finance_etl shows the copy at once, keeping what they type and their focus", async ({
      page,
      browser,
      server,
    }) => {
      await signInAs(page, DEMO.root);
      await openEntry(page);
      const alice = await openAs(browser, server.url, DEMO.alice, `/workspaces/${TARGET}/datastudio`);
      await nodeButton(alice, 'reconcile').click();
      const code = alice.getByRole('textbox', { name: 'Code' });
      await expect(alice.getByRole('main').getByRole('heading', { level: 2, name: 'reconcile', exact: true })).toBeVisible();
      await expect(nodeButton(alice, NODE)).toHaveCount(0);
      // alice is typing in another node's code, unsaved.
      await code.click();
      await alice.keyboard.press('End');
      await alice.keyboard.type('\n-- typed by alice');
      const typed = await code.inputValue();
      expect(typed).toContain('-- typed by alice');

      await selectBox(page, NODE).check();
      const dialog = await openCopyDialog(page);
      await targetSelect(dialog).selectOption({ label: TARGET });
      await okButton(dialog).click();
      await expect(reportLine(copyReport(page), NODE)).toContainText('Copied');

      await expect(nodeButton(alice, NODE)).toBeVisible(WITHIN);
      await expect(code).toBeFocused();
      await expect(code).toHaveValue(typed);
      await expectAccessible(alice, 'DataStudio after a live copy');
      await shot(alice, 'copy-nodes-live');
      // It opens there as it does for the one who copied.
      await nodeButton(alice, NODE).click();
      await expect(alice.getByRole('textbox', { name: 'Code' })).toHaveValue(NODE_CODE);
      await expect(nodeStatus(alice, 'Committed')).toBeVisible();
      await alice.context().close();
    });

    test("reading the entry again (the live stream's first connection, a change made in another tab) keeps the selection, the open node and the open dialog with its choice", async ({
      page,
      baseURL,
    }) => {
      await signInAs(page, DEMO.root);
      const path = await entryPath(page);
      // The page reads the entry again once its live stream first connects, right after it can
      // act: that read is held until this viewer has chosen, opened and picked.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/get_bin_entry', async (route) => {
        await held;
        await route.continue();
      });
      await gotoHydrated(page, path);
      await selectBox(page, NODE).check();
      await binNodeView(page, OTHER_NODE);
      const dialog = await openCopyDialog(page);
      await targetSelect(dialog).selectOption({ label: 'sales_dw' });
      const expectKept = async () => {
        await expect(dialog).toBeVisible();
        await expect(targetSelect(dialog)).toHaveValue('sales_dw');
        await expect(selectBox(page, NODE)).toBeChecked();
        await expect(page.getByRole('main').getByRole('region', { name: `Node ${OTHER_NODE} (read-only)` })).toBeVisible();
      };
      // Purge protection, turned on and off in another tab, shows on this page only through a
      // fresh read of the entry: its reason is the sign that the entry was drawn anew.
      const protection = async (on: boolean) => {
        const set = await page.request.post('/api/set_purge_protection', {
          form: { enabled: String(on) },
          headers: { Origin: baseURL! },
        });
        expect(set.status()).toBe(200);
      };
      const reason = page.locator('main #purge-protection-reason');
      await protection(true);
      await expect(reason).toHaveCount(0);
      release();
      await expect(reason).toHaveCount(1);
      await expectKept();
      await protection(false);
      await expect(reason).toHaveCount(0);
      await expectKept();

      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      await expect(nodesList(page).getByRole('status')).toHaveText('1 selected');
      await expect(copyButton(page)).toBeEnabled();
    });

    test.describe('on a 390 px phone', () => {
      test.use({ viewport: PHONE, hasTouch: true, isMobile: true });

      test('select, copy and open the copy by tapping; nothing scrolls sideways', async ({ page }) => {
        await signInAs(page, DEMO.alice);
        await openEntry(page, 'tap');
        await expectNoSidewaysScroll(page, 'the entry page');
        await tapWithin(page, selectBox(page, NODE));
        await expect(selectBox(page, NODE)).toBeChecked();
        await expectNoSidewaysScroll(page, 'the entry page with a node selected');
        await expectAccessible(page, 'a Recycle Bin entry with a node selected, on a phone');
        await shot(page, 'phone-copy-nodes-selected');

        await tapWithin(page, copyButton(page));
        const dialog = copyDialog(page);
        await expect(dialog).toBeVisible();
        await expect(okButton(dialog)).toBeEnabled();
        // A tap on the select opens the phone's own picker; choosing in it is a selectOption.
        await targetSelect(dialog).selectOption({ label: TARGET });
        await expectNoSidewaysScroll(page, 'the Copy Nodes to Workspace dialog');
        await expectAccessible(page, 'the Copy Nodes to Workspace dialog on a phone');
        await shot(page, 'phone-copy-nodes-dialog');
        await tapWithin(page, okButton(dialog));
        await expect(dialog).toHaveCount(0);
        const report = copyReport(page);
        await expect(reportLine(report, NODE)).toContainText('Copied');
        await expectNoSidewaysScroll(page, 'the Copy report');
        await shot(page, 'phone-copy-nodes-report');

        await tapWithin(page, reportLine(report, NODE).getByRole('link', { name: NODE, exact: true }));
        await expect(page).toHaveURL(new RegExp(`/workspaces/${TARGET}/datastudio\\?node=\\d+$`));
        await expect(page.getByRole('textbox', { name: 'Code' })).toHaveValue(NODE_CODE);
        await expect(nodeStatus(page, 'Committed')).toBeVisible();
        await expectNoSidewaysScroll(page, 'the copy in DataStudio');
      });
    });

    test('select, copy and open the copy with the keyboard alone, by the dialog pattern', async ({ page }) => {
      await signInAs(page, DEMO.alice);
      const path = await entryPath(page);
      await page.goto(path);
      // Space ticks a node's checkbox.
      await tabTo(page, selectBox(page, NODE));
      await page.keyboard.press('Space');
      await expect(selectBox(page, NODE)).toBeChecked();
      await expect(selectBox(page, NODE)).toBeFocused();

      // The dialog takes the focus, keeps it, and gives it back on Escape.
      const copy = copyButton(page);
      await tabTo(page, copy);
      await page.keyboard.press('Enter');
      const dialog = copyDialog(page);
      await expect(dialog).toBeVisible();
      await focusInside(dialog);
      await expect(targetSelect(dialog)).toBeFocused();
      await expect(okButton(dialog)).toBeEnabled();
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        expect(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus stays in the dialog').toBe(true);
      }
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Shift+Tab');
        expect(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus stays in the dialog').toBe(true);
      }
      await page.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
      await expect(copy).toBeFocused();
      await expect(selectBox(page, NODE)).toBeChecked();

      // Enter opens it again; the target is chosen by typing its name, and Enter on OK copies.
      await page.keyboard.press('Enter');
      await expect(dialog).toBeVisible();
      await expect(targetSelect(dialog)).toBeFocused();
      await expect(okButton(dialog)).toBeEnabled();
      await page.keyboard.type(TARGET);
      await expect(targetSelect(dialog)).toHaveValue(TARGET);
      await tabTo(page, okButton(dialog));
      await page.keyboard.press('Enter');
      await expect(dialog).toHaveCount(0);
      const report = copyReport(page);
      await expect(reportLine(report, NODE)).toContainText('Copied');
      await expect(report.getByRole('heading')).toHaveText(`Copy report: into ${TARGET}`);

      // The link to the copy, reached by Tab and followed by Enter.
      const link = reportLine(report, NODE).getByRole('link', { name: NODE, exact: true });
      await tabTo(page, link);
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/workspaces/${TARGET}/datastudio\\?node=\\d+$`));
      await expect(page.getByRole('textbox', { name: 'Code' })).toHaveValue(NODE_CODE);
      await expect(nodeStatus(page, 'Committed')).toBeVisible();
    });
  });
}
