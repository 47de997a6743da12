// Runs a clasp project that `aftersales addon --url URL --out DIR` wrote, in the harness's Apps
// Script fakes, without any network: opens the spreadsheet (onOpen builds the menu), presses
// Sync now against a stand-in UrlFetchApp that enforces the project's own urlFetchWhitelist as
// Apps Script does and answers like the service, then tries one URL outside the whitelist.
//
//   node tests/addon/run_project.mjs --addon DIR --sheet ID --token TOKEN --outside URL
//
// Prints one JSON object: {menus, fetched: [{url, authorization}], toasts, alerts, outside}.
import { addonFile, allowedByWhitelist, createAppsScript, loadAddon } from './harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const manifest = JSON.parse(addonFile('appsscript.json', args.addon));

function whitelistedFetch(url, params) {
  if (!allowedByWhitelist(url, manifest.urlFetchWhitelist)) {
    throw new Error(`Exception: The URL ${url} is not in the add-on's urlFetchWhitelist.`);
  }
  const body = JSON.stringify({ run_id: 12, cases: 5, new_cases: 2, cells_written: 17, errors: 0 });
  return {
    getResponseCode: () => 200,
    getContentText: () => body,
    getHeaders: () => ({ 'Content-Type': 'application/json' }),
    params,
  };
}

const apps = createAppsScript({
  spreadsheetId: args.sheet,
  identityToken: args.token,
  addonDir: args.addon,
  fetch: whitelistedFetch,
});
const addon = loadAddon(apps);
addon.onOpen({});
addon.syncNow();
const fetched = apps.log.fetches.map((f) => ({
  url: f.url,
  authorization: (f.params.headers || {}).Authorization || null,
}));
let outside;
try {
  apps.globals.UrlFetchApp.fetch(args.outside, {});
  outside = 'fetched';
} catch (err) {
  outside = String(err.message || err);
}
console.log(
  JSON.stringify({
    menus: apps.log.menus,
    fetched,
    toasts: apps.log.toasts.map((t) => t.message),
    alerts: apps.log.alerts.map((a) => a.message),
    outside,
  }),
);
