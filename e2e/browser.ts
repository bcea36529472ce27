import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ROOT, startStack } from '../server/test/harness.js';

/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (no downloaded browser). `bash scripts/ensure-browser.sh` installs it and a CJK font.
 */
export const CHROMIUM = process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium';
export const PC = { width: 1440, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Screenshots under docs/screenshots/ are rewritten only when KEFU_SCREENSHOTS=1. */
export const SCREENSHOTS = process.env.KEFU_SCREENSHOTS === '1';
export const SCREENSHOT_DIR = join(ROOT, 'docs', 'screenshots');

/** The agent page and widget are served from web/dist; a missing build is a setup error, not a test failure to chase. */
export function assertWebBuilt(): void {
  for (const f of ['index.html', 'widget.js', 'demo-shop.html']) {
    if (!existsSync(join(ROOT, 'web', 'dist', f))) throw new Error(`web/dist/${f} is missing: run \`npm run build -w web\` first`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`bash scripts/ensure-browser.sh\``);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

type Stack = Awaited<ReturnType<typeof startStack>>;

/**
 * The browser tests' stage: a kefu stack (`startStack` with these options) and Chromium, started
 * in beforeAll and stopped in afterAll. Call it at the top of a file, before the file's own hooks:
 * vitest runs beforeAll hooks in order and afterAll hooks in reverse, so the file's own set-up and
 * teardown both find the stage running.
 */
export function browserStack(options?: Parameters<typeof startStack>[0]) {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    assertWebBuilt();
    stack = await startStack(options);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    // after a failed start, whatever did not come up is not there to stop
    await browser?.close();
    await stack?.stop();
  });
  return {
    get kefu() { return stack.kefu; },
    get sim() { return stack.sim; },
    get db() { return stack.db; },
    get browser() { return browser; },
  };
}

export type Device = 'pc' | 'phone';

/** A fresh context (own localStorage = own agent session / own widget visitor). Chinese locale, Shanghai time. */
export async function newContext(browser: Browser, baseURL: string, device: Device = 'pc'): Promise<BrowserContext> {
  const phone = device === 'phone';
  const ctx = await browser.newContext({
    baseURL,
    viewport: phone ? PHONE : PC,
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  ctx.setDefaultTimeout(10_000);
  return ctx;
}

/** Collects uncaught page errors so a test can assert the page did not crash. */
export function trackErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

export async function newPage(browser: Browser, baseURL: string, device: Device = 'pc'): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await newContext(browser, baseURL, device);
  const page = await ctx.newPage();
  return { ctx, page, errors: trackErrors(page) };
}

/** Logs in through the login form and waits for the live connection. */
export async function loginAs(page: Page, username = 'agent1', password = 'kefu123'): Promise<void> {
  await page.goto('/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
}

/** Writes docs/screenshots/<name> when KEFU_SCREENSHOTS=1; otherwise does nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // no blinking caret, no running transitions in the picture; taken away again after, as antd's
  // modals and drawers finish closing on animation end and the test goes on using the page
  await dismissToasts(page);
  const freeze = await page.addStyleTag({ content: '*, *::before, *::after { caret-color: transparent !important; transition: none !important; animation: none !important; }' });
  await page.screenshot({ path: join(SCREENSHOT_DIR, name) });
  await freeze.evaluate((el) => (el as Element).remove());
}

/** Removes Ant Design toasts (they would sit on top of a screenshot for three seconds). */
/** toasts and notices pass; a picture of a page is taken without them */
export async function dismissToasts(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll('.ant-message-notice, .ant-notification-notice').forEach((n) => n.remove()));
}

/** antd puts a test id on the <input> itself or on its wrapper, depending on the component */
export const antInput = (page: Page, testId: string) => page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
/** the validation message under the form field that holds the element with this test id */
export const fieldError = (page: Page, testId: string) => page.locator('.ant-form-item').filter({ has: page.getByTestId(testId) }).locator('.ant-form-item-explain-error');
