// Presses the add-on's menu items against a running After-sales service, from a terminal.
//
//   node tests/addon/press.mjs --url http://127.0.0.1:8000 --sheet demo --secret <sheet secret>
//        [--action sync|recalculate|undo] [--token <identity token>] [--addon DIR]
//
// The add-on's real .gs files run in the test harness's Apps Script fakes; only UrlFetchApp is
// real (it calls the service over HTTP), and time is real (a run that takes long is followed with
// real pauses between looks). --url plays the deployer: it pins the URL as `aftersales addon
// --url` does (Config.gs and the manifest's urlFetchWhitelist); --addon DIR loads an add-on that
// command wrote instead. --secret is the sheet's secret in the script properties, as a deployer
// sets it; without it the add-on sends --token as the person's Google identity token. --action
// undo answers YES to its question.
// Prints what a person would see (toasts and alerts); exits 1 when the add-on showed an error.
import { createAppsScript, loadAddon } from './harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
if ((!args.url && !args.addon) || !args.sheet) {
  console.error(
    'usage: node tests/addon/press.mjs --url URL --sheet ID [--secret SECRET | --token TOKEN] ' +
      '[--action sync|recalculate|undo] [--addon DIR]',
  );
  process.exit(2);
}
const action = args.action || 'sync';
const scriptProperties = {};
if (args.secret) scriptProperties[`AFTERSALES_SHEET_SECRET_${args.sheet}`] = args.secret;
const apps = createAppsScript({
  spreadsheetId: args.sheet,
  scriptProperties,
  identityToken: args.token || '',
  ...(args.addon ? { addonDir: args.addon } : { pinnedUrl: args.url }),
  answers: action === 'undo' ? ['YES'] : [],
  clock: 'real',
});
const addon = loadAddon(apps);
if (action === 'recalculate') addon.recalculateAll();
else if (action === 'undo') addon.undoLastSync();
else addon.syncNow();
for (const alert of apps.log.alerts) console.log(alert.message);
for (const toast of apps.log.toasts) console.log(toast.message);
const errors = apps.log.alerts.filter(
  (alert) => alert.buttons !== 'YES_NO' && !alert.message.startsWith('Nothing to undo'),
);
process.exit(errors.length > 0 ? 1 : 0);
