import { DEMO, advanceClock, clusterTest as test, expect, gotoHydrated, shot, signInAs } from './fixtures';
import { binRow, countdownSeconds, deleteWorkspace, searchWorkspaces, workspaceRow } from './helpers';

const DAY = 86_400;

// Two console processes (A and B) on one PostgreSQL database (SPEC §9).
test.describe('Two instances on one PostgreSQL database', () => {
  test('a session, a deletion, the clock, the purge and a recover race are shared by both instances', async ({
    page,
    context,
    cluster,
  }) => {
    test.slow();
    const [a, b] = cluster.servers;

    // Signed in on A is signed in on B (the session lives in the database).
    await signInAs(page, DEMO.alice);
    const onB = await context.newPage();
    await gotoHydrated(onB, `${b.url}/recycle-bin`);
    await expect(onB).toHaveURL(`${b.url}/recycle-bin`);
    await expect(onB.getByRole('heading', { name: 'Recycle Bin', exact: true })).toBeVisible();
    await expect(binRow(onB, 'finance_etl')).toHaveCount(0);
    await expect(binRow(onB, 'legacy_reports')).toHaveCount(1);

    // Deleted on A, listed in B's Recycle Bin with its 14 days.
    await deleteWorkspace(page, 'finance_etl');
    await gotoHydrated(onB, `${b.url}/recycle-bin`);
    const fresh = await countdownSeconds(onB, 'finance_etl');
    expect(fresh).toBeGreaterThan(14 * DAY - 10 * 60);
    expect(fresh).toBeLessThanOrEqual(14 * DAY);

    // The clock advanced through A moves B's countdown, and A's purge empties B's bin of the
    // entry whose days were up.
    await advanceClock(a.url, 13 * DAY);
    await gotoHydrated(onB, `${b.url}/recycle-bin`);
    const later = await countdownSeconds(onB, 'finance_etl');
    expect(later).toBeLessThanOrEqual(DAY);
    expect(later).toBeGreaterThan(DAY - 10 * 60);
    await expect(binRow(onB, 'legacy_reports')).toHaveCount(0);
    await shot(onB, 'multi-instance-bin-on-b');

    // Recover the same entry from A and B at once: one report, one clear refusal.
    await gotoHydrated(page, `${a.url}/recycle-bin`);
    const okButtons = [];
    for (const p of [page, onB]) {
      await binRow(p, 'finance_etl').getByRole('button', { name: 'Recover', exact: true }).click();
      okButtons.push(p.getByRole('dialog', { name: 'Recover Workspace' }).getByRole('button', { name: 'OK', exact: true }));
    }
    await Promise.all(okButtons.map((ok) => ok.click()));
    const outcome = async (p: typeof page) => {
      const report = p.getByRole('region', { name: 'Recovery report' });
      const refusal = p.getByText(/already (been )?recovered/i).first();
      await expect(report.or(refusal)).toBeVisible();
      return (await report.isVisible()) ? 'report' : 'refusal';
    };
    const outcomes = [await outcome(page), await outcome(onB)].sort();
    expect(outcomes).toEqual(['refusal', 'report']);
    await shot(outcomes[0] === 'refusal' ? page : onB, 'multi-instance-recover-race');

    // The winner's recovery shows on both instances.
    for (const [p, url] of [
      [page, a.url],
      [onB, b.url],
    ] as const) {
      await gotoHydrated(p, `${url}/workspaces`);
      await searchWorkspaces(p, 'finance_etl');
      await expect(workspaceRow(p, 'finance_etl')).toHaveCount(1);
    }
  });
});
