// Drives VS Code (code-server, in headless Chromium) through a replay of demo.retrace and
// photographs it. Called by docs/screenshots/make:
//   node shoot.js URL OUTDIR   (PLAYWRIGHT_CORE: the playwright-core module's folder)
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const [url, outDir] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'retrace-shots-chromium-'));
const BREAKPOINT_LINE = 12;  // System.out.println("i=" + i + " v=" + v);

const log = (...args) => console.error('shoot:', ...args);

/** The Variables view's rows as {name: value}. */
async function variables(page) {
  return page.$$eval('.debug-variables .monaco-list-row', (rows) => {
    const vars = {};
    for (const row of rows) {
      const name = row.querySelector('.name');
      const value = row.querySelector('.value');
      if (name) vars[name.textContent.replace(/\s*[:=]\s*$/, '').trim()] = value ? value.textContent.trim() : '';
    }
    return vars;
  });
}

/** Waits until the Variables view satisfies test (given {name: value}); returns them. */
async function waitForVariables(page, what, test, timeout = 90000) {
  const deadline = Date.now() + timeout;
  let last = {};
  while (Date.now() < deadline) {
    last = await variables(page).catch(() => ({}));
    if (test(last)) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`timed out waiting for ${what}; the Variables view shows ${JSON.stringify(last)}`);
}

/** Runs a command by its title through the command palette (F1); closes says whether the palette then closes. */
async function command(page, title, closes = true) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  if (closes) await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

async function shot(page, name) {
  await page.waitForTimeout(700);  // let hovers, decorations and the layout settle
  const file = path.join(outDir, name);
  await page.screenshot({ path: file });
  log('wrote', file);
}

async function main() {
  const browser = await chromium.launchPersistentContext(profile, {  // a fresh profile
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  let page;
  try {
    page = browser.pages()[0] || await browser.newPage();
    page.setDefaultTimeout(60000);
    log('opening', url);
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'src' }).first().waitFor();

    // Open Loop.java and set the breakpoint: Quick Open, Go to Line, F9.
    await command(page, 'Go to File...', false);
    await page.keyboard.type('Loop.java');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Loop.java' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'nanoTime' }).waitFor();
    await page.locator('.monaco-editor textarea').first().focus();
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(BREAKPOINT_LINE));
    await page.keyboard.press('Enter');
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor();

    // F5: the launch.json's configuration; the replay stops at the breakpoint, i = 0.
    log('starting the debug session');
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').waitFor();
    await waitForVariables(page, 'the first stop', (v) => v.i === '0' && 'v' in v);
    // Two more iterations, so that total and seen have something in them.
    for (const i of ['1', '2']) {
      await page.keyboard.press('F5');
      await waitForVariables(page, `the stop with i = ${i}`, (v) => v.i === i);
    }
    const atBreakpoint = await waitForVariables(page, 'the values', (v) => v.i === '2' && 'total' in v);
    log('at the breakpoint:', JSON.stringify(atBreakpoint));
    if (process.env.RECORDED_V && atBreakpoint.v !== process.env.RECORDED_V) {
      throw new Error(`the replay shows v = ${atBreakpoint.v} in iteration 2, the recorded run printed ${process.env.RECORDED_V}`);
    }
    await page.mouse.move(640, 780);
    await shot(page, 'breakpoint.png');

    // Step Back, with the toolbar's button: back to line 11, total += v, not yet done.
    log('step back');
    const stepBack = page.locator('.debug-toolbar .action-item .codicon-debug-step-back');
    await stepBack.click();
    const back = await waitForVariables(page, 'the stop after Step Back',
      (v) => v.i === '2' && v.total !== atBreakpoint.total);
    log('after Step Back:', JSON.stringify(back));
    await stepBack.hover();  // its tooltip names the button
    await page.waitForTimeout(1500);
    await shot(page, 'step-back.png');

    // The Debug Console evaluates Java expressions in the stopped frame.
    log('debug console');
    await page.mouse.move(640, 780);
    const replInput = page.locator('.repl-input-wrapper .monaco-editor');  // the panel is open since the start
    await replInput.waitFor();
    for (const expression of ['t % 1000', 'total + v', 'seen.toString()', 'seen.length() > 3 && i == 2']) {
      await replInput.click();
      await page.keyboard.type(expression);
      await page.keyboard.press('Enter');
      await page.locator('.repl .monaco-list-row', { hasText: expression }).first().waitFor();
      await page.waitForTimeout(500);
    }
    await shot(page, 'debug-console.png');
  } catch (e) {
    // What the page showed when it went wrong, for whoever reads the error.
    if (page && process.env.FAILED_SCREENSHOT) {
      await page.screenshot({ path: process.env.FAILED_SCREENSHOT }).catch(() => {});
      log('the page at the failure:', process.env.FAILED_SCREENSHOT);
    }
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error('shoot:', e && e.stack || e);
  process.exit(1);
});
