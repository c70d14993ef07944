#!/usr/bin/env node
// Drives the real VS Code workbench (code-server) in headless Chromium with
// playwright-core: opens a demo file, waits for Nudge's squiggle, reads the
// Problems panel and the hover, applies "Ignore here" from the Quick Fix menu,
// and keeps screenshots. Assertions on data use the extension's own dump of
// what VS Code's API received (nudge.test.dumpPath), not pixels.
//   node vscode_test.js --url URL --file REL --dump PATH --shots DIR
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const opt = { timeout: 90000, chromium: '/usr/bin/chromium' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
const T = Number(opt.timeout);

(async () => {
  const started = Date.now();
  const res = { steps: {} };
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'nudge-chromium-'));
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: opt.chromium, headless: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const shot = async name => {
    if (!opt.shots) return;
    fs.mkdirSync(opt.shots, { recursive: true });
    await page.screenshot({ path: path.join(opt.shots, `vscode-${name}.png`) }).catch(() => {});
  };
  const step = async (name, fn) => {
    try { res.steps[name] = { ok: true, ...(await fn() || {}), ms: Date.now() - started }; return true; }
    catch (e) {
      res.steps[name] = { ok: false, error: String(e.message || e).split('\n')[0], ms: Date.now() - started };
      await shot(`fail-${name}`);
      return false;
    }
  };
  let ok = await step('workbench', async () => {
    await page.goto(opt.url, { timeout: T });
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: T });
    await page.waitForSelector('.part.statusbar', { timeout: T });
  });
  ok = ok && await step('open_file', async () => {
    await page.waitForTimeout(1500);
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: T });
    await page.keyboard.type(opt.file, { delay: 20 });
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: T });
    await page.keyboard.press('Enter');
    await page.waitForSelector('.editor-instance .monaco-editor .view-lines', { timeout: T });
  });
  ok = ok && await step('squiggle', async () => {
    await page.locator('.monaco-editor [class*="squiggly-warning"]').first().waitFor({ state: 'attached', timeout: T });
    await shot('1-squiggle');
  });
  ok = ok && await step('problems_panel', async () => {
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'is in code that runs in the browser' }).first().waitFor({ timeout: T });
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    await shot('2-problems');
    return { rows: rows.map(r => r.replace(/\s+/g, ' ').trim()).slice(0, 10) };
  });
  res.status_bar = await page.locator('.statusbar-item', { hasText: /\d/ }).allInnerTexts().catch(() => []);
  ok = ok && await step('hover', async () => {
    // Put the cursor on the key deterministically (F8 would pick whichever
    // problem arrived first, TypeScript's own included).
    await page.locator('.editor-instance .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: T });
    await page.keyboard.type(opt.position || '5:20', { delay: 20 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover', { hasText: 'How to fix' }).first();
    await hover.waitFor({ state: 'visible', timeout: T });
    const text = (await hover.innerText()).replace(/\s+/g, ' ').trim();
    await shot('3-hover');
    await page.keyboard.press('Escape');
    return { text: text.slice(0, 300) };
  });
  ok = ok && await step('code_action', async () => {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: T });
    await page.keyboard.type('Quick Fix...', { delay: 10 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Quick Fix...' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    const ignore = page.locator('.action-widget .monaco-list-row', { hasText: 'Ignore `hardcoded-secret-in-client` here' }).first();
    await ignore.waitFor({ state: 'visible', timeout: T });
    const items = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
    await shot('4-code-actions');
    await ignore.click();
    await page.locator('.editor-instance .view-lines', { hasText: 'nudge-ignore hardcoded-secret-in-client' }).first().waitFor({ timeout: T });
    await shot('5-after-fix');
    // Undo the edit so hot exit cannot restore it into another run.
    await page.keyboard.press('F1');
    await page.keyboard.type('File: Revert File', { delay: 10 });
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Revert File' }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    return { items: items.map(s => s.trim()) };
  });
  res.ok = ok;
  res.elapsed_ms = Date.now() - started;
  await ctx.close();
  fs.rmSync(udd, { recursive: true, force: true });
  console.log(JSON.stringify(res, null, 1));
  process.exit(ok ? 0 : 1);
})().catch(e => { console.error(e); process.exit(2); });
