// Test support: starts `musharaka serve` on a free port with its own data and output folders,
// launches Debian's Chromium through playwright-core, and reads the UI strings of each language.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { parse } from 'smol-toml';
import assert from 'node:assert/strict';

export const ROOT = resolve(process.env.MUSHARAKA_ROOT ?? join(import.meta.dirname, '..', '..'));
/** The `musharaka` binary the tests run. */
export const BIN = resolve(process.env.MUSHARAKA_BIN ?? join(ROOT, 'target', 'debug', 'musharaka'));
export const LANGS = ['ar', 'zgh', 'fr'];
export const DIRS = { ar: 'rtl', zgh: 'ltr', fr: 'ltr' };
export const ARTIFACTS = join(ROOT, 'target', 'browser-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** UI strings of `lang`, from the same files the portal uses. */
export function strings(lang) {
  return parse(readFileSync(join(ROOT, 'site-theme', 'i18n', `${lang}.toml`), 'utf8'));
}

/** Starts the portal; resolves to { url, out, data, catalog, stop }. */
export async function startPortal() {
  const work = mkdtempSync(join(tmpdir(), 'musharaka-browser-'));
  const out = join(work, 'public');
  const data = join(work, 'data');
  const child = spawn(BIN, ['serve', '--port', '0', '--root', ROOT, '--out', out, '--data', data, '--rate-limit', '10000/60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start:\n${log}`)), 120_000);
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${log}`)));
    child.stdout.on('data', (d) => {
      log += d;
      const m = /serving the portal at (http:\/\/[^\s/]+)/.exec(log);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
  });
  const catalog = JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8'));
  return {
    url, out, data, catalog,
    log: () => log,
    stop: () => { child.kill(); },
  };
}

/** Starts a portal and a browser before the tests of a file and stops them after; the
 * returned object holds them as `portal` and `browser` once started. */
export function setUp() {
  const env = {};
  before(async () => {
    env.portal = await startPortal();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    env.portal?.stop();
  });
  return env;
}

/** Launches Chromium (a fresh profile each time). */
export function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install chromium\` (cargo xtask test does)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** The current count of an initiative, from the API. */
export async function count(portal, id) {
  const r = await fetch(`${portal.url}/api/counts?ids=${id}`);
  const body = await r.json();
  return body.counts[id]?.total ?? 0;
}

/** A CIN nobody used yet in this run. */
let serial = 0;
export function freshCin() {
  serial += 1;
  const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
  const a = letters[Math.floor(Math.random() * letters.length)];
  const b = letters[Math.floor(Math.random() * letters.length)];
  return `${a}${b}${String(100000 + ((Date.now() + serial * 7919) % 899999)).slice(0, 6)}`;
}

/** The first entry of `kind` in `state`, from the catalog. */
export function find(portal, kind, state, extra = () => true) {
  const e = portal.catalog.entries.find((x) => x.kind === kind && x.state === state && extra(x));
  if (!e) throw new Error(`the content has no ${kind} in state ${state}`);
  return e;
}

/** Root-relative path of an entry's page in `lang`. */
export function pagePath(entry, lang) {
  return new URL(entry.url[lang]).pathname;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The violations axe-core finds in `html` served as a page of the portal: for a page a signer
 * got with JavaScript off (axe itself needs JavaScript). */
export async function accessibilityOfHtml(env, html, name) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const url = `${env.portal.url}/page-under-test`;
  await page.route(url, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
  await page.goto(url);
  const problems = await accessibilityProblems(page, name);
  await context.close();
  return problems;
}

/** The WCAG 2.1 A/AA violations axe-core finds on the open page, one line each. */
export async function accessibilityProblems(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations.map(
    (v) => `${name}: ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** The code sent for the signing request `reference`, read as a newcomer reads it: from the
 * local outbox that `serve` lists at /outbox/ when no SMS or email provider is configured. */
export async function codeFor(portal, reference) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const list = await (await fetch(`${portal.url}/outbox/`)).text();
    for (const m of list.matchAll(/href="(\/outbox\/[^"]+)"/g)) {
      const message = await (await fetch(portal.url + m[1])).text();
      const body = message.split('\n\n').slice(1).join('\n\n');
      if (body.includes(reference)) {
        const code = /(?<![0-9])([0-9]{6})(?![0-9])/.exec(body);
        if (code) return code[1];
      }
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`no message for ${reference} in ${portal.url}/outbox/`);
}

/** A mobile number nobody used yet in this run, ending in 78 (`06 xx xx xx 78`). */
export function freshPhone() {
  serial += 1;
  const middle = String((Date.now() * 7 + serial * 104_729) % 1_000_000).padStart(6, '0');
  return `06 ${middle.slice(0, 2)} ${middle.slice(2, 4)} ${middle.slice(4)} 78`;
}

/** Fills the signing form of the open page with a valid signer (a region council's petition
 * also asks for the signer's province: `province`, else the first of the list). */
export async function fillSigningForm(page, { cin, region = 'MA-04', province, contact = freshPhone() }) {
  await page.fill('#first_name', 'Amina');
  await page.fill('#family_name', 'Alaoui');
  await page.fill('#cin', cin);
  await page.fill('#address', '12, rue Oued Sebou, Rabat');
  await page.selectOption('#region', region);
  if (await page.$('select#province')) {
    await page.selectOption('#province', province ?? { index: 1 });
  }
  await page.fill('#contact', contact);
  for (const box of await page.$$('form[data-initiative] input[type=checkbox]')) {
    await box.check();
  }
}

/** Sends the filled signing form, then types the code sent, as a signer does with JavaScript
 * on (the script opens the confirmation page) or off (the answer is the confirmation form).
 * `beforeConfirm(reference)` runs once the code is on its way. Returns what the signer sees
 * after confirming: { code, message, receipt }. */
export async function signAndConfirm(env, page, { lang, js, beforeConfirm }) {
  if (js) {
    await Promise.all([page.waitForURL(/\/confirm\/$/, { timeout: 15_000 }), page.click('form[data-initiative] button[type=submit]')]);
    const reference = await page.inputValue('#reference');
    if (beforeConfirm) await beforeConfirm(reference, page);
    await page.fill('#code', await codeFor(env.portal, reference));
    await page.click('form[data-confirm] button[value=confirm]');
    const result = page.locator('form[data-confirm] .result[data-code]');
    await result.waitFor({ timeout: 15_000 });
    const receipt = page.locator('form[data-confirm] .result .receipt-code');
    return {
      code: await result.getAttribute('data-code'),
      message: await result.textContent(),
      receipt: (await receipt.count()) ? (await receipt.textContent()).trim() : null,
    };
  }
  await Promise.all([page.waitForNavigation(), page.click('form[data-initiative] button[type=submit]')]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  assert.equal(await page.getAttribute('.result-page', 'data-code'), 'code-sent');
  const reference = await page.getAttribute('input[name=reference]', 'value');
  if (beforeConfirm) await beforeConfirm(reference, page);
  await page.fill('#code', await codeFor(env.portal, reference));
  await Promise.all([page.waitForNavigation(), page.click('button[value=confirm]')]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  const receipt = page.locator('.receipt-code');
  return {
    code: await page.getAttribute('.result-page', 'data-code'),
    message: await page.textContent('.result-page h1'),
    receipt: (await receipt.count()) ? (await receipt.textContent()).trim() : null,
  };
}
