// The group screens in Chinese, light and dark, through the same axe-core audit as every other
// screen (test/e2e/a11y-audit.ts: no serious or critical violation, touch targets >= 44 px at
// 360 px): the group list with "New group", the New group dialog, a group conversation and its
// info dialog. One Chromium in zh-CN with a real server and the in-memory stand-in for the group
// service (test/e2e/group-fake.ts), as in groups-ui.test.ts, which audits them in English.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/groups-a11y-zh.test.ts

import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { register, startTestServer, stepTracker, type TestServer } from './app-helpers';
import { auditScreen } from './a11y-audit';
import { installFakeGroups } from './group-fake';
import { HIKE, SETUP } from './group-fake-setup';

/** Waits for an element matching `selector` anywhere in the page (through shadow roots); clicks it. */
async function clickDeep(u: BrowserUser, selector: string, click = true): Promise<void> {
  await u.waitFor(
    ({ sel, click }: { sel: string; click: boolean }) => {
      const walk = (root: Document | ShadowRoot): HTMLElement | null => {
        const hit = root.querySelector<HTMLElement>(sel);
        if (hit) return hit;
        for (const el of root.querySelectorAll('*')) {
          const h = el.shadowRoot ? walk(el.shadowRoot) : null;
          if (h) return h;
        }
        return null;
      };
      const el = walk(document);
      if (click) el?.click();
      return !!el;
    },
    { sel: selector, click },
    10_000,
  );
}

describe('group screens in Chinese: axe-core and touch targets', () => {
  let srv: TestServer;
  let u: BrowserUser;
  const steps = stepTracker(test);
  const step = steps.step;

  before(async () => {
    srv = await startTestServer();
    u = await launchBrowser('chromium', { name: 'alice', locale: 'zh-CN', viewport: { width: 360, height: 740 } });
    await register(u, srv.url, 'alice');
    await installFakeGroups(u, SETUP);
    await clickDeep(u, `[data-group="${HIKE}"]`, false);
  });

  after(async () => {
    if (steps.failed && u) await dumpDiagnostics([u], 'groups-a11y-zh');
    await closeAllBrowsers();
    await srv?.dispose();
  });

  step('the group list and the New group dialog', async () => {
    await auditScreen(u, 'zh-CN group list');
    await clickDeep(u, '.new button');
    await auditScreen(u, 'zh-CN new group dialog');
    await u.press('Escape');
  });

  step('a group conversation and its info dialog', async () => {
    await clickDeep(u, `[data-group="${HIKE}"]`);
    await auditScreen(u, 'zh-CN group conversation');
    await clickDeep(u, 'button.info');
    await auditScreen(u, 'zh-CN group info dialog');
    await u.press('Escape');
  });
});
