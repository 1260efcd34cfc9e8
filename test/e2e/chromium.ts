// Debian's Chromium for the browser tests: where it is, the flags that work as root on a closed network
// (playwright-core cannot download one here), and the rule that `npm test` and CI must run these suites (scripts/test-tools.mjs
// installs or asks for Chromium first) while `npm run jest` on a laptop without Chromium skips them with a message.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/**
 * Inside a suite: one browser for the suite, and `cleanup(fn)` to close whatever a test opened, in reverse order,
 * even when the test fails half way (so a failure never leaves a server or a page running).
 */
export function useChromium(): { browser: () => Browser; cleanup: (close: () => Promise<void>) => void } {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  afterEach(async () => {
    for (const close of cleanups.splice(0).reverse()) await close();
  });
  return {
    browser: () => {
      if (!browser) throw new Error('the browser is not running: call useChromium() inside a describe');
      return browser;
    },
    cleanup: (close) => void cleanups.push(close),
  };
}

/** `describe` when Chromium is installed; under `npm test` and in CI its absence is an error, elsewhere the suite is skipped with a note. */
export function describeWithChromium(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  if (process.env.CI || process.env.OTA_RELEASE_REQUIRE_CHROMIUM === '1') throw new Error(`${CHROMIUM} is missing: apt-get install chromium (npm test installs it when run as root)`);
  console.warn(`skipping ${what}: ${CHROMIUM} is not installed (apt-get install chromium)`);
  return describe.skip;
}

/** A two-stage release whose canary waits for an operator: what the dashboard tests open. */
export function manualCanaryRelease(releaseId: string): string {
  return `
releaseId: ${releaseId}
product: edge-gateway
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: { file: gateway-2.4.0.bin } }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 10 }, bake: 2h, approval: manual, rollout: { maximumPerMinute: 100 } }
  - { name: fleet, targets: { percent: 100 }, bake: 1h, rollout: { maximumPerMinute: 1000 } }
health: { maxFailureRate: 5%, confidence: 0.9, minExecuted: 20 }
`;
}
