// Search in each language on a 360 px phone: the search script turns words into terms exactly as
// the build does (the samples of generator/src/search/samples.json); a word typed without its
// Arabic article and with a plain alef, a Tifinagh word, a French word without its accents each
// find their page; results carry their language and direction, the count is announced, axe
// finds nothing; the header's search link is there at 360 px; without JavaScript the page points
// to the browse lists and the sections. Screenshots search-<lang>-360.png go to target/browser-artifacts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, DIRS, LANGS, ROOT, accessibilityOfHtml, accessibilityProblems, setUp, strings } from './portal.mjs';

const env = setUp();
const SAMPLES = JSON.parse(readFileSync(join(ROOT, 'generator', 'src', 'search', 'samples.json'), 'utf8'));

/** What a reader types in each language, and the page it must find first. */
const CASES = {
  // The page says "الإسعاف" and "إسعاف": typed without the article, with a plain alef.
  ar: { typed: 'اسعاف', page: '/ar/petitions/figuig-ambulances/' },
  // "ⵉⵎⵓⴹⴰⵏ", in the title and the text of the same petition.
  zgh: { typed: 'ⵉⵎⵓⴹⴰⵏ', page: '/zgh/petitions/figuig-ambulances/' },
  // The page says "éloignés".
  fr: { typed: 'eloignes', page: '/fr/petitions/figuig-ambulances/' },
};

/** The form of the plural table `table` for `n` in `lang`, as the script picks it. */
function plural(table, n, lang) {
  const known = Intl.PluralRules.supportedLocalesOf([lang]).length > 0;
  const cat = known ? new Intl.PluralRules(lang).select(n) : n === 1 ? 'one' : 'other';
  return (table[cat] ?? table.other).replace('{n}', String(n));
}

/** Types `words` in the search field and waits for the announced outcome. */
async function searchFor(page, words) {
  await page.fill('#q', words);
  await page.click('form[role=search] button[type=submit]');
  await page.locator('.search-status:not(:empty)').waitFor({ timeout: 15_000 });
  return (await page.textContent('.search-status')).trim();
}

test('the search script makes the same terms as the build, in every language', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/fr/search/`);
  const got = await page.evaluate((samples) => samples.map(([text]) => window.musharakaSearchTerms(text)), SAMPLES);
  assert.deepEqual(got, SAMPLES.map(([, terms]) => terms));
  await context.close();
});

for (const lang of LANGS) {
  test(`search in ${lang} finds a page by a word typed as people type it, at 360 px`, async () => {
    const s = strings(lang);
    const { typed, page: wanted } = CASES[lang];
    const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    // The header of any page leads to the search, in the first screen of a phone.
    await page.goto(`${env.portal.url}/${lang}/`);
    const link = page.locator('.site-header a.search-link');
    assert.ok(await link.isVisible(), 'the search link shows in the header');
    const box = await link.boundingBox();
    assert.ok(box && box.y + box.height <= 800 && box.x >= 0 && box.x + box.width <= 360, `in the first screen: ${JSON.stringify(box)}`);
    await Promise.all([page.waitForURL(`**/${lang}/search/`), link.click()]);
    assert.equal(await page.getAttribute('html', 'dir'), DIRS[lang]);
    assert.equal(await page.isVisible('.search-nojs'), false, 'no pointer to the lists with JavaScript');
    assert.equal((await page.textContent('label[for=q]')).trim(), s.search.label);

    const said = await searchFor(page, typed);
    const results = page.locator('.search-results > li');
    const count = await results.count();
    assert.ok(count >= 1, `${typed}: ${said}`);
    const total = Number(/\d+/.exec(said)?.[0] ?? 1);
    assert.equal(said, plural(s.search.results, total, lang), 'the count is announced');
    assert.ok(total >= count && count <= 10, `${count} shown of ${total}`);
    const first = results.first();
    assert.equal(await first.locator('a').getAttribute('href'), wanted, `${typed} finds ${wanted} first`);
    // Each result keeps the language and direction it is written in.
    const marks = await results.evaluateAll((lis) => lis.map((li) => [li.lang, li.dir]));
    for (const [l, d] of marks) assert.equal(d, DIRS[l], `${l} result is ${d}`);
    assert.ok(new URL(page.url()).searchParams.get('q') === typed, 'the words stay in the address');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling');
    await page.screenshot({ path: join(ARTIFACTS, `search-${lang}-360.png`), fullPage: true });
    assert.deepEqual(await accessibilityProblems(page, `search results in ${lang}`), []);

    // A word found nowhere says so.
    const none = await searchFor(page, 'qqxxzz');
    assert.equal(none, s.search.none.replace('{q}', 'qqxxzz'));
    assert.equal(await results.count(), 0);
    await context.close();
  });

  test(`a search address in ${lang} shows its results when opened`, async () => {
    const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    const { typed, page: wanted } = CASES[lang];
    await page.goto(`${env.portal.url}/${lang}/search/?q=${encodeURIComponent(typed)}`);
    await page.locator('.search-results > li a').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.inputValue('#q'), typed);
    assert.equal(await page.locator('.search-results > li a').first().getAttribute('href'), wanted);
    await context.close();
  });

  test(`without JavaScript the search page of ${lang} points to the sections`, async () => {
    const s = strings(lang);
    const context = await env.browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${env.portal.url}/${lang}/search/?q=${encodeURIComponent(CASES[lang].typed)}`);
    assert.ok(await page.isVisible('.search-nojs'), 'the pointer to the lists shows');
    assert.equal((await page.textContent('.search-nojs p')).trim(), s.search.needs_js);
    const links = await page.locator('.search-nojs a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const section of ['browse', 'petitions', 'motions', 'consultations']) {
      assert.ok(links.includes(`/${lang}/${section}/`), `links ${section}: ${links}`);
    }
    for (const href of links) {
      const r = await fetch(env.portal.url + href);
      assert.equal(r.status, 200, `${href} exists`);
    }
    await page.screenshot({ path: join(ARTIFACTS, `search-${lang}-360-nojs.png`), fullPage: true });
    assert.deepEqual(await accessibilityOfHtml(env, await page.content(), `search page without JavaScript in ${lang}`), []);
    await context.close();
  });
}
