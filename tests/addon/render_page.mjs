// Prints an add-on page as the add-on serves it: `node render_page.mjs Sidebar|Setup en|zh`.
// Opens the page through its menu function (showCaseDetails / showSetup) over the harness's
// fakes, with the team language cached as the service would have reported it, so the Chromium
// tests (test_sidebar.py) load exactly what Apps Script would show, texts included.
import { createAppsScript, loadAddon } from './harness.mjs';

const [page, language] = process.argv.slice(2);
const opens = { Sidebar: 'showCaseDetails', Setup: 'showSetup' };
if (!opens[page] || !['en', 'zh'].includes(language)) {
  console.error('usage: node render_page.mjs Sidebar|Setup en|zh');
  process.exit(2);
}
const apps = createAppsScript({ properties: { 'aftersales.language': language } });
loadAddon(apps)[opens[page]]();
const shown = page === 'Sidebar' ? apps.log.sidebars[0] : apps.log.dialogs[0].html;
process.stdout.write(shown.getContent());
