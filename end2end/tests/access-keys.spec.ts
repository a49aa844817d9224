import { DEMO, expect, expectAccessible, gotoHydrated, shot, signInAs, test } from './fixtures';
import { tableWithColumn } from './helpers';

test.describe('AccessKeys and the API', () => {
  test('the root creates an AccessKey for alice, the secret works once shown, and Disable stops it', async ({
    page,
    playwright,
    baseURL,
  }) => {
    await signInAs(page, DEMO.root);
    await gotoHydrated(page, '/ram-users');
    await page.getByLabel('User', { exact: true }).selectOption({ label: 'alice@acme' });
    await page.getByRole('button', { name: 'Create AccessKey', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'AccessKey Created' });
    await expect(dialog).toBeVisible();
    const id = await dialog.getByRole('textbox', { name: 'AccessKey ID' }).inputValue();
    const secret = await dialog.getByRole('textbox', { name: 'AccessKey Secret' }).inputValue();
    expect(id).toMatch(/^LTAI[A-Za-z0-9]{20}$/);
    expect(secret).toMatch(/^[A-Za-z0-9]{30}$/);
    await expect(dialog.getByRole('textbox', { name: 'AccessKey Secret' })).toHaveAttribute('readonly', '');
    await expectAccessible(page, 'the AccessKey Created dialog');
    await shot(page, 'access-key-created');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(dialog).toHaveCount(0);

    const keys = tableWithColumn(page, 'AccessKey ID');
    const row = keys.getByRole('row').filter({ hasText: id });
    await expect(row).toContainText('alice@acme');
    await expect(row).toContainText('Enabled');
    // The secret is never shown again.
    await expect(page.getByText(secret)).toHaveCount(0);

    const api = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { Authorization: `Bearer ${id}:${secret}` },
    });
    const bin = await api.get('/openapi/v1/recycle-bin');
    expect(bin.status()).toBe(200);
    expect(bin.headers()['x-request-id']).toBeTruthy();
    const entries = (await bin.json()).entries as { name: string }[];
    expect(entries.map((e) => e.name)).toContain('legacy_reports');

    await row.getByRole('button', { name: `Disable ${id}`, exact: true }).click();
    await expect(keys.getByRole('row').filter({ hasText: id })).toContainText('Disabled');
    const refused = await api.get('/openapi/v1/recycle-bin');
    expect(refused.status()).toBe(401);
    expect((await refused.json()).code).toBe('Unauthenticated');
    await shot(page, 'access-keys-disabled');
    await api.dispose();
  });
});
