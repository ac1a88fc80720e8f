// Starts a restore drill from the Temporal Web UI's Start Workflow form, the way an operator
// would, waits for the run to complete, checks the page shows the run's current details (the
// phase table the workflow publishes) and saves a screenshot.
//
//   node start-drill.mjs --ui http://127.0.0.1:8233 --service shop --workflow-id ui-drill-1 \
//        --screenshot ../../test-artifacts/web-ui/drill.png
//
// Uses Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium): playwright-core never
// downloads a browser. Exits 0 only when every check passed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    ui: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    service: { type: 'string' },
    'workflow-id': { type: 'string' },
    'task-queue': { type: 'string', default: 'drflow' },
    screenshot: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '240' },
  },
});
for (const required of ['ui', 'service', 'workflow-id', 'screenshot']) {
  if (!opt[required]) {
    console.error(`browser: --${required} is required`);
    process.exit(2);
  }
}

const deadline = Date.now() + Number(opt['timeout-seconds']) * 1000;
const base = `${opt.ui}/namespaces/${encodeURIComponent(opt.namespace)}`;
const step = (msg) => console.log(`browser: ${msg}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.setDefaultTimeout(30_000);

async function fail(message) {
  console.error(`browser: FAILED: ${message}`);
  try {
    const path = opt.screenshot.replace(/\.png$/, '') + '-failure.png';
    mkdirSync(dirname(path), { recursive: true });
    await page.screenshot({ path, fullPage: true });
    console.error(`browser: page at failure saved to ${path}`);
  } catch (e) {
    console.error(`browser: no failure screenshot: ${e.message}`);
  }
  await browser.close();
  process.exit(1);
}

/** The status badge beside the workflow id heading: Running, Completed, Failed, ... */
async function workflowStatus() {
  return page.getByTestId('workflow-id-heading').evaluate((heading) => {
    const header = heading.parentElement?.parentElement;
    const badge = header?.querySelector('span.whitespace-nowrap');
    return badge ? badge.textContent.trim() : '';
  });
}

try {
  step(`opening ${base}/workflows/start-workflow`);
  await page.goto(`${base}/workflows/start-workflow`);
  await page.getByTestId('workflowId').fill(opt['workflow-id']);
  await page.getByTestId('taskQueue').fill(opt['task-queue']);
  await page.getByTestId('workflowType').fill('RestoreDrillWorkflow');
  const input = JSON.stringify({ service: opt.service });
  await page.locator('.cm-content').first().click();
  await page.keyboard.insertText(input);
  // The input editor hands its text to the form when it loses focus.
  await page.getByText('Start a Workflow').click();
  step(`Start Workflow: id ${opt['workflow-id']}, type RestoreDrillWorkflow, task queue ${opt['task-queue']}, input ${input}`);
  await page.getByTestId('start-workflow-button').click();
  await page.getByText('Workflow started successfully').waitFor();
  step('the UI reports the workflow started');

  await page.goto(`${base}/workflows/${encodeURIComponent(opt['workflow-id'])}`);
  let status = '';
  for (;;) {
    await page.getByTestId('workflow-id-heading').waitFor();
    status = await workflowStatus();
    if (status && status !== 'Running') break;
    if (Date.now() > deadline) await fail(`the workflow is still '${status || 'unknown'}' after ${opt['timeout-seconds']} s`);
    await page.waitForTimeout(1000);
    await page.reload();
  }
  step(`the page shows status ${status}`);
  if (status !== 'Completed') await fail(`expected Completed, the page shows ${status}`);

  await page.getByTestId('user-metadata-tab').click();
  await page.getByText('Current Details').waitFor();
  // The UI renders the workflow's Markdown current details in a frame of its own.
  const details = page.frameLocator('iframe[title="output"]').locator('body');
  await details.getByText('Phase').first().waitFor();
  const text = await details.innerText();
  const expected = [`RestoreDrillWorkflow for ${opt.service}`, 'Locate', 'Download', 'Restore', 'Validate', 'Cleanup', 'Report', 'COMPLETED', 'ON_TRACK'];
  const missing = expected.filter((s) => !text.includes(s));
  if (missing.length) await fail(`current details lack ${JSON.stringify(missing)}; they read:\n${text}`);
  const completedRows = text.split('\n').filter((l) => /\bCOMPLETED\b/.test(l)).length;
  if (completedRows < 6) await fail(`expected six COMPLETED phases in the current details, found ${completedRows}:\n${text}`);
  step(`current details show the phase table: ${text.split('\n')[0]}`);

  mkdirSync(dirname(opt.screenshot), { recursive: true });
  await page.screenshot({ path: opt.screenshot, fullPage: false });
  step(`screenshot saved to ${opt.screenshot}`);
  console.log('browser: PASSED');
  await browser.close();
} catch (e) {
  await fail(e.stack || String(e));
}
