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

export const ROOT = resolve(process.env.MUSHARAKA_ROOT ?? join(import.meta.dirname, '..', '..'));
const BIN = resolve(process.env.MUSHARAKA_BIN ?? join(ROOT, 'target', 'debug', 'musharaka'));
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
