// Commenting on one article of the open consultation: stored as pending moderation, and not
// shown on the page; closed and upcoming consultations say why there is no form.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { find, pagePath, setUp, strings } from './portal.mjs';

const env = setUp();

/** Pending comments in the portal's SQLite store, read with Python's sqlite3. */
function pending(consultation) {
  const script = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT section, text, state FROM comments WHERE consultation = ?", (sys.argv[2],)).fetchall()
print(json.dumps(rows))
`;
  const out = execFileSync('python3', ['-c', script, join(env.portal.data, 'musharaka.sqlite3'), consultation]);
  return JSON.parse(out.toString());
}

for (const js of [false, true]) {
  test(`comment on one article with JavaScript ${js ? 'on' : 'off'}: pending, not on the page`, async () => {
    const consultation = find(env.portal, 'consultation', 'open');
    const lang = js ? 'ar' : 'zgh';
    const section = consultation.sections[Math.min(2, consultation.sections.length - 1)];
    const text = `Proposition ${js ? 'A' : 'B'} ${Date.now()} : préciser le délai de réponse.`;
    const context = await env.browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    await page.goto(env.portal.url + pagePath(consultation, lang));
    const form = page.locator(`form:has(input[name=section][value="${section}"])`);
    await page.locator(`details:has(input[name=section][value="${section}"]) summary`).click();
    await form.locator('textarea[name=text]').fill(text);
    await form.locator('input[name=display_name]').fill('Amina');
    await form.locator('input[name=consent]').check();
    if (js) {
      await form.locator('button[type=submit]').click();
      const result = form.locator('.result[data-code]');
      await result.waitFor();
      assert.equal(await result.getAttribute('data-code'), 'commented');
      assert.ok((await result.textContent()).includes(strings(lang).result.commented.title));
    } else {
      await Promise.all([page.waitForURL(/\/result\/commented\//), form.locator('button[type=submit]').click()]);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
    }
    const stored = pending(consultation.id).filter(([, t]) => t === text);
    assert.deepEqual(stored, [[section, text, 'pending']]);
    await page.goto(env.portal.url + pagePath(consultation, lang));
    assert.ok(!(await page.content()).includes(text), 'a comment appears before moderation');
    await context.close();
  });
}

test('an empty comment is refused with a localized message beside its field', async () => {
  const consultation = find(env.portal, 'consultation', 'open');
  const context = await env.browser.newContext({ javaScriptEnabled: true });
  const page = await context.newPage();
  await page.goto(env.portal.url + pagePath(consultation, 'fr'));
  const form = page.locator('#comment form');
  await page.locator('#comment details summary').click();
  await form.locator('input[name=consent]').check();
  await form.locator('button[type=submit]').click();
  const summary = form.locator('.error-summary[data-code]');
  await summary.waitFor();
  assert.equal(await summary.getAttribute('data-code'), 'missing-field');
  const message = strings('fr').errors['missing-field'].replace('{field}', strings('fr').errors.field.text);
  assert.equal(await summary.locator('a[href="#text-whole"]').textContent(), message);
  assert.equal(await form.locator('#text-whole').getAttribute('aria-invalid'), 'true');
  assert.equal(await form.locator('#text-whole-error').textContent(), message);
  assert.ok(await summary.evaluate((e) => e === document.activeElement), 'the summary has the focus');
  await context.close();
});

for (const state of ['upcoming', 'closed', 'report-published']) {
  test(`a consultation in state ${state} offers no form and says why`, async () => {
    const consultation = find(env.portal, 'consultation', state);
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(env.portal.url + pagePath(consultation, 'fr'));
    assert.equal(await page.locator('form[action^="/api/comment"]').count(), 0);
    const notice = await page.textContent('#comment .notice');
    assert.ok(notice && notice.length > 10);
    await context.close();
  });
}
