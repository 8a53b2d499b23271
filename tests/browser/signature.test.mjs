// A signer's rights: the receipt code shown after signing tells whether the signature is
// counted and withdraws it while the initiative collects, with JavaScript on and off; the
// count drops by one, and a withdrawal needs its confirmation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accessibilityProblems, count, fillSigningForm, find, freshCin, pagePath, setUp, signAndConfirm, strings,
} from './portal.mjs';

const env = setUp();

const CODE = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/;

/** Signs the petition in `lang` and returns the receipt code as the signer sees it. */
async function sign(page, petition, lang, js) {
  await page.goto(env.portal.url + pagePath(petition, lang));
  await fillSigningForm(page, { cin: freshCin(), contact: `${freshCin().toLowerCase()}@example.ma` });
  const signed = await signAndConfirm(env, page, { lang, js });
  assert.equal(signed.code, 'signed');
  if (!js) await checkAccessibility(await page.content(), lang);
  return signed.receipt;
}

/** Runs axe on the receipt page `html` (axe needs JavaScript, which the signer had off). */
async function checkAccessibility(html, lang) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const url = `${env.portal.url}/receipt-under-test`;
  await page.route(url, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
  await page.goto(url);
  assert.deepEqual(await accessibilityProblems(page, `receipt page (${lang})`), []);
  await context.close();
}

/** Sends the signature form with `button` (check or withdraw); returns the answer's code. */
async function ask(page, lang, js, receipt, button, confirm = false) {
  await page.goto(`${env.portal.url}/${lang}/signature/`);
  await page.fill('#receipt', receipt);
  if (confirm) await page.check('#confirm');
  const click = () => page.click(`button[name=do][value=${button}]`);
  if (js) {
    await click();
    const result = page.locator('.signature-page .result[data-code]');
    await result.waitFor({ timeout: 15_000 });
    return { code: await result.getAttribute('data-code'), message: await result.textContent() };
  }
  // A result page, or for a known receipt a page of its own that names the initiative.
  await Promise.all([page.waitForNavigation(), click()]);
  return {
    code: await page.getAttribute('.result-page', 'data-code'),
    message: await page.textContent('.result-page h1'),
  };
}

for (const [lang, js] of [['fr', false], ['ar', true], ['zgh', false]]) {
  test(`check then withdraw a signature in ${lang} with JavaScript ${js ? 'on' : 'off'}`, async () => {
    const petition = find(env.portal, 'petition', 'collecting', (e) => e.target.authority === 'head-of-government');
    const s = strings(lang);
    const context = await env.browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    const before = await count(env.portal, petition.id);
    const receipt = (await sign(page, petition, lang, js)).trim();
    assert.match(receipt, CODE);
    assert.equal(await count(env.portal, petition.id), before + 1);

    // Typed as a person would: lower case, spaces.
    const checked = await ask(page, lang, js, receipt.toLowerCase().replaceAll('-', ' '), 'check');
    assert.equal(checked.code, 'counted');
    assert.ok(checked.message.includes(s.result.counted.title), checked.message);
    const shown = js ? checked.message : await page.textContent('.result-page');
    assert.ok(shown.includes(petition.title[lang]), `the initiative is named: ${shown}`);

    const unconfirmed = await ask(page, lang, js, receipt, 'withdraw');
    assert.equal(unconfirmed.code, 'confirmation-required');
    assert.equal(await count(env.portal, petition.id), before + 1, 'nothing withdrawn without confirmation');

    const withdrawn = await ask(page, lang, js, receipt, 'withdraw', true);
    assert.equal(withdrawn.code, 'withdrawn');
    assert.ok(withdrawn.message.includes(s.result.withdrawn.title), withdrawn.message);
    assert.equal(await count(env.portal, petition.id), before, 'the count dropped by one');

    const gone = await ask(page, lang, js, receipt, 'check');
    assert.equal(gone.code, 'unknown-receipt');
    await context.close();
  });
}
