/**
 * After-sales Desk: the Google Sheets add-on.
 *
 * Adds an "After-sales" menu (Sync now, Recalculate all, Case details, Set up) and calls the
 * After-sales Desk service for this spreadsheet. Callers authenticate with the user's Google
 * identity token (ScriptApp.getIdentityToken) or, when Set up stored a sheet secret, with an
 * HMAC-SHA256 signature over "METHOD\npath?query\ntimestamp\nbody".
 *
 * This file holds the menu, the functions the HTML pages call, settings and the selection;
 * Service.gs holds the HTTP client and the messages (Apps Script loads both into one scope).
 * Every piece of logic is a plain function that reads the Apps Script globals (SpreadsheetApp,
 * UrlFetchApp, PropertiesService, ScriptApp, Utilities, HtmlService) only when it is called, so
 * tests/addon/harness.mjs can run the .gs files in a node `vm` context with fakes of them.
 */

// The default service URL. `aftersales addon --url URL` bakes it in; Set up can override it
// per spreadsheet (document property AFTERSALES_SERVICE_URL).
var SERVICE_URL = '';

var ADDON_TITLE = 'After-sales';
var PROP_URL = 'AFTERSALES_SERVICE_URL';
var PROP_SECRET = 'AFTERSALES_HMAC_SECRET';
// Header texts of the Case ID column, in order of preference (see sheet_schema's Cases tab).
var CASE_ID_HEADERS = ['Case ID', '案件编号', 'Case No.', 'Case', '编号'];

// ---------------------------------------------------------------------------------------------
// Menu and menu actions
// ---------------------------------------------------------------------------------------------

/** Installs the menu when the add-on is installed into an already open spreadsheet. */
function onInstall(e) {
  onOpen(e);
}

/** Adds the After-sales menu. */
function onOpen(e) {
  SpreadsheetApp.getUi()
    .createMenu(ADDON_TITLE)
    .addItem('Sync now', 'syncNow')
    .addItem('Recalculate all', 'recalculateAll')
    .addSeparator()
    .addItem('Case details', 'showCaseDetails')
    .addItem('Set up', 'showSetup')
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
  var html = HtmlService.createHtmlOutputFromFile('Sidebar').setTitle('Case details');
  SpreadsheetApp.getUi().showSidebar(html);
}

/** After-sales ▸ Set up: the dialog that stores the service URL and the optional sheet secret. */
function showSetup() {
  var html = HtmlService.createHtmlOutputFromFile('Setup').setWidth(460).setHeight(400);
  SpreadsheetApp.getUi().showModalDialog(html, 'Set up After-sales');
}

/** POSTs sync or recalculate for this spreadsheet; toasts the summary or alerts the error. */
function runSheetAction_(action) {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var ui = SpreadsheetApp.getUi();
  var config = readConfig_(PropertiesService.getDocumentProperties());
  if (!config.url) {
    ui.alert(ADDON_TITLE, notConfiguredMessage_(), ui.ButtonSet.OK);
    return notConfiguredMessage_();
  }
  spreadsheet.toast(action === 'recalculate' ? 'Recalculating all cases…' : 'Syncing…', ADDON_TITLE, 30);
  var path = sheetPath_(spreadsheet.getId()) + '/' + action;
  var result = callService_(config, 'POST', path, '{}');
  if (result.ok) {
    var summary = summarise_(result.data, action);
    spreadsheet.toast(summary, ADDON_TITLE, 15);
    return summary;
  }
  var message = describeError_(result, { action: action, url: config.url });
  ui.alert(ADDON_TITLE, message, ui.ButtonSet.OK);
  return message;
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
  var config = readConfig_(PropertiesService.getDocumentProperties());
  if (!config.url) {
    return { error: notConfiguredMessage_(), caseId: located.caseId };
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

/** What the Set up dialog shows: {url, defaultUrl, hasSecret}. */
function getSetup() {
  var props = PropertiesService.getDocumentProperties();
  return {
    url: readConfig_(props).url,
    defaultUrl: normaliseUrl_(SERVICE_URL),
    hasSecret: Boolean(props.getProperty(PROP_SECRET)),
  };
}

/**
 * Stores the Set up form ({url, secret, clearSecret}) in document properties.
 * Returns {ok, message}.
 */
function saveSetup(form) {
  var url = normaliseUrl_(form && form.url);
  var problem = checkUrl_(url);
  if (problem) {
    return { ok: false, message: problem };
  }
  var props = PropertiesService.getDocumentProperties();
  props.setProperty(PROP_URL, url);
  var secret = String((form && form.secret) || '').trim();
  if (form && form.clearSecret) {
    props.deleteProperty(PROP_SECRET);
  } else if (secret) {
    props.setProperty(PROP_SECRET, secret);
  }
  var how = props.getProperty(PROP_SECRET) ? 'the sheet secret (HMAC)' : 'your Google sign-in';
  return { ok: true, message: 'Saved. The add-on calls ' + url + ' and signs in with ' + how + '.' };
}

/**
 * Set up ▸ Test connection: GET {url}/v1/sheets/{id} (this sheet, as registered) with the same
 * authentication as a sync, so a wrong key, an email not on the sheet's allow-list or a sheet the
 * service does not manage each show up here; uses the
 * form's values (a blank secret field keeps the stored secret). Returns {ok, message}.
 */
function testConnection(form) {
  var props = PropertiesService.getDocumentProperties();
  var stored = readConfig_(props);
  var url = normaliseUrl_((form && form.url) || stored.url);
  var problem = checkUrl_(url);
  if (problem) {
    return { ok: false, message: problem };
  }
  var secret = String((form && form.secret) || '').trim();
  if (!secret && !(form && form.clearSecret)) {
    secret = stored.secret;
  }
  var sheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var result = callService_({ url: url, secret: secret }, 'GET', sheetPath_(sheetId), '');
  if (result.ok && !isReady_(result.data)) {
    result = { ok: false, kind: 'http', status: 503, error: '', detail: detailText_(result.data) };
  }
  if (result.ok) {
    var how = secret ? 'the sheet secret' : 'your Google sign-in';
    return { ok: true, message: 'Connected: ' + url + ' is ready and accepted ' + how + '.' };
  }
  return { ok: false, message: describeError_(result, { action: 'ready', url: url }) };
}

// ---------------------------------------------------------------------------------------------
// Plain logic (tested directly)
// ---------------------------------------------------------------------------------------------

/** {url, secret} from document properties, falling back to the baked-in SERVICE_URL. */
function readConfig_(props) {
  var url = normaliseUrl_(props.getProperty(PROP_URL) || SERVICE_URL);
  var secret = String(props.getProperty(PROP_SECRET) || '').trim();
  return { url: url, secret: secret };
}

/** Trims whitespace and trailing slashes. */
function normaliseUrl_(url) {
  return String(url || '')
    .trim()
    .replace(/\/+$/, '');
}

/** A message when `url` is not an http(s) URL with a host, else ''. */
function checkUrl_(url) {
  if (!url) {
    return 'Enter the After-sales service URL (for example https://aftersales.example.com).';
  }
  if (!/^https?:\/\/[^\/\s?#]+(\/[^\s?#]*)?$/i.test(url)) {
    return '"' + url + '" is not a service URL: it must start with https:// (or http://) and have no query.';
  }
  return '';
}

function notConfiguredMessage_() {
  return 'The After-sales service URL is not set: open After-sales ▸ Set up and enter it.';
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
    return { error: 'Select a row of the Cases tab, then press Refresh.' };
  }
  var lastColumn = sheet.getLastColumn();
  var headers = lastColumn > 0 ? sheet.getRange(1, 1, 1, lastColumn).getValues()[0] : [];
  var column = findCaseIdColumn_(headers);
  if (column < 0) {
    return {
      error:
        'The tab "' + sheet.getName() + '" has no "Case ID" column in row 1. Open the Cases ' +
        'tab, select a case row, then press Refresh.',
    };
  }
  var row = range.getRow();
  if (row < 2) {
    return { error: 'Select a case row below the header row, then press Refresh.' };
  }
  var caseId = String(sheet.getRange(row, column + 1).getDisplayValue() || '').trim();
  if (!caseId) {
    return {
      error:
        'Row ' + row + ' has no Case ID yet. Press After-sales ▸ Sync now to give it one, or ' +
        'select another row.',
    };
  }
  return { caseId: caseId, row: row };
}
