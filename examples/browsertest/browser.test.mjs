// Browser test of the example programs: headless Chromium loads their
// pages, which negotiate WebRTC with Kurento Media Server (the embedded
// fake) through the Go servers. Run by .ci/steps/30-browser.sh with
// LOOPBACK_URL and ONE2MANY_URL set to the running programs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const loopbackURL = process.env.LOOPBACK_URL;
const one2manyURL = process.env.ONE2MANY_URL;
const groupcallURL = process.env.GROUPCALL_URL; // optional
const shots = process.env.SCREENSHOT_DIR || tmpdir();
const timeout = 20_000;

let context;
let dataDir;

before(async () => {
  assert.ok(loopbackURL && one2manyURL, 'LOOPBACK_URL and ONE2MANY_URL must be set');
  dataDir = mkdtempSync(join(tmpdir(), 'gokurento-chromium-'));
  // launchPersistentContext passes the fresh profile as --user-data-dir.
  context = await chromium.launchPersistentContext(dataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    ],
    timeout,
  });
});

after(async () => {
  if (context) await context.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// open loads url in a new tab and reports the page's console errors.
async function open(url) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('console', (m) => { if (m.type() === 'error') console.log('page console:', m.text()); });
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.goto(url);
  return page;
}

const state = (page) => page.evaluate(() => window.testState);

// negotiated waits until the page applied KMS's answer (or failed to) and
// checks the outcome.
async function negotiated(page, who) {
  await page.waitForFunction(() => {
    const s = window.testState;
    return s.answerApplied || s.answerError || s.error;
  });
  const s = await state(page);
  assert.equal(s.error, '', `${who}: the server refused: ${s.error}`);
  assert.equal(s.answerError, '', `${who}: Chromium rejected the fake KMS's SDP answer: ${s.answerError}`);
  assert.ok(s.answerApplied, `${who}: answer applied`);
}

// candidatesFlow waits until ICE candidates went both ways.
async function candidatesFlow(page, who) {
  await page.waitForFunction(() => {
    const s = window.testState;
    return s.localCandidates > 0 && s.remoteCandidatesAdded > 0;
  }).catch(() => {}); // the assertions below say what is missing
  const s = await state(page);
  assert.ok(s.localCandidates > 0, `${who}: browser → server candidates: ${s.localCandidates}`);
  assert.ok(s.remoteCandidates > 0, `${who}: server → browser candidates: ${s.remoteCandidates}`);
  assert.ok(s.remoteCandidatesAdded > 0,
    `${who}: Chromium took none of the ${s.remoteCandidates} KMS candidates: ${s.candidateError}`);
  console.log(`${who}: ${s.localCandidates} candidates sent, ${s.remoteCandidates} received (${s.remoteCandidatesAdded} added)`);
}

// screenshot saves a PNG of page and checks it has content.
async function screenshot(page, name) {
  const png = await page.screenshot({ fullPage: true });
  assert.ok(png.length > 1024, `${name}: screenshot of ${png.length} bytes`);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const file = join(shots, `gokurento-${name}.png`);
  writeFileSync(file, png);
  console.log(`screenshot ${file} (${png.length} bytes)`);
}

test('loopback: offer, answer and ICE candidates both ways', async () => {
  const page = await open(loopbackURL);
  await page.click('#start');
  await negotiated(page, 'loopback');
  await candidatesFlow(page, 'loopback');
  const s = await state(page);
  assert.ok(s.remoteTracks > 0, 'remote tracks from the answer');
  await screenshot(page, 'loopback');
  await page.click('#stop');
  await page.waitForFunction(() => !window.testState.socketOpen);
  await page.close();
});

test('one2many: a presenter and two viewers', async () => {
  const presenter = await open(one2manyURL);
  await presenter.click('#present');
  await negotiated(presenter, 'presenter');
  await candidatesFlow(presenter, 'presenter');

  const viewers = [];
  for (const n of [1, 2]) {
    const v = await open(one2manyURL);
    await v.click('#watch');
    await negotiated(v, `viewer ${n}`);
    await candidatesFlow(v, `viewer ${n}`);
    viewers.push(v);
  }
  await screenshot(presenter, 'one2many-presenter');

  // The presenter leaves: the viewers are told the broadcast ended.
  await presenter.click('#stop');
  for (const v of viewers) {
    await v.waitForFunction(() => window.testState.ended !== '');
    assert.match((await state(v)).ended, /presenter left/);
    await v.close();
  }
  await presenter.close();
});

test('groupcall: two participants join and one leaves', { skip: !groupcallURL && 'GROUPCALL_URL not set' }, async () => {
  const pages = [];
  for (const name of ['ann', 'bo']) {
    const p = await open(groupcallURL);
    await p.fill('#name', name);
    await p.click('#join');
    await negotiated(p, name);
    await candidatesFlow(p, name);
    pages.push(p);
  }
  await pages[0].waitForFunction(() => window.testState.peers === 2);
  await screenshot(pages[0], 'groupcall');
  await pages[1].click('#leave');
  await pages[0].waitForFunction(() => window.testState.peers === 1);
  for (const p of pages) await p.close();
});
