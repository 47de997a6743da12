/**
 * After-sales Desk: the Google Sheets add-on.
 *
 * Adds an "After-sales" menu (Sync now, Recalculate all, Undo last sync, Case details, Set up)
 * and calls the After-sales Desk service for this spreadsheet, at the URL pinned by whoever
 * deployed the add-on (Config.gs or the script property AFTERSALES_SERVICE_URL; see Config.gs).
 * Nothing a spreadsheet's editor can change (its document properties, its cells) decides where a
 * request goes or which credential it carries.
 *
 * Callers authenticate with the person's Google identity token (ScriptApp.getIdentityToken), so
 * the service's per-sheet allow-list decides who may press the buttons. Only when the deployer
 * set a secret for this spreadsheet (script property AFTERSALES_SHEET_SECRET_<spreadsheet id>,
 * for teams without Google identities) the add-on signs with HMAC-SHA256 over
 * "METHOD\npath?query\ntimestamp\nnonce\nbody" instead.
 *
 * This file holds the menu, the functions the HTML pages call, settings and the selection;
 * Messages.gs every text people see (English and Chinese), Language.gs the team language and
 * the look-up of those texts, Service.gs the HTTP client and its errors, Progress.gs a press and
 * the run it starts (polling), RunStatus.gs that run's status in words and getSyncStatus for the
 * sidebar, Undo.gs Undo last sync (Apps Script loads every file into one scope). Every piece of logic is a plain
 * function that reads the Apps Script globals only when it is called, so tests/addon/harness.mjs
 * can run the .gs files in a node `vm` context with fakes of them.
 */

// The menu's and every toast's and alert's title: t_('addon.title') (Messages.gs).
// Script properties, set by the deployer in the add-on's own project.
var PROP_URL = 'AFTERSALES_SERVICE_URL';
var PROP_SHEET_SECRET_PREFIX = 'AFTERSALES_SHEET_SECRET_';
// Document properties older versions stored (every editor could change them): ignored, and
// removed when Set up is opened.
var LEGACY_DOCUMENT_PROPERTIES = ['AFTERSALES_SERVICE_URL', 'AFTERSALES_HMAC_SECRET'];
// Header texts of the Case ID column, in order of preference (see sheet_schema's Cases tab).
var CASE_ID_HEADERS = ['Case ID', '案件编号', 'Case No.', 'Case', '编号'];

// ---------------------------------------------------------------------------------------------
// Menu and menu actions
// ---------------------------------------------------------------------------------------------

/** Installs the menu when the add-on is installed into an already open spreadsheet. */
function onInstall(e) {
  onOpen(e);
}

/**
 * Adds the After-sales menu, in the team language the service last reported (onOpen cannot ask
 * the service), else in the person's locale.
 */
function onOpen(e) {
  SpreadsheetApp.getUi()
    .createMenu(t_('addon.title'))
    .addItem(t_('menu.sync'), 'syncNow')
    .addItem(t_('menu.recalculate'), 'recalculateAll')
    .addItem(t_('menu.undo'), 'undoLastSync')
    .addSeparator()
    .addItem(t_('menu.caseDetails'), 'showCaseDetails')
    .addItem(t_('menu.setup'), 'showSetup')
    .addToUi();
}

/** After-sales ▸ Sync now. Returns the message shown (for tests). */
function syncNow() {
  return runSheetAction_('sync');
}

/** After-sales ▸ Recalculate all. Returns the message shown (for tests). */
function recalculateAll() {
  return runSheetAction_('recalculate');
}

/** After-sales ▸ Case details: opens the sidebar, which loads its data via getCaseDetails(). */
function showCaseDetails() {
  var html = htmlPage_('Sidebar', 'sidebar').setTitle(t_('sidebar.title'));
  SpreadsheetApp.getUi().showSidebar(html);
}

/** After-sales ▸ Set up: shows the pinned service URL and sign-in (read-only), tests the connection. */
function showSetup() {
  var html = htmlPage_('Setup', 'setup').setWidth(460).setHeight(520);
  SpreadsheetApp.getUi().showModalDialog(html, t_('setup.dialogTitle'));
}

/**
 * POSTs sync or recalculate for this spreadsheet; toasts the summary, or the run's progress until
 * it ends (Progress.gs), or alerts the error.
 */
function runSheetAction_(action) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var ui = SpreadsheetApp.getUi();
  var config = pinnedConfig_(spreadsheet.getId());
  if (!config.url) {
    ui.alert(t_('addon.title'), config.problem, ui.ButtonSet.OK);
    return config.problem;
  }
  return pressSheetAction_(spreadsheet, config, action);
}

// ---------------------------------------------------------------------------------------------
// Functions the HTML pages call through google.script.run
// ---------------------------------------------------------------------------------------------

/**
 * The selected case for the sidebar: {caseId, row, case} on success, {error, caseId?} when the
 * selection has no case or the service refused. Never throws for expected problems.
 */
function getCaseDetails() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var located = locateSelectedCase_(spreadsheet.getActiveSheet());
  if (located.error) {
    return { error: located.error };
  }
  var config = pinnedConfig_(spreadsheet.getId());
  if (!config.url) {
    return { error: config.problem, caseId: located.caseId };
  }
  var path = sheetPath_(spreadsheet.getId()) + '/cases/' + encodeURIComponent(located.caseId);
  var result = callService_(config, 'GET', path, '');
  if (!result.ok) {
    var context = { action: 'case', url: config.url, caseId: located.caseId };
    return { error: describeError_(result, context), caseId: located.caseId };
  }
  return {
    caseId: located.caseId,
    row: located.row,
    timeZone: spreadsheet.getSpreadsheetTimeZone(),
    case: result.data,
  };
}

/**
 * What the Set up dialog shows (read-only): {url, problem, signIn: 'google'|'sheet secret',
 * legacyRemoved}. Removes the URL and secret older versions kept in the document properties.
 */
function getSetup() {
  var config = pinnedConfig_(SpreadsheetApp.getActiveSpreadsheet().getId());
  return {
    url: config.url,
    problem: config.problem,
    signIn: config.secret ? 'sheet secret' : 'google',
    legacyRemoved: removeLegacySettings_(),
  };
}

/**
 * Older Set up pages saved a URL and secret here. The URL is fixed by the deployer now, so this
 * refuses and stores nothing. Returns {ok: false, message}.
 */
function saveSetup(form) {
  return {
    ok: false,
    message: t_('config.fixedUrl'),
  };
}

/**
 * Set up ▸ Test connection: GET {url}/v1/sheets/{id}/doctor (this sheet, as registered) with the
 * same authentication as a sync, so a wrong key, an email not on the sheet's allow-list or a sheet
 * the service does not manage each show up here; once connected, the service's own checks of this
 * sheet (`aftersales doctor`: settings, store, Google key, sharing, time zone, columns) come back
 * line by line, each failure with its fix. Always the pinned URL: whatever the page sends is
 * ignored. Returns {ok, message, checks: [{mark, state, name, detail, fix}]}.
 */
function testConnection() {
  var sheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var config = pinnedConfig_(sheetId);
  if (!config.url) {
    return { ok: false, message: config.problem, checks: [] };
  }
  var result = callService_(config, 'GET', sheetPath_(sheetId) + '/doctor', '');
  if (!result.ok) {
    return { ok: false, message: describeError_(result, { action: 'ready', url: config.url }), checks: [] };
  }
  return summariseDoctor_(result.data, config);
}

/** The doctor's answer as the Set up dialog shows it: a headline and one line per check. */
function summariseDoctor_(data, config) {
  var checks = (data.checks || []).map(function (c) {
    var state = c.skipped ? 'skip' : c.ok ? 'pass' : 'fail';
    return {
      mark: { pass: '✓', fail: '✗', skip: '–' }[state],
      state: state,
      name: String(c.name || ''),
      detail: String(c.detail || ''),
      fix: state === 'fail' ? String(c.fix || '') : '',
    };
  });
  var failing = checks.filter(function (c) { return c.state === 'fail'; }).length;
  var params = { url: config.url, how: t_(config.secret ? 'doctor.how.secret' : 'doctor.how.google') };
  if (!checks.length) {
    return { ok: false, message: t_('doctor.noChecks', params), checks: [] };
  }
  var message = failing ? tn_('doctor.failing', failing, params) : t_('doctor.allHold', params);
  return { ok: failing === 0, message: message, checks: checks };
}

/**
 * Set up → Check my sheet: how the service reads this spreadsheet (which tab holds the cases,
 * which header is which column, the team's words), from GET /v1/sheets/{id}/adopt. Changes
 * nothing. Returns {ok, message, lines, canApply}.
 */
function checkMySheet() {
  return adoptCall_('GET');
}

/**
 * Set up → Apply: writes that mapping into the sheet's Settings and Vocabulary tabs (POST), and
 * nothing else. Returns the same shape as checkMySheet, after the write.
 */
function applyMySheet() {
  return adoptCall_('POST');
}

function adoptCall_(method) {
  var sheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var config = pinnedConfig_(sheetId);
  if (!config.url) {
    return { ok: false, message: config.problem, lines: [], canApply: false };
  }
  var result = callService_(config, method, sheetPath_(sheetId) + '/adopt', method === 'POST' ? '{}' : '');
  if (!result.ok) {
    return {
      ok: false,
      message: describeError_(result, { action: 'check', url: config.url }),
      lines: [],
      canApply: false,
    };
  }
  return summariseAdopt_(result.data, method === 'POST');
}

/** The proposal in a few lines a person reads: tab, header roles, words, what needs them. */
function summariseAdopt_(data, applied) {
  var lines = [];
  if (!data.cases_tab) {
    return { ok: false, message: (data.needs_person || []).join(' '), lines: [], canApply: false };
  }
  lines.push(t_('adopt.casesTab', { tab: data.cases_tab }));
  (data.columns || []).forEach(function (c) {
    if (c.how !== 'built in') {
      lines.push(t_('adopt.column', { header: c.header, means: c.means, how: tCode_('adopt.how.', c.how) }));
    }
  });
  if ((data.extra_columns || []).length) {
    lines.push(t_('adopt.ownColumns', { columns: data.extra_columns.join(t_('summary.separator')) }));
  }
  (data.words || []).forEach(function (w) {
    if (w.how === 'suggested') lines.push(t_('adopt.word', { column: w.column, word: w.word, means: w.means }));
  });
  (data.needs_person || []).forEach(function (text) {
    lines.push(t_('adopt.needsYou', { text: text }));
  });
  var pending = (data.settings_rows || []).length + (data.vocabulary_rows || []).length;
  var message;
  if (applied) {
    message = tn_('adopt.applied', data.cells_written || 0);
  } else if (pending) {
    message = tn_('adopt.pending', pending);
  } else {
    message = t_('adopt.mapped');
  }
  return { ok: data.exit_code !== 2, message: message, lines: lines, canApply: !applied && pending > 0 };
}

// ---------------------------------------------------------------------------------------------
// Plain logic (tested directly)
// ---------------------------------------------------------------------------------------------

/**
 * {url, problem, secret}: the pinned URL (Config.gs, else the script property) when it is usable,
 * else url '' and a problem to show; the deployer's secret for this spreadsheet, if any.
 */
function pinnedConfig_(spreadsheetId) {
  var props = PropertiesService.getScriptProperties();
  var url = normaliseUrl_(SERVICE_URL || props.getProperty(PROP_URL));
  var problem = url ? checkUrl_(url) : notConfiguredMessage_();
  var secret = '';
  if (spreadsheetId) {
    secret = String(props.getProperty(PROP_SHEET_SECRET_PREFIX + spreadsheetId) || '').trim();
  }
  return { url: problem ? '' : url, problem: problem, secret: secret };
}

/** Deletes the document properties older versions stored; true when there were any. */
function removeLegacySettings_() {
  var props = PropertiesService.getDocumentProperties();
  var found = false;
  LEGACY_DOCUMENT_PROPERTIES.forEach(function (key) {
    if (props.getProperty(key) !== null) {
      props.deleteProperty(key);
      found = true;
    }
  });
  return found;
}

/** Trims whitespace and trailing slashes. */
function normaliseUrl_(url) {
  return String(url || '')
    .trim()
    .replace(/\/+$/, '');
}

/**
 * A message when `url` is not a usable service URL, else '': https://host[:port][/path] with no
 * user, query or fragment; plain http:// only on a loopback address (development).
 */
function checkUrl_(url) {
  var refused = t_('config.urlRefused', { url: url });
  var match = /^(https?):\/\/([^\/\s?#@]+)(\/[^\s?#]*)?$/i.exec(String(url));
  if (!match) {
    return refused;
  }
  var host = match[2].toLowerCase().replace(/:\d{1,5}$/, '');
  if (!host || /:/.test(host.replace(/^\[[^\]]*\]$/, ''))) {
    return refused;
  }
  if (match[1].toLowerCase() === 'http' && !isLoopback_(host)) {
    return refused;
  }
  return '';
}

/** Whether a host (no port) is 127.0.0.0/8, localhost or [::1]. */
function isLoopback_(host) {
  if (host === 'localhost' || host === '[::1]') {
    return true;
  }
  var octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return Boolean(octets) && octets.slice(1).every(function (o) { return Number(o) <= 255; });
}

function notConfiguredMessage_() {
  return t_('config.notSet', { property: PROP_URL });
}

/** "/v1/sheets/{id}" for a spreadsheet id. */
function sheetPath_(spreadsheetId) {
  return '/v1/sheets/' + encodeURIComponent(spreadsheetId);
}

/** 0-based index of the Case ID column in a header row, or -1. */
function findCaseIdColumn_(headers) {
  var normalised = headers.map(normaliseHeader_);
  for (var i = 0; i < CASE_ID_HEADERS.length; i++) {
    var index = normalised.indexOf(normaliseHeader_(CASE_ID_HEADERS[i]));
    if (index >= 0) {
      return index;
    }
  }
  return -1;
}

/** Header text compared case- and space-insensitively. */
function normaliseHeader_(text) {
  return String(text === null || text === undefined ? '' : text)
    .toLowerCase()
    .replace(/\s+/g, '');
}

/**
 * The Case ID in the first selected row of `sheet`: {caseId, row} or {error}.
 */
function locateSelectedCase_(sheet) {
  var range = sheet.getActiveRange();
  if (!range) {
    return { error: t_('select.noSelection') };
  }
  var lastColumn = sheet.getLastColumn();
  var headers = lastColumn > 0 ? sheet.getRange(1, 1, 1, lastColumn).getValues()[0] : [];
  var column = findCaseIdColumn_(headers);
  if (column < 0) {
    return { error: t_('select.noCaseIdColumn', { tab: sheet.getName() }) };
  }
  var row = range.getRow();
  if (row < 2) {
    return { error: t_('select.headerRow') };
  }
  var caseId = String(sheet.getRange(row, column + 1).getDisplayValue() || '').trim();
  if (!caseId) {
    return { error: t_('select.noCaseId', { row: row }) };
  }
  return { caseId: caseId, row: row };
}
