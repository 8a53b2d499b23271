// Maps of signatures: on an initiative's page, each region (or, for a region council's
// petition, each prefecture and province, which its signers choose on the form) shows the
// figure `/api/counts` gives, as a label and in the table beside the map; the national page of open initiatives by region links each
// region to its list. In the three languages, at 360 px, with no axe violation; a map is never
// mirrored in Arabic. Screenshots go to target/browser-artifacts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  accessibilityProblems, ARTIFACTS, fillSigningForm, find, freshCin, LANGS, pagePath, setUp, signAndConfirm,
} from './portal.mjs';

const env = setUp();

/** The counts `/api/counts` gives for `id`: { total, regions, provinces }. */
async function apiCounts(id) {
  const body = await (await fetch(`${env.portal.url}/api/counts?ids=${id}`)).json();
  return body.counts[id] ?? { total: 0, regions: {}, provinces: {} };
}

/** Each area of the page's map: { code, count (its data), label (its text, digits only) }. */
function areas(page) {
  return page.$$eval('svg.map g[data-code]', (gs) => gs.map((g) => ({
    code: g.dataset.code,
    count: Number(g.dataset.count),
    label: (g.querySelector('text')?.textContent ?? '').replace(/[^0-9]/g, ''),
  })));
}

/** Reloads `path` until its map shows `total` signatures in all, for at most `ms`. */
async function reloadUntilTotal(page, path, total, ms) {
  const deadline = Date.now() + ms;
  let shown;
  do {
    await page.goto(env.portal.url + path);
    shown = (await areas(page)).reduce((sum, a) => sum + a.count, 0);
    if (shown === total) return;
    await page.waitForTimeout(250);
  } while (Date.now() < deadline);
  assert.equal(shown, total, `the map of ${path} shows the total`);
}

test('a national petition maps its signatures by region as /api/counts counts them', async () => {
  const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
  // Two signers, from two regions, so that the map has figures to show.
  const signing = await env.browser.newContext({ javaScriptEnabled: false });
  const form = await signing.newPage();
  for (const region of ['MA-07', 'MA-02']) {
    await form.goto(env.portal.url + pagePath(petition, 'fr'));
    await fillSigningForm(form, { cin: freshCin(), region });
    assert.equal((await signAndConfirm(env, form, { lang: 'fr', js: false })).code, 'signed');
  }
  await signing.close();
  // The map is drawn by the build; the page is read with JavaScript on only for axe-core.
  const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const counts = await apiCounts(petition.id);
  assert.ok(counts.regions['MA-07'] >= 1 && counts.regions['MA-02'] >= 1, JSON.stringify(counts));
  const problems = [];
  for (const lang of LANGS) {
    const path = pagePath(petition, lang);
    await reloadUntilTotal(page, path, counts.total, 5_000);
    const drawn = await areas(page);
    assert.equal(drawn.length, 12, `${lang}: the 12 regions`);
    for (const a of drawn) {
      const expected = counts.regions[a.code] ?? 0;
      assert.equal(a.count, expected, `${lang} ${a.code}`);
      assert.equal(a.label, String(expected), `${lang} ${a.code}: its label`);
    }
    // The table beside the map gives the same figures, by name.
    const rows = await page.$$eval('.where tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent.trim()));
    assert.equal(rows.length, Object.keys(counts.regions).length, `${lang}: a row per region with signatures`);
    // North stays up and west left: the map is not mirrored in a right-to-left page.
    const transform = await page.$eval('svg.map', (svg) => getComputedStyle(svg).transform);
    assert.ok(transform === 'none', `${lang}: ${transform}`);
    const west = await page.$eval('svg.map g[data-code="MA-12"] path', (p) => p.getBoundingClientRect().left);
    const east = await page.$eval('svg.map g[data-code="MA-02"] path', (p) => p.getBoundingClientRect().right);
    assert.ok(west < east, `${lang}: Dakhla is west of the Oriental`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${lang}: ${overflow}px of horizontal overflow`);
    await page.$eval('#where', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(ARTIFACTS, `map-petition-${lang}-360.png`) });
    problems.push(...(await accessibilityProblems(page, `map ${lang}`)));
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test('a region council\'s petition asks for the signer\'s province and maps each against the 5 % it must reach', async () => {
  const petition = env.portal.catalog.entries.find(
    (e) => e.kind === 'petition' && e.state === 'collecting' && e.target.authority === 'region');
  assert.ok(petition?.per_province > 0, 'the content has a region council\'s petition collecting, with its minimum by province');
  const region = petition.target.region;
  // A signer from one of the region's provinces, without JavaScript.
  const signing = await env.browser.newContext({ javaScriptEnabled: false });
  const form = await signing.newPage();
  await form.goto(env.portal.url + pagePath(petition, 'ar'));
  const offered = await form.$$eval('select#province option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(offered.length >= 2 && offered.every((c) => c.startsWith(region.slice(3) + '.')), `the region's provinces: ${offered}`);
  const province = offered[offered.length - 1];
  await fillSigningForm(form, { cin: freshCin(), region, province });
  assert.equal((await signAndConfirm(env, form, { lang: 'ar', js: false })).code, 'signed');
  await signing.close();
  const counts = await apiCounts(petition.id);
  assert.ok(counts.provinces[province] >= 1, JSON.stringify(counts));
  assert.equal(counts.regions[region], counts.total, 'each province counts in its region');
  const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  for (const lang of LANGS) {
    const path = pagePath(petition, lang);
    await reloadUntilTotal(page, path, counts.total, 5_000);
    const drawn = await areas(page);
    assert.deepEqual(drawn.map((a) => a.code).sort(), [...offered].sort(), `${lang}: the region's provinces`);
    for (const a of drawn) {
      assert.equal(a.count, counts.provinces[a.code] ?? 0, `${lang} ${a.code}`);
      assert.equal(a.label, String(counts.provinces[a.code] ?? 0), `${lang} ${a.code}: its label`);
    }
    const rows = await page.$$eval('.where tbody tr', (trs) => trs.length);
    assert.equal(rows, drawn.length, `${lang}: each province in the table, against its minimum`);
    assert.ok((await page.textContent('.where caption')).includes(String(petition.per_province)), `${lang}: the minimum`);
    await page.$eval('#where', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(ARTIFACTS, `map-region-${lang}-360.png`) });
    problems.push(...(await accessibilityProblems(page, `regional map ${lang}`)));
  }
  await context.close();
  assert.deepEqual(problems, []);
});

test('the national page maps the open initiatives of each region, each region leading to its list', async () => {
  const open = {};
  for (const e of env.portal.catalog.entries) {
    if ((e.kind === 'petition' || e.kind === 'motion') && e.state === 'collecting' && e.target.region) {
      open[e.target.region] = (open[e.target.region] ?? 0) + 1;
    }
  }
  const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  for (const lang of LANGS) {
    await page.goto(`${env.portal.url}/${lang}/browse/`);
    const drawn = await areas(page);
    assert.equal(drawn.length, 12);
    for (const a of drawn) assert.equal(a.count, open[a.code] ?? 0, `${lang} ${a.code}`);
    const href = await page.getAttribute('svg.map a:has(g[data-code="MA-07"])', 'href');
    assert.equal(href, `/${lang}/browse/region/ma-07/`);
    await Promise.all([page.waitForNavigation(), page.click('svg.map g[data-code="MA-07"] path', { force: true })]);
    assert.equal(new URL(page.url()).pathname, href, `${lang}: a region leads to its list`);
    await page.goto(`${env.portal.url}/${lang}/browse/`);
    await page.$eval('.where', (el) => el.scrollIntoView());
    await page.screenshot({ path: join(ARTIFACTS, `map-browse-${lang}-360.png`) });
    problems.push(...(await accessibilityProblems(page, `browse map ${lang}`)));
  }
  await context.close();
  assert.deepEqual(problems, []);
});
