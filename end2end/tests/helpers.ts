import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, gotoHydrated } from './fixtures';

// ---------- generic table reading ----------

/** A table in the page's main region, recognised by one of its column headers. */
export function tableWithColumn(page: Page, column: string): Locator {
  return page
    .getByRole('main')
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: column, exact: true }) });
}

/**
 * The column headers' texts, in order, less a sort button's mark ("Deletion Time ▼" is
 * "Deletion Time"); a header holding only a checkbox reads "".
 */
export async function columnHeaders(table: Locator): Promise<string[]> {
  // allInnerTexts does not wait: the table may still be on its way (a client-side navigation).
  await expect(table.getByRole('columnheader').first()).toBeVisible();
  return (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
}

/** Rows of `table` holding an element whose whole text is exactly `text`. */
export function rowWithText(table: Locator, text: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByText(text, { exact: true }) });
}

/** The cell of `row` under the column header `column` of `table`. */
export async function cellIn(table: Locator, row: Locator, column: string): Promise<Locator> {
  const headers = await columnHeaders(table);
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`no column "${column}" among [${headers.join(', ')}]`);
  return row.locator(
    ':scope > td, :scope > th, :scope > [role=cell], :scope > [role=gridcell], :scope > [role=rowheader]',
  ).nth(index);
}

export async function cellText(table: Locator, row: Locator, column: string): Promise<string> {
  return (await (await cellIn(table, row, column)).innerText()).trim();
}

/** "$12.50" → 1250 (cents). */
export function parseCost(text: string): number {
  const m = /\$\s*([\d,]+)\.(\d{2})/.exec(text);
  if (!m) throw new Error(`no cost like "$12.50" in "${text}"`);
  return Number(m[1].replace(/,/g, '')) * 100 + Number(m[2]);
}

export const COST_FORMAT = /^\$\d{1,3}(,?\d{3})*\.\d{2}$/;
export const COUNTDOWN_FORMAT = /(\d+)d\s*(\d+)h\s*(\d+)m\s*(\d+)s/;

/** "13d 23h 59m 58s" → seconds. */
export function parseCountdown(text: string): number {
  const m = COUNTDOWN_FORMAT.exec(text);
  if (!m) throw new Error(`no countdown like "13d 23h 59m 58s" in "${text}"`);
  const [d, h, min, s] = m.slice(1).map(Number);
  return ((d * 24 + h) * 60 + min) * 60 + s;
}

// ---------- Workspaces page ----------

export function workspacesTable(page: Page): Locator {
  return tableWithColumn(page, 'Workspace Name');
}

export function searchBox(page: Page): Locator {
  return page.getByRole('searchbox', { name: 'Search workspaces' });
}

/**
 * Types `text` in the search box and waits until the table shows only names that contain it, so
 * the next step acts on the filtered list and not on rows about to be replaced.
 */
export async function searchWorkspaces(page: Page, text: string): Promise<void> {
  await searchBox(page).fill(text);
  await searchResultsShown(page, text);
}

/** Waits until the Workspaces table shows only names that contain `text` (ignoring case). */
export async function searchResultsShown(page: Page, text: string): Promise<void> {
  const wanted = text.toLowerCase();
  await expect
    .poll(async () => (await visibleWorkspaceNames(page)).every((name) => name.toLowerCase().includes(wanted)))
    .toBe(true);
}

/** Waits until the keyboard focus is inside `dialog` (it takes it a frame after it shows). */
export async function focusInside(dialog: Locator): Promise<void> {
  await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
}

/** The row whose name link is exactly `name`. */
export function workspaceRow(page: Page, name: string): Locator {
  return workspacesTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });
}

/** Data rows of the workspaces table (each has a name link; the header row has none). */
export function workspaceRows(page: Page): Locator {
  return workspacesTable(page).getByRole('row').filter({ has: page.getByRole('link') });
}

/** The workspace names shown on the current page, in order. */
export async function visibleWorkspaceNames(page: Page): Promise<string[]> {
  return workspaceRows(page).evaluateAll((rows) =>
    rows.map((r) => (r.querySelector('a')?.textContent ?? '').trim()),
  );
}

export function createWorkspaceButton(page: Page): Locator {
  return page.getByRole('main').getByRole('button', { name: 'Create Workspace', exact: true });
}

export async function openCreateDialog(page: Page): Promise<Locator> {
  await createWorkspaceButton(page).click();
  const dialog = page.getByRole('dialog', { name: 'Create Workspace' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'the Create Workspace dialog');
  return dialog;
}

/**
 * Types `name` in the create dialog and asks to create it: clicks "Create" when it is
 * enabled (a UI that explains the rule as you type may disable it instead).
 */
export async function tryName(dialog: Locator, name: string): Promise<void> {
  await dialog.getByLabel('Workspace Name', { exact: true }).fill(name);
  const create = dialog.getByRole('button', { name: 'Create', exact: true });
  if (await create.isEnabled()) await create.click();
}

export type NewWorkspace = { name: string; displayName?: string; description?: string; dataModeling?: boolean };

export async function createWorkspace(page: Page, ws: NewWorkspace): Promise<void> {
  const dialog = await openCreateDialog(page);
  await dialog.getByLabel('Workspace Name', { exact: true }).fill(ws.name);
  await dialog.getByLabel('Display Name', { exact: true }).fill(ws.displayName ?? ws.name);
  await dialog.getByLabel('Description', { exact: true }).fill(ws.description ?? '');
  await dialog.getByRole('checkbox', { name: 'Enable data modeling' }).setChecked(ws.dataModeling ?? false);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(dialog).toBeHidden();
}

// ---------- deleting ----------

/** Workspaces page → search → "More" → "Delete Workspace"; returns the open dialog. */
export async function openDeleteDialog(page: Page, name: string): Promise<Locator> {
  await gotoHydrated(page, '/workspaces');
  await searchWorkspaces(page, name);
  const row = workspaceRow(page, name);
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'More', exact: true }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: 'Delete Workspace' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Workspace' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'OK', exact: true })).toBeVisible();
  await expectAccessible(page, 'the Delete Workspace dialog');
  return dialog;
}

export function freezeCheckbox(dialog: Locator): Locator {
  return dialog.getByRole('checkbox', { name: 'Freeze all auto triggered tasks before deleting' });
}

export function statusMessage(page: Page, text: string | RegExp): Locator {
  return page.getByRole('status').filter({ hasText: text });
}

/** Deletes `name` through the dialog as a person would; `freeze` sets the freeze checkbox. */
export async function deleteWorkspace(page: Page, name: string, opts: { freeze?: boolean } = {}): Promise<void> {
  const dialog = await openDeleteDialog(page, name);
  await freezeCheckbox(dialog).setChecked(opts.freeze ?? true);
  await dialog.getByRole('textbox', { name: 'Workspace name' }).fill(name);
  await dialog.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(statusMessage(page, 'moved to the Recycle Bin')).toBeVisible();
  await expect(workspaceRow(page, name)).toHaveCount(0);
}

// ---------- Operation Center ----------

export function tasksTable(page: Page): Locator {
  return tableWithColumn(page, 'Task Name');
}

export function taskRow(page: Page, task: string): Locator {
  return rowWithText(tasksTable(page), task);
}

export async function taskCost(page: Page, task: string): Promise<number> {
  const table = tasksTable(page);
  const row = taskRow(page, task);
  await expect(row).toHaveCount(1);
  return parseCost(await cellText(table, row, 'Cost So Far'));
}

export async function expectTaskStatus(page: Page, task: string, status: 'Running' | 'Frozen'): Promise<void> {
  const table = tasksTable(page);
  const row = taskRow(page, task);
  await expect(row).toHaveCount(1);
  await expect(await cellIn(table, row, 'Status')).toHaveText(status);
}

// ---------- DataStudio ----------

export function nodeButton(page: Page, node: string): Locator {
  return page.getByRole('main').getByRole('button', { name: node, exact: true });
}

/** The status text of the selected node: exactly "Draft", "Committed" or "Published". */
export function nodeStatus(page: Page, status: 'Draft' | 'Committed' | 'Published'): Locator {
  return page.getByRole('main').getByText(status, { exact: true });
}

/** Clicks `button` and waits for the server call (a POST) it makes to be answered. */
export async function clickAndWaitForServer(page: Page, button: Locator): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && !r.url().includes('/test-api/')),
    button.click(),
  ]);
}

// ---------- Recycle Bin ----------

export function binTable(page: Page): Locator {
  return tableWithColumn(page, 'Physical Deletion Countdown');
}

export function binRow(page: Page, name: string): Locator {
  return rowWithText(binTable(page), name);
}

export async function countdownSeconds(page: Page, name: string): Promise<number> {
  const table = binTable(page);
  const row = binRow(page, name);
  await expect(row).toHaveCount(1);
  return parseCountdown(await cellText(table, row, 'Physical Deletion Countdown'));
}
