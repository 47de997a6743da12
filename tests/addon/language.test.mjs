// Tests of the add-on in the team's language (issue 20): the language chosen from what the
// service reports, else the person's Apps Script locale, kept for the next execution; and the
// menu, Sync now (200 and 202), a failure and Undo last sync, in Chinese and in English. Every
// expected text is written out by hand.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { createAppsScript, loadAddon, plain, startFakeService } from './harness.mjs';

const SHEET_ID = '1ZhTeamHangzhou_Q4';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.zh-team-token.sig';
const BASE = `/v1/sheets/${SHEET_ID}`;
const LANGUAGE_PROPERTY = 'aftersales.language';
// A team's own sheet: Chinese headers and values, an English platform name, a stray note.
const CASES = [
  ['开单日期', '案件编号', '平台', '客户', '状态', '备注'],
  ['2025-03-01', 'HZ-25-0412', '淘宝代购', '王芳', '等待卖家回复', '已催两次'],
  ['2025-03-02', 'HZ-25-0413', 'Superbuy', 'Lena K.', '处理中', ''],
];
const SUMMARY = {
  run_id: 57,
  backend: 'google',
  cases: 1250,
  new_cases: 12,
  cells_written: 318,
  timeline_events: 40,
  findings: 9,
  errors: 2,
  warnings: 1,
  duration_ms: 4100,
  notes: [],
  joined: false,
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
const UNDO_42 = { run_id: 44, undone_run: 42, restored: 12, skipped: ['优先级 of HZ-25-0412', '状态 of HZ-25-0413'] };

const MENU = {
  en: ['After-sales', 'Sync now', 'Recalculate all', 'Undo last sync', 'Case details', 'Set up'],
  zh: ['售后', '立即同步', '全部重新计算', '撤销上次同步', '案件详情', '设置'],
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
  const apps = createAppsScript({
    spreadsheetId: SHEET_ID,
    sheets: { 售后登记: CASES },
    identityToken: TOKEN,
    pinnedUrl: service.url,
    ...overrides,
  });
  return { apps, addon: loadAddon(apps) };
}

/** The menu onOpen built: [title, item, item, …]. */
function menuOf(apps) {
  const menu = apps.log.menus.at(-1);
  return [menu.name, ...menu.items.filter((item) => !item.separator).map((item) => item.caption)];
}

const messages = (entries) => entries.map((entry) => entry.message);

describe('choosing the language', () => {
  test('before the service reported one, the menu follows the user’s locale', () => {
    // Checks zh, zh_CN, zh_TW, zh-HK → Chinese and en, en_GB, fr_FR, '' → English.
    const seen = {};
    for (const locale of ['zh', 'zh_CN', 'zh_TW', 'zh-HK', 'en', 'en_GB', 'fr_FR', '']) {
      const { apps, addon } = setUp({ locale });
      addon.onOpen({ authMode: 'LIMITED' });
      seen[locale] = menuOf(apps)[0];
    }
    assert.deepEqual(seen, {
      zh: '售后', zh_CN: '售后', zh_TW: '售后', 'zh-HK': '售后',
      en: 'After-sales', en_GB: 'After-sales', fr_FR: 'After-sales', '': 'After-sales',
    });
  });

  test('the menu has every item in Chinese for a Chinese team, and in English for an English one', () => {
    // Checks each caption and that the items still call the same functions.
    const functions = {};
    for (const language of ['en', 'zh']) {
      const { apps, addon } = setUp({ properties: { [LANGUAGE_PROPERTY]: language }, locale: 'en_US' });
      addon.onOpen({ authMode: 'LIMITED' });
      assert.deepEqual(menuOf(apps), MENU[language]);
      functions[language] = apps.log.menus[0].items.map((item) => item.functionName || '—');
    }
    assert.deepEqual(functions.zh, functions.en);
    assert.deepEqual(functions.zh, ['syncNow', 'recalculateAll', 'undoLastSync', '—', 'showCaseDetails', 'showSetup']);
  });

  test('the language the service reported wins over the locale, and onOpen without properties falls back to it', () => {
    // Checks the cached language over a different locale, and AuthMode.NONE (no properties).
    const cached = setUp({ properties: { [LANGUAGE_PROPERTY]: 'en' }, locale: 'zh_CN' });
    cached.addon.onOpen({ authMode: 'LIMITED' });
    assert.equal(menuOf(cached.apps)[0], 'After-sales');

    const apps = createAppsScript({ spreadsheetId: SHEET_ID, pinnedUrl: service.url, locale: 'zh_TW', properties: { [LANGUAGE_PROPERTY]: 'en' } });
    apps.globals.PropertiesService.getDocumentProperties = () => {
      throw new Error('Exception: You do not have permission to call getDocumentProperties');
    };
    loadAddon(apps).onOpen({ authMode: 'NONE' });
    assert.equal(menuOf(apps)[0], '售后');

    const noLocale = setUp({ locale: new Error('Exception: no permission') });
    noLocale.addon.onOpen({ authMode: 'NONE' });
    assert.equal(menuOf(noLocale.apps)[0], 'After-sales');
  });

  test('a sync answer’s language is used at once and kept for the next menu', async () => {
    // Checks: the press toast is in the locale's language (before any answer), the summary in the
    // reported one, the document property written, and a new execution's menu in Chinese.
    await service.route('POST', `${BASE}/sync`, 200, { ...SUMMARY, language: 'zh' });
    const { apps, addon } = setUp({ locale: 'en_US' });
    addon.syncNow();
    assert.deepEqual(messages(apps.log.toasts), [
      'Syncing…',
      '已同步 1250 个案件：更新了 318 个单元格，新增 12 个，校验列有 2 个错误，1 个提醒（任务 57）。',
    ]);
    assert.equal(apps.documentProperties.getProperty(LANGUAGE_PROPERTY), 'zh');
    const nextExecution = loadAddon(apps);
    nextExecution.onOpen({ authMode: 'LIMITED' });
    assert.deepEqual(menuOf(apps), MENU.zh);
  });

  test('a team switched back to English is followed, and a language the add-on lacks is ignored', async () => {
    // Checks en reported over a cached zh, then 'fr' (unknown) leaving en in place.
    await service.route('POST', `${BASE}/sync`, 200, { ...SUMMARY, language: 'en' });
    const { apps, addon } = setUp({ properties: { [LANGUAGE_PROPERTY]: 'zh' }, locale: 'zh_CN' });
    addon.syncNow();
    assert.deepEqual(messages(apps.log.toasts), [
      '正在同步…',
      'Synced 1250 cases: 318 cells updated, 12 new, 2 errors in Validation, 1 warning (run 57).',
    ]);
    assert.equal(apps.documentProperties.getProperty(LANGUAGE_PROPERTY), 'en');
    await service.reset();
    await service.route('POST', `${BASE}/sync`, 200, { ...SUMMARY, language: 'fr' });
    const again = loadAddon(apps);
    assert.equal(again.syncNow(), 'Synced 1250 cases: 318 cells updated, 12 new, 2 errors in Validation, 1 warning (run 57).');
    assert.equal(apps.documentProperties.getProperty(LANGUAGE_PROPERTY), 'en');
  });

  test('Set up ▸ Test connection learns the language from the doctor’s answer', async () => {
    // Checks the headline in Chinese while the check lines stay as the service sent them.
    const check = { name: 'sheet: can edit', ok: false, detail: 'view only', fix: 'Share ▸ Editor', skipped: false };
    await service.route('GET', `${BASE}/doctor`, 200, { ok: false, exit_code: 1, checks: [check], language: 'zh' });
    const { apps, addon } = setUp({ locale: 'en' });
    const result = plain(addon.testConnection());
    assert.equal(
      result.message,
      `已连接：${service.url} 接受了你的 Google 登录。有 1 项检查需要人工处理（见下方 ✗，每项都附了解决办法）。`,
    );
    assert.deepEqual(result.checks, [{ mark: '✗', state: 'fail', name: 'sheet: can edit', detail: 'view only', fix: 'Share ▸ Editor' }]);
    assert.equal(apps.documentProperties.getProperty(LANGUAGE_PROPERTY), 'zh');
  });
});

describe('a Chinese team presses Sync now', () => {
  const zh = { properties: { [LANGUAGE_PROPERTY]: 'zh' } };

  test('a 202 run is followed in Chinese, run numbers and counts kept as they are', async () => {
    // Checks each progress toast and the summary toast, and the sidebar's status.
    await service.answers('POST', `${BASE}/sync`, [
      { status: 202, body: { run_id: 57, state: 'queued', progress: null }, headers: { Location: `${BASE}/runs/57` } },
    ]);
    const run = (state, progress, extra = {}) => ({ status: 200, body: { id: 57, state, progress, ...extra } });
    await service.answers('GET', `${BASE}/runs/57?writes=false`, [
      run('running', { step: 'read', done: 0, total: null }),
      run('running', { step: 'evaluate', done: 12000, total: 30000 }),
      run('running', { step: 'write', done: 24000, total: 30000 }),
      run('succeeded', null, { summary: { ...SUMMARY, cases: 30000, language: 'zh' } }),
    ]);
    const { apps, addon } = setUp(zh);
    const done = '已同步 30000 个案件：更新了 318 个单元格，新增 12 个，校验列有 2 个错误，1 个提醒（任务 57）。';
    assert.equal(addon.syncNow(), done);
    assert.deepEqual(messages(apps.log.toasts), [
      '正在同步…',
      '排队等待中…（任务 57）',
      '正在读取表格…（任务 57）',
      '正在同步… 已处理 12,000 / 30,000 个案件（任务 57）',
      '正在写入… 已处理 24,000 / 30,000 个案件（任务 57）',
      done,
    ]);
    assert.deepEqual(apps.log.toasts.map((t) => t.title), Array(6).fill('售后'));
    assert.deepEqual(apps.log.alerts, []);
    assert.equal(plain(addon.getSyncStatus()).message, done);
  });

  test('Recalculate all answered at once, a join, in Chinese', async () => {
    // Checks the recalculate wording, no errors, and the joined framing.
    await service.route('POST', `${BASE}/recalculate`, 200, { ...SUMMARY, cases: 1, cells_written: 1, errors: 0, warnings: 0, joined: true });
    const { apps, addon } = setUp(zh);
    addon.recalculateAll();
    assert.deepEqual(messages(apps.log.toasts), [
      '正在重新计算全部案件…',
      '已经有一次同步在进行，这次就并入了它。已重新计算 1 个案件：更新了 1 个单元格，新增 12 个，没有错误（任务 57）。',
    ]);
  });

  test('a failed run and a refused press are framed in Chinese, the service’s sentence kept as sent', async () => {
    // Checks the failed run's alert (code and English detail as sent) and a 403's alert.
    await service.answers('POST', `${BASE}/sync`, [
      { status: 202, body: { run_id: 57, state: 'running', progress: null }, headers: {} },
    ]);
    await service.answers('GET', `${BASE}/runs/57?writes=false`, [
      {
        status: 200,
        body: { id: 57, state: 'failed', error: { error: 'backend_unavailable', detail: 'Google Sheets kept failing after 5 tries (HTTP 503).' } },
      },
    ]);
    const failed = setUp(zh);
    failed.addon.syncNow();
    assert.deepEqual(messages(failed.apps.log.alerts), [
      '同步任务 57 失败（backend_unavailable）：Google Sheets kept failing after 5 tries (HTTP 503).',
    ]);
    assert.equal(failed.apps.log.alerts[0].title, '售后');

    await service.reset();
    await service.route('POST', `${BASE}/sync`, 403, { error: 'forbidden', detail: 'wang.fang@agency-hz.cn is not on this sheet’s allow-list' });
    const refused = setUp(zh);
    refused.addon.syncNow();
    assert.deepEqual(messages(refused.apps.log.alerts), [
      '你的 Google 账号没有权限在这张表上使用售后服务。请组长把你的邮箱加进允许名单。' +
        'wang.fang@agency-hz.cn is not on this sheet’s allow-list.',
    ]);
  });

  test('the case sidebar’s selection problems are in Chinese', () => {
    // Checks the no-Case-ID-yet message, with the row number and the Chinese menu path.
    const rows = [CASES[0], ['2025-03-03', '', '淘宝代购', '李娜', '新建', '']];
    const { addon } = setUp({ ...zh, sheets: { 售后登记: rows }, selection: { row: 2 } });
    assert.deepEqual(plain(addon.getCaseDetails()), { error: '第 2 行还没有案件编号。点 售后 ▸ 立即同步 就会生成，或者换一行。' });
  });
});

describe('Set up ▸ Check my sheet for a Chinese team', () => {
  test('the mapping lines and the Apply message are framed in Chinese, the team’s words kept', async () => {
    // Checks each line (tab, a suggested column, own columns, a word, what needs a person) and both
    // messages; headers, words and the service's sentence stay as they are in the sheet.
    const proposal = {
      cases_tab: '售后登记',
      found_by: 'headers',
      columns: [
        { header: '案件编号', column: 'case_id', means: 'Case ID', how: 'built in' },
        { header: '问题类形', column: 'issue_type', means: '问题类型', how: 'suggested' },
        { header: '平台', column: 'platform', means: '平台', how: 'settings' },
      ],
      extra_columns: ['备注', '跟进记录'],
      words: [{ column: '状态', word: '等卖家', rows: 2, means: '等待卖家回复', how: 'suggested' }],
      settings_rows: [['column.issue_type', '问题类形']],
      vocabulary_rows: [['状态', '等卖家', '等待卖家回复']],
      needs_person: ['状态“退款中”（2 行）不是服务认识的词'],
      exit_code: 1,
      cells_written: 0,
    };
    await service.route('GET', `${BASE}/adopt`, 200, proposal);
    await service.route('POST', `${BASE}/adopt`, 200, { ...proposal, cells_written: 6 });
    const { addon } = setUp({ properties: { [LANGUAGE_PROPERTY]: 'zh' } });
    const checked = plain(addon.checkMySheet());
    assert.equal(checked.message, '有 2 行对应关系待写入：点“应用”即可（表格里其他内容不会改动）。');
    assert.deepEqual(checked.lines, [
      '案件工作表：售后登记',
      '“问题类形”列对应 问题类型（建议）',
      '“平台”列对应 平台（设置表里写明）',
      '你们自己的列（不会动）：备注，跟进记录',
      '状态里的“等卖家”即 等待卖家回复（建议）',
      '需要你处理：状态“退款中”（2 行）不是服务认识的词',
    ]);
    assert.equal(plain(addon.applyMySheet()).message, '已应用：在“设置”和“词汇”工作表写入了 6 个单元格。');
  });
});

describe('Undo last sync in both languages', () => {
  const expected = {
    en: {
      title: 'Undo last sync',
      question:
        'Undo run 42 (Sync now, 2025-03-10 14:05)? It wrote 14 cells. Each goes back to its value before that run, unless someone changed it since.',
      undoing: 'Undoing run 42…',
      done: 'Undid run 42: 12 cells restored; 2 left as they are because they changed since (run 44).',
      cancelled: 'Undo cancelled: nothing was changed.',
    },
    zh: {
      title: '撤销上次同步',
      question:
        '要撤销任务 42（立即同步，2025-03-10 14:05）吗？它写入了 14 个单元格。每个单元格都会恢复成该任务之前的值，之后被人改过的除外。',
      undoing: '正在撤销任务 42…',
      done: '已撤销任务 42：恢复了 12 个单元格；另有 2 个之后被改过，保持不变（任务 44）。',
      cancelled: '已取消撤销，表格没有任何改动。',
    },
  };

  for (const language of ['en', 'zh']) {
    test(`asks, undoes and reports in ${language}`, async () => {
      // Checks the confirmation's title and question, the toasts, and a NO.
      await service.route('GET', `${BASE}/runs?limit=20`, 200, [RUN_42]);
      await service.route('POST', `${BASE}/runs/42/undo`, 200, UNDO_42);
      const properties = { [LANGUAGE_PROPERTY]: language };
      const yes = setUp({ properties, answers: ['YES'] });
      assert.equal(yes.addon.undoLastSync(), expected[language].done);
      assert.deepEqual(
        yes.apps.log.alerts.map((a) => [a.title, a.message, a.buttons]),
        [[expected[language].title, expected[language].question, 'YES_NO']],
      );
      assert.deepEqual(messages(yes.apps.log.toasts), [expected[language].undoing, expected[language].done]);

      const no = setUp({ properties, answers: ['NO'] });
      assert.equal(no.addon.undoLastSync(), expected[language].cancelled);
    });
  }

  test('nothing to undo is said in Chinese', async () => {
    // Checks the already-undone message with both run numbers.
    await service.route('GET', `${BASE}/runs?limit=20`, 200, [{ ...RUN_42, undone_by: 43 }]);
    const { addon } = setUp({ properties: { [LANGUAGE_PROPERTY]: 'zh' } });
    assert.equal(addon.undoLastSync(), '没有可撤销的：任务 42 已经被撤销过了（由任务 43）。');
  });
});

describe('the pages get their texts in the team language', () => {
  test('Case details and Set up are served with the Chinese texts and lang, titles included', () => {
    // Checks the injected {lang, texts}, the sidebar title and the dialog title.
    const { apps, addon } = setUp({ properties: { [LANGUAGE_PROPERTY]: 'zh' } });
    addon.showCaseDetails();
    addon.showSetup();
    const sidebar = apps.log.sidebars[0];
    assert.equal(sidebar.getTitle(), '案件详情');
    const page = JSON.parse(/var PAGE = (\{.*\});/.exec(sidebar.getContent())[1]);
    assert.equal(page.lang, 'zh');
    assert.equal(page.texts['sidebar.refresh'], '刷新');
    assert.equal(page.texts['sidebar.returnDeadline'], '退货截止日期');
    assert.ok(Object.keys(page.texts).every((key) => key.startsWith('sidebar.')));
    const dialog = apps.log.dialogs[0];
    assert.equal(dialog.title, '售后助手设置');
    const setup = JSON.parse(/var PAGE = (\{.*\});/.exec(dialog.html.getContent())[1]);
    assert.equal(setup.texts['setup.test'], '测试连接');
    assert.ok(!dialog.html.getContent().includes('/*PAGE_TEXTS*/'), 'the marker was replaced');
  });

  test('a text that looks like markup cannot end the page’s script', () => {
    // Checks that "<" is escaped in the injected texts (a reason or name could hold "</script>").
    const apps = createAppsScript({ spreadsheetId: SHEET_ID, pinnedUrl: service.url });
    const addon = loadAddon(apps);
    addon.MESSAGES['sidebar.copy'].en = 'Copy </script><b>';
    addon.showCaseDetails();
    const content = apps.log.sidebars[0].getContent();
    assert.ok(!content.includes('</script><b>'));
    assert.equal(JSON.parse(/var PAGE = (\{.*\});/.exec(content)[1]).texts['sidebar.copy'], 'Copy </script><b>');
  });
});
