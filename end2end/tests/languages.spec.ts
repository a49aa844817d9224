import type { Browser, Locator, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import {
  DEMO,
  ENGINES,
  advanceClock,
  expect,
  expectAccessible,
  waitForHydration,
  type Principal,
  watchConsole,
} from './fixtures';
import { rowWithText, tableWithColumn } from './helpers';

/**
 * The console in 简体中文 (SPEC §24, issue 47), on both engines: a zh-CN browser gets the console
 * in Chinese and works it with the glossary's labels alone; the select "Language" switches on the
 * sign-in page (a form) and on a signed-in page (in place, state kept), remembered by a cookie;
 * refusals are worded in Chinese; no hydration error; axe at both widths; and a crawl of every
 * page and dialog finds no English left outside user data, codes and the product names.
 */

/** SPEC §24's glossary: what clients and tests look for in 简体中文. */
const ZH = {
  signIn: '登录',
  signOut: '退出登录',
  username: '用户名',
  password: '密码',
  workspaces: '工作空间',
  createWorkspace: '创建工作空间',
  workspaceName: '工作空间名称',
  actions: '操作',
  more: '更多',
  deleteWorkspace: '删除工作空间',
  ok: '确定',
  cancel: '取消',
  undo: '撤销',
  recycleBin: '回收站',
  recover: '恢复',
  deletePermanently: '彻底删除',
  recoverWorkspace: '恢复工作空间',
  deletedBy: '删除人',
  deletionTime: '删除时间',
  countdown: '物理删除倒计时',
  recoveryReport: '恢复报告',
  auditLog: '审计日志',
  notifications: '通知',
  language: '语言',
  menu: '菜单',
  create: '创建',
  searchWorkspaces: '搜索工作空间',
} as const;

const CHINESE = /[\u3400-\u9fff]/;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 720 };
const REPO_ROOT = path.resolve(__dirname, '../..');

// ---------- the glossary's pages ----------

/** Signs in through the plain sign-in page with its Chinese labels (用户名, 密码, 登录). */
async function signInZh(page: Page, who: Principal): Promise<void> {
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.getByLabel(ZH.username, { exact: true }).fill(who.username);
  await page.getByLabel(ZH.password, { exact: true }).fill(who.password);
  await page.getByRole('button', { name: ZH.signIn, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await waitForHydration(page);
}

async function gotoZh(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
}

function workspacesTableZh(page: Page): Locator {
  return tableWithColumn(page, ZH.workspaceName);
}

function workspaceRowZh(page: Page, name: string): Locator {
  return workspacesTableZh(page)
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name, exact: true }) });
}

function binTableZh(page: Page): Locator {
  return tableWithColumn(page, ZH.countdown);
}

function binRowZh(page: Page, name: string): Locator {
  return rowWithText(binTableZh(page), name);
}

/** The select "Language" ("语言" in 简体中文). */
function languageSelect(page: Page, label: 'Language' | '语言' = 'Language'): Locator {
  return page.getByRole('combobox', { name: label, exact: true });
}

/** Workspaces → 搜索工作空间 → 更多 → 删除工作空间 → the typed name → 确定. */
async function deleteWithTypedNameZh(page: Page, name: string): Promise<void> {
  await page.getByRole('searchbox', { name: ZH.searchWorkspaces }).fill(name);
  const row = workspaceRowZh(page, name);
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: ZH.more, exact: true }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: ZH.deleteWorkspace, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: ZH.deleteWorkspace, exact: true });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('textbox', { name: ZH.workspaceName, exact: true }).fill(name);
  await dialog.getByRole('button', { name: ZH.ok, exact: true }).click();
  await expect(dialog).toHaveCount(0);
}

/** The live status that offers 撤销 after a deletion. */
function undoStatus(page: Page): Locator {
  return page.getByRole('status').filter({ has: page.getByRole('button', { name: ZH.undo, exact: true }) });
}

// ---------- the translation tables, to find controls outside the glossary ----------

function readJson(file: string): Record<string, string> {
  // The tables may be rewritten while the tests run (translators merge into them): retry a read
  // that lands mid-write.
  for (let attempt = 0; ; attempt++) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (e) {
      if (attempt >= 20) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

let tables: { en: Record<string, string>; zh: Record<string, string> } | undefined;
function locales() {
  tables ??= {
    en: readJson(path.join(REPO_ROOT, 'locales/en.json')),
    zh: readJson(path.join(REPO_ROOT, 'locales/zh-CN.json')),
  };
  return tables;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * The accessible name of a control outside the glossary, exactly: its English text or its
 * 简体中文 translation (read from locales/*.json, by the key whose English it is). Used only to
 * find controls; whether the page shows Chinese is the crawl's question.
 */
function named(en: string, params: Record<string, string | number> = {}): RegExp {
  const { en: enTable, zh: zhTable } = locales();
  const names = new Set([fillTemplate(en, params)]);
  for (const [key, text] of Object.entries(enTable)) {
    if (text === en && zhTable[key]) names.add(fillTemplate(zhTable[key], params));
  }
  return new RegExp(`^(?:${[...names].map(escapeRegExp).join('|')})$`);
}

// ---------- finding English ----------

/**
 * The product names that stay in English in 简体中文 (SPEC §24, issue 47), and nothing else:
 * Alibaba Cloud's products and their parts as its 简体中文 consoles name them ("AccessKey ID",
 * the node types "ODPS SQL", "Hologres SQL", "Serverless Spark"). Policy names
 * (AliyunDataWorksFullAccess…) and audit action codes are codes (one CamelCase word).
 */
const PRODUCT_NAMES = [
  'DataWorks',
  'DataStudio',
  'PAI',
  'MaxCompute',
  'AccessKey ID',
  'AccessKey Secret',
  'AccessKey',
  'RAM',
  'Hologres SQL',
  'Hologres',
  'ODPS SQL',
  'Serverless Spark',
  'MySQL',
  'OSS',
];

/**
 * Codes written the same in every language, which a text names as codes: file formats (a CSV
 * file, a JSON body), URL schemes, and the UTC offset of a time ("（UTC+08:00）").
 */
const CODES = new Set(['CSV', 'JSON', 'HTTP', 'HTTPS', 'UTC']);


/**
 * What users typed, and the product names: every string of the demo data (src/startup/demo.toml: names, display names,
 * descriptions, code, asset names, types and details), less those that are the console's own
 * texts (an English value of locales/en.json, such as the asset type "File", is the console's
 * and must be translated), plus what the test itself typed.
 */
function userData(typed: string[]): RegExp {
  const toml = fs.readFileSync(path.join(REPO_ROOT, 'src/startup/demo.toml'), 'utf8');
  const consoleTexts = new Set(Object.values(locales().en));
  const strings = new Set<string>(typed);
  for (const line of toml.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
      const value = m[1].replace(/\\(["\\])/g, '$1').replace(/\\n/g, '\n');
      if (value.trim().length > 1 && !consoleTexts.has(value)) strings.add(value);
    }
  }
  for (const kind of ['data_source', 'compute', 'node', 'resource', 'di_task', 'model', 'metric']) strings.delete(kind);
  // The product names too, in the same alternation, where the longest match wins: "Hologres SQL"
  // (a product's node type) over "Hologres" (a data source's name), "PAI Designer" (demo data) over "PAI".
  for (const name of PRODUCT_NAMES) strings.add(name);
  const longestFirst = [...strings].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(`(?<![A-Za-z0-9_])(?:${longestFirst.join('|')})(?![A-Za-z0-9_])`, 'g');
}

/** The English words of `text` once user data is taken out: none in a good 简体中文 page. */
function englishWords(text: string, data: RegExp): string[] {
  const rest = text.replace(data, ' ');
  const words: string[] = [];
  for (const m of rest.matchAll(/[A-Za-z0-9][A-Za-z0-9_@.:/'’+#-]*/g)) {
    const word = m[0].replace(/[.:'’+#-]+$/, '');
    if (!/[A-Za-z]/.test(word)) continue;
    // "13d", "5m", "2h", "30 s": English units after a number.
    if (/^\d+(?:d|h|m|s|ms|min|mins|sec|secs|days?|hours?|minutes?|seconds?)$/i.test(word)) {
      words.push(word);
      continue;
    }
    // Codes: names with digits, underscores, @ or paths (sales_dw, alice@acme, udf_utils.jar,
    // oss://…), generated keys and ids, CamelCase codes (DeleteWorkspace, AliyunDataWorksFullAccess).
    if (/[0-9_@/]/.test(word) || /[A-Za-z0-9]{2}[.:][A-Za-z0-9]{2}/.test(word)) continue;
    if (word.length >= 16 && /^[A-Za-z0-9]+$/.test(word)) continue;
    if (/[a-z][A-Z]/.test(word)) continue;
    if (CODES.has(word)) continue;
    words.push(word);
  }
  return words;
}

type Shown = { text: string; at: string; forced?: boolean };

/**
 * Every text the page shows now: visible text (screen-reader-only text included, code, <pre>
 * and text fields' contents left out), the options of visible selects, and the aria-label, title
 * and placeholder of visible elements, the document's title; and any <time> still written the
 * English way ("2026-12-06 23:19:05"). The select "Language" offers each language by its own
 * name, in every language (SPEC §24): its options are not the page's text.
 */
function shownTexts(page: Page): Promise<Shown[]> {
  return page.evaluate(() => {
    const out: { text: string; at: string; forced?: boolean }[] = [];
    const visible = (el: Element | null): boolean =>
      !!el &&
      (typeof (el as HTMLElement).checkVisibility === 'function'
        ? (el as HTMLElement).checkVisibility({ visibilityProperty: true } as CheckVisibilityOptions)
        : (el as HTMLElement).getClientRects().length > 0);
    const describe = (el: Element): string => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && parts.length < 3 && e !== document.body; e = e.parentElement) {
        const id = e.id ? `#${e.id}` : '';
        const role = e.getAttribute('role') ? `[role=${e.getAttribute('role')}]` : '';
        const cls = !id && e.classList.length ? `.${e.classList[0]}` : '';
        parts.unshift(`${e.tagName.toLowerCase()}${id}${role}${cls}`);
      }
      return parts.join(' > ');
    };
    const skipped = (el: Element) =>
      // The Audit Log's messages are worded in the page's language too (only an event recorded
      // before the console spoke two languages keeps its English, marked lang="en": none here).
      !!el.closest('script, style, noscript, template, code, pre, textarea, kbd, samp, #language');
    if (document.title.trim()) out.push({ text: document.title.trim(), at: 'title' });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
      const el = node.parentElement;
      if (!text || !el || skipped(el)) continue;
      const shownBy = el.closest('option') ? el.closest('select') : el;
      if (!visible(shownBy)) continue;
      out.push({ text, at: describe(el) });
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], input[type=submit][value], input[type=button][value]')) {
      if (el.closest('#language') || !visible(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'value']) {
        if (attr === 'value' && !(el instanceof HTMLInputElement && ['submit', 'button'].includes(el.type))) continue;
        const value = el.getAttribute(attr)?.trim();
        if (value) out.push({ text: value, at: `${describe(el)} @${attr}` });
      }
    }
    for (const time of document.querySelectorAll('time')) {
      const text = (time.textContent ?? '').trim();
      if (visible(time) && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(text)) {
        out.push({ text, at: `${describe(time)} (an English date)`, forced: true });
      }
    }
    return out;
  });
}

/**
 * Waits (at most 5 s) until nothing on the page is still loading: no aria-busy element and no
 * "…" of a loading text in the main region or a dialog.
 */
async function settle(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            document.querySelector('[aria-busy="true"]') === null &&
            !Array.from(document.querySelectorAll('main, [role=dialog]')).some((e) =>
              /…/.test((e as HTMLElement).innerText ?? ''),
            ),
        ),
      { timeout: 5_000 },
    )
    .toBe(true)
    .catch(() => {});
}

/** What the crawl found: per page or dialog, each text with English in it. */
class EnglishFinder {
  readonly found = new Map<string, Set<string>>();
  private readonly data: RegExp;
  readonly visited: string[] = [];

  constructor(typed: string[]) {
    this.data = userData(typed);
  }

  async look(page: Page, where: string): Promise<void> {
    await settle(page);
    this.visited.push(where);
    for (const shown of await shownTexts(page)) {
      const words = shown.forced ? ['(date)'] : englishWords(shown.text, this.data);
      if (words.length === 0) continue;
      const set = this.found.get(where) ?? new Set<string>();
      set.add(`"${shown.text.slice(0, 200)}" — ${words.join(', ')} — at ${shown.at}`);
      this.found.set(where, set);
    }
  }

  report(): Record<string, string[]> {
    return Object.fromEntries([...this.found].map(([where, texts]) => [where, [...texts]]));
  }
}

async function zhPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN' });
  return context.newPage();
}

/** A window property that a page load would lose: proves a switch happened in place. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}

async function expectSameDocument(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true),
    'the page switched language without loading again',
  ).toBe(true);
}

async function langCookie(page: Page): Promise<string | undefined> {
  return (await page.context().cookies()).find((c) => c.name === 'console_lang')?.value;
}

for (const [engine, test] of ENGINES) {
  test.describe(`简体中文 on ${engine} (SPEC §24)`, () => {
    test.describe('in a zh-CN browser', () => {
      test.use({ locale: 'zh-CN' });

      test('sign in, delete with the typed name, 撤销, delete again, recover from the bin entry with its 恢复报告: glossary labels only', async ({
        page,
      }) => {
        await signInZh(page, DEMO.alice);
        await expect(page).toHaveURL(/\/workspaces$/);
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        await expect(page.getByRole('heading', { name: ZH.workspaces, exact: true })).toBeVisible();
        await expect(page.getByRole('banner').getByRole('button', { name: ZH.signOut, exact: true })).toBeVisible();
        const headers = (await workspacesTableZh(page).getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
        expect(headers).toContain(ZH.workspaceName);
        expect(headers).toContain(ZH.actions);
        await expect(page.getByRole('main').getByRole('button', { name: ZH.createWorkspace, exact: true })).toBeEnabled();

        await deleteWithTypedNameZh(page, 'marketing_ml');
        const status = undoStatus(page);
        await expect(status).toBeVisible();
        await expect(status).toContainText('marketing_ml');
        await expect(status).toContainText(CHINESE);
        await expect(status).not.toContainText('moved to the Recycle Bin');
        await expect(workspaceRowZh(page, 'marketing_ml')).toHaveCount(0);

        await status.getByRole('button', { name: ZH.undo, exact: true }).click();
        const undone = page.getByRole('region', { name: ZH.recoveryReport, exact: true });
        await expect(undone).toBeVisible();
        await expect(undone).toContainText(CHINESE);
        await expect(workspaceRowZh(page, 'marketing_ml')).toHaveCount(1);

        await deleteWithTypedNameZh(page, 'marketing_ml');
        await expect(undoStatus(page)).toBeVisible();
        await expect(workspaceRowZh(page, 'marketing_ml')).toHaveCount(0);

        await page.getByRole('banner').getByRole('link', { name: ZH.recycleBin, exact: true }).click();
        await expect(page).toHaveURL(/\/recycle-bin$/);
        await expect(page.getByRole('heading', { name: ZH.recycleBin, exact: true })).toBeVisible();
        const bin = binTableZh(page);
        // The table comes with the page's data: wait for it before reading its headers at once.
        await expect(bin.getByRole('columnheader', { name: ZH.workspaceName })).toBeVisible();
        const binHeaders = (await bin.getByRole('columnheader').allInnerTexts()).map((h) => h.replace(/[▲▼]/g, '').trim());
        for (const column of [ZH.workspaceName, ZH.deletedBy, ZH.deletionTime, ZH.countdown, ZH.actions]) {
          expect(binHeaders, `the Recycle Bin's columns`).toContain(column);
        }
        const row = binRowZh(page, 'marketing_ml');
        await expect(row).toHaveCount(1);
        // The countdown's units and the deletion time follow the language.
        const cells = (await row.getByRole('cell').allInnerTexts()).join(' | ');
        expect(cells).toMatch(/\d+天 \d+时 \d+分 \d+秒/);
        expect(cells).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}/);
        await expect(row.getByRole('button', { name: ZH.recover, exact: true })).toBeVisible();
        await expect(row.getByRole('button', { name: ZH.deletePermanently, exact: true })).toBeVisible();

        await row.getByRole('link', { name: 'marketing_ml', exact: true }).click();
        await expect(page).toHaveURL(/\/recycle-bin\/\d+$/);
        await expect(page.getByRole('heading', { level: 1 })).toContainText('marketing_ml');
        await expect(page.getByRole('heading', { level: 1 })).toContainText(CHINESE);
        await waitForHydration(page);
        await page.getByRole('main').getByRole('button', { name: ZH.recover, exact: true }).click();
        const recover = page.getByRole('dialog', { name: ZH.recoverWorkspace, exact: true });
        await expect(recover).toBeVisible();
        await expect(recover.getByRole('button', { name: ZH.cancel, exact: true })).toBeVisible();
        await recover.getByRole('button', { name: ZH.ok, exact: true }).click();
        const report = page.getByRole('region', { name: ZH.recoveryReport, exact: true });
        await expect(report).toBeVisible();
        await expect(report).toContainText('marketing_ml');
        await expect(report).toContainText(CHINESE);

        await page.getByRole('banner').getByRole('link', { name: ZH.workspaces, exact: true }).click();
        await page.getByRole('searchbox', { name: ZH.searchWorkspaces }).fill('marketing_ml');
        await expect(workspaceRowZh(page, 'marketing_ml')).toHaveCount(1);

        // The Audit Log words what happened in Chinese too (the API and the CSV keep the English).
        await page.goto('/audit-log?workspace=marketing_ml');
        const messages = page.getByRole('main').locator('.event-message');
        await expect(messages.filter({ hasText: '已移入回收站，保留至' })).toHaveCount(2);
        await expect(messages.filter({ hasText: /^已撤销：已从回收站恢复，删除于/ })).toHaveCount(1);
        await expect(messages.filter({ hasText: /^已从回收站恢复，删除于/ })).toHaveCount(1);
        await expect(page.getByRole('main').locator('[lang="en"]')).toHaveCount(0);
        await expect(page.getByRole('main')).not.toContainText('Recycle Bin');
      });

      test('a refusal from the server is explained in Chinese: a taken name, a name held by the bin', async ({ page }) => {
        await signInZh(page, DEMO.alice);
        await page.getByRole('main').getByRole('button', { name: ZH.createWorkspace, exact: true }).click();
        const dialog = page.getByRole('dialog', { name: ZH.createWorkspace, exact: true });
        await expect(dialog).toBeVisible();
        const name = dialog.getByRole('textbox', { name: ZH.workspaceName, exact: true });

        await name.fill('SALES_DW');
        await dialog.getByRole('button', { name: ZH.create, exact: true }).click();
        const refusal = dialog.getByRole('alert');
        await expect(refusal).toBeVisible();
        await expect(refusal).toContainText('sales_dw', { ignoreCase: true });
        await expect(refusal).toContainText(CHINESE);
        await expect(refusal).not.toContainText('already exists');
        await expect(refusal).not.toContainText('Choose another name');
        await expect(name).toHaveValue('SALES_DW');

        await name.fill('LEGACY_REPORTS');
        await dialog.getByRole('button', { name: ZH.create, exact: true }).click();
        await expect(refusal).toContainText('legacy_reports', { ignoreCase: true });
        await expect(refusal).toContainText(ZH.recycleBin);
        await expect(refusal).not.toContainText('Recycle Bin');

        await dialog.getByRole('button', { name: ZH.cancel, exact: true }).click();
        await expect(dialog).toHaveCount(0);
      });

      test('no hydration error or console error in 简体中文, and the server sends every page in it', async ({ page }) => {
        const problems = watchConsole(page);
        await signInZh(page, DEMO.root);
        const binId = await page.request
          .get('/recycle-bin')
          .then((r) => r.text())
          .then((html) => /href="\/recycle-bin\/(\d+)"/.exec(html)?.[1]);
        expect(binId).toBeTruthy();
        for (const url of [
          '/workspaces',
          '/workspaces/sales_dw',
          '/workspaces/sales_dw/assets/data-sources',
          '/workspaces/sales_dw/datastudio',
          '/workspaces/sales_dw/operation-center',
          '/operation-center',
          '/recycle-bin',
          '/recycle-bin?q=sandbox&sort=name',
          `/recycle-bin/${binId}`,
          '/ram-users',
          '/audit-log',
          '/signup',
        ]) {
          const response = await page.goto(url);
          const html = await response!.text();
          expect(html, `${url}: <html lang> from the server`).toMatch(/<html[^>]* lang="zh-CN"/);
          // The server's heading and navigation are the hydrated page's: no flash of English.
          const serverTexts = await page.evaluate((source) => {
            const doc = new DOMParser().parseFromString(source, 'text/html');
            return [...doc.querySelectorAll('h1, header nav a, th')].map((e) => (e.textContent ?? '').trim());
          }, html);
          await waitForHydration(page);
          const hydratedTexts = await page.evaluate(() =>
            [...document.querySelectorAll('h1, header nav a, th')].map((e) => (e.textContent ?? '').trim()),
          );
          expect(hydratedTexts, `${url}: headings, navigation and column headers before and after hydration`).toEqual(
            serverTexts,
          );
          expect(serverTexts.join(' '), `${url}: the server's headings are in Chinese`).toMatch(CHINESE);
          await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        }
        // A dialog and a live announcement, drawn in the browser.
        await gotoZh(page, '/workspaces');
        await page.getByRole('main').getByRole('button', { name: ZH.createWorkspace, exact: true }).click();
        const create = page.getByRole('dialog', { name: ZH.createWorkspace, exact: true });
        await expect(create).toBeVisible();
        // Escape acts once the focus is in the dialog (its code arrives, then it takes the focus).
        await expect(create.getByRole('textbox', { name: ZH.workspaceName, exact: true })).toBeFocused();
        await page.keyboard.press('Escape');
        await expect(create).toHaveCount(0);
        await deleteWithTypedNameZh(page, 'finance_etl');
        await expect(undoStatus(page)).toBeVisible();
        expect(problems, 'console errors and warnings in 简体中文 (hydration included)').toEqual([]);
      });

      // One test per width, so that each has room within its 30 s on a slow run (both widths in one
      // test took 17-32 s on this machine, and failed there once).
      for (const [width, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        test(`axe at ${width} width in 简体中文: Workspaces, the Recycle Bin and a dialog${width === 'phone' ? ', and the phone Menu' : ''}`, async ({
          page,
        }) => {
          await page.setViewportSize(viewport);
          await signInZh(page, DEMO.root);
          for (const url of ['/workspaces', '/recycle-bin']) {
            await gotoZh(page, url);
            await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
            await expectAccessible(page, `${url} in 简体中文 at ${width} width`);
          }
          await gotoZh(page, '/workspaces');
          await page.getByRole('main').getByRole('button', { name: ZH.createWorkspace, exact: true }).click();
          await expect(page.getByRole('dialog', { name: ZH.createWorkspace, exact: true })).toBeVisible();
          await expectAccessible(page, `the 创建工作空间 dialog at ${width} width`);
          await page.keyboard.press('Escape');
          await gotoZh(page, '/recycle-bin');
          await binRowZh(page, 'legacy_reports').getByRole('button', { name: ZH.recover, exact: true }).click();
          await expect(page.getByRole('dialog', { name: ZH.recoverWorkspace, exact: true })).toBeVisible();
          await expectAccessible(page, `the 恢复工作空间 dialog at ${width} width`);
          await page.keyboard.press('Escape');
          if (width === 'phone') {
            // On a phone, the select "语言" is inside "菜单".
            await gotoZh(page, '/workspaces');
            const menu = page.getByRole('button', { name: ZH.menu, exact: true });
            await expect(menu).toHaveAttribute('aria-expanded', 'false');
            await expect(languageSelect(page, '语言')).toBeHidden();
            await menu.click();
            await expect(menu).toHaveAttribute('aria-expanded', 'true');
            await expect(languageSelect(page, '语言')).toBeVisible();
            await expect(languageSelect(page, '语言')).toHaveValue('zh-CN');
            await expectAccessible(page, 'the open 菜单 on a phone in 简体中文');
          }
        });
      }
    });

    test.describe('the select "Language"', () => {
      test('on the sign-in page (a plain form) and the sign-up page: the page comes back in the chosen language, remembered after a reload', async ({
        page,
      }) => {
        // An English browser with no choice made.
        await page.goto('/login');
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        await expect(page.getByRole('button', { name: 'Sign In', exact: true })).toBeVisible();
        await expect(languageSelect(page)).toHaveValue('en');
        expect(await langCookie(page)).toBeUndefined();

        await languageSelect(page).selectOption({ label: '简体中文' });
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        // Sent back to the sign-in page (the form's answer leaves an empty query: "/login?").
        await expect(page).toHaveURL(/\/login\??$/);
        await expect(languageSelect(page, '语言')).toHaveValue('zh-CN');
        await expect(page.getByRole('button', { name: ZH.signIn, exact: true })).toBeVisible();
        await expect(page.getByLabel(ZH.username, { exact: true })).toBeVisible();
        await expect(page.getByLabel(ZH.password, { exact: true })).toBeVisible();
        expect(await langCookie(page)).toBe('zh-CN');
        await page.reload();
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        await expect(page.getByRole('button', { name: ZH.signIn, exact: true })).toBeVisible();

        // And back.
        await languageSelect(page, '语言').selectOption({ label: 'English' });
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        await expect(page.getByRole('button', { name: 'Sign In', exact: true })).toBeVisible();
        expect(await langCookie(page)).toBe('en');
        await page.reload();
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');

        // The sign-up page has its code: it switches in place.
        await page.goto('/signup');
        await waitForHydration(page);
        await markDocument(page);
        await languageSelect(page).selectOption({ label: '简体中文' });
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        await expect(languageSelect(page, '语言')).toHaveValue('zh-CN');
        await expect(page.getByRole('heading', { level: 1 })).toContainText(CHINESE);
        await expectSameDocument(page);
        expect(await langCookie(page)).toBe('zh-CN');

        // The choice made, signing in with the Chinese labels leads to a Chinese console.
        await signInZh(page, DEMO.alice);
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        await expect(page.getByRole('heading', { name: ZH.workspaces, exact: true })).toBeVisible();
      });

      test('on a signed-in page: the page changes at once, keeps the open dialog’s text and the bin’s search, and is remembered after a reload', async ({
        page,
      }) => {
        // An English browser: sign in as the suite does.
        await page.goto('/login');
        await page.getByLabel('Username', { exact: true }).fill(DEMO.alice.username);
        await page.getByLabel('Password', { exact: true }).fill(DEMO.alice.password);
        await page.getByRole('button', { name: 'Sign In', exact: true }).click();
        await page.waitForURL(/\/workspaces$/);
        await waitForHydration(page);
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        await markDocument(page);

        // Text typed into the open Create Workspace dialog stays as the page turns Chinese.
        await page.getByRole('main').getByRole('button', { name: 'Create Workspace', exact: true }).click();
        let dialog = page.getByRole('dialog', { name: 'Create Workspace', exact: true });
        await dialog.getByLabel('Workspace Name', { exact: true }).fill('typed_before_switch');
        await dialog.getByLabel('Display Name', { exact: true }).fill('Typed before the switch');
        await dialog.getByLabel('Description', { exact: true }).fill('Kept as typed');
        // (The dialog covers the header: the select is chosen as a script would.)
        await languageSelect(page).selectOption({ label: '简体中文' });
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        dialog = page.getByRole('dialog', { name: ZH.createWorkspace, exact: true });
        await expect(dialog).toBeVisible();
        await expect(dialog.getByRole('textbox', { name: ZH.workspaceName, exact: true })).toHaveValue('typed_before_switch');
        const values = await dialog.locator('input:not([type=checkbox]), textarea').evaluateAll((fields) =>
          fields.map((f) => (f as HTMLInputElement).value),
        );
        expect(values).toEqual(expect.arrayContaining(['typed_before_switch', 'Typed before the switch', 'Kept as typed']));
        await expect(dialog.getByRole('button', { name: ZH.create, exact: true })).toBeVisible();
        await expect(dialog.getByRole('button', { name: ZH.cancel, exact: true })).toBeVisible();
        await expect(page.getByRole('heading', { name: ZH.workspaces, exact: true })).toBeVisible();
        await expect(languageSelect(page, '语言')).toHaveValue('zh-CN');
        await expectSameDocument(page);
        expect(await langCookie(page)).toBe('zh-CN');
        await dialog.getByRole('button', { name: ZH.cancel, exact: true }).click();
        await expect(dialog).toHaveCount(0);

        // Remembered after a reload.
        await page.reload();
        await waitForHydration(page);
        await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
        await expect(page.getByRole('heading', { name: ZH.workspaces, exact: true })).toBeVisible();

        // The Recycle Bin's search, in the address and the field, stays as the page turns English.
        await page.getByRole('banner').getByRole('link', { name: ZH.recycleBin, exact: true }).click();
        await expect(page.getByRole('heading', { name: ZH.recycleBin, exact: true })).toBeVisible();
        const search = page.getByRole('main').getByRole('searchbox');
        await search.fill('sandbox');
        await expect(page).toHaveURL(/\/recycle-bin\?(.*&)?q=sandbox(&|$)/);
        const names = () =>
          binTableZh(page)
            .locator('tbody tr')
            .evaluateAll((rows) => rows.map((r) => (r.querySelector('a')?.textContent ?? '').trim()));
        await expect.poll(names).toEqual(['sandbox_a', 'sandbox_b']);
        await markDocument(page);
        await languageSelect(page, '语言').selectOption({ label: 'English' });
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        await expect(page.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
        await expect(page.getByRole('searchbox', { name: 'Search by workspace name' })).toHaveValue('sandbox');
        await expect(page).toHaveURL(/\/recycle-bin\?(.*&)?q=sandbox(&|$)/);
        await expect
          .poll(() =>
            tableWithColumn(page, 'Physical Deletion Countdown')
              .locator('tbody tr')
              .evaluateAll((rows) => rows.map((r) => (r.querySelector('a')?.textContent ?? '').trim())),
          )
          .toEqual(['sandbox_a', 'sandbox_b']);
        await expectSameDocument(page);
        expect(await langCookie(page)).toBe('en');
        await page.reload();
        await waitForHydration(page);
        await expect(page.locator('html')).toHaveAttribute('lang', 'en');
        await expect(page.getByRole('searchbox', { name: 'Search by workspace name' })).toHaveValue('sandbox');
      });
    });

    test.describe('every page and dialog', () => {
      test.use({ locale: 'zh-CN' });

      test('no English left in 简体中文 outside user data, codes and product names', async ({ page, browser, baseURL }) => {
        test.setTimeout(300_000);
        const typed = ['wrong-password'];
        const finder = new EnglishFinder(typed);
        const dialog = () => page.getByRole('dialog');

        // The sign-in page, with a refusal, and the sign-up page.
        await page.goto('/login');
        await finder.look(page, '/login');
        await page.getByLabel(ZH.username, { exact: true }).fill('acme');
        await page.getByLabel(ZH.password, { exact: true }).fill('wrong-password');
        await page.getByRole('button', { name: ZH.signIn, exact: true }).click();
        await expect(page.getByRole('alert')).toBeVisible();
        await finder.look(page, '/login, a wrong password');
        await gotoZh(page, '/signup');
        await finder.look(page, '/signup');

        // The warnings due at start-up are written, so the Notifications panel has some.
        await advanceClock(baseURL!, 0);
        await signInZh(page, DEMO.root);
        await finder.look(page, '/workspaces');

        const main = page.getByRole('main');
        await workspaceRowZh(page, 'sales_dw').getByRole('button', { name: ZH.more, exact: true }).click();
        await expect(page.getByRole('menu')).toBeVisible();
        await finder.look(page, '/workspaces: the row menu "更多"');
        await page.keyboard.press('Escape');

        // Create Workspace: empty, a name against the rules, a taken name.
        await main.getByRole('button', { name: ZH.createWorkspace, exact: true }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog 创建工作空间');
        await dialog().getByRole('textbox', { name: ZH.workspaceName, exact: true }).fill('ab');
        const create = dialog().getByRole('button', { name: ZH.create, exact: true });
        if (await create.isEnabled()) await create.click();
        await finder.look(page, 'dialog 创建工作空间, a name against the rules');
        await dialog().getByRole('textbox', { name: ZH.workspaceName, exact: true }).fill('SALES_DW');
        await create.click();
        await expect(dialog().getByRole('alert')).toBeVisible();
        await finder.look(page, 'dialog 创建工作空间, a taken name');
        await dialog().getByRole('button', { name: ZH.cancel, exact: true }).click();
        await expect(dialog()).toHaveCount(0);

        // Delete Workspace, with its checks (sales_dw has downstream dependencies and a PAI workspace).
        await page.getByRole('searchbox', { name: ZH.searchWorkspaces }).fill('sales_dw');
        await workspaceRowZh(page, 'sales_dw').getByRole('button', { name: ZH.more, exact: true }).click();
        await page.getByRole('menuitem', { name: ZH.deleteWorkspace, exact: true }).click();
        await expect(dialog().getByRole('textbox', { name: ZH.workspaceName, exact: true })).toBeVisible();
        await finder.look(page, 'dialog 删除工作空间 (sales_dw)');
        await dialog().getByRole('textbox', { name: ZH.workspaceName, exact: true }).fill('sales');
        await finder.look(page, 'dialog 删除工作空间, a name that does not match');
        await dialog().getByRole('button', { name: ZH.cancel, exact: true }).click();

        // A deletion's announcement with 撤销, then its 恢复报告.
        await deleteWithTypedNameZh(page, 'marketing_ml');
        await expect(undoStatus(page)).toBeVisible();
        await finder.look(page, '/workspaces: moved to the bin, 撤销 offered');
        await undoStatus(page).getByRole('button', { name: ZH.undo, exact: true }).click();
        await expect(page.getByRole('region', { name: ZH.recoveryReport, exact: true })).toBeVisible();
        await finder.look(page, '/workspaces: 撤销 done, its 恢复报告');
        await page.getByRole('searchbox', { name: ZH.searchWorkspaces }).fill('zz_no_such_workspace');
        await expect(workspacesTableZh(page).locator('tbody a')).toHaveCount(0);
        await finder.look(page, '/workspaces: no workspace matches');

        // The Notifications panel.
        await page.getByRole('banner').getByRole('button', { name: /^(通知|Notifications)/ }).click();
        await expect(page.getByRole('region', { name: /^(通知|Notifications)$/ })).toBeVisible();
        await finder.look(page, 'the Notifications panel (通知)');
        await page.getByRole('banner').getByRole('button', { name: /^(通知|Notifications)/ }).click();

        // A workspace, its asset lists, DataStudio with a node open, its Operation Center.
        for (const url of [
          '/workspaces/sales_dw',
          '/workspaces/sales_dw/assets/data-sources',
          '/workspaces/sales_dw/assets/computing-resources',
          '/workspaces/sales_dw/assets/nodes',
          '/workspaces/sales_dw/assets/resources',
          '/workspaces/sales_dw/assets/data-integration',
          '/workspaces/sales_dw/assets/models',
          '/workspaces/sales_dw/assets/metrics',
          '/workspaces/customer_360',
          '/workspaces/sales_dw/datastudio',
        ]) {
          await gotoZh(page, url);
          await finder.look(page, url);
        }
        await main.getByRole('button', { name: 'ads_report', exact: true }).click();
        await expect(main.getByRole('textbox').first()).toBeVisible();
        await finder.look(page, 'DataStudio with ads_report open');
        await main.getByRole('button', { name: 'pai_forecast', exact: true }).click();
        await finder.look(page, 'DataStudio with pai_forecast open');

        for (const url of ['/workspaces/sales_dw/operation-center', '/operation-center']) {
          await gotoZh(page, url);
          await finder.look(page, url);
        }
        const tasks = main.getByRole('table').first();
        await rowWithText(tasks, 'ads_report').first().getByRole('button', { name: named('Delete') }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog Delete Task');
        await dialog().getByRole('button', { name: ZH.cancel, exact: true }).click();

        // The Recycle Bin, its dialogs, a selection and the bulk dialogs and reports.
        await gotoZh(page, '/recycle-bin');
        await finder.look(page, '/recycle-bin');
        await binRowZh(page, 'poc_2025').getByRole('button', { name: ZH.deletePermanently, exact: true }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog 彻底删除');
        await dialog().getByRole('textbox').first().fill('poc');
        await finder.look(page, 'dialog 彻底删除, a name that does not match');
        await dialog().getByRole('button', { name: ZH.cancel, exact: true }).click();
        await binRowZh(page, 'sandbox_a').getByRole('checkbox').check();
        await binRowZh(page, 'sandbox_b').getByRole('checkbox').check();
        const selection = page.getByRole('group', { name: named('Selection') });
        await expect(selection).toBeVisible();
        await finder.look(page, '/recycle-bin: two entries selected');
        await selection.getByRole('button', { name: named('Delete Permanently selected') }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog bulk 彻底删除');
        await dialog().getByRole('button', { name: ZH.cancel, exact: true }).click();
        await selection.getByRole('button', { name: named('Recover selected') }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog bulk 恢复');
        await dialog().getByRole('button', { name: ZH.ok, exact: true }).click();
        await expect(page.getByRole('region', { name: named('Bulk recovery report') })).toBeVisible();
        await finder.look(page, '/recycle-bin: the bulk recovery report');
        await binRowZh(page, 'legacy_reports').getByRole('button', { name: ZH.recover, exact: true }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog 恢复工作空间');
        await dialog().getByRole('button', { name: ZH.ok, exact: true }).click();
        await expect(page.getByRole('region', { name: ZH.recoveryReport, exact: true })).toBeVisible();
        await finder.look(page, '/recycle-bin: 恢复报告');
        const protection = page.getByRole('checkbox', { name: named('Purge protection') });
        await protection.check();
        await expect(binRowZh(page, 'poc_2025').getByRole('button', { name: ZH.deletePermanently, exact: true })).toBeDisabled();
        await finder.look(page, '/recycle-bin: purge protection on');
        await protection.uncheck();
        await gotoZh(page, '/recycle-bin?q=zz_nothing');
        await finder.look(page, '/recycle-bin: no entry matches');
        await gotoZh(page, '/recycle-bin?deleted_by=acme&sort=name');
        await finder.look(page, '/recycle-bin: filtered by 删除人 and sorted');

        // A bin entry, a node selected, Copy Nodes to Workspace and its report.
        await gotoZh(page, '/recycle-bin');
        await binRowZh(page, 'tmp_join_test').getByRole('link', { name: 'tmp_join_test', exact: true }).click();
        await expect(page).toHaveURL(/\/recycle-bin\/\d+$/);
        await waitForHydration(page);
        await finder.look(page, 'a Recycle Bin entry (tmp_join_test)');
        await main.getByRole('row').filter({ hasText: 'join_orders_customers' }).first().getByRole('checkbox').check();
        await finder.look(page, 'a Recycle Bin entry, a node selected');
        await main.getByRole('button', { name: named('Copy to Workspace') }).click();
        const copy = dialog();
        await expect(copy.getByRole('combobox')).toBeVisible();
        await expect(copy.getByRole('combobox').locator('option', { hasText: 'finance_etl' })).toHaveCount(1);
        await finder.look(page, 'dialog Copy Nodes to Workspace');
        await copy.getByRole('combobox').selectOption({ label: 'finance_etl' });
        await copy.getByRole('button', { name: ZH.ok, exact: true }).click();
        await expect(page.getByRole('region', { name: named('Copy report') })).toBeVisible();
        await finder.look(page, 'a Recycle Bin entry: the copy report');

        // RAM Users, Create RAM User, an AccessKey.
        await gotoZh(page, '/ram-users');
        await finder.look(page, '/ram-users');
        await main.getByRole('button', { name: named('Create RAM User') }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog Create RAM User');
        await dialog().getByRole('button', { name: ZH.cancel, exact: true }).click();
        await main.getByRole('combobox', { name: named('User') }).selectOption({ label: 'alice@acme' });
        await main.getByRole('button', { name: named('Create AccessKey') }).click();
        await expect(dialog()).toBeVisible();
        await finder.look(page, 'dialog AccessKey Created');
        await dialog().getByRole('button', { name: named('Close') }).click();
        await expect(dialog()).toHaveCount(0);
        await finder.look(page, '/ram-users with an AccessKey');

        // The Audit Log (the changes above are in it), filtered, and a page that does not exist.
        for (const url of ['/audit-log', '/audit-log?action=DeleteWorkspace&user=acme', '/no-such-page']) {
          await gotoZh(page, url);
          await finder.look(page, url);
        }

        // What a read-only user and a user without a policy see.
        for (const [who, urls] of [
          [DEMO.bob, ['/workspaces', '/recycle-bin', '/operation-center']],
          [DEMO.carol, ['/workspaces', '/recycle-bin', '/audit-log', '/ram-users']],
        ] as const) {
          const other = await zhPage(browser, baseURL!);
          await signInZh(other, who);
          for (const url of urls) {
            await gotoZh(other, url);
            await finder.look(other, `${url} as ${who.username}`);
          }
          await other.context().close();
        }

        const found = finder.report();
        const summary = Object.entries(found)
          .map(([where, texts]) => `${where}:\n  ${texts.join('\n  ')}`)
          .join('\n');
        if (summary) {
          console.log(`English found in 简体中文 (${engine}):\n${summary}`);
          await test.info().attach(`english-found-${engine}`, { body: summary, contentType: 'text/plain' });
        }
        expect(finder.visited.length).toBeGreaterThan(40);
        expect(found, `English left in 简体中文 (page or dialog → text — English words — where):\n${summary}`).toEqual({});
      });
    });
  });
}
