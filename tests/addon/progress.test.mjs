// Tests of a press that takes long (issue 19): the service answers 202 and the add-on follows the
// run, shows its progress and then its summary; and each way it can go wrong has its own message.
// The harness's clock is virtual: the 60-second fetch limit and minutes of polling take
// milliseconds, and the fake service says how long (virtual ms) an answer takes.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';

import { createAppsScript, loadAddon, makeUrlFetchApp, makeClock, plain, startFakeService } from './harness.mjs';

const SHEET_ID = '1kQe7sYncLongRun_Hz';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.long-run-token.sig';
const BASE = `/v1/sheets/${SHEET_ID}`;
const SYNC = `${BASE}/sync`;
const RECALCULATE = `${BASE}/recalculate`;
const RUN_57 = `${BASE}/runs/57?writes=false`;
const LATEST = `${BASE}/runs?limit=1`;
// A team's own sheet: Chinese headers and values, a typo, a note in a stray cell.
const CASES = [
  ['开单日期', '案件编号', 'Platform', '客户', 'Status', '备注'],
  ['2025-03-01', 'HZ-25-0412', '淘宝代购', '王芳', '等待卖家回复', '已催两次'],
  ['2025-03-02', 'HZ-25-0413', 'Superbuy', 'Lena K.', 'Waitng on seller', ''],
];
const SUMMARY_57 = {
  run_id: 57,
  backend: 'google',
  cases: 30000,
  new_cases: 120,
  cells_written: 4512,
  timeline_events: 300,
  findings: 41,
  errors: 3,
  warnings: 1,
  duration_ms: 95000,
  notes: [],
  joined: false,
};
// summarise_ of SUMMARY_57, written out by hand.
const SYNCED_57 = 'Synced 30000 cases: 4512 cells updated, 120 new, 3 errors in Validation, 1 warning (run 57).';
const ACCEPTED_57 = {
  status: 202,
  body: {
    run_id: 57,
    state: 'running',
    progress: { step: 'read', done: 0, total: null },
    location: `${BASE}/runs/57`,
  },
  headers: { Location: `${BASE}/runs/57` },
};

/** GET .../runs/57 as the service answers it, in `state` with `progress`. */
function run57(state, progress = null, extra = {}) {
  const ended = ['succeeded', 'failed', 'interrupted'].includes(state);
  return {
    status: 200,
    body: {
      id: 57,
      trigger: 'sync-now',
      started_at: '2025-03-10T06:05:00Z',
      finished_at: ended ? '2025-03-10T06:06:35Z' : null,
      outcome: ended ? (state === 'succeeded' ? 'ok' : state) : null,
      message: null,
      state,
      progress,
      summary: null,
      error: null,
      ...extra,
    },
  };
}

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
  const apps = createAppsScript({
    spreadsheetId: SHEET_ID,
    sheets: { 售后登记: CASES },
    identityToken: TOKEN,
    pinnedUrl: service.url,
    ...overrides,
  });
  return { apps, addon: loadAddon(apps) };
}

async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const messages = (entries) => entries.map((entry) => entry.message);
const requested = async () => (await service.requests()).map((r) => `${r.method} ${r.path}`);

describe('a press the service answers in time (200)', () => {
  test('the summary is toasted at once, nothing is polled, and the sidebar shows the summary', async () => {
    // Checks the 200 path: one request, no sleep, no alert, and getSyncStatus's summary.
    await service.answers('POST', SYNC, [{ status: 200, body: SUMMARY_57, tookMs: 19_000 }]);
    const { apps, addon } = setUp();
    assert.equal(addon.syncNow(), SYNCED_57);
    assert.deepEqual(messages(apps.log.toasts), ['Syncing…', SYNCED_57]);
    assert.deepEqual(apps.log.alerts, []);
    assert.deepEqual(apps.log.sleeps, []);
    assert.deepEqual(await requested(), [`POST ${SYNC}`]);
    const status = plain(addon.getSyncStatus());
    assert.deepEqual([status.state, status.runId, status.message], ['succeeded', 57, SYNCED_57]);
  });
});

describe('a press the service answers with 202 Accepted', () => {
  test('progress toasts move through read, evaluate and write, then the summary is toasted', async () => {
    // Checks the toasts in order, the polls (GET with writes=false, every 3 s), and no alert.
    await service.answers('POST', SYNC, [ACCEPTED_57]);
    await service.answers('GET', RUN_57, [
      run57('running', { step: 'read', done: 0, total: null }),
      run57('running', { step: 'evaluate', done: 12000, total: 30000 }),
      run57('running', { step: 'write', done: 24000, total: 30000 }),
      run57('succeeded', { step: 'notify', done: 30000, total: 30000 }, { summary: SUMMARY_57 }),
    ]);
    const { apps, addon } = setUp();
    const shown = addon.syncNow();
    assert.deepEqual(messages(apps.log.toasts), [
      'Syncing…',
      'Reading the sheet… (run 57)',
      'Syncing… 12,000 of 30,000 cases (run 57)',
      'Writing… 24,000 of 30,000 cases (run 57)',
      SYNCED_57,
    ]);
    assert.equal(shown, SYNCED_57);
    assert.deepEqual(apps.log.alerts, []);
    assert.deepEqual(await requested(), [`POST ${SYNC}`, ...Array(4).fill(`GET ${RUN_57}`)]);
    assert.deepEqual(apps.log.sleeps, [3000, 3000, 3000, 3000]);
    for (const request of await service.requests()) {
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`, request.path);
    }
  });

  test('the sidebar’s status follows the press and ends with the summary', async () => {
    // Checks getSyncStatus() after the press: the run's summary, not a progress line.
    await service.answers('POST', SYNC, [ACCEPTED_57]);
    await service.answers('GET', RUN_57, [run57('succeeded', null, { summary: SUMMARY_57 })]);
    const { addon } = setUp();
    const before = plain(addon.getSyncStatus());
    assert.deepEqual(before, { state: 'none', pollMs: 5000 });
    addon.syncNow();
    const status = plain(addon.getSyncStatus());
    assert.equal(status.state, 'succeeded');
    assert.equal(status.runId, 57);
    assert.equal(status.message, SYNCED_57);
    assert.equal(status.problem, false);
  });

  test('Recalculate all words its progress as recalculating, and a 202 naming the run only in Location is followed', async () => {
    // Checks the recalculate wording (1 of 1 case, singular) and the run id read from Location.
    const run58 = `${BASE}/runs/58?writes=false`;
    await service.answers('POST', RECALCULATE, [
      { status: 202, body: { state: 'running', progress: null }, headers: { Location: `${BASE}/runs/58` } },
    ]);
    await service.answers('GET', run58, [
      { status: 200, body: { id: 58, state: 'running', progress: { step: 'evaluate', done: 1, total: 1 } } },
      {
        status: 200,
        body: { id: 58, state: 'succeeded', summary: { ...SUMMARY_57, run_id: 58, cases: 1, cells_written: 1, new_cases: 0, errors: 0, warnings: 0 } },
      },
    ]);
    const { apps, addon } = setUp();
    addon.recalculateAll();
    assert.deepEqual(messages(apps.log.toasts), [
      'Recalculating all cases…',
      'Recalculating… (run 58)',
      'Recalculating… 1 of 1 case (run 58)',
      'Recalculated 1 case: 1 cell updated, 0 new, no errors (run 58).',
    ]);
  });

  test('a run waiting its turn says so, then shows its progress', async () => {
    // Checks the queued wording and the move to a counted step (1,250 of 1,250 cases).
    await service.answers('POST', SYNC, [{ ...ACCEPTED_57, body: { ...ACCEPTED_57.body, state: 'queued', progress: null } }]);
    await service.answers('GET', RUN_57, [
      run57('running', { step: 'write', done: 1250, total: 1250 }),
      run57('succeeded', null, { summary: SUMMARY_57 }),
    ]);
    const { apps, addon } = setUp();
    addon.syncNow();
    assert.deepEqual(messages(apps.log.toasts).slice(1), [
      'Waiting to start… (run 57)',
      'Writing… 1,250 of 1,250 cases (run 57)',
      SYNCED_57,
    ]);
  });

  test('a run that fails is alerted with its run number, stable code and sentence', async () => {
    // Checks the failed and interrupted messages (error object, and the older message form).
    const endings = [
      [
        run57('failed', null, {
          error: { error: 'backend_unavailable', detail: 'Google Sheets kept failing after 5 tries (HTTP 503).' },
        }),
        'Sync run 57 failed (backend_unavailable): Google Sheets kept failing after 5 tries (HTTP 503).',
      ],
      [
        run57('failed', null, {
          error: { error: 'sheet_contract', detail: '售后登记 tab: no "Case ID" column in row 1' },
        }),
        'Sync run 57 failed (sheet_contract): 售后登记 tab: no "Case ID" column in row 1.',
      ],
      [
        run57('interrupted', null, { message: 'interrupted: the service restarted while run 57 was writing' }),
        'Sync run 57 was interrupted before it finished (interrupted): the service restarted while run 57 was writing.',
      ],
    ];
    for (const [ending, expected] of endings) {
      await service.reset();
      await service.answers('POST', SYNC, [ACCEPTED_57]);
      await service.answers('GET', RUN_57, [run57('running', { step: 'evaluate', done: 9000, total: 30000 }), ending]);
      const { apps, addon } = setUp();
      assert.equal(addon.syncNow(), expected);
      assert.deepEqual(messages(apps.log.alerts), [expected]);
      assert.ok(!apps.log.toasts.some((t) => t.message.startsWith('Synced')), 'no summary');
      assert.equal(plain(addon.getSyncStatus()).problem, true);
    }
  });

  test('a busy service while polling is waited for as Retry-After asks, within a bound', async () => {
    // Checks that 429 (Retry-After 12) and 503 (Retry-After 120, capped at 30 s) pause the polling
    // instead of failing it, and the summary still comes.
    await service.answers('POST', SYNC, [ACCEPTED_57]);
    await service.answers('GET', RUN_57, [
      { status: 429, body: { error: 'busy', detail: 'Too many presses are waiting.' }, headers: { 'Retry-After': '12' } },
      run57('running', { step: 'evaluate', done: 15000, total: 30000 }),
      { status: 503, body: { error: 'store_busy', detail: 'Every database connection is in use.' }, headers: { 'Retry-After': '120' } },
      run57('succeeded', null, { summary: SUMMARY_57 }),
    ]);
    const { apps, addon } = setUp();
    assert.equal(addon.syncNow(), SYNCED_57);
    assert.deepEqual(apps.log.sleeps, [3000, 12000, 3000, 30000]);
    assert.deepEqual(apps.log.alerts, []);
  });

  test('polling stops within Apps Script’s 6 minutes and says the run goes on; the sidebar picks it up later', async () => {
    // Checks the "still syncing" message, that the press ended with room for one more 60 s fetch
    // before 6 minutes, and that getSyncStatus asks the service once the press no longer does.
    await service.answers('POST', SYNC, [ACCEPTED_57]);
    await service.answers('GET', RUN_57, [run57('running', { step: 'evaluate', done: 12000, total: 30000 })]);
    const { apps, addon } = setUp();
    const shown = addon.syncNow();
    assert.equal(
      shown,
      'Still syncing, run 57; it will finish on its own. Open After-sales ▸ Case details to follow ' +
        'it and see its summary when it ends.',
    );
    assert.equal(apps.log.toasts.at(-1).message, shown);
    assert.equal(apps.log.toasts.at(-1).timeoutSeconds, -1, 'stays until closed');
    assert.deepEqual(apps.log.alerts, []);
    assert.ok(apps.clock.elapsed() <= 6 * 60_000 - 60_000, `ended at ${apps.clock.elapsed()} ms`);
    assert.ok(apps.clock.elapsed() >= 3 * 60_000, `followed for ${apps.clock.elapsed()} ms`);
    assert.ok(apps.log.sleeps.every((ms) => ms === 3000));
    const polls = (await requested()).filter((r) => r === `GET ${RUN_57}`).length;
    assert.equal(polls, apps.log.sleeps.length);
    // The same progress is toasted again every 20 s or so, not on every poll.
    const progress = apps.log.toasts.filter((t) => t.message === 'Syncing… 12,000 of 30,000 cases (run 57)');
    assert.ok(progress.length >= 9 && progress.length <= 13, `${progress.length} progress toasts`);

    const going = plain(addon.getSyncStatus());
    assert.equal(going.state, 'running');
    assert.equal(going.message, 'Syncing… 12,000 of 30,000 cases (run 57)');
    assert.equal(going.fraction, 0.4);
    assert.equal(going.pollMs, 2000);
    await service.answers('GET', RUN_57, [run57('succeeded', null, { summary: SUMMARY_57 })]);
    const asked = (await service.requests()).length;
    apps.clock.advance(11_000); // nobody has updated the status for more than 10 s
    const ended = plain(addon.getSyncStatus());
    assert.equal(ended.state, 'succeeded');
    assert.equal(ended.message, SYNCED_57);
    assert.equal((await service.requests()).length, asked + 1);
  });

  test('a run the add-on loses touch with is said to go on, naming what went wrong', async () => {
    // Checks three failed polls in a row (HTTP 500) and a 404 (at once) each give the lost-touch alert.
    await service.answers('POST', SYNC, [ACCEPTED_57]);
    const failed = { status: 500, body: { error: 'internal_error', detail: 'The service failed; the error was logged.' } };
    await service.answers('GET', RUN_57, [run57('running', null), failed, failed, failed]);
    let { apps, addon } = setUp();
    assert.equal(
      addon.syncNow(),
      'Run 57 is on the After-sales service, but the add-on lost touch with it (HTTP 500 ' +
        'internal_error: The service failed; the error was logged). It will finish on its own; ' +
        'open After-sales ▸ Case details to see how it ends.',
    );
    assert.equal(apps.log.alerts.length, 1);
    assert.equal((await requested()).filter((r) => r.startsWith('GET')).length, 4);

    await service.reset();
    await service.answers('POST', SYNC, [ACCEPTED_57]);
    await service.answers('GET', RUN_57, [{ status: 404, body: { error: 'not_found', detail: 'No run 57 for this sheet' } }]);
    ({ apps, addon } = setUp());
    assert.match(addon.syncNow(), /^Run 57 is on the After-sales service, but the add-on lost touch with it \(HTTP 404 not_found: No run 57 for this sheet\)\./);
    assert.equal((await requested()).filter((r) => r.startsWith('GET')).length, 1);
  });
});

describe('a press whose fetch throws', () => {
  test('after the 60-second limit, a run the service accepted is followed, not called unreachable', async () => {
    // Checks that the add-on asks the latest run (a running one: the press started it), polls it
    // and toasts the summary; the fetch gave up after exactly 60 s of virtual time.
    await service.answers('POST', SYNC, [{ status: 200, body: SUMMARY_57, tookMs: 75_000 }]);
    await service.answers('GET', LATEST, [
      { status: 200, body: [{ id: 57, trigger: 'sync-now', backend: 'google', started_at: new Date().toISOString(), finished_at: null, outcome: null, counts: {}, message: null, undone_by: null }] },
    ]);
    await service.answers('GET', RUN_57, [
      run57('running', { step: 'evaluate', done: 20000, total: 30000 }),
      run57('succeeded', null, { summary: SUMMARY_57 }),
    ]);
    const { apps, addon } = setUp();
    assert.equal(addon.syncNow(), SYNCED_57);
    assert.deepEqual(apps.log.timeouts, [service.url + SYNC]);
    assert.deepEqual(apps.log.alerts, []);
    assert.deepEqual(messages(apps.log.toasts), [
      'Syncing…',
      'Syncing… (run 57)',
      'Syncing… 20,000 of 30,000 cases (run 57)',
      SYNCED_57,
    ]);
    assert.deepEqual(await requested(), [`POST ${SYNC}`, `GET ${LATEST}`, `GET ${RUN_57}`, `GET ${RUN_57}`]);
    assert.ok(apps.log.toasts[1].at >= 60_000, 'the fetch waited 60 s before giving up');
  });

  test('after the 60-second limit, a run that finished meanwhile is reported with its summary', async () => {
    // Checks a latest run that ended after the press: its detail is fetched once, no sleep.
    await service.answers('POST', SYNC, [{ status: 200, body: SUMMARY_57, tookMs: 90_000 }]);
    const finishedAt = new Date(Date.now() + 55_000).toISOString(); // during the 60 s wait
    await service.answers('GET', LATEST, [
      { status: 200, body: [{ id: 57, trigger: 'sync-now', backend: 'google', started_at: new Date().toISOString(), finished_at: finishedAt, outcome: 'ok', counts: { cases: 30000 }, message: null, undone_by: null }] },
    ]);
    await service.answers('GET', RUN_57, [run57('succeeded', null, { summary: SUMMARY_57 })]);
    const { apps, addon } = setUp();
    assert.equal(addon.syncNow(), SYNCED_57);
    assert.deepEqual(apps.log.alerts, []);
    assert.deepEqual(apps.log.sleeps, []);
    assert.deepEqual(await requested(), [`POST ${SYNC}`, `GET ${LATEST}`, `GET ${RUN_57}`]);
  });

  test('after the 60-second limit with no run from this press, it says the service did not answer', async () => {
    // Checks the message when the latest run ended an hour before the press: not "cannot reach".
    await service.answers('POST', SYNC, [{ status: 200, body: SUMMARY_57, tookMs: 61_000 }]);
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await service.answers('GET', LATEST, [
      { status: 200, body: [{ id: 56, trigger: 'nightly', backend: 'google', started_at: anHourAgo, finished_at: anHourAgo, outcome: 'ok', counts: {}, message: null, undone_by: null }] },
    ]);
    const { apps, addon } = setUp();
    const shown = addon.syncNow();
    assert.match(
      shown,
      new RegExp(`^The After-sales service at ${service.url.replace(/\./g, '\\.')} did not answer within 60 s, and its latest run is not one from this press, so nothing is syncing\\. Try again in a minute\\.`),
    );
    assert.match(shown, /\(Timeout: http:\/\/127\.0\.0\.1:\d+\/v1\/sheets\/.*\/sync\)$/);
    assert.deepEqual(messages(apps.log.alerts), [shown]);
  });

  test('after the 60-second limit with the runs not answered either, it says it cannot tell', async () => {
    // Checks the message when both the press and the question about its run time out.
    await service.answers('POST', SYNC, [{ status: 200, body: SUMMARY_57, tookMs: 70_000 }]);
    await service.answers('GET', LATEST, [{ status: 200, body: [], tookMs: 70_000 }]);
    const { apps, addon } = setUp();
    const shown = addon.syncNow();
    assert.match(
      shown,
      /did not answer within 60 s, nor when asked for its runs, so the add-on cannot tell whether it is syncing\. Wait a minute, then press again: a press while the sheet syncs joins that run instead of starting another\. \(Timeout: /,
    );
    assert.equal(apps.log.timeouts.length, 2);
    assert.ok(apps.clock.elapsed() >= 120_000 && apps.clock.elapsed() < 6 * 60_000);
  });

  test('a service that refuses the connection is unreachable, after asking for its runs too', async () => {
    // Checks the unreachable message and that the runs were asked before saying it.
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { apps, addon } = setUp({ pinnedUrl: url });
    const shown = addon.syncNow();
    assert.match(shown, new RegExp(`^Cannot reach the After-sales service at ${url.replace(/\./g, '\\.')}\\. Try again in a minute\\.`));
    assert.match(shown, /\(Address unavailable: /);
    assert.deepEqual(apps.log.fetches.map((f) => f.url), [url + SYNC, url + LATEST]);
    assert.deepEqual(apps.log.timeouts, []);
    assert.ok(apps.clock.elapsed() < 60_000, 'a refused connection is not a timeout');
  });
});

describe('a busy service at the press', () => {
  test('429 and 503 with Retry-After say when to try again and start no polling', async () => {
    // Checks the busy wording for each status and that only the press was sent.
    for (const [status, seconds] of [[429, '45'], [503, '20']]) {
      await service.reset();
      await service.answers('POST', SYNC, [
        { status, body: { error: 'busy', detail: 'Too many presses are waiting.' }, headers: { 'Retry-After': seconds } },
      ]);
      const { apps, addon } = setUp();
      assert.equal(addon.syncNow(), `The After-sales service is busy, try again in ${seconds} s.`);
      assert.equal(apps.log.alerts.length, 1);
      assert.deepEqual(await requested(), [`POST ${SYNC}`]);
    }
  });
});

describe('the UrlFetchApp fake behaves like Apps Script’s', () => {
  test('an answer slower than 60 s throws Timeout after exactly 60 s, and the request was sent', async () => {
    // Checks the virtual clock moved by the limit (not by the answer's 75 s) and the service got it.
    await service.answers('GET', `${BASE}/slow`, [{ status: 200, body: { ok: true }, tookMs: 75_000 }]);
    await service.answers('GET', `${BASE}/quick`, [{ status: 200, body: { ok: true }, tookMs: 1_500 }]);
    const clock = makeClock('virtual');
    const fetcher = makeUrlFetchApp([], undefined, [], clock, []);
    const start = clock.now();
    assert.throws(() => fetcher.fetch(service.url + `${BASE}/slow`, { muteHttpExceptions: true }), /^Error: Exception: Timeout: http:/);
    const afterSlow = clock.now() - start;
    assert.ok(afterSlow >= 60_000 && afterSlow < 61_000, `${afterSlow} ms`);
    fetcher.fetch(service.url + `${BASE}/quick`, { muteHttpExceptions: true });
    const afterQuick = clock.now() - start - afterSlow;
    assert.ok(afterQuick >= 1_500 && afterQuick < 2_500, `${afterQuick} ms`);
    assert.deepEqual(await requested(), [`GET ${BASE}/slow`, `GET ${BASE}/quick`]);
  });

  test('without muteHttpExceptions an HTTP error throws; with it, the answer and its headers come back', async () => {
    // Checks the exception text, header names as sent, repeated headers in getAllHeaders only.
    await service.answers('GET', `${BASE}/busy`, [
      { status: 429, body: { error: 'busy', detail: 'wait' }, headers: { 'Retry-After': '9', 'Set-Cookie': ['a=1', 'b=2'] } },
    ]);
    const fetcher = makeUrlFetchApp([], undefined, [], makeClock('virtual'), []);
    assert.throws(
      () => fetcher.fetch(service.url + `${BASE}/busy`),
      /Request failed for http:\/\/127\.0\.0\.1:\d+\/v1\/sheets\/.*\/busy returned code 429\. Truncated server response: \{"error":"busy","detail":"wait"\} \(use muteHttpExceptions option to examine full response\)/,
    );
    const response = fetcher.fetch(service.url + `${BASE}/busy`, { muteHttpExceptions: true });
    assert.equal(response.getResponseCode(), 429);
    assert.equal(response.getHeaders()['Retry-After'], '9');
    assert.equal(response.getHeaders()['retry-after'], undefined, 'names keep their case');
    assert.deepEqual(response.getAllHeaders()['Set-Cookie'], ['a=1', 'b=2']);
    assert.equal(response.getHeaders()['Set-Cookie'], 'b=2');
    assert.equal(Object.keys(response.getHeaders()).some((k) => /fake/i.test(k)), false);
  });

  test('Utilities.sleep moves the add-on’s clock, not the test’s, and refuses more than 5 minutes', () => {
    // Checks the vm's Date.now and new Date() follow the virtual clock.
    const apps = createAppsScript({ spreadsheetId: SHEET_ID });
    const addon = loadAddon(apps);
    const before = addon.Date.now();
    apps.globals.Utilities.sleep(300_000);
    const moved = addon.Date.now() - before;
    assert.ok(moved >= 300_000 && moved < 301_000, `${moved} ms`);
    assert.ok(new addon.Date().getTime() - Date.now() >= 299_000);
    assert.throws(() => apps.globals.Utilities.sleep(300_001), /too long/);
  });
});
