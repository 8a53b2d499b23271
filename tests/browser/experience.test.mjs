// What a citizen meets on a phone, in the three languages: a refused signature says which
// fields to correct (a summary that takes the focus, each message beside its field), with
// JavaScript and without (the form comes back with what was typed, in the site's own page); the
// count and the Sign link in the first screen; no page scrolls sideways at 320 px; citizens' text
// keeps its own direction; the top-level 404 says so in each language. Screenshots of the home,
// a petition, a consultation and a guide chapter at 360 and 1280 px go to target/browser-artifacts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  ARTIFACTS, DIRS, LANGS, ROOT, accessibilityOfHtml, accessibilityProblems, codeFor, fillSigningForm, find, freshCin,
  pagePath, setUp, strings,
} from './portal.mjs';

const env = setUp();
const national = (e) => e.target.authority === 'head-of-government';
const BIN = join(ROOT, 'target', 'debug', 'musharaka');

/** The problems the page shows: the summary's links, and each invalid field with its message. */
async function shownProblems(page) {
  return page.evaluate(() => {
    const summary = document.querySelector('.error-summary');
    const links = [...(summary?.querySelectorAll('a[href^="#"]') ?? [])].map((a) => a.getAttribute('href').slice(1));
    const fields = links.map((id) => {
      const input = document.getElementById(id);
      const described = (input?.getAttribute('aria-describedby') ?? '').split(' ');
      const error = described.map((d) => document.getElementById(d)).find((e) => e?.classList.contains('field-error'));
      return { id, invalid: input?.getAttribute('aria-invalid'), message: error?.textContent ?? '' };
    });
    return {
      focused: document.activeElement === summary,
      title: summary?.querySelector('h2')?.textContent ?? '',
      links,
      fields,
    };
  });
}

/** Checks that the first name, the CIN and the consent are named as problems, each field marked. */
function assertProblems(shown, lang, where) {
  const s = strings(lang);
  assert.equal(shown.title, s.errors.title, `${where}: the summary's title`);
  assert.ok(shown.focused, `${where}: the focus is on the summary`);
  for (const id of ['first_name', 'cin', 'consent']) {
    assert.ok(shown.links.includes(id), `${where}: the summary links to ${id} (${shown.links})`);
  }
  for (const f of shown.fields) {
    assert.equal(f.invalid, 'true', `${where}: ${f.id} is aria-invalid`);
    assert.ok(f.message.length > 5, `${where}: ${f.id} has its message beside it`);
  }
  const cin = shown.fields.find((f) => f.id === 'cin');
  assert.ok(cin.message.startsWith(s.form.cin), `${where}: the CIN's message names its field: ${cin.message}`);
}

/** The controls of the signing form as a signer's browser sees them (what was typed and the
 * marks of a problem apart): the form sent back must be the page's own form. */
async function controls(page, form) {
  return page.locator(form).evaluate((f) => [...f.elements].map((e) => ({
    tag: e.tagName, type: e.type, name: e.name, id: e.id, maxLength: e.maxLength ?? null,
    autocomplete: e.getAttribute('autocomplete'), autocapitalize: e.getAttribute('autocapitalize'),
    dir: e.getAttribute('dir'), required: e.getAttribute('aria-required'),
    help: (e.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d && !d.endsWith('-error')).join(' '),
    label: e.id ? document.querySelector(`label[for="${e.id}"]`)?.textContent.trim() ?? null : null,
    options: e.tagName === 'SELECT' ? [...e.options].map((o) => o.value).join(',') : null,
  })));
}

/** Fills the form with a first name missing, a CIN too short and the consent not ticked. */
async function fillWrongly(page) {
  await fillSigningForm(page, { cin: '12345' });
  await page.fill('#first_name', '');
  await page.locator('#consent').uncheck();
}

for (const lang of LANGS) {
  test(`a refused signature in ${lang} names each field to correct, with JavaScript`, async () => {
    const petition = find(env.portal, 'petition', 'collecting', national);
    const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await page.goto(env.portal.url + pagePath(petition, lang));
    await fillWrongly(page);
    await page.click('form[data-initiative] button[type=submit]');
    await page.locator('form[data-initiative] .error-summary').waitFor();
    assertProblems(await shownProblems(page), lang, `${lang} with JavaScript`);
    // Corrected, the same form goes on to the code.
    await page.fill('#first_name', 'Amina');
    await page.fill('#cin', freshCin());
    await page.locator('#consent').check();
    await Promise.all([page.waitForURL(/\/confirm\/$/), page.click('form[data-initiative] button[type=submit]')]);
    await context.close();
  });

  test(`a refused signature in ${lang} comes back filled in the site's page, without JavaScript`, async () => {
    const petition = find(env.portal, 'petition', 'collecting', national);
    const context = await env.browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(env.portal.url + pagePath(petition, lang));
    const ours = await controls(page, 'form[data-initiative]');
    assert.ok(ours.length >= 12, `${ours.length} controls`);
    await fillWrongly(page);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('form[data-initiative] button[type=submit]')]);
    assert.deepEqual(await controls(page, 'main form'), ours, 'the form sent back is the page\'s form');
    assert.equal(response.status(), 422);
    assert.ok(!page.url().includes('12345'), 'what was typed is never in the URL');
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.equal(await page.getAttribute('html', 'dir'), DIRS[lang]);
    assertProblems(await shownProblems(page), lang, `${lang} without JavaScript`);
    // What was typed is kept; the site's header, language links and footer are there.
    assert.equal(await page.inputValue('#family_name'), 'Alaoui');
    assert.equal(await page.inputValue('#cin'), '12345');
    assert.equal(await page.inputValue('#region'), 'MA-04');
    assert.equal(await page.locator('.site-header .brand').count(), 1);
    assert.equal(await page.locator('.site-header nav.langs a').count(), 2);
    assert.equal(await page.locator('.site-footer').count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, `errors-${lang}-360.png`), fullPage: true });
    assert.deepEqual(await accessibilityOfHtml(env, await page.content(), `the form sent back in ${lang}`), []);
    // Corrected, it goes on to the code, on a page of the site too.
    await page.fill('#first_name', 'Amina');
    await page.fill('#cin', freshCin());
    await page.locator('#consent').check();
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.equal(await page.getAttribute('.result-page', 'data-code'), 'code-sent');
    assert.equal(await page.locator('.site-header nav.langs').count(), 1);
    const reference = await page.getAttribute('input[name=reference]', 'value');
    await page.fill('#code', await codeFor(env.portal, reference));
    await Promise.all([page.waitForNavigation(), page.click('button[value=confirm]')]);
    assert.equal(await page.getAttribute('.result-page', 'data-code'), 'signed');
    assert.equal(await page.locator('.site-footer').count(), 1);
    assert.deepEqual(await accessibilityOfHtml(env, await page.content(), `the receipt in ${lang}`), []);
    await context.close();
  });

  test(`in ${lang} the count and the Sign link are in the first screen of a phone, and lists show where each initiative stands`, async () => {
    const petition = find(env.portal, 'petition', 'collecting', national);
    const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    await page.goto(env.portal.url + pagePath(petition, lang));
    const link = page.locator('.standing a[href="#sign"]');
    const box = await link.boundingBox();
    assert.ok(box && box.y + box.height <= 800, `the Sign link ends at ${box && box.y + box.height}px`);
    const count = await page.locator('.standing .count-total').boundingBox();
    assert.ok(count.y + count.height <= 800);
    await link.click();
    assert.equal(new URL(page.url()).hash, '#sign');
    // The home lists the open initiatives with their count, progress and a Sign link.
    await page.goto(`${env.portal.url}/${lang}/`);
    const card = page.locator(`.card:has(a[href="${pagePath(petition, lang)}"])`);
    assert.equal(await card.locator('.progress progress').count(), 1);
    assert.ok((await card.locator('.count-total').textContent()).length > 0);
    assert.equal(await card.locator(`a[href="${pagePath(petition, lang)}#sign"]`).count(), 1);
    assert.ok((await card.locator('.days-left').textContent()).length > 0);
    await context.close();
  });
}

/** Every HTML page the build wrote, as root-relative URLs. */
function builtPages(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) builtPages(path, out);
    else if (name.endsWith('.html')) {
      const rel = relative(env.portal.out, path).split(sep).join('/');
      out.push('/' + rel.replace(/(^|\/)index\.html$/, '$1'));
    }
  }
  return out;
}

test('no built page scrolls sideways on a 320 px screen', async () => {
  const context = await env.browser.newContext({ viewport: { width: 320, height: 640 }, javaScriptEnabled: false });
  const page = await context.newPage();
  const pages = builtPages(env.portal.out);
  assert.ok(pages.length > 200, `${pages.length} pages`);
  const wide = [];
  for (const path of pages) {
    await page.goto(env.portal.url + path, { waitUntil: 'load' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) wide.push(`${path}: ${overflow}px`);
  }
  await context.close();
  assert.deepEqual(wide, []);
});

test('the top-level 404 says "not found" in each language', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${env.portal.url}/no-such-page/`);
  assert.equal(response.status(), 404);
  const text = await page.textContent('main');
  for (const lang of LANGS) {
    assert.ok(text.includes(strings(lang).e404.title), `${lang}: ${text}`);
    assert.equal(await page.locator(`a[href="/${lang}/"]`).count(), 1);
  }
  assert.deepEqual(await accessibilityProblems(page, 'the top-level 404'), []);
  await context.close();
});

/** The id of the pending comment whose text is `text`. */
function commentId(text) {
  const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT id FROM comments WHERE text = ?", (sys.argv[2],)).fetchone()[0])
`;
  return execFileSync('python3', ['-c', script, join(env.portal.data, 'musharaka.sqlite3'), text]).toString().trim();
}

test("a citizen's comment keeps its own direction on a page of the other direction", async () => {
  const consultation = find(env.portal, 'consultation', 'open');
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(env.portal.url + pagePath(consultation, 'ar'));
  const text = `Bonne idée, mais (article 2) : préciser le délai ! ${Date.now()}`;
  const form = page.locator('#comment form');
  await page.locator('#comment details summary').click();
  await form.locator('textarea[name=text]').fill(text);
  await form.locator('input[name=display_name]').fill('Jean-Luc D.');
  await form.locator('input[name=consent]').check();
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  const store = `sqlite:${join(env.portal.data, 'musharaka.sqlite3')}`;
  execFileSync(BIN, ['moderate', '--store', store, 'approve', '--moderator', 'test', commentId(text)]);
  execFileSync(BIN, ['build', '--root', ROOT, '--out', env.portal.out, '--store', store], { stdio: 'ignore' });
  await page.goto(env.portal.url + pagePath(consultation, 'ar'));
  const shown = page.locator('.comment-text', { hasText: text });
  assert.equal(await shown.getAttribute('dir'), 'auto');
  assert.equal(await shown.evaluate((e) => getComputedStyle(e).direction), 'ltr');
  assert.equal(await page.locator('.comment-list bdi', { hasText: 'Jean-Luc D.' }).count(), 1);
  // Glossary terms in another script say their language.
  await page.goto(`${env.portal.url}/ar/guide/glossary/`);
  assert.ok((await page.locator('td span[lang="fr"]').count()) > 10);
  assert.ok((await page.locator('td span[lang="zgh"]').count()) > 10);
  await context.close();
});

test('screenshots of the home, a petition, a consultation and a guide chapter at 360 and 1280 px', async () => {
  const petition = find(env.portal, 'petition', 'collecting', national);
  const consultation = find(env.portal, 'consultation', 'open');
  for (const width of [360, 1280]) {
    const context = await env.browser.newContext({ viewport: { width, height: width === 360 ? 800 : 900 } });
    const page = await context.newPage();
    for (const lang of LANGS) {
      const pages = {
        home: `/${lang}/`,
        petition: pagePath(petition, lang),
        consultation: pagePath(consultation, lang),
        guide: `/${lang}/guide/signing/`,
      };
      for (const [name, path] of Object.entries(pages)) {
        await page.goto(env.portal.url + path);
        await page.evaluate(() => document.fonts.ready);
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${lang}-${width}.png`), fullPage: true });
      }
    }
    await context.close();
  }
});
