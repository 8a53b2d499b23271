// Following an initiative without JavaScript: a new signature shows on the reloaded page and in
// its section's list within seconds, without a new build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, fillSigningForm, find, freshCin, pagePath, setUp, signAndConfirm, strings } from './portal.mjs';

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
  await context.close();
});
