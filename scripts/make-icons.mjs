// Renders the app icons (web/public/icons/*.png) from web/public/favicon.svg with Debian's headless
// Chromium. The PNGs are committed; run this again only when the logo changes:
//   node scripts/make-icons.mjs
// "any" icons are the logo as it is (rounded square, transparent corners). "maskable" icons
// (and the Apple touch icon) fill the whole square with the brand colour and keep the speech
// bubble inside the central safe zone (a circle of 40% radius), so any mask shape fits.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = await readFile(path.join(root, 'web/public/favicon.svg'), 'utf8');
const outDir = path.join(root, 'web/public/icons');
await mkdir(outDir, { recursive: true });

// The bubble's own shapes, without the rounded background rect.
const bubble = svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '').replace(/<rect[^>]*\/>/, '');
// The bubble spans x 11..53, y 17..51: move its centre (32, 34) to the middle and shrink it into the safe zone.
const full = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#2456d6"/><g transform="translate(32 32) scale(0.78) translate(-32 -34)">${bubble}</g></svg>`;

const icons = [
  { file: 'icon-192.png', size: 192, svg },
  { file: 'icon-512.png', size: 512, svg },
  { file: 'icon-maskable-192.png', size: 192, svg: full },
  { file: 'icon-maskable-512.png', size: 512, svg: full },
  { file: 'apple-touch-icon.png', size: 180, svg: full },
];

const browser = await chromium.launch({
  executablePath: process.env.PEERCHAT_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  for (const icon of icons) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size }, deviceScaleFactor: 1 });
    const dataUrl = `data:image/svg+xml;base64,${Buffer.from(icon.svg).toString('base64')}`;
    await page.setContent(`<html><body style="margin:0;background:transparent"><img src="${dataUrl}" width="${icon.size}" height="${icon.size}" style="display:block"></body></html>`);
    await page.waitForFunction(() => document.images[0]?.complete);
    await page.screenshot({ path: path.join(outDir, icon.file), omitBackground: true, clip: { x: 0, y: 0, width: icon.size, height: icon.size } });
    await page.close();
    console.log(`web/public/icons/${icon.file}`);
  }
} finally {
  await browser.close();
}
