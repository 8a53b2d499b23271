// Every page template in every language: lang and dir, no horizontal overflow on a 360 px
// phone, no WCAG 2.1 A/AA violation found by axe-core, and valid HTML (Nu Html Checker).
// Screenshots of the home and a petition page in each language go to target/browser-artifacts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { accessibilityProblems, ARTIFACTS, DIRS, find, LANGS, pagePath, setUp } from './portal.mjs';

const require = createRequire(import.meta.url);

const env = setUp();

/** One page of each template. */
function templates() {
  const petition = find(env.portal, 'petition', 'collecting');
  const motion = find(env.portal, 'motion', 'collecting');
  const open = find(env.portal, 'consultation', 'open');
  const report = find(env.portal, 'consultation', 'report-published');
  const section = pagePath(petition, 'fr').split('/').slice(2, 3)[0];
  return (lang) => ({
    home: `/${lang}/`,
    section: `/${lang}/${section}/`,
    page: `/${lang}/about/`,
    guide: `/${lang}/guide/signing/`,
    petition: pagePath(petition, lang),
    motion: pagePath(motion, lang),
    consultation: pagePath(open, lang),
    report: pagePath(report, lang),
    result: `/${lang}/result/signed/`,
    signature: `/${lang}/signature/`,
    confirm: `/${lang}/confirm/`,
    search: `/${lang}/search/`,
    browse: `/${lang}/browse/`,
    'browse group': `/${lang}/browse/state/collecting/`,
    'open data': `/${lang}/open-data/`,
    404: `/${lang}/no-such-page/`,
  });
}

for (const lang of LANGS) {
  test(`every template in ${lang}: lang/dir, fits 360 px, no axe violation`, async () => {
    const context = await env.browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true });
    const page = await context.newPage();
    const problems = [];
    for (const [name, path] of Object.entries(templates()(lang))) {
      await page.goto(env.portal.url + path);
      assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} lang`);
      assert.equal(await page.getAttribute('html', 'dir'), DIRS[lang], `${name} dir`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${name}: ${overflow}px of horizontal overflow`);
      if (name === 'home' || name === 'petition') {
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${lang}.png`), fullPage: true });
      }
      problems.push(...(await accessibilityProblems(page, `${name} (${path})`)));
    }
    await context.close();
    assert.deepEqual(problems, []);
  });
}

test('the root page offers the three languages', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(env.portal.url + '/');
  for (const lang of LANGS) {
    assert.equal(await page.locator(`a[href="/${lang}/"][hreflang="${lang}"]`).count(), 1);
  }
  await context.close();
});

test('every generated HTML page passes the Nu Html Checker', () => {
  const jar = require.resolve('vnu-jar/build/dist/vnu.jar');
  let report;
  try {
    report = execFileSync('java', ['-jar', jar, '--errors-only', '--skip-non-html', '--format', 'json', env.portal.out], {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  } catch (e) {
    report = e.stderr?.length ? e.stderr : e.stdout;
  }
  const messages = JSON.parse(report.toString() || '{"messages":[]}').messages.filter((m) => m.type === 'error');
  const shown = messages.slice(0, 20).map((m) => `${m.url?.replace(/^file:.*?public/, '')}:${m.lastLine}: ${m.message}`);
  assert.deepEqual(shown, [], `${messages.length} HTML errors`);
});
