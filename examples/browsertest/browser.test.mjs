// Browser test of the example programs: headless Chromium loads their
// pages, which negotiate WebRTC with Kurento Media Server through the Go
// servers. Run by .ci/steps/30-browser.sh with LOOPBACK_URL, ONE2MANY_URL
// and GROUPCALL_URL set to the running programs, twice: on the embedded
// fake (signalling only) and, with EXPECT_MEDIA=1, on a real KMS, where
// every page that receives must decode video and show a picture that is
// not blank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const loopbackURL = process.env.LOOPBACK_URL;
const one2manyURL = process.env.ONE2MANY_URL;
const groupcallURL = process.env.GROUPCALL_URL; // optional
const shots = process.env.SCREENSHOT_DIR || tmpdir();
const media = process.env.EXPECT_MEDIA === '1';
const server = media ? 'kms' : 'fake';
const timeout = 30_000;

let context;
let dataDir;

before(async () => {
  assert.ok(loopbackURL && one2manyURL, 'LOOPBACK_URL and ONE2MANY_URL must be set');
  mkdirSync(shots, { recursive: true });
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

// decodePNG returns the width, height and RGB(A) pixels of an 8-bit RGB or
// RGBA PNG (what Chromium's screenshots are).
function decodePNG(png) {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.subarray(pos + 4, pos + 8).toString();
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth 8');
      channels = { 2: 3, 6: 4 }[data[9]];
      assert.ok(channels, `colour type ${data[9]}`);
      assert.equal(data[12], 0, 'not interlaced');
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      let p;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = (a + b) >> 1; break;
        case 4: {
          const q = a + b - c;
          const pa = Math.abs(q - a);
          const pb = Math.abs(q - b);
          const pc = Math.abs(q - c);
          p = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`PNG filter ${filter}`);
      }
      px[y * stride + x] = (v + p) & 0xff;
    }
  }
  return { width, height, channels, px };
}

// videoShows checks that the video element sel of page shows a picture:
// its screenshot's luminance varies (a blank or black video does not).
async function videoShows(page, sel, name) {
  const png = await page.locator(sel).screenshot();
  const file = join(shots, `gokurento-${name}-video.png`);
  writeFileSync(file, png);
  const { width, height, channels, px } = decodePNG(png);
  let sum = 0;
  let sq = 0;
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    const l = 0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2];
    sum += l;
    sq += l * l;
  }
  const mean = sum / n;
  const sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
  console.log(`${name}: video ${width}x${height}, luminance mean ${mean.toFixed(1)}, sd ${sd.toFixed(1)} (${file})`);
  assert.ok(sd > 8, `${name}: the video looks blank (luminance sd ${sd.toFixed(1)})`);
}

// serverShown checks the page says which server it uses.
async function serverShown(page, who) {
  await page.waitForFunction(() => window.testState.server !== '');
  assert.equal((await state(page)).server, server, `${who}: server kind`);
  const text = await page.textContent('#server');
  assert.match(text, media ? /Kurento Media Server at ws:/ : /embedded fake KMS/, `${who}: server line`);
}

// decodes waits until the page decoded video frames from KMS (real server
// only: the fake sends no media).
async function decodes(page, who) {
  if (!media) return;
  await page.waitForFunction(() => window.testState.framesDecoded > 0).catch(() => {});
  const s = await state(page);
  assert.ok(s.framesDecoded > 0,
    `${who}: no video frame decoded (WebRTC ${s.connectionState}, ${s.bytesReceived} bytes received)`);
  console.log(`${who}: WebRTC ${s.connectionState}, ${s.framesDecoded} frames decoded`);
}

test('loopback: offer, answer and ICE candidates both ways', async () => {
  const page = await open(loopbackURL);
  await serverShown(page, 'loopback');
  await page.click('#start');
  await negotiated(page, 'loopback');
  await candidatesFlow(page, 'loopback');
  const s = await state(page);
  assert.ok(s.remoteTracks > 0, 'remote tracks from the answer');
  await decodes(page, 'loopback');
  if (media) await videoShows(page, '#remote', 'loopback');
  await screenshot(page, `loopback-${server}`);
  await page.click('#stop');
  await page.waitForFunction(() => !window.testState.socketOpen);
  await page.close();
});

test('one2many: a presenter and two viewers', async () => {
  const presenter = await open(one2manyURL);
  await serverShown(presenter, 'presenter');
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
  for (const [i, v] of viewers.entries()) {
    await decodes(v, `viewer ${i + 1}`);
    if (media) await videoShows(v, '#video', `one2many-viewer${i + 1}`);
  }
  await screenshot(presenter, `one2many-presenter-${server}`);

  // The presenter leaves: the viewers are told the broadcast ended.
  await presenter.click('#stop');
  for (const v of viewers) {
    await v.waitForFunction(() => window.testState.ended !== '');
    assert.match((await state(v)).ended, /presenter left/);
    await v.close();
  }
  await presenter.close();
});

test('groupcall: three participants join and one leaves', { skip: !groupcallURL && 'GROUPCALL_URL not set' }, async () => {
  const names = ['ann', 'bo', 'cy'];
  const pages = [];
  for (const name of names) {
    const p = await open(groupcallURL);
    await serverShown(p, name);
    await p.fill('#name', name);
    await p.click('#join');
    await negotiated(p, name);
    await candidatesFlow(p, name);
    pages.push(p);
  }
  for (const [i, p] of pages.entries()) {
    await p.waitForFunction(() => window.testState.peers === 3);
    await decodes(p, names[i]);
    if (media) await videoShows(p, '#mix', `groupcall-${names[i]}`);
    // The status line keeps the WebRTC state; the count has its own place.
    const status = await p.textContent('#status');
    assert.doesNotMatch(status, /in the call/, `${names[i]}: status line "${status}"`);
    assert.equal(await p.textContent('#peers'), '3');
  }
  await screenshot(pages[0], `groupcall-${server}`);
  await pages[2].click('#leave');
  await pages[0].waitForFunction(() => window.testState.peers === 2);
  for (const p of pages) await p.close();
});
