import { chromium, type Browser } from 'playwright-core';
import { ensureDebianPackage } from './debian-package.js';

/** Debian's Chromium; playwright-core 1.64 is pinned to drive the version bookworm ships. */
export const CHROMIUM = '/usr/lib/chromium/chromium';

/** Starts a headless Chromium (installing Debian's package when missing and root). */
export async function launchChromium(): Promise<Browser> {
  ensureDebianPackage(CHROMIUM, 'chromium');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}
