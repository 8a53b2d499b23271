// Starting an initiative on the portal, as its committee does on a 360 px phone: the agent
// proposes and confirms their code, members join with the invitation, submission is refused
// naming the rule of the law that does not hold yet, then accepted once it holds; for a
// petition, and for a motion whose committee must span four regions. With JavaScript on and
// off, in the three languages; every page passes axe.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join as path } from 'node:path';
import { ARTIFACTS, DIRS, accessibilityProblems, codeFor, freshCin, setUp, strings } from './portal.mjs';

const env = setUp();

const KEY = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/;

/** Runs axe on `html` as a 360 px phone shows it (axe needs JavaScript, which the person may
 * have off), and checks that nothing scrolls sideways. */
async function checkHtml(html, name) {
  const context = await env.browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const url = `${env.portal.url}/page-under-test`;
  await page.route(url, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
  await page.goto(url);
  assert.deepEqual(await accessibilityProblems(page, name), []);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${name}: ${width} px wide on a 360 px screen`);
  await context.close();
}

async function checkPage(page, name) {
  await checkHtml(await page.content(), name);
}

/** Fills who the person is, with a CIN and an email nobody used yet. */
async function fillPerson(page, region) {
  const cin = freshCin();
  await page.fill('#first_name', 'Amina');
  await page.fill('#family_name', 'Alaoui');
  await page.fill('#cin', cin);
  await page.fill('#address', '12, rue Oued Sebou, Rabat');
  await page.selectOption('#region', region);
  await page.fill('#contact', `${cin.toLowerCase()}@example.ma`);
  await page.check('#attest_electoral');
  await page.check('#consent');
}

/** Sends the open form, types the code sent on the page that comes back: the private code. */
async function confirmSeat(page, name) {
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.equal(await page.getAttribute('.result-page', 'data-code'), 'seat-code-sent');
  const reference = await page.inputValue('input[name=reference]');
  await page.fill('#code', await codeFor(env.portal, reference));
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.equal(await page.getAttribute('.result-page', 'data-code'), 'seated', name);
  return KEY.exec(await page.textContent('.result-page'))[0];
}

/** The agent proposes in `lang`: their private code. */
async function propose(page, lang, kind, authority) {
  await page.goto(`${env.portal.url}/${lang}/propose/`);
  await checkPage(page, `propose (${lang})`);
  await page.check(`#kind-${kind}`);
  await page.selectOption('#authority', authority);
  await page.selectOption('#text_lang', lang);
  await page.fill('#title', 'Une bibliothèque dans chaque commune rurale');
  await page.fill('#request', 'Une bibliothèque publique dans chaque commune rurale.');
  await page.fill('#memorandum', "Les élèves n'ont aucun lieu pour lire.\n\n- pas de livres\n- pas de salle");
  for (const box of await page.$$('input[name^="attest_"]:not(#attest_electoral):not(#attest_local)')) {
    await box.check();
  }
  await fillPerson(page, 'MA-04');
  return confirmSeat(page, `agent (${lang})`);
}

/** Opens the private page with `key`; runs `action` (a button's value) when given. */
async function committeePage(page, lang, key, action) {
  await page.goto(`${env.portal.url}/${lang}/committee/`);
  await page.fill('#key', key);
  await Promise.all([page.waitForNavigation(), page.click('button[value=show]')]);
  if (action) {
    await Promise.all([page.waitForNavigation(), page.click(`button[value=${action}]`)]);
  }
  return { code: await page.getAttribute('.result-page', 'data-code'), html: await page.content() };
}

/** A member from `region` joins with `invitation`. */
async function join(page, lang, invitation, region) {
  await page.goto(`${env.portal.url}/${lang}/join/`);
  await page.fill('#invitation', invitation);
  await fillPerson(page, region);
  return confirmSeat(page, `member (${lang})`);
}

async function invitationOf(page, lang, key) {
  await committeePage(page, lang, key);
  return (await page.locator('.result-page .receipt-code').first().textContent()).trim();
}

/** The text of the rule `key` of the committee strings, with its figures. */
function rule(lang, key, have, needed) {
  return strings(lang).committee[key].replace('{have}', have).replace('{needed}', needed);
}

async function nameDeputy(page, lang, key) {
  await committeePage(page, lang, key);
  await Promise.all([page.waitForNavigation(), page.click('button[value=deputy]')]);
  assert.equal(await page.getAttribute('.result-page', 'data-code'), 'proposal-saved');
}

for (const [lang, js] of [['fr', false], ['ar', true], ['zgh', false]]) {
  test(`a petition's committee forms, is refused too small, then is submitted (${lang}, JavaScript ${js ? 'on' : 'off'})`, async () => {
    const context = await env.browser.newContext({ javaScriptEnabled: js, viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    const agent = await propose(page, lang, 'petition', 'head-of-government');
    const invitation = await invitationOf(page, lang, agent);
    await checkHtml(await page.content(), `committee page (${lang})`);
    for (let i = 0; i < 3; i += 1) await join(page, lang, invitation, 'MA-04');
    const refused = await committeePage(page, lang, agent, 'submit');
    assert.equal(refused.code, 'rules-unmet');
    const unmet = await page.textContent('.unmet');
    assert.ok(unmet.includes(rule(lang, 'unmet_too_few_members', 4, 5)), unmet);
    assert.equal(await page.getAttribute('html', 'dir'), DIRS[lang]);
    await page.screenshot({ path: path(ARTIFACTS, `committee-refused-${lang}.png`), fullPage: true });
    await checkHtml(refused.html, `refused submission (${lang})`);

    await join(page, lang, invitation, 'MA-01');
    await nameDeputy(page, lang, agent);
    const submitted = await committeePage(page, lang, agent, 'submit');
    assert.equal(submitted.code, 'proposal-submitted');
    assert.ok((await page.textContent('.result-page')).includes(strings(lang).proposal.submitted));
    await page.screenshot({ path: path(ARTIFACTS, `committee-submitted-${lang}.png`), fullPage: true });

    // The committee is closed: the invitation no longer seats anyone.
    await page.goto(`${env.portal.url}/${lang}/join/`);
    await page.fill('#invitation', invitation);
    await fillPerson(page, 'MA-04');
    await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
    assert.match(page.url(), /\/result\/committee-closed\/$/);
    await context.close();
  });
}

for (const [lang, js] of [['zgh', true], ['fr', false]]) {
  test(`a motion's committee needs four regions (${lang}, JavaScript ${js ? 'on' : 'off'})`, async () => {
    const context = await env.browser.newContext({ javaScriptEnabled: js, viewport: { width: 360, height: 800 } });
    const page = await context.newPage();
    const agent = await propose(page, lang, 'motion', 'house-of-representatives');
    const invitation = await invitationOf(page, lang, agent);
    for (const region of ['MA-04', 'MA-01', 'MA-01', 'MA-04']) await join(page, lang, invitation, region);
    await nameDeputy(page, lang, agent);
    const refused = await committeePage(page, lang, agent, 'submit');
    assert.equal(refused.code, 'rules-unmet');
    const unmet = await page.textContent('.unmet');
    assert.ok(unmet.includes(rule(lang, 'unmet_too_few_regions', 2, 4)), unmet);
    await page.screenshot({ path: path(ARTIFACTS, `motion-refused-${lang}.png`), fullPage: true });

    await join(page, lang, invitation, 'MA-07');
    await join(page, lang, invitation, 'MA-09');
    const submitted = await committeePage(page, lang, agent, 'submit');
    assert.equal(submitted.code, 'proposal-submitted');
    await context.close();
  });
}

test('a proposal with raw HTML and an exclusion not attested is refused, naming both', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/fr/propose/`);
  await page.fill('#title', 'Une bibliothèque dans chaque commune');
  await page.fill('#request', 'Ouvrir <b>une</b> bibliothèque.');
  await page.fill('#memorandum', 'Pour lire.');
  await fillPerson(page, 'MA-04');
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  assert.equal(await page.getAttribute('.result-page', 'data-code'), 'invalid-proposal');
  const problems = await page.textContent('.problems');
  assert.ok(problems.includes('HTML'), problems);
  assert.ok(problems.includes(strings('fr').problem.not_attested.replace('{text}', '').trim()), problems);
  await checkHtml(await page.content(), 'refused proposal (fr)');
  await context.close();
});
