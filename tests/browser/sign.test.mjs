// Signing a petition in each language, with JavaScript on and off: the code comes through the
// local outbox, the count goes up by one only once the code is confirmed, signing again says
// "already signed" at confirmation, and every error from the form is localized and stores
// nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTIFACTS, accessibilityOfHtml, count, fillSigningForm, find, freshCin, freshPhone, LANGS, pagePath, setUp,
  signAndConfirm, strings,
} from './portal.mjs';

const env = setUp();

/** Submits a form the server refuses; returns { code, message } as the citizen sees them. */
async function refused(page, js, lang) {
  if (js) {
    await page.click('form[data-initiative] button[type=submit]');
    const result = page.locator('form[data-initiative] :is(.result, .error-summary)[data-code]');
    await result.waitFor({ timeout: 15_000 });
    return { code: await result.getAttribute('data-code'), message: await result.textContent() };
  }
  await Promise.all([page.waitForNavigation(), page.click('form[data-initiative] button[type=submit]')]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  const summary = page.locator('.error-summary');
  return {
    code: await page.getAttribute('.result-page', 'data-code'),
    message: await ((await summary.count()) ? summary.textContent() : page.textContent('.result-page h1')),
  };
}

/** What a refusal for `code` says in `s`: its field's message, or its result's title. */
function says(s, code) {
  return s.errors[code] ? s.errors[code].split('{field}').pop() : s.result[code].title;
}


for (const lang of LANGS) {
  for (const js of [true, false]) {
    test(`sign in ${lang} with JavaScript ${js ? 'on' : 'off'}: counted once confirmed, then already signed`, async () => {
      const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
      const s = strings(lang);
      const context = await env.browser.newContext({ javaScriptEnabled: js, viewport: { width: 360, height: 800 } });
      const page = await context.newPage();
      const cin = freshCin();
      const contact = freshPhone();
      const before = await count(env.portal, petition.id);
      await page.goto(env.portal.url + pagePath(petition, lang));
      await fillSigningForm(page, { cin, contact });
      const first = await signAndConfirm(env, page, {
        lang,
        js,
        beforeConfirm: async (reference, shown) => {
          assert.match(reference, /^[0-9A-Z]{8}$/);
          assert.equal(await count(env.portal, petition.id), before, 'nothing counts before the code');
          const text = await shown.textContent('main');
          assert.ok(text.includes('+212 6••••••78'), `the masked number is shown: ${text}`);
          await shown.screenshot({ path: join(ARTIFACTS, `confirm-${lang}-${js ? 'js' : 'nojs'}.png`), fullPage: true });
          if (!js) assert.deepEqual(await accessibilityOfHtml(env, await shown.content(), `confirmation form (${lang})`), []);
        },
      });
      assert.equal(first.code, 'signed');
      assert.ok(first.message.includes(s.result.signed.title), `${lang}: ${first.message}`);
      assert.match(first.receipt, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      assert.equal(await count(env.portal, petition.id), before + 1);

      await page.goto(env.portal.url + pagePath(petition, lang));
      await fillSigningForm(page, { cin: cin.toLowerCase(), contact });
      const again = await signAndConfirm(env, page, { lang, js });
      assert.equal(again.code, 'already-signed');
      assert.ok(again.message.includes(s.result['already-signed'].title), `${lang}: ${again.message}`);
      assert.equal(await count(env.portal, petition.id), before + 1, 'signing again does not count');
      await context.close();
    });
  }
}

const errors = [
  ['invalid-cin', async (page) => page.fill('#cin', '12345')],
  ['consent-required', async (page) => page.uncheck('#consent')],
  ['attestation-required', async (page) => page.uncheck('#attest_electoral')],
  ['missing-field', async (page) => page.fill('#first_name', '')],
  ['invalid-contact', async (page) => page.fill('#contact', '05 22 12 34 56')],
];

for (const js of [true, false]) {
  for (const [code, spoil] of errors) {
    const lang = LANGS[errors.findIndex((e) => e[0] === code) % LANGS.length];
    test(`${code} in ${lang} with JavaScript ${js ? 'on' : 'off'}: localized, nothing stored`, async () => {
      const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
      const context = await env.browser.newContext({ javaScriptEnabled: js });
      const page = await context.newPage();
      const before = await count(env.portal, petition.id);
      await page.goto(env.portal.url + pagePath(petition, lang));
      await fillSigningForm(page, { cin: freshCin() });
      await spoil(page);
      const result = await refused(page, js, lang);
      assert.equal(result.code, code);
      const s = strings(lang);
      assert.ok(result.message.includes(says(s, result.code)), `${lang}: ${result.message}`);
      assert.equal(await count(env.portal, petition.id), before, 'nothing was counted');
      await context.close();
    });
  }
}

test('a wrong code is refused, in place with JavaScript', async () => {
  const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(env.portal.url + pagePath(petition, 'ar'));
  await fillSigningForm(page, { cin: freshCin(), contact: 'amina@example.ma' });
  await Promise.all([page.waitForURL(/\/confirm\/$/), page.click('form[data-initiative] button[type=submit]')]);
  assert.ok((await page.textContent('.sent-to')).includes('a•••@example.ma'));
  await page.fill('#code', '000000');
  await page.click('form[data-confirm] button[value=confirm]');
  const result = page.locator('form[data-confirm] .result[data-code]');
  await result.waitFor({ timeout: 15_000 });
  assert.equal(await result.getAttribute('data-code'), 'wrong-code');
  assert.ok((await result.textContent()).includes(strings('ar').result['wrong-code'].title));
  await context.close();
});

test('a local petition refuses a signer from another region', async () => {
  const local = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'commune');
  const other = local.target.region === 'MA-01' ? 'MA-02' : 'MA-01';
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const before = await count(env.portal, local.id);
  await page.goto(env.portal.url + pagePath(local, 'fr'));
  await fillSigningForm(page, { cin: freshCin(), region: other });
  const result = await refused(page, false, 'fr');
  assert.equal(result.code, 'not-eligible');
  assert.equal(await count(env.portal, local.id), before);
  await context.close();
});
