// Tests of the Apps Script add-on (app/addon/*.gs) over fakes of the Apps Script services,
// with UrlFetchApp making real blocking HTTP calls to a fake service on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import http from 'node:http';

import {
  addonFile,
  createAppsScript,
  expectedSignature,
  loadAddon,
  plain,
  startFakeService,
} from './harness.mjs';

const SHEET_ID = '1AbCdEf-sheet_ID';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.test-identity-token.sig';
const SECRET = 'sheet-secret-😀-値';
const CASES = [
  ['Opened', 'Case ID', 'Platform', 'Customer', 'Status'],
  ['2025-03-01', 'AS-2025-0001', 'Superbuy', 'Lena K.', 'Open'],
  ['2025-03-02', 'AS-2025-0002', 'Bhiner', 'Marco P.', 'Waiting on seller'],
  ['2025-03-03', '', 'Yoybuy', 'New row', ''],
];
const SYNC_RESULT = {
  run_id: 'run-42',
  cases: 200,
  new_cases: 3,
  cells_written: 14,
  timeline_events: 5,
  findings: 7,
  errors: 2,
  warnings: 0,
  duration_ms: 812,
  joined: false,
};
const CASE = {
  case_id: 'AS-2025-0002',
  platform: 'Bhiner',
  policy_ref: 'bhiner@2025-01',
  return_deadline: '2025-03-16',
  days_left: 4,
  sla_state: 'Due soon',
  sla: [{ name: 'First response', due_at: '2025-03-12T18:00:00+08:00', state: 'Due soon' }],
  missing_evidence: ['Video proof'],
  refund_kinds: ['partial'],
  next_action: 'Ask the customer for a video',
  next_due: '2025-03-12T18:00:00+08:00',
  priority: 'P2',
  findings: [],
  timeline: [],
  replies: { customer: 'Hello Marco', seller: null },
};

let service;

before(async () => {
  service = await startFakeService();
});

after(async () => {
  await service.close();
});

beforeEach(async () => {
  await service.reset();
});

function setUp(overrides = {}) {
  const { properties, ...rest } = overrides;
  const apps = createAppsScript({
    spreadsheetId: SHEET_ID,
    sheets: { Cases: CASES },
    identityToken: TOKEN,
    properties: { AFTERSALES_SERVICE_URL: service.url, ...(properties || {}) },
    ...rest,
  });
  return { apps, addon: loadAddon(apps) };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function lastAlert(apps) {
  assert.ok(apps.log.alerts.length > 0, 'expected an alert');
  return apps.log.alerts.at(-1).message;
}

describe('manifest and menu', () => {
  test('appsscript.json asks for V8, Asia/Shanghai and exactly the five scopes', () => {
    // Checks the manifest's runtime, time zone and OAuth scopes.
    const manifest = JSON.parse(addonFile('appsscript.json'));
    assert.equal(manifest.runtimeVersion, 'V8');
    assert.equal(manifest.timeZone, 'Asia/Shanghai');
    assert.deepEqual(manifest.oauthScopes, [
      'https://www.googleapis.com/auth/spreadsheets.currentonly',
      'https://www.googleapis.com/auth/script.external_request',
      'openid',
      'https://www.googleapis.com/auth/userinfo.email',
      'https://www.googleapis.com/auth/script.container.ui',
    ]);
  });

  test('onOpen adds the After-sales menu with its four items wired to existing functions', () => {
    // Checks the menu name, captions, order, and that each item's function is defined.
    const { apps, addon } = setUp();
    addon.onOpen({ authMode: 'LIMITED' });
    assert.equal(apps.log.menus.length, 1);
    const menu = apps.log.menus[0];
    assert.equal(menu.name, 'After-sales');
    const items = menu.items.filter((item) => !item.separator);
    assert.deepEqual(
      items.map((item) => item.caption),
      ['Sync now', 'Recalculate all', 'Case details', 'Set up'],
    );
    for (const item of items) {
      assert.equal(typeof addon[item.functionName], 'function', item.functionName);
    }
  });
});

describe('Sync now and Recalculate all', () => {
  test('Sync now POSTs {} with the identity token and toasts the run summary', async () => {
    // Checks method, path, bearer token, content type and body on the wire, and the toast text.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    const { apps, addon } = setUp();
    addon.syncNow();
    const [request] = await service.requests();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/v1/sheets/${SHEET_ID}/sync`);
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.body, '{}');
    assert.equal(request.headers['x-aftersales-signature'], undefined);
    assert.deepEqual(apps.log.alerts, []);
    assert.equal(
      apps.log.toasts.at(-1).message,
      'Synced 200 cases: 14 cells updated, 3 new, 2 errors (see Validation).',
    );
    assert.equal(apps.log.fetches[0].params.muteHttpExceptions, true);
  });

  test('a press that joined a running sync says so', async () => {
    // Checks that `joined: true` is mentioned in the toast.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, {
      ...SYNC_RESULT,
      joined: true,
      errors: 0,
      warnings: 1,
    });
    const { apps, addon } = setUp();
    addon.syncNow();
    const toast = apps.log.toasts.at(-1).message;
    assert.match(toast, /already running, so this joined it/);
    assert.match(toast, /Synced 200 cases: 14 cells updated, 3 new, no errors, 1 warning\./);
  });

  test('Recalculate all POSTs to /recalculate and toasts a recalculation summary', async () => {
    // Checks the recalculate path and its toast wording.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/recalculate`, 200, {
      ...SYNC_RESULT,
      cases: 1,
      cells_written: 1,
      new_cases: 0,
      errors: [],
    });
    const { apps, addon } = setUp();
    addon.recalculateAll();
    const [request] = await service.requests();
    assert.equal(request.path, `/v1/sheets/${SHEET_ID}/recalculate`);
    assert.equal(request.body, '{}');
    assert.equal(apps.log.toasts.at(-1).message, 'Recalculated 1 case: 1 cell updated, 0 new, no errors.');
  });

  test('with a sheet secret the request is HMAC-signed instead of carrying a token', async () => {
    // Checks the timestamp and signature headers against node's HMAC of the canonical string.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    const { apps, addon } = setUp({ properties: { AFTERSALES_HMAC_SECRET: SECRET } });
    const before = Math.floor(Date.now() / 1000);
    addon.syncNow();
    const [request] = await service.requests();
    assert.equal(request.headers.authorization, undefined);
    const timestamp = Number(request.headers['x-aftersales-timestamp']);
    assert.ok(timestamp >= before && timestamp <= before + 5, `timestamp ${timestamp}`);
    assert.match(request.headers['x-aftersales-signature'], /^[0-9a-f]{64}$/);
    assert.equal(request.headers['x-aftersales-signature'], expectedSignature(SECRET, request));
    assert.match(apps.log.toasts.at(-1).message, /^Synced 200 cases/);
  });

  test('the baked-in SERVICE_URL is used when Set up stored none', async () => {
    // Checks the fallback to the SERVICE_URL constant that `aftersales addon --url` writes.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    const apps = createAppsScript({ spreadsheetId: SHEET_ID, identityToken: TOKEN });
    const code = addonFile('Code.gs').replace("var SERVICE_URL = '';", `var SERVICE_URL = ${JSON.stringify(service.url + '/')};`);
    const addon = loadAddon(apps, { 'Code.gs': code });
    addon.syncNow();
    assert.equal((await service.requests()).length, 1);
    assert.match(apps.log.toasts.at(-1).message, /^Synced 200 cases/);
  });

  const failures = [
    {
      status: 401,
      body: { error: 'unauthenticated', detail: 'Token has expired' },
      expect: /^The service did not accept your Google sign-in: Token has expired\./,
    },
    {
      status: 403,
      body: { error: 'forbidden', detail: 'lena@example.com is not on the allow-list for this sheet' },
      expect: /not allowed to use the After-sales service on this sheet\. Ask your team lead to add your email.*lena@example\.com/,
    },
    {
      status: 403,
      body: {
        error: 'sheet_access',
        detail: 'Share the spreadsheet with aftersales@desk-prod.iam.gserviceaccount.com',
      },
      expect: /service account cannot open this spreadsheet\. Share the spreadsheet.*aftersales@desk-prod\.iam\.gserviceaccount\.com/,
    },
    {
      status: 404,
      body: { error: 'sheet_not_found', detail: 'No spreadsheet 1AbCdEf-sheet_ID' },
      expect: /^The service cannot find this spreadsheet\. No spreadsheet/,
    },
    {
      status: 409,
      body: { error: 'sync_in_progress', detail: 'Run run-41 is syncing this sheet' },
      expect: /^A sync of this sheet is already running\. Wait for it to finish.*run-41/,
    },
    {
      status: 422,
      body: { error: 'sheet_contract', detail: 'Cases tab: missing required header "Platform"' },
      expect: /^The sheet cannot be synced as it is\. Fix this and try again: Cases tab: missing required header "Platform"/,
    },
    {
      status: 500,
      body: { error: 'internal_error', detail: 'Unexpected error' },
      expect: /^The After-sales service failed \(HTTP 500\); try again/,
    },
    {
      status: 503,
      body: { error: 'backend_unavailable', detail: 'Google Sheets kept failing' },
      expect: /^The After-sales service failed \(HTTP 503\); try again.*Google Sheets kept failing/,
    },
    {
      status: 502,
      body: '<html>Bad gateway</html>',
      expect: /^The After-sales service failed \(HTTP 502\); try again.*Bad gateway/,
    },
  ];

  test('each error answer gets its own clear alert and no success toast', async () => {
    // Checks the alert text for 401, 403 (allow-list / sheet access), 404, 409, 422 and 5xx.
    const seen = new Set();
    for (const failure of failures) {
      await service.reset();
      await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, failure.status, failure.body);
      const { apps, addon } = setUp();
      addon.syncNow();
      const message = lastAlert(apps);
      assert.match(message, failure.expect, `HTTP ${failure.status}: ${message}`);
      assert.ok(!apps.log.toasts.some((t) => t.message.startsWith('Synced')), 'no success toast');
      seen.add(message.replace(/\d+/g, 'N').split('.')[0]);
    }
    assert.equal(seen.size, failures.length - 2, 'messages differ per kind (5xx share one)');
  });

  test('a rejected sheet secret is named as such', async () => {
    // Checks that a 401 in HMAC mode points at the secret rather than the Google sign-in.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 401, {
      error: 'unauthenticated',
      detail: 'bad signature',
    });
    const { apps, addon } = setUp({ properties: { AFTERSALES_HMAC_SECRET: 'wrong' } });
    addon.syncNow();
    assert.match(lastAlert(apps), /^The service did not accept the sheet secret: bad signature\./);
  });

  test('an unreachable service names the URL and points at Set up', async () => {
    // Checks the message when UrlFetchApp throws because nothing listens at the URL.
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { apps, addon } = setUp({ properties: { AFTERSALES_SERVICE_URL: url } });
    addon.syncNow();
    assert.match(
      lastAlert(apps),
      new RegExp(`^Cannot reach the After-sales service at ${url.replace(/\./g, '\\.')}: check the URL in After-sales ▸ Set up\\.`),
    );
  });

  test('without a configured URL the add-on asks for Set up and calls nothing', async () => {
    // Checks the not-configured message and that no request is made.
    const apps = createAppsScript({ spreadsheetId: SHEET_ID });
    loadAddon(apps).syncNow();
    assert.match(lastAlert(apps), /service URL is not set: open After-sales ▸ Set up/);
    assert.equal(apps.log.fetches.length, 0);
  });

  test('a missing identity token is explained instead of sending an empty bearer', async () => {
    // Checks the message when ScriptApp.getIdentityToken() fails.
    const { apps, addon } = setUp({ identityToken: new Error('Exception: openid scope missing') });
    addon.syncNow();
    assert.match(lastAlert(apps), /^Could not get your Google sign-in token.*openid scope missing/);
    assert.equal(apps.log.fetches.length, 0);
  });
});

describe('Case details', () => {
  test('the menu item opens Sidebar.html as a sidebar', () => {
    // Checks that showCaseDetails shows the Sidebar file with its title.
    const { apps, addon } = setUp();
    addon.showCaseDetails();
    assert.equal(apps.log.sidebars.length, 1);
    assert.equal(apps.log.sidebars[0].getTitle(), 'Case details');
    assert.match(apps.log.sidebars[0].getContent(), /google\.script\.run/);
  });

  test('getCaseDetails GETs the selected row’s case by its Case ID', async () => {
    // Checks the GET path (found via the Case ID header, not column A) and the returned case.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/cases/AS-2025-0002`, 200, CASE);
    const { addon } = setUp({ selection: { row: 3, column: 5, numRows: 2 } });
    const result = plain(addon.getCaseDetails());
    const [request] = await service.requests();
    assert.equal(request.method, 'GET');
    assert.equal(request.path, `/v1/sheets/${SHEET_ID}/cases/AS-2025-0002`);
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(request.body, '');
    assert.deepEqual(result, { caseId: 'AS-2025-0002', row: 3, timeZone: 'Asia/Shanghai', case: CASE });
  });

  test('getCaseDetails signs the GET with an empty body when a secret is set', async () => {
    // Checks the HMAC signature of a GET request (body part of the canonical string is empty).
    await service.route('GET', `/v1/sheets/${SHEET_ID}/cases/AS-2025-0001`, 200, CASE);
    const { addon } = setUp({
      selection: { row: 2 },
      properties: { AFTERSALES_HMAC_SECRET: SECRET },
    });
    assert.equal(plain(addon.getCaseDetails()).caseId, 'AS-2025-0001');
    const [request] = await service.requests();
    assert.equal(request.headers['x-aftersales-signature'], expectedSignature(SECRET, request));
  });

  test('selection problems give a clear message without calling the service', () => {
    // Checks no selection, header row, a row without Case ID, and a tab without the column.
    const cases = [
      [{ selection: null }, /^Select a row of the Cases tab/],
      [{ selection: { row: 1 } }, /^Select a case row below the header row/],
      [{ selection: { row: 4 } }, /^Row 4 has no Case ID yet\. Press After-sales ▸ Sync now/],
      [
        { sheets: { KPIs: [['Week', 'Closed']], Cases: CASES }, selection: { row: 2 } },
        /^The tab "KPIs" has no "Case ID" column in row 1/,
      ],
    ];
    for (const [overrides, expected] of cases) {
      const { apps, addon } = setUp(overrides);
      const result = plain(addon.getCaseDetails());
      assert.match(result.error, expected);
      assert.equal(apps.log.fetches.length, 0);
    }
  });

  test('a case the service does not know yet suggests syncing first', async () => {
    // Checks the 404 message for an unknown case id.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/cases/AS-2025-0001`, 404, {
      error: 'not_found',
      detail: 'No case AS-2025-0001',
    });
    const { addon } = setUp({ selection: { row: 2 } });
    const result = plain(addon.getCaseDetails());
    assert.equal(result.caseId, 'AS-2025-0001');
    assert.match(result.error, /^Case AS-2025-0001 is not known to the service yet: press After-sales ▸ Sync now first/);
  });

  test('Case IDs are URL-encoded in the path', async () => {
    // Checks that a Case ID with a slash and spaces stays one path segment.
    const rows = [['case id'], ['RMA 12/7']];
    await service.route('GET', `/v1/sheets/${SHEET_ID}/cases/RMA%2012%2F7`, 200, CASE);
    const { addon } = setUp({ sheets: { Cases: rows }, selection: { row: 2 } });
    assert.equal(plain(addon.getCaseDetails()).caseId, 'RMA 12/7');
  });

  test('findCaseIdColumn_ matches the header case- and space-insensitively and by alias', () => {
    // Checks header matching rules of the Case ID column.
    const { addon } = setUp();
    assert.equal(addon.findCaseIdColumn_(['Opened', '  case  ID ', 'Case']), 1);
    assert.equal(addon.findCaseIdColumn_(['开单日期', '案件编号']), 1);
    assert.equal(addon.findCaseIdColumn_(['CASEID']), 0);
    assert.equal(addon.findCaseIdColumn_(['Case', 'Case ID']), 1, 'exact header wins over an alias');
    assert.equal(addon.findCaseIdColumn_(['Order No.', 'Customer']), -1);
    assert.equal(addon.findCaseIdColumn_([]), -1);
  });
});

describe('Set up', () => {
  test('the menu item opens Setup.html as a dialog', () => {
    // Checks that showSetup shows the Setup file as a modal dialog.
    const { apps, addon } = setUp();
    addon.showSetup();
    assert.equal(apps.log.dialogs.length, 1);
    assert.equal(apps.log.dialogs[0].title, 'Set up After-sales');
    assert.match(apps.log.dialogs[0].html.getContent(), /Test connection/);
  });

  test('saveSetup stores the URL and secret, and can clear the secret', () => {
    // Checks the document properties written by Save and what getSetup reports back.
    const apps = createAppsScript({ spreadsheetId: SHEET_ID });
    const addon = loadAddon(apps);
    assert.deepEqual(plain(addon.getSetup()), { url: '', defaultUrl: '', hasSecret: false });
    const bad = plain(addon.saveSetup({ url: 'aftersales.example.com', secret: '' }));
    assert.equal(bad.ok, false);
    assert.match(bad.message, /must start with https:\/\//);
    const saved = plain(addon.saveSetup({ url: ' https://desk.example.com/ ', secret: 's3cret' }));
    assert.equal(saved.ok, true);
    assert.match(saved.message, /sheet secret/);
    assert.equal(apps.documentProperties.getProperty('AFTERSALES_SERVICE_URL'), 'https://desk.example.com');
    assert.equal(apps.documentProperties.getProperty('AFTERSALES_HMAC_SECRET'), 's3cret');
    assert.deepEqual(plain(addon.getSetup()), {
      url: 'https://desk.example.com',
      defaultUrl: '',
      hasSecret: true,
    });
    addon.saveSetup({ url: 'https://desk.example.com', secret: '', clearSecret: true });
    assert.equal(apps.documentProperties.getProperty('AFTERSALES_HMAC_SECRET'), null);
  });

  test('Test connection reports Connected, 401, 403, not ready and unreachable distinctly', async () => {
    // Checks GET /v1/sheets/{id} with the identity token and each outcome's message.
    const outcomes = [
      [200, { status: 'ready' }, true, /^Connected: .* is ready and accepted your Google sign-in\./],
      [401, { error: 'unauthenticated', detail: 'Wrong audience' }, false, /^The service did not accept your Google sign-in: Wrong audience\./],
      [403, { error: 'forbidden', detail: 'not allowed' }, false, /^Your Google account is not allowed/],
      [503, { status: 'not_ready', database: 'unreachable', scheduler: 'running' }, false, /is running but not ready\. status: not_ready; database: unreachable; scheduler: running\./],
      [200, { status: 'starting', database: 'ok', scheduler: 'stopped' }, false, /is running but not ready\. status: starting; database: ok; scheduler: stopped\./],
    ];
    for (const [status, body, ok, expected] of outcomes) {
      await service.reset();
      await service.route('GET', `/v1/sheets/${SHEET_ID}`, status, body);
      const { addon } = setUp();
      const result = plain(addon.testConnection({ url: service.url, secret: '' }));
      assert.equal(result.ok, ok, result.message);
      assert.match(result.message, expected);
      const [request] = await service.requests();
      assert.equal(request.method, 'GET');
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    }
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { addon } = setUp();
    const unreachable = plain(addon.testConnection({ url, secret: '' }));
    assert.equal(unreachable.ok, false);
    assert.match(unreachable.message, /^Cannot reach the After-sales service at http:\/\/127\.0\.0\.1:\d+: check the URL/);
  });

  test('Test connection signs with the secret typed in the form', async () => {
    // Checks that an unsaved secret from the form is used for the connection test's signature.
    await service.route('GET', `/v1/sheets/${SHEET_ID}`, 200, { id: SHEET_ID });
    const { addon } = setUp();
    const result = plain(addon.testConnection({ url: service.url + '/', secret: SECRET }));
    assert.match(result.message, /accepted the sheet secret/);
    const [request] = await service.requests();
    assert.equal(request.path, `/v1/sheets/${SHEET_ID}`);
    assert.equal(request.headers['x-aftersales-signature'], expectedSignature(SECRET, request));
  });
});

describe('plain helpers', () => {
  test('buildRequest_ signs the full path with query and omits the payload on GET', () => {
    // Checks the canonical string (base path prefix and query included) and GET params.
    const { addon } = setUp();
    const signed = plain(
      addon.buildRequest_('get', 'https://host.example/desk/', '/v1/x?y=1', '', { secret: 'k' }, 1700000000.9),
    );
    assert.equal(signed.url, 'https://host.example/desk/v1/x?y=1');
    assert.equal(signed.params.method, 'get');
    assert.equal(signed.params.payload, undefined);
    assert.equal(signed.params.headers['X-Aftersales-Timestamp'], '1700000000');
    const expected = expectedSignature('k', {
      method: 'GET',
      path: '/desk/v1/x?y=1',
      body: '',
      headers: { 'x-aftersales-timestamp': '1700000000' },
    });
    assert.equal(signed.params.headers['X-Aftersales-Signature'], expected);
    const bearer = plain(addon.buildRequest_('POST', 'https://h', '/p', '{}', { token: 't' }, 0));
    assert.deepEqual(bearer.params, {
      method: 'post',
      headers: { Authorization: 'Bearer t' },
      muteHttpExceptions: true,
      followRedirects: false,
      contentType: 'application/json',
      payload: '{}',
    });
  });

  test('describeError_ reads FastAPI validation lists and non-JSON bodies', () => {
    // Checks detail extraction from a list of {msg} and from plain text.
    const { addon } = setUp();
    const listed = addon.parseResponse_(422, JSON.stringify({ detail: [{ msg: 'field required' }, { msg: 'bad id' }] }));
    assert.match(addon.describeError_(listed, { action: 'sync' }), /Fix this and try again: field required; bad id\./);
    const redirect = addon.parseResponse_(302, '');
    assert.match(addon.describeError_(redirect, { action: 'sync', url: 'http://x' }), /answered with a redirect/);
    const garbage = addon.parseResponse_(200, '<html>login</html>');
    assert.equal(garbage.ok, false);
    assert.match(addon.describeError_(garbage, { url: 'http://x' }), /cannot read \(HTTP 200\)/);
  });
});
