// scripts/check-trace-viewer.js - open an `ntps run --trace` file in a real
// timeline viewer: the Performance panel of Chromium's DevTools, headless,
// driven with playwright-core (scripts/check-trace-viewer.sh installs both).
//
// usage: node check-trace-viewer.js TRACE.json SCREENSHOT.png
//
// 1. The panel's own trace engine (models/trace/trace.js) parses the file:
//    no error may be logged, and it must find the processor tracks (CPU n
//    under "virtual processors"), the processes by name, and every thread's
//    running and callback spans (as many as the file has).
// 2. The panel loads the file as a user does (Load trace: its file input):
//    no "failed" status may show, the flame chart must; the screenshot is
//    taken with "virtual processors" and System expanded.
// Exit status 0 when both hold, 1 otherwise (with what went wrong).
'use strict';
const fs = require('fs');
const { chromium } = require('playwright-core');

const PANEL = 'devtools://devtools/bundled/devtools_app.html?panel=timeline';
const CPU_PID = 0x7FFFFFF0;

function fail(message) {
  console.error('check-trace-viewer: ' + message);
  process.exit(1);
}

// What the file itself holds, to compare with what the viewer found.
function expected(trace) {
  const want = { processes: new Set(), threads: new Set(), spans: 0, callbacks: 0, cpus: new Set() };
  for (const e of trace.traceEvents) {
    if (e.ph === 'M' && e.name === 'process_name' && e.pid !== CPU_PID) want.processes.add(e.args.name);
    if (e.ph !== 'X') continue;
    if (e.cat === 'cpu') want.cpus.add(e.tid);
    if (e.cat === 'thread' || e.cat === 'callback') {
      want.threads.add(e.pid + '/' + e.tid);
      want.spans++;
      if (e.cat === 'callback') want.callbacks++;
    }
  }
  return want;
}

// In the panel's page: parse with DevTools' trace engine, report what it saw.
async function parseInPanel(events) {
  const Trace = await import('devtools://devtools/bundled/models/trace/trace.js');
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(events, { metadata: {}, isFreshRecording: false });
  const data = model.parsedTrace(model.lastTraceIndex()).data;
  const seen = { processes: [], threads: [], spans: 0, callbacks: 0, cpus: [] };
  for (const [pid, name] of data.Meta.processNames) if (pid !== 0x7FFFFFF0) seen.processes.push(name.args.name);
  for (const [pid, p] of data.Renderer.processes) {
    for (const [tid, t] of p.threads) {
      if (pid === 0x7FFFFFF0) {
        if (t.entries.length) seen.cpus.push(t.name);
        continue;
      }
      let spans = 0;
      for (const e of t.entries) {
        if (e.cat === 'thread' || e.cat === 'callback') spans++;
        if (e.cat === 'callback') seen.callbacks++;
      }
      if (spans) seen.threads.push(pid + '/' + tid);
      seen.spans += spans;
    }
  }
  return seen;
}

// For the screenshot only (best effort): the flame chart's first-use
// shortcuts card away (Escape, which also opens the console drawer: closed
// again), the sidebar hidden, "virtual processors" and System expanded (the
// first tracks, at fixed places), the first 9 ms or so selected.
async function arrange(page) {
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
  for (const label of ['Close drawer', 'Hide sidebar']) {
    const button = page.locator(`button[aria-label="${label}"]:visible`);
    if (await button.count()) await button.first().evaluate(b => b.click());
  }
  await page.waitForTimeout(500);
  await page.mouse.click(10, 150);
  await page.waitForTimeout(300);
  await page.mouse.click(10, 209);
  await page.waitForTimeout(300);
  await page.mouse.move(60, 78);
  await page.mouse.down();
  await page.mouse.move(250, 78, { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(800);
}

async function main() {
  const [tracePath, shotPath] = process.argv.slice(2);
  if (!tracePath || !shotPath) fail('usage: node check-trace-viewer.js TRACE.json SCREENSHOT.png');
  let trace;
  try {
    trace = JSON.parse(fs.readFileSync(tracePath, 'utf8'));
  } catch (e) {
    fail(`${tracePath}: not a readable JSON file: ${e.message}`);
  }
  const want = expected(trace);
  const browser = await chromium.launch({
    executablePath: process.env.NTPS_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],     // as root, Chromium's sandbox needs namespaces a container may not have
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = [];
    page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', e => errors.push(e.message));
    await page.goto(PANEL);
    await page.locator('input[type=file]').first().waitFor({ state: 'attached', timeout: 30000 });
    errors.length = 0;          // the panel's own start-up complaints are not the trace's

    // 1. the engine
    const seen = await page.evaluate(parseInPanel, trace.traceEvents);
    if (errors.length) fail('DevTools logged errors parsing the trace:\n  ' + errors.slice(0, 5).join('\n  '));
    const missing = [...want.processes].filter(n => !seen.processes.includes(n));
    if (missing.length) fail(`processes not named in DevTools: ${missing.slice(0, 5).join(', ')}`);
    if (seen.cpus.length !== want.cpus.size) fail(`DevTools shows ${seen.cpus.length} processor tracks, the file has ${want.cpus.size}`);
    if (seen.threads.length !== want.threads.size) fail(`DevTools shows ${seen.threads.length} threads with spans, the file has ${want.threads.size}`);
    if (seen.spans !== want.spans || seen.callbacks !== want.callbacks)
      fail(`DevTools has ${seen.spans} spans (${seen.callbacks} callbacks), the file ${want.spans} (${want.callbacks})`);

    // 2. the panel, as a user loads a file
    await page.locator('input[type=file]').first().setInputFiles(tracePath);
    const failed = page.getByText(/(Recording|Loading|Processing) failed/);
    const loaded = page.getByText('Event log');
    await Promise.race([failed.first().waitFor({ timeout: 60000 }), loaded.first().waitFor({ timeout: 60000 })]);
    if (await failed.count()) fail('the Performance panel says: ' + (await failed.first().innerText()));
    if (errors.length) fail('DevTools logged errors loading the trace:\n  ' + errors.slice(0, 5).join('\n  '));
    await arrange(page).catch(e => console.error('check-trace-viewer: (the screenshot is not arranged: ' + e.message + ')'));
    await page.screenshot({ path: shotPath });
    console.log(`check-trace-viewer: ok: Chromium ${browser.version()} DevTools (Performance panel) loaded ` +
                `${tracePath}: ${seen.processes.length} processes, ${seen.threads.length} threads, ` +
                `${seen.cpus.length} processor tracks, ${seen.spans} spans (${seen.callbacks} callbacks), no errors; ` +
                `screenshot ${shotPath}`);
  } finally {
    await browser.close();
  }
}

main().catch(e => fail(e.stack || String(e)));
