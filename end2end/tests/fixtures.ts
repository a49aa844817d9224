import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The repository root: the server runs from here, as `cargo leptos` would run it. */
const REPO_ROOT = path.resolve(__dirname, '../..');
const SCREENSHOT_DIR = path.resolve(__dirname, '../screenshots');
const READY_TIMEOUT_MS = 20_000;
const READY_POLL_MS = 100;
const LOG_LIMIT = 64 * 1024;

export type Principal = { username: string; password: string };

/** The principals seeded by `--demo` (SPEC.md §8). */
export const DEMO = {
  root: { username: 'acme', password: 'acme-demo-1' },
  alice: { username: 'alice@acme', password: 'alice-demo-1' },
  bob: { username: 'bob@acme', password: 'bob-demo-1' },
  carol: { username: 'carol@acme', password: 'carol-demo-1' },
  globex: { username: 'globex', password: 'globex-demo-1' },
} satisfies Record<string, Principal>;

export type ConsoleServer = {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  logs: () => string;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') {
        probe.close();
        reject(new Error('could not read the probe port'));
        return;
      }
      probe.close(() => resolve(address.port));
    });
  });
}

function tail(text: string): string {
  return text.length > 8000 ? `…${text.slice(-8000)}` : text;
}

async function waitUntilAnswering(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `workspace-console exited (code ${child.exitCode}, signal ${child.signalCode}) before answering ${url}/login\n` +
          `--- server output ---\n${tail(logs())}`,
      );
    }
    try {
      await fetch(`${url}/login`, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  throw new Error(
    `workspace-console did not answer GET ${url}/login within ${READY_TIMEOUT_MS / 1000} s\n` +
      `--- server output ---\n${tail(logs())}`,
  );
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const inTime = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 5_000)),
  ]);
  if (!inTime) {
    child.kill('SIGKILL');
    await exited;
  }
}

type ServerOptions = {
  databaseUrl?: string;
  demo?: boolean;
  port?: number;
  dataDir?: string;
  /** Another build of the console (its binary and its site), as a benchmark's baseline. */
  bin?: string;
  siteRoot?: string;
};

export async function startServer(options: ServerOptions = {}): Promise<ConsoleServer> {
  const bin = options.bin || process.env.CONSOLE_BIN || path.resolve(__dirname, '../../target/release/workspace-console');
  if (!fs.existsSync(bin)) {
    throw new Error(`workspace-console binary not found at ${bin} (build it, or set CONSOLE_BIN)`);
  }
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'console-e2e-'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };
  const child = spawn(bin, options.demo === false ? [] : ['--demo'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl ?? `sqlite://${dataDir}/console.db?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: options.siteRoot || process.env.LEPTOS_SITE_ROOT || path.resolve(__dirname, '../../target/site'),
      CONSOLE_TEST_CLOCK: '1',
      // Nothing balances load in front of these servers, so a stop need not keep serving for the
      // default second with readiness off: that second was 1 s of every test (measured: stop
      // took 1,007 ms, 0 s drain ~10 ms).
      CONSOLE_DRAIN_SECS: '0',
      // Webhook receivers in these tests listen on loopback.
      CONSOLE_WEBHOOK_ALLOW_PRIVATE: '1',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new Error(`could not start ${bin}: ${e.message}`))),
  );
  const logs = () => output;
  try {
    await Promise.race([waitUntilAnswering(url, child, logs), spawnError]);
  } catch (e) {
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return { url, port, dataDir, process: child, logs };
}

/**
 * Stops `server` (SIGTERM) and starts it again on the same port and database, as an operator's
 * restart would; `whileDown` runs in between. The fixture's object is updated in place.
 */
export async function restartServer(
  server: ConsoleServer,
  databaseUrl?: string,
  whileDown: () => Promise<void> = async () => {},
): Promise<void> {
  await stop(server.process);
  await whileDown();
  const again = await startServer({
    databaseUrl: databaseUrl ?? `sqlite://${server.dataDir}/console.db?mode=rwc`,
    demo: false,
    port: server.port,
    dataDir: server.dataDir,
  });
  server.process = again.process;
  server.logs = again.logs;
}

/** The PostgreSQL server `./setup.sh test` started (it sets CONSOLE_TEST_POSTGRES_URL). */
function postgresAdminUrl(): string {
  const url = process.env.CONSOLE_TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'CONSOLE_TEST_POSTGRES_URL is not set: run ./setup.sh test (it starts a PostgreSQL cluster), ' +
        'or point it at a server where the tests may create databases',
    );
  }
  return url;
}

function psql(adminUrl: string, sql: string): void {
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', adminUrl, '-c', sql], { stdio: 'pipe' });
}

export type Cluster = { servers: ConsoleServer[]; databaseUrl: string };

/**
 * `count` console processes on one fresh PostgreSQL database: the first seeds the demo data,
 * the others start once it answers.
 */
async function startCluster(count: number): Promise<Cluster> {
  const admin = postgresAdminUrl();
  const name = `e2e_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  psql(admin, `CREATE DATABASE ${name}`);
  const databaseUrl = `${admin.slice(0, admin.lastIndexOf('/'))}/${name}`;
  const servers: ConsoleServer[] = [];
  try {
    servers.push(await startServer({ databaseUrl, demo: true }));
    for (let i = 1; i < count; i++) servers.push(await startServer({ databaseUrl, demo: false }));
  } catch (e) {
    await Promise.all(servers.map((s) => stop(s.process)));
    psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw e;
  }
  return { servers, databaseUrl };
}

async function stopCluster(cluster: Cluster): Promise<void> {
  await Promise.all(cluster.servers.map((s) => stop(s.process)));
  for (const s of cluster.servers) fs.rmSync(s.dataDir, { recursive: true, force: true });
  const name = cluster.databaseUrl.slice(cluster.databaseUrl.lastIndexOf('/') + 1);
  psql(postgresAdminUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

type Fixtures = { server: ConsoleServer };

/**
 * Every test gets its own server on a free port with a fresh demo database,
 * so tests may delete, purge and advance the clock without affecting each other.
 */
export const test = base.extend<Fixtures>({
  server: [
    async ({}, use, testInfo) => {
      const server = await startServer();
      try {
        await use(server);
      } finally {
        await stop(server.process);
        if (testInfo.status !== testInfo.expectedStatus) {
          await testInfo.attach('server-output', { body: server.logs(), contentType: 'text/plain' });
        }
        fs.rmSync(server.dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'test', timeout: 30_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
});

/** The fixtures of `test` on a fresh PostgreSQL database (one instance) instead of SQLite. */
export const postgresTest = base.extend<Fixtures>({
  server: [
    async ({}, use, testInfo) => {
      const cluster = await startCluster(1);
      try {
        await use(cluster.servers[0]);
      } finally {
        if (testInfo.status !== testInfo.expectedStatus) {
          await testInfo.attach('server-output', { body: cluster.servers[0].logs(), contentType: 'text/plain' });
        }
        await stopCluster(cluster);
      }
    },
    { scope: 'test', timeout: 60_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
});

/** A journey declared once and run on each engine: `for (const [engine, t] of ENGINES) t(...)`. */
export const ENGINES = [
  ['SQLite', test],
  ['PostgreSQL', postgresTest],
] as const;

/**
 * For multi-instance journeys: two console processes on one fresh PostgreSQL database with the
 * demo data; pages open on the first one (`baseURL`), the second is `cluster.servers[1].url`.
 */
export const clusterTest = base.extend<{ cluster: Cluster }>({
  /** Two instances on one PostgreSQL database (for the multi-instance journeys). */
  cluster: [
    async ({}, use, testInfo) => {
      const cluster = await startCluster(2);
      try {
        await use(cluster);
      } finally {
        if (testInfo.status !== testInfo.expectedStatus) {
          for (const [i, s] of cluster.servers.entries()) {
            await testInfo.attach(`server-${i}-output`, { body: s.logs(), contentType: 'text/plain' });
          }
        }
        await stopCluster(cluster);
      }
    },
    { scope: 'test', timeout: 60_000 },
  ],
  baseURL: async ({ cluster }, use) => {
    await use(cluster.servers[0].url);
  },
});

export { expect };

/** Console errors and warnings, and uncaught page errors (a hydration error is one of them). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${page.url()} ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()} page error: ${e.message}`));
  return problems;
}

/**
 * Holds back every `.wasm` download until `letGo()`, so a page stays un-hydrated for as long as a
 * test checks it, however slow the run (a fixed hold of 2 s was outlasted by the checks on a slow
 * run); `hold()` holds the next page's code again. Routing also turns the browser's cache off, so
 * every page downloads its code again.
 */
export async function holdCode(page: Page): Promise<{ hold: () => void; letGo: () => void }> {
  let release = () => {};
  let gate = Promise.resolve();
  const hold = () => {
    gate = new Promise<void>((resolve) => (release = resolve));
  };
  hold();
  await page.route('**/*.wasm', async (route) => {
    await gate;
    await route.continue();
  });
  return { hold, letGo: () => release() };
}

/** Whether the WASM bundle has hydrated the current document yet. */
export const hydrated = (page: Page) => page.evaluate(() => document.body.hasAttribute('data-hydrated'));

/** Resolves once the WASM bundle has hydrated the current document. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/**
 * axe-core over the page as it is now (an open dialog included): no serious or critical
 * violation of WCAG 2.x A/AA or best practice. Every page load and dialog of the suite runs it.
 */
export async function expectAccessible(page: Page, what?: string): Promise<void> {
  // axe's verdict depends only on the document, the style sheets and the viewport: a state this
  // worker has already checked (the sign-in page before every journey, most of all) is not
  // analysed again. The CSP nonce, new on every response, is not part of the state.
  const state = await page.evaluate(
    () =>
      `${window.innerWidth}x${window.innerHeight}:` +
      document.documentElement.outerHTML.replace(/ nonce="[^"]*"/g, ''),
  );
  const key = createHash('sha256').update(state).digest('hex');
  if (checkedStates.has(key)) return;
  // Legacy mode runs axe.run() in the page itself; the default finishes every analysis in a
  // new blank page with axe injected again, which only matters for cross-origin frames (the
  // console has none) and cost about 0.3 s per analysis.
  // `label-content-name-mismatch` (a control's name must hold its visible text, so speech users
  // can say what they see) is experimental in axe and off unless asked for.
  const results = await new AxeBuilder({ page })
    .setLegacyMode()
    .options({ rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const where = what ?? new URL(page.url()).pathname;
  expect(
    bad.map((v) => `${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}: ${v.help}`),
    `axe-core on ${where}`,
  ).toEqual([]);
  checkedStates.add(key);
}

/** The page states (document and viewport) this worker's axe runs found clean. */
const checkedStates = new Set<string>();

/** Full page load of `url`, then wait until the page is interactive (and check it with axe-core). */
export async function gotoHydrated(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForHydration(page);
  await expectAccessible(page);
}

/** Reloads the current page and waits until it is interactive again. */
export async function reloadHydrated(page: Page): Promise<void> {
  await page.reload();
  await waitForHydration(page);
  await expectAccessible(page);
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await gotoHydrated(page, '/login');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign In', exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await waitForHydration(page);
}

export async function signInAs(page: Page, who: Principal): Promise<void> {
  await signIn(page, who.username, who.password);
}

/**
 * POST /test-api/clock/advance: moves the server clock by `seconds` and runs one purge pass.
 * Pass the test's `baseURL` (sent with a same-origin Origin header) or an APIRequestContext.
 */
export async function advanceClock(
  target: APIRequestContext | string,
  seconds: number,
): Promise<{ now: string }> {
  let status: number;
  let body: string;
  if (typeof target === 'string') {
    const origin = new URL(target).origin;
    const response = await fetch(`${origin}/test-api/clock/advance`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin },
      body: JSON.stringify({ seconds }),
    });
    status = response.status;
    body = await response.text();
  } else {
    const response = await target.post('/test-api/clock/advance', { data: { seconds } });
    status = response.status();
    body = await response.text();
  }
  if (status < 200 || status >= 300) {
    throw new Error(`POST /test-api/clock/advance {"seconds": ${seconds}} answered ${status}: ${body}`);
  }
  const parsed = JSON.parse(body) as { now?: unknown };
  if (typeof parsed.now !== 'string') throw new Error(`clock advance answered without "now": ${body}`);
  return { now: parsed.now };
}

/**
 * Full-page screenshot into end2end/screenshots/<name>.png, when CONSOLE_SCREENSHOTS=1 (for
 * looking at what a change did: `./setup.sh screenshots`); otherwise nothing.
 */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Presses Tab until `target` has focus (keyboard-only navigation). Until the page can act, its
 * controls are disabled and Tab passes them by, as a keyboard user sees them dimmed: the first
 * press waits until `target` is enabled.
 */
export async function tabTo(page: Page, target: Locator, maxPresses = 80): Promise<void> {
  await expect(target).toBeEnabled();
  for (let i = 0; i <= maxPresses; i++) {
    const focused = await target
      .evaluate((el) => el === document.activeElement, undefined, { timeout: 2_000 })
      .catch(() => false);
    if (focused) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target} after ${maxPresses} presses`);
}
