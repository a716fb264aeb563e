// Browser test of the embedded fake's media: headless Chromium (fake
// camera) loads the loopback and one2many pages of the example programs,
// running against the embedded fake KMS with media on, and checks that
// video comes back and is decoded (inbound-rtp framesDecoded > 0 in the
// page's RTCPeerConnection stats) and that the received picture is not
// blank. Run by .ci/steps/35-fake-media-browser.sh with LOOPBACK_URL and
// ONE2MANY_URL (and GROUPCALL_URL) set. The pages are not changed for this: an init script
// keeps a reference to every RTCPeerConnection a page creates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const loopbackURL = process.env.LOOPBACK_URL;
const one2manyURL = process.env.ONE2MANY_URL;
const shots = process.env.SCREENSHOT_DIR || tmpdir();
const timeout = 30_000;

let context;
let dataDir;

before(async () => {
  assert.ok(loopbackURL && one2manyURL, 'LOOPBACK_URL and ONE2MANY_URL must be set');
  dataDir = mkdtempSync(join(tmpdir(), 'gokurento-chromium-'));
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
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new Native(...args);
      window.__pcs.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
    Object.setPrototypeOf(window.RTCPeerConnection, Native);
  });
});

after(async () => {
  if (context) await context.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(url) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('console', (m) => { if (m.type() === 'error') console.log('page console:', m.text()); });
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.goto(url);
  return page;
}

// decoded waits until the page's peer connection decoded video frames
// and returns the count.
async function decoded(page, who) {
  const count = () => page.evaluate(async () => {
    let n = 0;
    for (const pc of window.__pcs) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0;
      }
    }
    return n;
  });
  let frames = 0;
  for (const end = Date.now() + timeout; Date.now() < end;) {
    frames = await count();
    if (frames > 0) break;
    await page.waitForTimeout(250);
  }
  const pcs = await page.evaluate(() => window.__pcs.map((pc) => `${pc.iceConnectionState}/${pc.connectionState}`));
  assert.ok(frames > 0, `${who}: no video frame decoded (peer connections ice/connection: ${pcs})`);
  console.log(`${who}: ${frames} video frames decoded`);
  return frames;
}

// notBlank draws the video element to a canvas and checks the picture
// has more than one colour, then saves a screenshot of the page.
async function notBlank(page, selector, name) {
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel);
    return v && v.videoWidth > 0 && v.readyState >= 2;
  }, selector);
  const spread = await page.evaluate((sel) => {
    const v = document.querySelector(sel);
    const c = document.createElement('canvas');
    c.width = v.videoWidth; c.height = v.videoHeight;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let min = 255; let max = 0;
    for (let i = 0; i < d.length; i += 4 * 97) {
      const y = (d[i] + d[i + 1] + d[i + 2]) / 3;
      if (y < min) min = y;
      if (y > max) max = y;
    }
    return max - min;
  }, selector);
  assert.ok(spread > 16, `${name}: the received picture is blank (brightness spread ${spread})`);
  const png = await page.screenshot({ fullPage: true });
  const file = join(shots, `gokurento-fake-media-${name}.png`);
  writeFileSync(file, png);
  console.log(`${name}: picture brightness spread ${spread}; screenshot ${file}`);
}

test('loopback on the embedded fake: the camera comes back', async () => {
  const page = await open(loopbackURL);
  await page.click('#start');
  await decoded(page, 'loopback');
  await notBlank(page, '#remote', 'loopback');
  await page.click('#stop');
  await page.close();
});

test('one2many on the embedded fake: both viewers see the presenter', async () => {
  const presenter = await open(one2manyURL);
  await presenter.click('#present');
  const viewers = [];
  for (const n of [1, 2]) {
    const v = await open(one2manyURL);
    await v.click('#watch');
    await decoded(v, `viewer ${n}`);
    await notBlank(v, '#video', `one2many-viewer${n}`);
    viewers.push(v);
  }
  await presenter.click('#stop');
  for (const v of viewers) await v.close();
  await presenter.close();
});

const groupcallURL = process.env.GROUPCALL_URL; // optional

test('groupcall on the embedded fake: each participant sees the other', { skip: !groupcallURL && 'GROUPCALL_URL not set' }, async () => {
  const pages = [];
  for (const name of ['ann', 'bo']) {
    const p = await open(groupcallURL);
    await p.fill('#name', name);
    await p.click('#join');
    pages.push(p);
  }
  for (const [i, p] of pages.entries()) {
    await decoded(p, `participant ${i + 1}`);
    await notBlank(p, '#mix', `groupcall-${i + 1}`);
  }
  for (const p of pages) await p.close();
});
