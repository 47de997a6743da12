// Tests of the Apps Script add-on (app/addon/*.gs) over fakes of the Apps Script services,
// with UrlFetchApp making real blocking HTTP calls to a fake service on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import http from 'node:http';

import {
  addonFile,
  allowedByWhitelist,
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
const SECRET_KEY = `AFTERSALES_SHEET_SECRET_${SHEET_ID}`;
const SYNC_RESULT = {
  run_id: 42,
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

const RUN_42 = {
  id: 42,
  trigger: 'sync-now',
  backend: 'google',
  started_at: '2025-03-10T06:05:00Z',
  finished_at: '2025-03-10T06:05:03Z',
  outcome: 'ok',
  counts: { cases: 200, cells_written: 14 },
  message: null,
  undone_by: null,
};
const RUN_41 = { ...RUN_42, id: 41, trigger: 'nightly', started_at: '2025-03-09T18:30:00Z' };
const RUN_43_EMPTY = { ...RUN_42, id: 43, outcome: 'nothing_to_do', counts: { cases: 200, cells_written: 0 }, started_at: '2025-03-10T06:20:00Z' };
const RUN_43_UNDO = { ...RUN_42, id: 43, trigger: 'undo:42', counts: { cells_written: 14 }, started_at: '2025-03-10T06:20:00Z' };
const UNDO_42 = { run_id: 44, undone_run: 42, restored: 12, skipped: ['Priority of AS-1: changed since run 42', 'SLA State of AS-2: changed since run 42'] };

// What GET /v1/sheets/{id}/doctor answers for a sheet shared with the service account as Viewer.
const ACCOUNT = 'aftersales@desk-prod.iam.gserviceaccount.com';
const DOCTOR_REPORT = {
  target: `Google spreadsheet ${SHEET_ID}`,
  ok: false,
  exit_code: 1,
  service_account: ACCOUNT,
  checks: [
    { name: 'settings: environment', ok: true, detail: 'production', fix: '', skipped: false },
    { name: 'google: key', ok: true, detail: `service account ${ACCOUNT}: share each sheet with it as an Editor`, fix: '', skipped: false },
    { name: 'sheet: opens', ok: true, detail: `'售后 2025 Q4' (${SHEET_ID})`, fix: '', skipped: false },
    {
      name: 'sheet: can edit',
      ok: false,
      detail: `${ACCOUNT} may only view (or comment on) it: every sync would be refused`,
      fix: `In the spreadsheet: Share ▸ ${ACCOUNT} ▸ change Viewer to Editor ▸ Save.`,
      skipped: false,
    },
    { name: 'sheet: time zone', ok: true, detail: 'skipped: the spreadsheet does not open', fix: '', skipped: true },
  ],
};

let service;
let attacker; // a server an editor controls: it must never receive anything

before(async () => {
  service = await startFakeService();
  attacker = await startFakeService();
});

after(async () => {
  await service.close();
  await attacker.close();
});

beforeEach(async () => {
  await service.reset();
  await attacker.reset();
});

/** The add-on pinned to the fake service (as `aftersales addon --url` writes it). */
function setUp(overrides = {}) {
  const apps = createAppsScript({
    spreadsheetId: SHEET_ID,
    sheets: { Cases: CASES },
    identityToken: TOKEN,
    pinnedUrl: service.url,
    ...overrides,
  });
  return { apps, addon: loadAddon(apps) };
}

/** The add-on with a sheet secret the deployer set for this spreadsheet. */
function setUpSigned(secret = SECRET, overrides = {}) {
  return setUp({ scriptProperties: { [SECRET_KEY]: secret }, ...overrides });
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

  test('the shipped manifest has no whitelist to widen and the shipped Config.gs pins nothing', () => {
    // Checks that the source add-on only gets a URL (and its whitelist) from the deployer.
    const manifest = JSON.parse(addonFile('appsscript.json'));
    assert.equal(manifest.urlFetchWhitelist, undefined);
    assert.match(addonFile('Config.gs'), /^var SERVICE_URL = '';$/m);
  });

  test('onOpen adds the After-sales menu with its items wired to existing functions', () => {
    // Checks the menu name, captions, order, and that each item's function is defined.
    const { apps, addon } = setUp();
    addon.onOpen({ authMode: 'LIMITED' });
    assert.equal(apps.log.menus.length, 1);
    const menu = apps.log.menus[0];
    assert.equal(menu.name, 'After-sales');
    const items = menu.items.filter((item) => !item.separator);
    assert.deepEqual(
      items.map((item) => item.caption),
      ['Sync now', 'Recalculate all', 'Undo last sync', 'Case details', 'Set up'],
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
      'Synced 200 cases: 14 cells updated, 3 new, 2 errors in Validation (run 42).',
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
    assert.match(toast, /Synced 200 cases: 14 cells updated, 3 new, no errors, 1 warning \(run 42\)\./);
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
    assert.equal(apps.log.toasts.at(-1).message, 'Recalculated 1 case: 1 cell updated, 0 new, no errors (run 42).');
  });

  test('with a deployer-set sheet secret the request is HMAC-signed with a nonce', async () => {
    // Checks the timestamp, nonce and signature headers against node's HMAC of
    // METHOD\npath\ntimestamp\nnonce\nbody, and that the fake service (checking as the real one does) accepts it.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    await service.expectSecret(SECRET);
    const { apps, addon } = setUpSigned();
    const before = Math.floor(Date.now() / 1000);
    addon.syncNow();
    const [request] = await service.requests();
    assert.equal(request.headers.authorization, undefined);
    const timestamp = Number(request.headers['x-aftersales-timestamp']);
    assert.ok(timestamp >= before && timestamp <= before + 5, `timestamp ${timestamp}`);
    assert.match(request.headers['x-aftersales-nonce'], /^[A-Za-z0-9_-]{16,64}$/);
    assert.match(request.headers['x-aftersales-signature'], /^[0-9a-f]{64}$/);
    assert.equal(request.headers['x-aftersales-signature'], expectedSignature(SECRET, request));
    assert.deepEqual(apps.log.alerts, []);
    assert.match(apps.log.toasts.at(-1).message, /^Synced 200 cases/);
  });

  test('two presses in the same second carry different nonces and signatures and both pass', async () => {
    // Checks that identical requests signed within one second never collide (no false replay).
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    await service.expectSecret(SECRET);
    const frozen = 1760000000;
    const { apps, addon } = setUpSigned();
    const first = plain(addon.buildRequest_('POST', service.url, '/v1/x', '{}', { secret: SECRET }, frozen));
    const second = plain(addon.buildRequest_('POST', service.url, '/v1/x', '{}', { secret: SECRET }, frozen));
    assert.equal(first.params.headers['X-Aftersales-Timestamp'], second.params.headers['X-Aftersales-Timestamp']);
    assert.notEqual(first.params.headers['X-Aftersales-Nonce'], second.params.headers['X-Aftersales-Nonce']);
    assert.notEqual(first.params.headers['X-Aftersales-Signature'], second.params.headers['X-Aftersales-Signature']);
    addon.syncNow();
    addon.syncNow();
    const requests = await service.requests();
    assert.equal(requests.length, 2);
    assert.notEqual(requests[0].headers['x-aftersales-nonce'], requests[1].headers['x-aftersales-nonce']);
    assert.deepEqual(apps.log.alerts, [], 'neither press was refused as a replay');
    assert.equal(apps.log.toasts.filter((t) => t.message.startsWith('Synced')).length, 2);
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
    const { apps, addon } = setUpSigned('wrong');
    addon.syncNow();
    assert.match(lastAlert(apps), /^The service did not accept the sheet secret: bad signature\./);
    assert.doesNotMatch(lastAlert(apps), /Set up/, 'an editor cannot change the secret, so do not send them to Set up');
  });

  test('an unreachable service names the URL', async () => {
    // Checks the message when UrlFetchApp throws because nothing listens at the URL.
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { apps, addon } = setUp({ pinnedUrl: url });
    addon.syncNow();
    assert.match(
      lastAlert(apps),
      new RegExp(`^Cannot reach the After-sales service at ${url.replace(/\./g, '\\.')}\\.`),
    );
  });

  test('without a pinned URL the add-on says who must set it and calls nothing', async () => {
    // Checks the not-configured message and that no request is made.
    const apps = createAppsScript({ spreadsheetId: SHEET_ID });
    loadAddon(apps).syncNow();
    assert.match(lastAlert(apps), /service URL is not set in this add-on: whoever deployed it/);
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
    const { addon } = setUpSigned(SECRET, { selection: { row: 2 } });
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

  test('Set up reports the pinned URL and how the add-on signs in', () => {
    // Checks what the read-only Set up page shows, for Google sign-in and a deployer's secret.
    const { addon } = setUp();
    assert.deepEqual(plain(addon.getSetup()), {
      url: service.url,
      problem: '',
      signIn: 'google',
      legacyRemoved: false,
    });
    const signed = setUpSigned().addon;
    assert.equal(plain(signed.getSetup()).signIn, 'sheet secret');
    assert.equal(JSON.stringify(plain(signed.getSetup())).includes(SECRET), false, 'the secret is never shown');
  });

  test('Test connection shows the service’s checks line by line, each ✗ with its fix', async () => {
    // Checks GET /v1/sheets/{id}/doctor with the identity token, and the lines Set up shows.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/doctor`, 200, DOCTOR_REPORT);
    const { addon } = setUp();
    const result = plain(addon.testConnection());
    assert.equal(result.ok, false);
    assert.equal(
      result.message,
      `Connected: ${service.url} accepted your Google sign-in. 1 check needs a person (✗ below, each with its fix).`,
    );
    assert.deepEqual(result.checks, [
      { mark: '✓', state: 'pass', name: 'settings: environment', detail: 'production', fix: '' },
      { mark: '✓', state: 'pass', name: 'google: key', detail: `service account ${ACCOUNT}: share each sheet with it as an Editor`, fix: '' },
      { mark: '✓', state: 'pass', name: 'sheet: opens', detail: `'售后 2025 Q4' (${SHEET_ID})`, fix: '' },
      { mark: '✗', state: 'fail', name: 'sheet: can edit', detail: `${ACCOUNT} may only view (or comment on) it: every sync would be refused`, fix: `In the spreadsheet: Share ▸ ${ACCOUNT} ▸ change Viewer to Editor ▸ Save.` },
      { mark: '–', state: 'skip', name: 'sheet: time zone', detail: 'skipped: the spreadsheet does not open', fix: '' },
    ]);
    const [request] = await service.requests();
    assert.equal(request.method, 'GET');
    assert.equal(request.path, `/v1/sheets/${SHEET_ID}/doctor`);
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
  });

  test('Test connection says every check holds when none fails', async () => {
    // Checks the headline and ok when the doctor reports only ✓ and skipped lines.
    const passing = DOCTOR_REPORT.checks.filter((c) => c.ok);
    await service.route('GET', `/v1/sheets/${SHEET_ID}/doctor`, 200, { ...DOCTOR_REPORT, ok: true, exit_code: 0, checks: passing });
    const result = plain(setUp().addon.testConnection());
    assert.equal(result.ok, true);
    assert.equal(result.message, `Connected: ${service.url} accepted your Google sign-in. Every check holds.`);
    assert.deepEqual(result.checks.map((c) => c.mark), ['✓', '✓', '✓', '–']);
  });

  test('Test connection reports 401, 403, 404, not ready and unreachable distinctly', async () => {
    // Checks each refusal of the doctor endpoint: its own message and no check lines.
    const outcomes = [
      [401, { error: 'unauthenticated', detail: 'Wrong audience' }, /^The service did not accept your Google sign-in: Wrong audience\./],
      [403, { error: 'forbidden', detail: 'not allowed' }, /^Your Google account is not allowed/],
      [404, { error: 'sheet_not_found', detail: `Unknown sheet '${SHEET_ID}'` }, /^The service cannot find this spreadsheet\. Unknown sheet/],
      [503, { error: 'store_unavailable', detail: 'the database does not answer' }, /is running but not ready\. the database does not answer\./],
    ];
    for (const [status, body, expected] of outcomes) {
      await service.reset();
      await service.route('GET', `/v1/sheets/${SHEET_ID}/doctor`, status, body);
      const result = plain(setUp().addon.testConnection());
      assert.equal(result.ok, false, result.message);
      assert.match(result.message, expected);
      assert.deepEqual(result.checks, []);
    }
    const url = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = plain(setUp({ pinnedUrl: url }).addon.testConnection());
    assert.equal(unreachable.ok, false);
    assert.match(unreachable.message, /^Cannot reach the After-sales service at http:\/\/127\.0\.0\.1:\d+\./);
    assert.deepEqual(unreachable.checks, []);
  });

  test('Check my sheet shows the proposal and Apply posts it once', async () => {
    // Checks GET then POST /v1/sheets/{id}/adopt and the lines a person reads for each.
    const proposal = {
      cases_tab: 'AS log',
      found_by: 'headers',
      columns: [
        { header: 'Case ID', column: 'case_id', means: 'Case ID', how: 'built in' },
        { header: 'Issue Tpye', column: 'issue_type', means: 'Issue Type', how: 'suggested' },
      ],
      extra_columns: ['跟进记录'],
      words: [
        { column: 'Status', word: 'Awaitng Seller', rows: 1, means: 'Awaiting Seller', how: 'suggested' },
        { column: 'Status', word: '处理中', rows: 3, means: 'In Progress', how: 'built in' },
      ],
      settings_rows: [['tab.cases', 'AS log'], ['column.issue_type', 'Issue Tpye']],
      vocabulary_rows: [['Status', 'Awaitng Seller', 'Awaiting Seller']],
      needs_person: ["Status 'Refund Pending' (2 rows) is not a word the service knows"],
      exit_code: 1,
      cells_written: 0,
    };
    await service.route('GET', `/v1/sheets/${SHEET_ID}/adopt`, 200, proposal);
    await service.route('POST', `/v1/sheets/${SHEET_ID}/adopt`, 200, { ...proposal, cells_written: 9 });
    const { addon } = setUp();
    const checked = plain(addon.checkMySheet());
    assert.equal(checked.ok, true);
    assert.equal(checked.canApply, true);
    assert.equal(checked.message, '3 mapping rows to write: press Apply (nothing else in the sheet changes).');
    assert.deepEqual(checked.lines, [
      'Cases tab: AS log',
      'Column "Issue Tpye" is Issue Type (suggested)',
      'Your own columns (left alone): 跟进记录',
      'Status "Awaitng Seller" means Awaiting Seller (suggested)',
      "Needs you: Status 'Refund Pending' (2 rows) is not a word the service knows",
    ]);
    const applied = plain(addon.applyMySheet());
    assert.equal(applied.message, 'Applied: 9 cells written to the Settings and Vocabulary tabs.');
    assert.equal(applied.canApply, false);
    const requests = await service.requests();
    assert.deepEqual(requests.map((r) => [r.method, r.path]), [
      ['GET', `/v1/sheets/${SHEET_ID}/adopt`],
      ['POST', `/v1/sheets/${SHEET_ID}/adopt`],
    ]);
    assert.equal(requests[1].headers.authorization, `Bearer ${TOKEN}`);
  });

  test('Test connection signs with the deployer’s sheet secret', async () => {
    // Checks that the connection test uses the same HMAC credentials as a sync.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/doctor`, 200, DOCTOR_REPORT);
    const { addon } = setUpSigned();
    const result = plain(addon.testConnection());
    assert.match(result.message, /accepted the sheet secret/);
    const [request] = await service.requests();
    assert.equal(request.path, `/v1/sheets/${SHEET_ID}/doctor`);
    assert.equal(request.headers['x-aftersales-signature'], expectedSignature(SECRET, request));
  });
});

describe('the pinned service URL (issue 12: no identity handed to someone else)', () => {
  /** Every action an editor can trigger, with the routes the pinned service answers. */
  async function pressEverything(addon) {
    addon.syncNow();
    addon.recalculateAll();
    addon.getCaseDetails();
    addon.testConnection({ url: attacker.url, secret: '' });
    addon.undoLastSync();
  }

  async function routeEverything() {
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    await service.route('POST', `/v1/sheets/${SHEET_ID}/recalculate`, 200, SYNC_RESULT);
    await service.route('GET', `/v1/sheets/${SHEET_ID}/cases/AS-2025-0001`, 200, CASE);
    await service.route('GET', `/v1/sheets/${SHEET_ID}/doctor`, 200, DOCTOR_REPORT);
    await service.route('GET', `/v1/sheets/${SHEET_ID}/runs?limit=20`, 200, [RUN_42]);
    await service.route('POST', `/v1/sheets/${SHEET_ID}/runs/42/undo`, 200, UNDO_42);
  }

  test('an editor cannot save another URL: Set up refuses, stores nothing, and syncs stay pinned', async () => {
    // Checks saveSetup with an attacker's URL (and a secret) changes no property and no request.
    await routeEverything();
    const { apps, addon } = setUp({ selection: { row: 2 }, answers: ['YES'] });
    const saved = plain(addon.saveSetup({ url: attacker.url, secret: 'editor-secret' }));
    assert.equal(saved.ok, false);
    assert.match(saved.message, /fixed by whoever deployed the add-on/);
    assert.deepEqual(apps.documentProperties.getProperties(), {});
    assert.deepEqual(apps.scriptProperties.getProperties(), {});
    assert.equal(plain(addon.getSetup()).url, service.url);
    await pressEverything(addon);
    assert.deepEqual(await attacker.requests(), []);
    assert.ok((await service.requests()).length >= 6);
  });

  test('a URL or secret an editor wrote into the document properties is ignored and removed', async () => {
    // Checks that the old per-spreadsheet settings (shared by every editor) neither redirect the
    // token nor switch the add-on to HMAC, and that opening Set up deletes them.
    await routeEverything();
    const planted = { AFTERSALES_SERVICE_URL: attacker.url, AFTERSALES_HMAC_SECRET: 'planted' };
    const { apps, addon } = setUp({ properties: planted, selection: { row: 2 }, answers: ['YES'] });
    await pressEverything(addon);
    assert.deepEqual(await attacker.requests(), []);
    for (const request of await service.requests()) {
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`, request.path);
      assert.equal(request.headers['x-aftersales-signature'], undefined, request.path);
    }
    const setup = plain(addon.getSetup());
    assert.equal(setup.legacyRemoved, true);
    assert.equal(setup.url, service.url);
    assert.deepEqual(apps.documentProperties.getProperties(), {});
  });

  test('the identity token goes only to the pinned URL, never to a redirect target', async () => {
    // Checks that a 307 to the attacker is not followed and the token never leaves the pinned host.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 307, '', {
      Location: `${attacker.url}/v1/sheets/${SHEET_ID}/sync`,
    });
    const { apps, addon } = setUp();
    addon.syncNow();
    assert.match(lastAlert(apps), /answered with a redirect/);
    assert.deepEqual(await attacker.requests(), []);
    assert.ok(apps.log.fetches.every((f) => f.params.followRedirects === false));
    const tokens = apps.log.fetches.filter((f) => JSON.stringify(f.params.headers).includes(TOKEN));
    assert.ok(tokens.length > 0);
    assert.ok(tokens.every((f) => f.url.startsWith(service.url + '/')), 'token only under the pinned URL');
  });

  test('no request leaves the manifest’s urlFetchWhitelist, whatever the Case ID holds', async () => {
    // Checks every fetch against the whitelist the export writes, with a Case ID that tries to
    // turn the path into another host.
    await routeEverything();
    const rows = [['Case ID'], ['//' + new URL(attacker.url).host + '/x'], ['AS-2025-0001']];
    const { apps, addon } = setUp({ sheets: { Cases: rows }, selection: { row: 2 }, answers: ['YES'] });
    assert.deepEqual(apps.manifest.urlFetchWhitelist, [service.url + '/']);
    addon.getCaseDetails();
    await pressEverything(addon);
    assert.ok(apps.log.fetches.length >= 6);
    for (const fetch of apps.log.fetches) {
      assert.ok(allowedByWhitelist(fetch.url, apps.manifest.urlFetchWhitelist), fetch.url);
    }
    assert.deepEqual(apps.log.blocked, []);
    assert.deepEqual(await attacker.requests(), []);
  });

  test('only https:// is accepted, or http:// on a loopback address', async () => {
    // Checks checkUrl_ on good and bad URLs, and that a pinned plain-http URL is refused unsent.
    const { addon } = setUp();
    for (const good of [
      'https://desk.example.com',
      'https://desk.example.com:8443/aftersales',
      'http://127.0.0.1:8000',
      'http://127.8.9.10',
      'http://localhost:8000',
      'http://[::1]:8000',
    ]) {
      assert.equal(addon.checkUrl_(good), '', good);
    }
    for (const bad of [
      'http://desk.example.com',
      'http://127.0.0.1.attacker.example',
      'http://localhost.attacker.example:8000',
      'http://10.0.0.5:8000',
      'https://lena@desk.example.com',
      'https://desk.example.com/?q=1',
      'ftp://desk.example.com',
      'desk.example.com',
    ]) {
      assert.match(addon.checkUrl_(bad), /https:\/\//, bad);
    }
    const apps = createAppsScript({ spreadsheetId: SHEET_ID, pinnedUrl: 'http://desk.example.com' });
    loadAddon(apps).syncNow();
    assert.match(lastAlert(apps), /must start with https:\/\//);
    assert.equal(apps.log.fetches.length, 0);
  });

  test('a deployer may pin the URL in the script properties instead of Config.gs', async () => {
    // Checks the ScriptProperties fallback, which editors of the spreadsheet cannot write.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    const apps = createAppsScript({
      spreadsheetId: SHEET_ID,
      identityToken: TOKEN,
      scriptProperties: { AFTERSALES_SERVICE_URL: service.url + '/' },
    });
    loadAddon(apps).syncNow();
    assert.equal((await service.requests()).length, 1);
    assert.match(apps.log.toasts.at(-1).message, /^Synced 200 cases/);
  });

  test('a sheet secret is used only for the spreadsheet the deployer set it for', async () => {
    // Checks that another spreadsheet's secret never signs this one's requests.
    await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, 200, SYNC_RESULT);
    const { addon } = setUp({ scriptProperties: { AFTERSALES_SHEET_SECRET_other: SECRET } });
    addon.syncNow();
    const [request] = await service.requests();
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(request.headers['x-aftersales-signature'], undefined);
  });
});

describe('a busy service (429 / 503 with Retry-After)', () => {
  test('429 and 503 with Retry-After say busy and when to try again, unlike unreachable', async () => {
    // Checks the busy message for both statuses, seconds and HTTP-date forms, and the fallbacks.
    const cases = [
      [429, { 'Retry-After': '7' }, /^The After-sales service is busy, try again in 7 s\.$/],
      [503, { 'Retry-After': '30' }, /^The After-sales service is busy, try again in 30 s\.$/],
      [503, { 'Retry-After': new Date(Date.now() + 90_000).toUTCString() }, /^The After-sales service is busy, try again in (8\d|9\d) s\.$/],
      [429, {}, /^The After-sales service is busy, try again in a minute\.$/],
      [503, {}, /^The After-sales service failed \(HTTP 503\)/],
    ];
    for (const [status, headers, expected] of cases) {
      await service.reset();
      await service.route('POST', `/v1/sheets/${SHEET_ID}/sync`, status, { error: 'busy', detail: 'pool' }, headers);
      const { apps, addon } = setUp();
      addon.syncNow();
      assert.match(lastAlert(apps), expected, `${status} ${JSON.stringify(headers)}`);
    }
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { apps, addon } = setUp({ pinnedUrl: url });
    addon.syncNow();
    assert.match(lastAlert(apps), /^Cannot reach the After-sales service/);
  });
});

describe('Undo last sync (issue 13)', () => {
  test('asks YES/NO naming the run, then undoes it and shows the cells restored', async () => {
    // Checks GET /runs, the confirmation text, POST .../runs/42/undo and the result message.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/runs?limit=20`, 200, [RUN_43_EMPTY, RUN_42, RUN_41]);
    await service.route('POST', `/v1/sheets/${SHEET_ID}/runs/42/undo`, 200, UNDO_42);
    const { apps, addon } = setUp({ answers: ['YES'] });
    const shown = addon.undoLastSync();
    const [confirm] = apps.log.alerts;
    assert.equal(confirm.buttons, 'YES_NO');
    assert.match(confirm.message, /^Undo run 42 \(Sync now, 2025-03-10 14:05\)\? It wrote 14 cells\./);
    const requests = await service.requests();
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [
      `GET /v1/sheets/${SHEET_ID}/runs?limit=20`,
      `POST /v1/sheets/${SHEET_ID}/runs/42/undo`,
    ]);
    assert.equal(requests[1].body, '{}');
    assert.equal(shown, 'Undid run 42: 12 cells restored; 2 left as they are because they changed since (run 44).');
    assert.equal(apps.log.toasts.at(-1).message, shown);
  });

  test('answering NO undoes nothing', async () => {
    // Checks that no undo request is sent without a YES.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/runs?limit=20`, 200, [RUN_42]);
    const { addon } = setUp({ answers: ['NO'] });
    assert.equal(addon.undoLastSync(), 'Undo cancelled: nothing was changed.');
    assert.equal((await service.requests()).length, 1);
  });

  test('nothing to undo is said without asking, for an undone, empty or running last sync', async () => {
    // Checks each case in which Undo last sync must not offer to undo anything.
    const cases = [
      [[RUN_43_UNDO, { ...RUN_42, undone_by: 43 }], /^Nothing to undo: the last change to this sheet was run 43, which undid run 42\./],
      [[{ ...RUN_42, undone_by: 43 }], /^Nothing to undo: run 42 was already undone \(by run 43\)\./],
      [[RUN_43_EMPTY], /^Nothing to undo: no recent sync of this sheet changed a cell\./],
      [[], /^Nothing to undo: no recent sync of this sheet changed a cell\./],
      [[{ ...RUN_43_EMPTY, finished_at: null, outcome: null }, RUN_42], /^A sync of this sheet is running \(run 43\)/],
    ];
    for (const [runs, expected] of cases) {
      await service.reset();
      await service.route('GET', `/v1/sheets/${SHEET_ID}/runs?limit=20`, 200, runs);
      const { apps, addon } = setUp({ answers: ['YES'] });
      const shown = addon.undoLastSync();
      assert.match(shown, expected);
      assert.equal(apps.log.alerts.length, 1, 'one message, no confirmation');
      assert.notEqual(apps.log.alerts[0].buttons, 'YES_NO');
      assert.equal((await service.requests()).length, 1, 'no undo request');
    }
  });

  test('an undo that restored nothing says so', async () => {
    // Checks the message when every cell changed since the run.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/runs?limit=20`, 200, [RUN_42]);
    await service.route('POST', `/v1/sheets/${SHEET_ID}/runs/42/undo`, 200, { run_id: 44, undone_run: 42, restored: 0, skipped: ['a', 'b'] });
    const { addon } = setUp({ answers: ['YES'] });
    assert.equal(addon.undoLastSync(), 'Nothing to undo: every cell run 42 wrote has changed since (2 left as they are).');
  });

  test('an undo refused by the service shows the service’s reason', async () => {
    // Checks a 409 from the undo endpoint is shown as an alert.
    await service.route('GET', `/v1/sheets/${SHEET_ID}/runs?limit=20`, 200, [RUN_42]);
    await service.route('POST', `/v1/sheets/${SHEET_ID}/runs/42/undo`, 409, { error: 'conflict', detail: 'Run 42 was already undone by run 45.' });
    const { apps, addon } = setUp({ answers: ['YES'] });
    addon.undoLastSync();
    assert.match(lastAlert(apps), /Run 42 was already undone by run 45\./);
  });
});

describe('plain helpers', () => {
  test('buildRequest_ signs the full path with query and omits the payload on GET', () => {
    // Checks the canonical string (base path prefix and query included) and GET params.
    const { addon } = setUp();
    const signed = plain(
      addon.buildRequest_('get', 'https://host.example/desk/', '/v1/x?y=1', '', { secret: 'k' }, 1700000000.9, 'n0nce_0123456789-AB'),
    );
    assert.equal(signed.url, 'https://host.example/desk/v1/x?y=1');
    assert.equal(signed.params.method, 'get');
    assert.equal(signed.params.payload, undefined);
    assert.equal(signed.params.headers['X-Aftersales-Timestamp'], '1700000000');
    assert.equal(signed.params.headers['X-Aftersales-Nonce'], 'n0nce_0123456789-AB');
    // Worked by hand: the message is "GET\n/desk/v1/x?y=1\n1700000000\nn0nce_0123456789-AB\n".
    const expected = expectedSignature('k', {
      method: 'GET',
      path: '/desk/v1/x?y=1',
      body: '',
      headers: { 'x-aftersales-timestamp': '1700000000', 'x-aftersales-nonce': 'n0nce_0123456789-AB' },
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
