// Following and reusing: without JavaScript a new signature shows on the reloaded page, in its
// section's list and in the open data within seconds, without a new build; the open data
// validates against its published schemas and names nobody who signed or commented.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  BIN, ROOT, count, fillSigningForm, find, freshCin, freshPhone, pagePath, setUp, signAndConfirm, strings,
} from './portal.mjs';

const env = setUp();

/** How a page of `lang` writes a count of `n` signatures (small counts: no separators). */
function countText(lang, n) {
  const forms = strings(lang).count.signatures;
  return (forms[new Intl.PluralRules(lang).select(n)] ?? forms.other).replace('{n}', String(n));
}

/** Reloads `path` until the count of `id` on it reads `expected`, for at most `ms` (at least
 * once); returns what it read last. */
async function reloadUntil(page, path, id, expected, ms) {
  const deadline = Date.now() + ms;
  let shown;
  do {
    await page.goto(env.portal.url + path);
    shown = (await page.textContent(`[data-count-for="${id}"] .count-total`)).trim();
    if (shown === expected) break;
    await page.waitForTimeout(250);
  } while (Date.now() < deadline);
  return shown;
}

test('without JavaScript, a confirmed signature shows on the reloaded page and its list within 5 s', async () => {
  const lang = 'ar';
  const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
  const path = pagePath(petition, lang);
  const section = path.replace(/[^/]+\/$/, '');
  const context = await env.browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const before = await count(env.portal, petition.id);
  assert.equal(await reloadUntil(page, path, petition.id, countText(lang, before), 5_000), countText(lang, before),
    'the page shows the store\'s count');
  await fillSigningForm(page, { cin: freshCin() });
  const signed = await signAndConfirm(env, page, { lang, js: false });
  assert.equal(signed.code, 'signed');
  const confirmed = Date.now();
  const after = countText(lang, before + 1);
  assert.equal(await reloadUntil(page, path, petition.id, after, 5_000), after, 'the petition page');
  const left = 5_000 - (Date.now() - confirmed);
  assert.equal(await reloadUntil(page, section, petition.id, after, left), after, 'its section\'s list');
  const data = await (await fetch(`${env.portal.url}/data/${petition.id}.json`)).json();
  assert.equal(data.initiative.signatures, before + 1, 'its open data');
  await context.close();
});

/** A validator that knows every schema published under `out/data/schema/`. */
function validator(out) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const dir = join(out, 'data', 'schema');
  for (const f of readdirSync(dir)) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), 'utf8')));
  return (schema, doc, name) => {
    const ok = ajv.validate(schema, doc);
    assert.ok(ok, `${name} against ${schema}: ${ajv.errorsText(ajv.errors)}`);
  };
}

test('the open data validates against its schemas and names nobody who signed or commented', async () => {
  const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
  const consultation = find(env.portal, 'consultation', 'open');
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const cin = freshCin();
  const contact = freshPhone();
  await page.goto(env.portal.url + pagePath(petition, 'fr'));
  await fillSigningForm(page, { cin, contact });
  assert.equal((await signAndConfirm(env, page, { lang: 'fr', js: false })).code, 'signed');

  const stamp = Date.now();
  const text = `Préciser les horaires du samedi, svp ${stamp}`;
  const name = `Nezha Berrada-Ouazzani ${stamp}`;
  await page.goto(env.portal.url + pagePath(consultation, 'fr'));
  const form = page.locator('#comment form');
  await page.locator('#comment details summary').click();
  await form.locator('textarea[name=text]').fill(text);
  await form.locator('input[name=display_name]').fill(name);
  await form.locator('input[name=consent]').check();
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  await context.close();
  const db = join(env.portal.data, 'musharaka.sqlite3');
  const id = execFileSync('python3', ['-c', 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT id FROM comments WHERE text = ?", (sys.argv[2],)).fetchone()[0])', db, text]).toString().trim();
  const store = `sqlite:${db}`;
  execFileSync(BIN, ['moderate', '--store', store, 'approve', '--moderator', 'test', id]);
  const out = join(mkdtempSync(join(tmpdir(), 'musharaka-data-')), 'public');
  execFileSync(BIN, ['build', '--root', ROOT, '--out', out, '--store', store], { stdio: 'ignore' });

  const validate = validator(out);
  const dir = join(out, 'data');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.csv'));
  const read = (f) => readFileSync(join(dir, f), 'utf8');
  const initiatives = JSON.parse(read('initiatives.json'));
  validate('initiatives.schema.json', initiatives, 'initiatives.json');
  validate('consultations.schema.json', JSON.parse(read('consultations.json')), 'consultations.json');
  const entries = files.filter((f) => f.endsWith('.json') && !['initiatives.json', 'consultations.json'].includes(f));
  assert.ok(entries.length >= 10, `a document per entry: ${entries}`);
  for (const f of entries) validate('entry.schema.json', JSON.parse(read(f)), f);
  assert.ok(initiatives.initiatives.find((i) => i.id === petition.id).signatures >= 1, 'the count');
  const detail = JSON.parse(read(`${petition.id}.json`));
  assert.ok(detail.regions['MA-04'] >= 1, 'by region');
  // Today in Morocco (UTC+1), the site's offset.
  const today = new Date(Date.now() + 3_600_000).toISOString().slice(0, 10);
  assert.ok(detail.by_day.every((d) => d.date < today), 'complete days only');
  const comments = JSON.parse(read(`${consultation.id}.json`)).comments;
  assert.ok(comments.some((c) => c.text === text), 'the approved comment');
  const csv = read('initiatives.csv');
  assert.ok(csv.startsWith('"id","kind","state","authority","region"'), csv.slice(0, 80));
  assert.equal(csv.trimEnd().split('\r\n').length, initiatives.initiatives.length + 1, 'a line per initiative');

  const digits = contact.replace(/\D/g, '').slice(1);
  const personal = ['Amina', 'Alaoui', 'Oued Sebou', cin, cin.toLowerCase(), digits, name, 'Berrada'];
  for (const f of files) {
    const body = read(f);
    for (const p of personal) assert.ok(!body.includes(p), `${f} holds no ${p}`);
    assert.ok(!body.replace(/\D/g, '').includes(digits), `${f} holds no phone number`);
  }
});
