// The Settings and Search screens through the same axe-core audit as every other screen
// (test/e2e/a11y-audit.ts: no serious or critical violation in light and dark, touch targets
// >= 44 px), in English and in Chinese, at phone width.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/settings-a11y.test.ts

import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { register, startTestServer, stepTracker, ui, type TestServer } from './app-helpers';
import { auditScreen } from './a11y-audit';
import type { UiLocale } from './ui-text';

for (const locale of ['en', 'zh-CN'] as const satisfies readonly UiLocale[]) {
  describe(`Settings and Search, ${locale}: axe-core and touch targets`, () => {
    let srv: TestServer;
    let u: BrowserUser;
    const steps = stepTracker(test);
    const step = steps.step;

    before(async () => {
      srv = await startTestServer();
      u = await launchBrowser('chromium', { name: 'alice', locale, viewport: { width: 360, height: 740 } });
      await register(u, srv.url, 'alice');
    });

    after(async () => {
      if (steps.failed && u) await dumpDiagnostics([u], `settings-a11y-${locale}`);
      await closeAllBrowsers();
      await srv?.dispose();
    });

    step('the Settings screen', async () => {
      const t = ui(u);
      await u.click(t`Settings`, { role: 'button' });
      await u.waitForRole('heading', t`Settings`, { timeoutMs: 10_000 });
      await auditScreen(u, `${locale} settings`);
      await u.click(t`Settings`, { role: 'button' });
    });

    step('the Search screen', async () => {
      const t = ui(u);
      await u.click(t`Search`, { role: 'button' });
      await auditScreen(u, `${locale} search`);
    });
  });
}
