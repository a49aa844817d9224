import type { Locator, Page, Response } from '@playwright/test';
import { DEMO, ENGINES, expect, expectAccessible, holdCode, hydrated, signInAs, waitForHydration, watchConsole } from './fixtures';
import { binRow, workspaceRow } from './helpers';

/**
 * Before the page is interactive (SPEC §19): the server's HTML holds every control's true state,
 * nothing acts before it can, and what a user chose is what is sent.
 */

/** Signs in through the plain-HTML sign-in form, which works without JavaScript. */
async function signInWithoutScripts(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username', { exact: true }).fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign In', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/workspaces');
}

/**
 * Each control's state, in document order: `checked`, `selected`, `value`, its own `disabled`,
 * `aria-expanded` and `aria-pressed`. `source` null reads the live page (properties); otherwise
 * it is the server's HTML, read as the browser parses it (attributes, before any script).
 */
function controlStates(page: Page, source: string | null): Promise<string[]> {
  return page.evaluate((html) => {
    const root = html === null ? document : new DOMParser().parseFromString(html, 'text/html');
    const controls = root.querySelectorAll(
      '#console :is(input, select, textarea, button, option, [aria-expanded], [aria-pressed])',
    );
    // A control inside <noscript> exists only with scripting off (the parsed server HTML has it as
    // an element, the live page as text): the form "Language"'s button "Apply".
    return Array.from(controls).filter((el) => !el.closest('noscript')).map((el) => {
      // A button's name, less a count the page reads after it has hydrated ("Notifications (1)").
      const name =
        el.id ||
        el.getAttribute('name') ||
        el.getAttribute('aria-label') ||
        el.textContent?.replace(/\s*\(\d+\)$/, '').trim().slice(0, 40);
      const parts = [el.tagName.toLowerCase(), name];
      if (el instanceof HTMLInputElement) {
        if (el.type === 'checkbox' || el.type === 'radio') parts.push(`checked=${el.checked}`);
        else if (el.type !== 'password') parts.push(`value=${el.value}`);
      }
      if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) parts.push(`value=${el.value}`);
      if (el instanceof HTMLOptionElement) parts.push(`selected=${el.selected}`);
      if ('disabled' in el) parts.push(`disabled=${(el as HTMLButtonElement).disabled}`);
      for (const aria of ['aria-expanded', 'aria-pressed']) {
        if (el.hasAttribute(aria)) parts.push(`${aria}=${el.getAttribute(aria)}`);
      }
      return parts.join(' ');
    });
  }, source);
}

/** In an open dialog, every control's state is written as an attribute too (none only as a property). */
async function dialogStatesAreAttributes(page: Page, what: string): Promise<void> {
  await statesAreAttributes(page.getByRole('dialog'), what);
}

/** Under `root`, every control's state is written as an attribute too (none only as a property). */
async function statesAreAttributes(root: Locator, what: string): Promise<void> {
  const mismatches = await root.evaluate((dialog) =>
    Array.from(dialog.querySelectorAll('input, select, textarea'), (el) => {
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) {
        return el.checked === el.defaultChecked ? null : `${el.id}: checked ${el.checked}, attribute ${el.defaultChecked}`;
      }
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
        return el.value === el.defaultValue ? null : `${el.id}: value "${el.value}", attribute "${el.defaultValue}"`;
      }
      const select = el as HTMLSelectElement;
      const marked = Array.from(select.options).find((o) => o.defaultSelected) ?? select.options[0];
      return select.value === (marked?.value ?? '') ? null : `${select.id}: value "${select.value}", marked "${marked?.value}"`;
    }).filter((m) => m !== null),
  );
  expect(mismatches, `controls of ${what} whose state is only a property`).toEqual([]);
}

for (const [engine, test] of ENGINES) {
  test.describe(`Before the page is interactive, on ${engine} (SPEC §19)`, () => {
    test.describe('with JavaScript off', () => {
      test.use({ javaScriptEnabled: false });

      test('every page shows the true state: purge protection ticked and said, Protected, controls disabled and said so', async ({
        page,
        baseURL,
      }) => {
        await signInWithoutScripts(page, DEMO.root);
        // The setting is changed through its server function, as the checkbox would.
        const set = await page.request.post('/api/set_purge_protection', {
          form: { enabled: 'true' },
          headers: { Origin: baseURL! },
        });
        expect(set.status()).toBe(200);

        await page.goto('/recycle-bin');
        const checkbox = page.getByRole('checkbox', { name: 'Purge protection' });
        await expect(checkbox).toBeChecked();
        await expect(
          page.getByText('Purge protection is on: entries leave the Recycle Bin by Recover or after 14 days'),
        ).toBeVisible();
        await expect(binRow(page, 'legacy_reports').getByRole('button', { name: 'Recover', exact: true })).toBeDisabled();
        await expect(page.getByRole('note').filter({ hasText: 'JavaScript is off' })).toBeVisible();

        await page.goto('/workspaces');
        await expect(page.getByRole('button', { name: 'Create Workspace', exact: true })).toBeDisabled();
        await expect(page.getByRole('button', { name: 'Next page', exact: true })).toBeDisabled();
        await page.goto('/workspaces/customer_360');
        await expect(page.getByRole('heading', { level: 1 })).toHaveText('customer_360');
        await expect(page.getByRole('main').getByText('Protected', { exact: true })).toBeVisible();
        // Links still work.
        await page.getByRole('link', { name: 'Recycle Bin' }).first().click();
        await expect(page).toHaveURL(/\/recycle-bin$/);
        await expect(page.getByRole('checkbox', { name: 'Purge protection' })).toBeChecked();
      });
    });

    test('an AccessKey is made for the user the picker shows, whenever it was chosen', async ({ page }) => {
      await signInAs(page, DEMO.root);
      const code = await holdCode(page);
      await page.goto('/ram-users');
      const picker = page.getByLabel('User', { exact: true });
      await expect(picker).toBeVisible();
      expect(await hydrated(page)).toBe(false);
      // It cannot be chosen before it can be read, nor can the form be sent.
      await expect(picker).toBeDisabled();
      await expect(page.getByRole('button', { name: 'Create AccessKey', exact: true })).toBeDisabled();
      // Choosing waits until it can; what was chosen is what is made.
      code.letGo();
      await picker.selectOption({ label: 'bob@acme' });
      await page.getByRole('button', { name: 'Create AccessKey', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog).toContainText('A new AccessKey for bob@acme.');
      await expect(picker).toHaveValue(/\d+/);
    });

    // The pages and the dialogs are two tests, so that each has room within its 30 s on a slow run
    // (together they took 22-26 s on this machine).
    test('every text field and select waits for the page, and the server and the hydrated page agree on every state', async ({
      page,
    }) => {
      const problems = watchConsole(page);
      await signInAs(page, DEMO.root);
      const binId = await page.request
        .get('/recycle-bin')
        .then((r) => r.text())
        .then((html) => /href="\/recycle-bin\/(\d+)"/.exec(html)?.[1]);
      expect(binId).toBeTruthy();
      const pages = [
        '/workspaces',
        '/workspaces/sales_dw',
        '/workspaces/sales_dw/assets/data-sources',
        '/workspaces/sales_dw/datastudio',
        '/workspaces/sales_dw/operation-center',
        '/operation-center',
        '/recycle-bin',
        // Searched, filtered and sorted by its address (SPEC §21).
        '/recycle-bin?q=SANDBOX&deleted_by=alice%40acme&sort=name',
        `/recycle-bin/${binId}`,
        '/audit-log?action=DeleteWorkspace&user=acme',
        '/ram-users',
      ];
      for (const path of pages) {
        const response = (await page.goto(path)) as Response;
        const server = await controlStates(page, await response.text());
        // Until the page can act, no field, select or button takes input (read in one step, so
        // hydration cannot land between the two reads).
        const early = await page.evaluate(() =>
          document.body.hasAttribute('data-hydrated')
            ? []
            : Array.from(document.querySelectorAll('#console :is(input, select, textarea, button):not(:disabled)'), (e) => e.outerHTML),
        );
        expect(early, `${path}: controls enabled before hydration`).toEqual([]);
        await waitForHydration(page);
        expect(await controlStates(page, null), `${path}: the server's HTML and the hydrated page`).toEqual(server);
      }
      expect(problems, 'console errors and warnings (hydration included)').toEqual([]);
    });

    test("every dialog's control states are attributes, and a Recycle Bin entry's agree with the server's", async ({
      page,
    }) => {
      const problems = watchConsole(page);
      await signInAs(page, DEMO.root);
      // Dialogs are drawn in the browser: their controls' states are attributes too.
      await page.goto('/workspaces');
      await waitForHydration(page);
      await page.getByRole('button', { name: 'Create Workspace', exact: true }).click();
      await expect(page.getByRole('dialog', { name: 'Create Workspace' })).toBeVisible();
      await page.getByLabel('Workspace Name').fill('typed_name');
      await page.getByRole('checkbox', { name: 'Enable deletion protection' }).check();
      await dialogStatesAreAttributes(page, 'Create Workspace');
      await page.keyboard.press('Escape');
      await workspaceRow(page, 'marketing_ml').getByRole('button', { name: 'More', exact: true }).click();
      await page.getByRole('menuitem', { name: 'Delete Workspace' }).click();
      const del = page.getByRole('dialog', { name: 'Delete Workspace' });
      await expect(del.getByRole('textbox', { name: 'Workspace name' })).toBeVisible();
      await del.getByRole('textbox', { name: 'Workspace name' }).fill('marketing');
      await dialogStatesAreAttributes(page, 'Delete Workspace');
      await page.keyboard.press('Escape');

      await page.goto('/recycle-bin');
      await waitForHydration(page);
      await binRow(page, 'legacy_reports').getByRole('button', { name: 'Delete Permanently', exact: true }).click();
      const purge = page.getByRole('dialog', { name: 'Delete Permanently' });
      await purge.getByLabel('Workspace name').fill('legacy');
      await dialogStatesAreAttributes(page, 'Delete Permanently');
      await page.keyboard.press('Escape');
      await page.getByRole('checkbox', { name: 'Select legacy_reports', exact: true }).check();
      await page.getByRole('button', { name: 'Delete Permanently selected', exact: true }).click();
      const bulk = page.getByRole('dialog', { name: 'Delete 1 Workspace Permanently' });
      await bulk.getByRole('textbox', { name: 'Number of workspaces' }).fill('1');
      await dialogStatesAreAttributes(page, 'Delete 1 Workspace Permanently');
      await page.keyboard.press('Escape');
      await expectAccessible(page);

      // A Recycle Bin entry with a node selected, and its "Copy Nodes to Workspace" (SPEC §23).
      const entry = binRow(page, 'tmp_join_test').getByRole('link', { name: 'tmp_join_test', exact: true });
      const entryPath = await entry.getAttribute('href');
      const entryResponse = (await page.goto(entryPath!)) as Response;
      const entryServer = await controlStates(page, await entryResponse.text());
      await waitForHydration(page);
      expect(await controlStates(page, null), `${entryPath}: the server's HTML and the hydrated page`).toEqual(entryServer);
      await page.getByRole('checkbox', { name: 'Select join_orders_customers', exact: true }).check();
      await expect(page.getByRole('button', { name: 'Copy to Workspace', exact: true })).toBeEnabled();
      await statesAreAttributes(page.getByRole('main'), 'a Recycle Bin entry with a node selected');
      await expectAccessible(page, 'a Recycle Bin entry with a node selected');
      await page.getByRole('button', { name: 'Copy to Workspace', exact: true }).click();
      const copy = page.getByRole('dialog', { name: 'Copy Nodes to Workspace' });
      const target = copy.getByRole('combobox', { name: 'Target workspace' });
      await expect(target.locator('option', { hasText: 'finance_etl' })).toHaveCount(1);
      await dialogStatesAreAttributes(page, 'Copy Nodes to Workspace, its first target');
      await target.selectOption({ label: 'finance_etl' });
      await expect(target).toHaveValue('finance_etl');
      await dialogStatesAreAttributes(page, 'Copy Nodes to Workspace, finance_etl chosen');
      await expectAccessible(page, 'the Copy Nodes to Workspace dialog');
      // (Escape and the focus are copy-nodes.spec.ts's keyboard journey.)
      await copy.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(copy).toHaveCount(0);

      expect(problems, 'console errors and warnings (hydration included)').toEqual([]);
    });
  });
}
