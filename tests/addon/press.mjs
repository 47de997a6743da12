// Presses the add-on's menu items against a running After-sales service, from a terminal.
//
//   node tests/addon/press.mjs --url http://127.0.0.1:8000 --sheet demo --secret <sheet secret>
//        [--action sync|recalculate]
//
// The add-on's real Code.gs / Service.gs run in the test harness's Apps Script fakes; only
// UrlFetchApp is real (it calls the service over HTTP). Prints what a person would see: the
// toast or alert text; exits 1 when the add-on showed an error.
import { createAppsScript, loadAddon } from './harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
if (!args.url || !args.sheet) {
  console.error('usage: node tests/addon/press.mjs --url URL --sheet ID --secret SECRET [--action sync]');
  process.exit(2);
}
const properties = { AFTERSALES_SERVICE_URL: args.url };
if (args.secret) properties.AFTERSALES_HMAC_SECRET = args.secret;
const apps = createAppsScript({ spreadsheetId: args.sheet, properties, identityToken: args.token || '' });
const addon = loadAddon(apps);
if ((args.action || 'sync') === 'recalculate') addon.recalculateAll();
else addon.syncNow();
for (const toast of apps.log.toasts) console.log(toast.message);
for (const alert of apps.log.alerts) console.log(alert.message);
process.exit(apps.log.alerts.length > 0 ? 1 : 0);
