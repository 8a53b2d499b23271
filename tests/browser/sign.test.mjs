// Signing a petition in each language, with JavaScript on and off: the count goes up by one,
// signing again says "already signed", and every error from the form is localized and stores
// nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, find, freshCin, LANGS, pagePath, setUp, strings } from './portal.mjs';

const env = setUp();

/** Fills the signing form of the page with a valid signer. */
async function fill(page, cin, region) {
  await page.fill('#first_name', 'Amina');
  await page.fill('#family_name', 'Alaoui');
  await page.fill('#cin', cin);
  await page.fill('#address', '12, rue Oued Sebou, Rabat');
  await page.selectOption('#region', region);
  for (const box of await page.$$('form[data-initiative] input[type=checkbox]')) {
    await box.check();
  }
}

/** Submits and returns { code, message } as the citizen sees them. */
async function submit(page, js, lang) {
  if (js) {
    await page.click('form[data-initiative] button[type=submit]');
    const result = page.locator('form[data-initiative] .result[data-code]');
    await result.waitFor({ timeout: 15_000 });
    return { code: await result.getAttribute('data-code'), message: await result.textContent() };
  }
  // A new signature's receipt comes on a page of its own; any other answer is a result page.
  await Promise.all([page.waitForNavigation(), page.click('form[data-initiative] button[type=submit]')]);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  return {
    code: await page.getAttribute('.result-page', 'data-code'),
    message: await page.textContent('.result-page h1'),
  };
}

for (const lang of LANGS) {
  for (const js of [true, false]) {
    test(`sign in ${lang} with JavaScript ${js ? 'on' : 'off'}: counted once, then already signed`, async () => {
      const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
      const s = strings(lang);
      const context = await env.browser.newContext({ javaScriptEnabled: js });
      const page = await context.newPage();
      const cin = freshCin();
      const before = await count(env.portal, petition.id);
      await page.goto(env.portal.url + pagePath(petition, lang));
      await fill(page, cin, 'MA-04');
      const first = await submit(page, js, lang);
      assert.equal(first.code, 'signed');
      assert.ok(first.message.includes(s.result.signed.title), `${lang}: ${first.message}`);
      assert.equal(await count(env.portal, petition.id), before + 1);

      await page.goto(env.portal.url + pagePath(petition, lang));
      await fill(page, cin.toLowerCase(), 'MA-04');
      const again = await submit(page, js, lang);
      assert.equal(again.code, 'already-signed');
      assert.ok(again.message.includes(s.result['already-signed'].title), `${lang}: ${again.message}`);
      assert.equal(await count(env.portal, petition.id), before + 1, 'signing again does not count');
      if (js) {
        const shown = await page.textContent('.count-total');
        assert.ok(shown.length > 0, 'the count on the page was updated');
      }
      await context.close();
    });
  }
}

const errors = [
  ['invalid-cin', async (page) => page.fill('#cin', '12345')],
  ['consent-required', async (page) => page.uncheck('#consent')],
  ['attestation-required', async (page) => page.uncheck('#attest_electoral')],
  ['missing-field', async (page) => page.fill('#first_name', '')],
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
      await fill(page, freshCin(), 'MA-04');
      await spoil(page);
      const result = await submit(page, js, lang);
      assert.equal(result.code, code);
      const s = strings(lang);
      assert.ok(result.message.includes(s.result[result.code].title), `${lang}: ${result.message}`);
      assert.equal(await count(env.portal, petition.id), before, 'nothing was counted');
      await context.close();
    });
  }
}

test('a local petition refuses a signer from another region', async () => {
  const local = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'commune');
  const other = local.target.region === 'MA-01' ? 'MA-02' : 'MA-01';
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const before = await count(env.portal, local.id);
  await page.goto(env.portal.url + pagePath(local, 'fr'));
  await fill(page, freshCin(), other);
  const result = await submit(page, false, 'fr');
  assert.equal(result.code, 'not-eligible');
  assert.equal(await count(env.portal, local.id), before);
  await context.close();
});
