import type { Locator, Page } from '@playwright/test';
import {
  DEMO,
  ENGINES,
  advanceClock,
  expect,
  expectAccessible,
  gotoHydrated,
  reloadHydrated,
  shot,
  signInAs,
  tabTo,
} from './fixtures';
import { binRow, binTable, focusInside, rowWithText, searchWorkspaces, statusMessage, workspaceRow } from './helpers';

/**
 * The Recycle Bin for teams (SPEC §21, §22, issue 45): finding entries by search, "Deleted by" and
 * sort, all held in the address; selecting many and recovering or purging them at once.
 *
 * The demo's bin (SPEC §8, §25), newest deletion first: sandbox_a (alice, 2 days before start-up),
 * sandbox_b (alice, 3 days), tmp_join_test (acme, 5 days), poc_2025 (alice, 10 days),
 * legacy_reports (acme, 13 days).
 */
const NEWEST_FIRST = ['sandbox_a', 'sandbox_b', 'tmp_join_test', 'poc_2025', 'legacy_reports'];
const BY_NAME = ['legacy_reports', 'poc_2025', 'sandbox_a', 'sandbox_b', 'tmp_join_test'];
const DAY = 86_400;
const PHONE = { width: 390, height: 844 };

// ---------- the page's parts ----------

/** The workspace names the bin table shows, in order. */
function binNames(page: Page): Promise<string[]> {
  return binTable(page)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => (r.querySelector('td[data-label="Workspace Name"] a')?.textContent ?? '').trim()),
    );
}

async function expectNames(page: Page, names: string[]): Promise<void> {
  await expect.poll(() => binNames(page)).toEqual(names);
}

function searchBox(page: Page): Locator {
  return page.getByRole('searchbox', { name: 'Search by workspace name' });
}

function deletedBy(page: Page): Locator {
  return page.getByRole('combobox', { name: /^Deleted by/ });
}

/** "5 entries", "1 entry": the total of what matches. */
function total(page: Page): Locator {
  return page.getByRole('main').getByText(/^\d+ entr(y|ies)$/);
}

function sortButton(page: Page, column: 'Workspace Name' | 'Deletion Time'): Locator {
  return binTable(page).getByRole('button', { name: column, exact: true });
}

function sortHeader(page: Page, column: 'Workspace Name' | 'Deletion Time'): Locator {
  return binTable(page).getByRole('columnheader', { name: column, exact: true });
}

async function expectSorted(
  page: Page,
  column: 'Workspace Name' | 'Deletion Time',
  order: 'ascending' | 'descending',
): Promise<void> {
  const other = column === 'Workspace Name' ? 'Deletion Time' : 'Workspace Name';
  await expect(sortHeader(page, column)).toHaveAttribute('aria-sort', order);
  await expect(sortHeader(page, other)).toHaveAttribute('aria-sort', 'none');
}

/** The address's parameters, exactly (those at their default are left out of it). */
async function expectAddress(page: Page, params: Record<string, string>): Promise<void> {
  await expect
    .poll(() => {
      const url = new URL(page.url());
      return { path: url.pathname, params: Object.fromEntries(url.searchParams) };
    })
    .toEqual({ path: '/recycle-bin', params });
}

function selectBox(page: Page, name: string): Locator {
  return binTable(page).getByRole('checkbox', { name: `Select ${name}`, exact: true });
}

function selectAll(page: Page): Locator {
  return binTable(page).getByRole('checkbox', { name: 'Select all on this page', exact: true });
}

function selection(page: Page): Locator {
  return page.getByRole('group', { name: 'Selection' });
}

function selectionButton(
  page: Page,
  name: 'Recover selected' | 'Delete Permanently selected' | 'Clear selection',
): Locator {
  return selection(page).getByRole('button', { name, exact: true });
}

async function expectSelected(page: Page, n: number): Promise<void> {
  if (n === 0) {
    await expect(selection(page)).toHaveCount(0);
  } else {
    await expect(selection(page).getByText(/^\d+ selected$/)).toHaveText(`${n} selected`);
  }
}

function recoverDialog(page: Page, n: number): Locator {
  return page.getByRole('dialog', { name: `Recover ${n} ${n === 1 ? 'Workspace' : 'Workspaces'}`, exact: true });
}

function purgeDialog(page: Page, n: number): Locator {
  return page.getByRole('dialog', {
    name: `Delete ${n} ${n === 1 ? 'Workspace' : 'Workspaces'} Permanently`,
    exact: true,
  });
}

/** The names a bulk dialog lists, in order. */
function dialogNames(dialog: Locator): Promise<string[]> {
  return dialog.getByRole('list', { name: 'Workspaces' }).getByRole('listitem').allInnerTexts();
}

function report(page: Page, kind: 'Bulk recovery report' | 'Bulk deletion report'): Locator {
  return page.getByRole('region', { name: kind, exact: true });
}

/**
 * The row of a bulk report about `name` (by the cell's text: on a phone a cell's name also holds
 * its column's label, drawn before it).
 */
function reportRow(region: Locator, name: string): Locator {
  return rowWithText(region, name);
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

/** Presses Shift+Tab until `target` has focus (the selection bar sits above the table). */
async function shiftTabTo(page: Page, target: Locator, maxPresses = 40): Promise<void> {
  await expect(target).toBeEnabled();
  for (let i = 0; i <= maxPresses; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Shift+Tab');
  }
  throw new Error(`Shift+Tab never reached ${target} after ${maxPresses} presses`);
}

/** Marks the document, so that `expectSameDocument` can tell that no reload happened since. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });
}

async function expectSameDocument(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true),
    'the page was not reloaded',
  ).toBe(true);
}

/** The server's HTML of `path` (this context's session), read as the browser parses it. */
async function serverRendered(page: Page, path: string) {
  const response = await page.request.get(path);
  expect(response.status()).toBe(200);
  const html = await response.text();
  return page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'text/html');
    const select = doc.querySelector<HTMLSelectElement>('select[name="deleted_by"]');
    return {
      names: Array.from(doc.querySelectorAll('table.bin tbody tr td[data-label="Workspace Name"] a'), (a) =>
        (a.textContent ?? '').trim(),
      ),
      search: doc.querySelector('input[name="q"]')?.getAttribute('value') ?? '',
      deletedBy: select ? Array.from(select.options).find((o) => o.hasAttribute('selected'))?.value ?? '' : null,
      total: (doc.querySelector('p.total')?.textContent ?? '').trim(),
      sort: Array.from(doc.querySelectorAll('table.bin th[aria-sort]'), (th) => [
        (th.textContent ?? '').replace(/[▲▼]/g, '').trim(),
        th.getAttribute('aria-sort'),
      ]),
    };
  }, html);
}

for (const [engine, test] of ENGINES) {
  test.describe(`The Recycle Bin for teams, on ${engine} (SPEC §21, §22)`, () => {
    test('search, "Deleted by" and sort apply at once and live in the address: reload keeps them, Back and Forward move through them', async ({
      page,
    }) => {
      test.slow();
      await signInAs(page, DEMO.root);
      await gotoHydrated(page, '/recycle-bin');
      await expectAddress(page, {});
      // Newest deletion first, by default.
      await expectNames(page, NEWEST_FIRST);
      await expect(total(page)).toHaveText('5 entries');
      await expectSorted(page, 'Deletion Time', 'descending');
      // "Anyone", then everyone who deleted an entry now in the bin, by sign-in name.
      await expect(deletedBy(page)).toHaveValue('');
      expect(await deletedBy(page).locator('option').allInnerTexts()).toEqual(['Anyone', 'acme', 'alice@acme']);
      await shot(page, 'bin-teams-default');

      // Sort: a click on a header's button applies at once, and a second click turns the order.
      await sortButton(page, 'Deletion Time').click();
      await expectAddress(page, { sort: 'deleted_at' });
      await expectNames(page, [...NEWEST_FIRST].reverse());
      await expectSorted(page, 'Deletion Time', 'ascending');
      await sortButton(page, 'Workspace Name').click();
      await expectAddress(page, { sort: 'name' });
      await expectNames(page, BY_NAME);
      await expectSorted(page, 'Workspace Name', 'ascending');
      await sortButton(page, 'Workspace Name').click();
      await expectAddress(page, { sort: '-name' });
      await expectNames(page, [...BY_NAME].reverse());
      await expectSorted(page, 'Workspace Name', 'descending');

      // "Deleted by" applies on change, and keeps the sort.
      await deletedBy(page).selectOption({ label: 'alice@acme' });
      await expectAddress(page, { deleted_by: 'alice@acme', sort: '-name' });
      await expectNames(page, ['sandbox_b', 'sandbox_a', 'poc_2025']);
      await expect(total(page)).toHaveText('3 entries');

      // The search ignores case and finds any part of the name, a moment after typing.
      await searchBox(page).fill('BOX_');
      await expectAddress(page, { q: 'BOX_', deleted_by: 'alice@acme', sort: '-name' });
      await expectNames(page, ['sandbox_b', 'sandbox_a']);
      await expect(total(page)).toHaveText('2 entries');
      await expectSorted(page, 'Workspace Name', 'descending');
      await expectAccessible(page, 'the Recycle Bin searched, filtered and sorted');
      await shot(page, 'bin-teams-filtered');

      // The server renders the address directly, with every control's state in its HTML.
      expect(await serverRendered(page, '/recycle-bin?q=BOX_&deleted_by=alice%40acme&sort=-name')).toEqual({
        names: ['sandbox_b', 'sandbox_a'],
        search: 'BOX_',
        deletedBy: 'alice@acme',
        total: '2 entries',
        sort: [
          ['Workspace Name', 'descending'],
          ['Deletion Time', 'none'],
        ],
      });

      // A reload keeps it all.
      await reloadHydrated(page);
      await expectAddress(page, { q: 'BOX_', deleted_by: 'alice@acme', sort: '-name' });
      await expectNames(page, ['sandbox_b', 'sandbox_a']);
      await expect(searchBox(page)).toHaveValue('BOX_');
      await expect(deletedBy(page)).toHaveValue('alice@acme');
      await expectSorted(page, 'Workspace Name', 'descending');

      // Back and Forward move through the states, the controls following.
      await page.goBack();
      await expectAddress(page, { deleted_by: 'alice@acme', sort: '-name' });
      await expectNames(page, ['sandbox_b', 'sandbox_a', 'poc_2025']);
      await expect(searchBox(page)).toHaveValue('');
      await expect(deletedBy(page)).toHaveValue('alice@acme');
      await page.goBack();
      await expectAddress(page, { sort: '-name' });
      await expectNames(page, [...BY_NAME].reverse());
      await expect(deletedBy(page)).toHaveValue('');
      await expect(total(page)).toHaveText('5 entries');
      await page.goBack();
      await expectAddress(page, { sort: 'name' });
      await expectNames(page, BY_NAME);
      await expectSorted(page, 'Workspace Name', 'ascending');
      await page.goForward();
      await expectAddress(page, { sort: '-name' });
      await expectSorted(page, 'Workspace Name', 'descending');
      await page.goForward();
      await expectAddress(page, { deleted_by: 'alice@acme', sort: '-name' });
      await expectNames(page, ['sandbox_b', 'sandbox_a', 'poc_2025']);
      await expect(deletedBy(page)).toHaveValue('alice@acme');

      // Enter applies a search at once; one that finds nothing says so and offers to clear it.
      await searchBox(page).fill('tmp');
      await searchBox(page).press('Enter');
      await expectAddress(page, { q: 'tmp', deleted_by: 'alice@acme', sort: '-name' });
      await expect(page.getByText('No entry matches', { exact: true })).toBeVisible();
      await expect(total(page)).toHaveText('0 entries');
      await expectNames(page, []);
      await expectAccessible(page, 'the Recycle Bin when no entry matches');
      await shot(page, 'bin-teams-no-match');
      await page.getByRole('button', { name: 'Clear filters', exact: true }).click();
      // The filters go; the sort stays.
      await expectAddress(page, { sort: '-name' });
      await expectNames(page, [...BY_NAME].reverse());
      await expect(searchBox(page)).toHaveValue('');
      await expect(deletedBy(page)).toHaveValue('');
      await expect(page.getByText('No entry matches', { exact: true })).toHaveCount(0);
    });

    test('select two (across a search) and recover them: the dialog names them, the report gives each result', async ({
      page,
    }) => {
      await signInAs(page, DEMO.alice);
      await gotoHydrated(page, '/recycle-bin');
      await expectSelected(page, 0);

      // "Select all on this page" and "Clear selection".
      await selectAll(page).check();
      await expectSelected(page, 5);
      for (const name of NEWEST_FIRST) await expect(selectBox(page, name)).toBeChecked();
      await selectionButton(page, 'Clear selection').click();
      await expectSelected(page, 0);
      for (const name of NEWEST_FIRST) await expect(selectBox(page, name)).not.toBeChecked();
      await expect(selectAll(page)).not.toBeChecked();

      // A selection survives a search that hides part of it.
      await selectBox(page, 'sandbox_a').check();
      await expectSelected(page, 1);
      await searchBox(page).fill('tmp_join');
      await expectNames(page, ['tmp_join_test']);
      await expectSelected(page, 1);
      await selectBox(page, 'tmp_join_test').check();
      await expectSelected(page, 2);
      await expect(selection(page)).toBeVisible();
      await expectAccessible(page, 'the Recycle Bin with a selection');
      await shot(page, 'bin-teams-selection');

      await selectionButton(page, 'Recover selected').click();
      const dialog = recoverDialog(page, 2);
      await expect(dialog).toBeVisible();
      expect(await dialogNames(dialog)).toEqual(['sandbox_a', 'tmp_join_test']);
      await expect(dialog.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
      await expectAccessible(page, 'the Recover 2 Workspaces dialog');
      await shot(page, 'bin-teams-recover-dialog');
      // Cancel changes nothing.
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      await expectSelected(page, 2);

      await selectionButton(page, 'Recover selected').click();
      await dialog.getByRole('button', { name: 'OK', exact: true }).click();
      await expect(dialog).toHaveCount(0);
      const recovered = report(page, 'Bulk recovery report');
      await expect(recovered).toBeVisible();
      for (const name of ['sandbox_a', 'tmp_join_test']) {
        await expect(reportRow(recovered, name), name).toContainText('Recovered');
      }
      await expect(recovered.getByText('Refused')).toHaveCount(0);
      await expect(statusMessage(page, /^2 workspaces were recovered\.$/)).toBeVisible();
      // They leave the bin and the selection.
      await expectSelected(page, 0);
      await expect(page.getByText('No entry matches', { exact: true })).toBeVisible();
      await page.getByRole('button', { name: 'Clear filters', exact: true }).click();
      await expectNames(page, ['sandbox_b', 'poc_2025', 'legacy_reports']);
      await expect(total(page)).toHaveText('3 entries');
      await expectAccessible(page, 'the Bulk recovery report');
      await shot(page, 'bin-teams-recovery-report');

      // Both are workspaces again.
      await gotoHydrated(page, '/workspaces');
      for (const name of ['sandbox_a', 'tmp_join_test']) {
        await searchWorkspaces(page, name);
        await expect(workspaceRow(page, name)).toHaveCount(1);
      }
    });

    test('select two and purge them once "Number of workspaces" holds 2: the report gives each result', async ({
      page,
    }) => {
      await signInAs(page, DEMO.root);
      await gotoHydrated(page, '/recycle-bin');
      // acme's two entries.
      await selectBox(page, 'tmp_join_test').check();
      await selectBox(page, 'legacy_reports').check();
      await expectSelected(page, 2);
      await selectionButton(page, 'Delete Permanently selected').click();
      const dialog = purgeDialog(page, 2);
      await expect(dialog).toBeVisible();
      expect(await dialogNames(dialog)).toEqual(['tmp_join_test', 'legacy_reports']);
      const count = dialog.getByRole('textbox', { name: 'Number of workspaces' });
      const ok = dialog.getByRole('button', { name: 'OK', exact: true });
      await expect(count).toHaveValue('');
      await expect(ok).toBeDisabled();
      for (const almost of ['1', '3', 'two', '22', '-2']) {
        await count.fill(almost);
        await expect(ok, JSON.stringify(almost)).toBeDisabled();
      }
      await count.fill('2');
      await expect(ok).toBeEnabled();
      await expectAccessible(page, 'the Delete 2 Workspaces Permanently dialog');
      await shot(page, 'bin-teams-purge-dialog');
      await ok.click();
      await expect(dialog).toHaveCount(0);

      const deleted = report(page, 'Bulk deletion report');
      await expect(deleted).toBeVisible();
      for (const name of ['tmp_join_test', 'legacy_reports']) {
        await expect(reportRow(deleted, name), name).toContainText('Deleted permanently');
      }
      await expect(deleted.getByText('Refused')).toHaveCount(0);
      await expect(statusMessage(page, /^2 workspaces were permanently deleted\.$/)).toBeVisible();
      await expectSelected(page, 0);
      await expectNames(page, ['sandbox_a', 'sandbox_b', 'poc_2025']);
      await expect(total(page)).toHaveText('3 entries');
      await expectAccessible(page, 'the Bulk deletion report');
      await shot(page, 'bin-teams-deletion-report');

      // Gone for good, and "Deleted by" offers only who deleted what is left.
      await reloadHydrated(page);
      await expectNames(page, ['sandbox_a', 'sandbox_b', 'poc_2025']);
      expect(await deletedBy(page).locator('option').allInnerTexts()).toEqual(['Anyone', 'alice@acme']);
      await searchBox(page).fill('legacy');
      await expect(page.getByText('No entry matches', { exact: true })).toBeVisible();
    });

    test('a selected entry purged by the 14-day job leaves the selection, visibly, without a reload', async ({
      page,
      baseURL,
    }) => {
      await signInAs(page, DEMO.alice);
      await gotoHydrated(page, '/recycle-bin');
      await selectBox(page, 'legacy_reports').check();
      await selectBox(page, 'sandbox_a').check();
      await expectSelected(page, 2);
      await markDocument(page);
      // The keyboard's focus is on the toolbar: the live update must leave it there (SPEC §19).
      await selectionButton(page, 'Recover selected').focus();

      // legacy_reports was deleted 13 days before start-up: a day later its 14 days are up.
      await advanceClock(baseURL!, DAY + 60);
      await expect(binRow(page, 'legacy_reports')).toHaveCount(0);
      await expectSelected(page, 1);
      await expect(selectionButton(page, 'Recover selected')).toBeFocused();
      await expect(
        page.getByRole('status').filter({ hasText: 'No longer selected, since it left the Recycle Bin meanwhile:' }),
      ).toContainText('No longer selected, since it left the Recycle Bin meanwhile: legacy_reports.');
      await expect(selectBox(page, 'sandbox_a')).toBeChecked();
      await expectNames(page, NEWEST_FIRST.filter((n) => n !== 'legacy_reports'));
      await expectSameDocument(page);
      await expectAccessible(page, 'the Recycle Bin after a selected entry left it');
      await shot(page, 'bin-teams-selection-left');

      // What is left of the selection is what a bulk action acts on.
      await selectionButton(page, 'Recover selected').click();
      const dialog = recoverDialog(page, 1);
      await expect(dialog).toBeVisible();
      expect(await dialogNames(dialog)).toEqual(['sandbox_a']);
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toHaveCount(0);
    });

    test('purge protection disables "Delete Permanently selected" with its reason; "Recover selected" still works', async ({
      page,
    }) => {
      await signInAs(page, DEMO.root);
      await gotoHydrated(page, '/recycle-bin');
      await selectBox(page, 'sandbox_b').check();
      await page
        .getByRole('region', { name: 'Recycle Bin settings' })
        .getByRole('checkbox', { name: 'Purge protection' })
        .check();
      await expect(statusMessage(page, 'Purge protection is on.')).toBeVisible();
      const reason = 'Purge protection is on: entries leave the Recycle Bin by Recover or after 14 days';
      const purge = selectionButton(page, 'Delete Permanently selected');
      await expect(purge).toBeDisabled();
      await expect(purge).toHaveAccessibleDescription(reason);
      await expectSelected(page, 1);
      await expectAccessible(page, 'the Recycle Bin with a selection, purge protection on');
      await selectionButton(page, 'Recover selected').click();
      await recoverDialog(page, 1).getByRole('button', { name: 'OK', exact: true }).click();
      await expect(reportRow(report(page, 'Bulk recovery report'), 'sandbox_b')).toContainText('Recovered');
      await expect(statusMessage(page, /^1 workspace was recovered\.$/)).toBeVisible();
    });

    test('a read-only user sees no checkboxes and no selection', async ({ page }) => {
      await signInAs(page, DEMO.bob);
      await gotoHydrated(page, '/recycle-bin');
      await expectNames(page, NEWEST_FIRST);
      await expect(page.getByRole('main').getByRole('checkbox')).toHaveCount(0);
      await expect(selection(page)).toHaveCount(0);
      await expect(page.getByRole('button', { name: /selected$/ })).toHaveCount(0);
      // Finding entries is for everyone.
      await searchBox(page).fill('sandbox');
      await expectNames(page, ['sandbox_a', 'sandbox_b']);
      await expect(page.getByRole('main').getByRole('checkbox')).toHaveCount(0);
      await shot(page, 'bin-teams-read-only');
    });

    test.describe('on a 390 px phone', () => {
      test.use({ viewport: PHONE, hasTouch: true, isMobile: true });

      test('select, recover and purge many by tapping; nothing scrolls sideways', async ({ page }) => {
        await signInAs(page, DEMO.alice);
        await gotoHydrated(page, '/recycle-bin');
        await expectNoSidewaysScroll(page, 'the Recycle Bin');
        await tapWithin(page, selectBox(page, 'sandbox_a'));
        await tapWithin(page, selectBox(page, 'sandbox_b'));
        await expectSelected(page, 2);
        await expectNoSidewaysScroll(page, 'the Recycle Bin with a selection');
        await expectAccessible(page, 'the Recycle Bin with a selection on a phone');
        await shot(page, 'phone-bin-teams-selection');

        await tapWithin(page, selectionButton(page, 'Recover selected'));
        const recover = recoverDialog(page, 2);
        await expect(recover).toBeVisible();
        await expectNoSidewaysScroll(page, 'the Recover 2 Workspaces dialog');
        await expectAccessible(page, 'the Recover 2 Workspaces dialog on a phone');
        await tapWithin(page, recover.getByRole('button', { name: 'OK', exact: true }));
        await expect(recover).toHaveCount(0);
        const recovered = report(page, 'Bulk recovery report');
        for (const name of ['sandbox_a', 'sandbox_b']) {
          await expect(reportRow(recovered, name), name).toContainText('Recovered');
        }
        await expectNoSidewaysScroll(page, 'the Bulk recovery report');
        await shot(page, 'phone-bin-teams-recovery-report');

        await tapWithin(page, selectBox(page, 'tmp_join_test'));
        await tapWithin(page, selectBox(page, 'poc_2025'));
        await expectSelected(page, 2);
        await tapWithin(page, selectionButton(page, 'Delete Permanently selected'));
        const purge = purgeDialog(page, 2);
        await expect(purge).toBeVisible();
        await purge.getByRole('textbox', { name: 'Number of workspaces' }).fill('2');
        await expectNoSidewaysScroll(page, 'the Delete 2 Workspaces Permanently dialog');
        await expectAccessible(page, 'the Delete 2 Workspaces Permanently dialog on a phone');
        await shot(page, 'phone-bin-teams-purge-dialog');
        await tapWithin(page, purge.getByRole('button', { name: 'OK', exact: true }));
        await expect(purge).toHaveCount(0);
        const deleted = report(page, 'Bulk deletion report');
        for (const name of ['tmp_join_test', 'poc_2025']) {
          await expect(reportRow(deleted, name), name).toContainText('Deleted permanently');
        }
        await expectNoSidewaysScroll(page, 'the Bulk deletion report');
        await expectNames(page, ['legacy_reports']);
      });
    });

    test('select, recover and purge many with the keyboard alone, by the dialog pattern', async ({ page }) => {
      await signInAs(page, DEMO.alice);
      await page.goto('/recycle-bin');
      // Space ticks a row's checkbox.
      await tabTo(page, selectBox(page, 'sandbox_a'));
      await page.keyboard.press('Space');
      await expect(selectBox(page, 'sandbox_a')).toBeChecked();
      await tabTo(page, selectBox(page, 'sandbox_b'));
      await page.keyboard.press('Space');
      await expectSelected(page, 2);
      await expect(selectBox(page, 'sandbox_b')).toBeFocused();

      // The toolbar sits above the table; its dialog takes the focus, keeps it, and gives it
      // back on Escape.
      const recoverSelected = selectionButton(page, 'Recover selected');
      await shiftTabTo(page, recoverSelected);
      await page.keyboard.press('Enter');
      const recover = recoverDialog(page, 2);
      await expect(recover).toBeVisible();
      await focusInside(recover);
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        expect(await recover.evaluate((d) => d.contains(document.activeElement)), 'focus stays in the dialog').toBe(true);
      }
      await page.keyboard.press('Escape');
      await expect(recover).toHaveCount(0);
      await expect(recoverSelected).toBeFocused();
      await expectSelected(page, 2);
      await page.keyboard.press('Enter');
      await expect(recover).toBeVisible();
      await expect(recover.getByRole('button', { name: 'OK', exact: true })).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(recover).toHaveCount(0);
      const recovered = report(page, 'Bulk recovery report');
      for (const name of ['sandbox_a', 'sandbox_b']) {
        await expect(reportRow(recovered, name), name).toContainText('Recovered');
      }
      await expectSelected(page, 0);

      // Delete Permanently: the count is typed, and Enter sends it only once it is right.
      await tabTo(page, selectBox(page, 'tmp_join_test'));
      await page.keyboard.press('Space');
      await tabTo(page, selectBox(page, 'poc_2025'));
      await page.keyboard.press('Space');
      await expectSelected(page, 2);
      await shiftTabTo(page, selectionButton(page, 'Delete Permanently selected'));
      await page.keyboard.press('Enter');
      const purge = purgeDialog(page, 2);
      const count = purge.getByRole('textbox', { name: 'Number of workspaces' });
      await expect(count).toBeFocused();
      await page.keyboard.type('3');
      await page.keyboard.press('Enter');
      await expect(purge).toBeVisible();
      await expect(purge.getByRole('button', { name: 'OK', exact: true })).toBeDisabled();
      await page.keyboard.press('Backspace');
      await page.keyboard.type('2');
      await page.keyboard.press('Enter');
      await expect(purge).toHaveCount(0);
      const deleted = report(page, 'Bulk deletion report');
      for (const name of ['tmp_join_test', 'poc_2025']) {
        await expect(reportRow(deleted, name), name).toContainText('Deleted permanently');
      }
      await expectNames(page, ['legacy_reports']);
    });

    test('axe finds nothing serious on the bin with a selection and on both dialogs, for the root', async ({
      page,
    }) => {
      await signInAs(page, DEMO.root);
      await gotoHydrated(page, '/recycle-bin');
      await selectAll(page).check();
      await selectBox(page, 'legacy_reports').uncheck();
      await expectSelected(page, 4);
      // Part of the page selected: "Select all on this page" is mixed.
      await expect(selectAll(page)).toBeChecked({ indeterminate: true });
      await expectAccessible(page, 'the Recycle Bin with a selection, for the root');

      await selectionButton(page, 'Recover selected').click();
      const recover = recoverDialog(page, 4);
      await expect(recover.getByRole('button', { name: 'OK', exact: true })).toBeVisible();
      await expectAccessible(page, 'the Recover 4 Workspaces dialog');
      await page.keyboard.press('Escape');
      await expect(recover).toHaveCount(0);

      await selectionButton(page, 'Delete Permanently selected').click();
      const purge = purgeDialog(page, 4);
      await expect(purge.getByRole('textbox', { name: 'Number of workspaces' })).toBeVisible();
      await expectAccessible(page, 'the Delete 4 Workspaces Permanently dialog');
      await purge.getByRole('textbox', { name: 'Number of workspaces' }).fill('4');
      await expect(purge.getByRole('button', { name: 'OK', exact: true })).toBeEnabled();
      await expectAccessible(page, 'the Delete 4 Workspaces Permanently dialog, its count typed');
      await purge.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(purge).toHaveCount(0);

      // One selected: the titles say "Workspace".
      await selectionButton(page, 'Clear selection').click();
      await selectBox(page, 'legacy_reports').check();
      await selectionButton(page, 'Recover selected').click();
      await expect(recoverDialog(page, 1)).toBeVisible();
      await page.keyboard.press('Escape');
      await selectionButton(page, 'Delete Permanently selected').click();
      await expect(purgeDialog(page, 1).getByRole('textbox', { name: 'Number of workspaces' })).toBeVisible();
      await expectAccessible(page, 'the Delete 1 Workspace Permanently dialog');
    });
  });
}
