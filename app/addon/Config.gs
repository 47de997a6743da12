/**
 * After-sales Desk add-on: where the service is. Set by whoever deploys the add-on, never by the
 * people who edit a spreadsheet.
 *
 * `aftersales addon --url https://desk.example.com --out DIR` writes this file with the URL and
 * lists the URL in appsscript.json's urlFetchWhitelist, so Apps Script itself refuses any other
 * host. Leaving SERVICE_URL empty makes the add-on read the script property
 * AFTERSALES_SERVICE_URL (Project Settings ▸ Script properties of the add-on's own project).
 *
 * Deploy the add-on from its own Apps Script project (a test or published Editor add-on), not
 * pasted into a spreadsheet's bound script: every editor of a spreadsheet can edit the code and
 * script properties of a script bound to it.
 */
var SERVICE_URL = '';
