// Test harness for the Apps Script add-on (app/addon/*.gs).
//
// Runs the add-on's .gs files in a node `vm` context with small fakes of the Apps Script
// services they use.
// UrlFetchApp.fetch is a real, blocking HTTP call (made by a worker thread while the caller waits
// in Atomics.wait, like Apps Script's synchronous fetch), so the same fakes can be pointed at the
// fake service below or at the real running After-sales service (with the Sheets emulator behind
// it) for an end-to-end test. Like the real one it gives up after 60 seconds (it throws
// "Timeout"), throws for an HTTP error unless muteHttpExceptions is set, and keeps the
// response headers' names as the server sent them.
//
// Time is virtual by default (`clock: 'virtual'`): the add-on's Date and Utilities.sleep read and
// advance a clock that starts at the real time, and the fake service can say how long (in
// virtual milliseconds) an answer takes, so a test of a 60-second timeout or of five minutes of
// polling runs in milliseconds. `clock: 'real'` (press.mjs, against a real service) sleeps for real.
//
//   const apps = createAppsScript({ spreadsheetId, pinnedUrl: url, identityToken: token });
//   const addon = loadAddon(apps);
//   addon.syncNow();            // then look at apps.log.toasts / apps.log.alerts
//
// `pinnedUrl` does what `aftersales addon --url` does: Config.gs gets the URL and the manifest
// lists it in urlFetchWhitelist, which the UrlFetchApp fake enforces as Apps Script does (a
// fetch outside it throws and is logged in apps.log.blocked). `addonDir` loads an add-on that
// `aftersales addon` wrote instead of app/addon.
//
// Against a service that cannot verify Google tokens here, use the HMAC mode instead: put the
// sheet's key in the script property AFTERSALES_SHEET_SECRET_<spreadsheetId> (`scriptProperties`),
// as a deployer would.
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ADDON_DIR = path.resolve(HERE, '../../app/addon');

/** Reads a file of the add-on (Code.gs, Sidebar.html, appsscript.json, ...). */
export function addonFile(name, dir = ADDON_DIR) {
  return readFileSync(path.join(dir, name), 'utf8');
}

/** Config.gs with `url` as SERVICE_URL, written independently of app/addon/export.py. */
export function pinnedConfig(url, dir = ADDON_DIR) {
  const text = addonFile('Config.gs', dir);
  const pinned = text.replace(/^var SERVICE_URL = '';$/m, `var SERVICE_URL = ${JSON.stringify(url)};`);
  if (pinned === text) throw new Error("Config.gs has no `var SERVICE_URL = '';` line");
  return pinned;
}

/**
 * Whether Apps Script lets UrlFetchApp fetch `url` under a manifest's urlFetchWhitelist: no list
 * allows everything; otherwise the URL equals a prefix or lies under it (path match is
 * case-sensitive; "https://h/foo" covers /foo, /foo/, /foo/bar and /foo?x, not /foobar).
 */
export function allowedByWhitelist(url, whitelist) {
  if (!Array.isArray(whitelist)) return true;
  return whitelist.some((prefix) => {
    if (url === prefix) return true;
    const below = prefix.endsWith('/') ? prefix : prefix + '/';
    return url.startsWith(below) || url.startsWith(prefix + '?');
  });
}

/** Turns a value made inside the vm context into plain data (for deepStrictEqual). */
export function plain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// ---------------------------------------------------------------------------------------------
// The clock the add-on sees
// ---------------------------------------------------------------------------------------------

/** Apps Script's UrlFetchApp.fetch gives up after this long (it cannot be configured). */
export const FETCH_LIMIT_MS = 60_000;
/** Apps Script's Utilities.sleep refuses longer sleeps. */
export const SLEEP_LIMIT_MS = 300_000;
/**
 * Response header by which the fake service says how long (virtual ms) it took to answer; the
 * UrlFetchApp fake consumes it and never shows it to the add-on.
 */
export const SERVICE_TIME_HEADER = 'x-fake-service-time-ms';

/**
 * A clock: now() in ms since the epoch; advance(ms) moves virtual time on (or, for a real
 * clock, blocks for that long); elapsed() is the time since the clock was made.
 */
export function makeClock(mode = 'virtual') {
  if (mode !== 'virtual' && mode !== 'real') throw new Error(`clock must be 'virtual' or 'real', not ${mode}`);
  const startedAt = Date.now();
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    mode,
    now,
    advance(ms) {
      if (!(ms > 0)) return;
      if (mode === 'virtual') offset += ms;
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    },
    elapsed: () => now() - startedAt,
  };
}

/** A Date constructor whose now() and `new Date()` read `clock` (the rest is the real Date). */
export function clockedDate(clock) {
  const RealDate = Date;
  return class ClockedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(clock.now());
      else super(...args);
    }
    static now() {
      return clock.now();
    }
  };
}

// ---------------------------------------------------------------------------------------------
// UrlFetchApp: a blocking HTTP request
// ---------------------------------------------------------------------------------------------

let httpWorker = null;

/** Blocking HTTP request: {status, headers, rawHeaders, body} or {error: {code, message}}. */
export function httpSync({ url, method = 'GET', headers = {}, body = null, timeoutMs = FETCH_LIMIT_MS }) {
  if (!httpWorker) {
    httpWorker = new Worker(new URL('./http_worker.mjs', import.meta.url));
    httpWorker.unref(); // never keeps the test process alive
  }
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  httpWorker.postMessage({ request: { url, method, headers, body, timeoutMs }, signal, port: port2 }, [
    port2,
  ]);
  const outcome = Atomics.wait(signal, 0, 0, timeoutMs + 5000);
  const reply = receiveMessageOnPort(port1);
  port1.close();
  if (outcome === 'timed-out' || !reply) {
    return { error: { code: 'ETIMEDOUT', message: `no answer from ${url} in ${timeoutMs} ms` } };
  }
  return reply.message;
}

/**
 * An HTTPResponse as Apps Script gives it: header names as the server sent them; getHeaders()
 * one value per name, getAllHeaders() an array for a header sent more than once.
 */
class HTTPResponse {
  constructor(result) {
    this.result = result;
    this.all = {};
    const raw = result.rawHeaders || Object.entries(result.headers || {}).flat();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const [name, value] = [raw[i], raw[i + 1]];
      if (name.toLowerCase() === SERVICE_TIME_HEADER) continue;
      const seen = Object.keys(this.all).find((key) => key.toLowerCase() === name.toLowerCase());
      if (seen === undefined) this.all[name] = value;
      else this.all[seen] = [].concat(this.all[seen], value);
    }
  }
  getResponseCode() {
    return this.result.status;
  }
  getContentText() {
    return this.result.body;
  }
  getHeaders() {
    return Object.fromEntries(Object.entries(this.all).map(([k, v]) => [k, Array.isArray(v) ? v.at(-1) : v]));
  }
  getAllHeaders() {
    return { ...this.all };
  }
}

/** How long (virtual ms) the fake service said its answer took, 0 when it did not say. */
function serviceTimeMs(result) {
  const value = Object.entries(result.headers || {}).find(([k]) => k.toLowerCase() === SERVICE_TIME_HEADER);
  return value ? Number(value[1]) || 0 : 0;
}

/**
 * A UrlFetchApp fake; `log` receives each {url, params} that was sent, `blocked` each URL the
 * manifest's urlFetchWhitelist refused (Apps Script throws before sending anything), `timeouts`
 * each URL whose answer took longer than FETCH_LIMIT_MS. `clock` is the add-on's clock: an
 * answer the fake service says took N virtual ms moves it on by N, and one that took longer
 * than the limit moves it on by the limit and throws, as Apps Script does (the request was sent:
 * the service may well be acting on it).
 */
export function makeUrlFetchApp(log = [], whitelist = undefined, blocked = [], clock = makeClock(), timeouts = []) {
  return {
    fetch(url, params = {}) {
      if (!allowedByWhitelist(url, whitelist)) {
        blocked.push(url);
        throw new Error(`Exception: The URL ${url} is not in the add-on's urlFetchWhitelist.`);
      }
      log.push({ url, params: plain(params) });
      const headers = { ...(params.headers || {}) };
      const hasPayload = params.payload !== undefined && params.payload !== null;
      if (hasPayload) {
        headers['Content-Type'] = params.contentType || 'application/x-www-form-urlencoded';
      }
      const result = httpSync({
        url,
        method: String(params.method || 'get').toUpperCase(),
        headers,
        body: hasPayload ? String(params.payload) : null,
        timeoutMs: FETCH_LIMIT_MS,
      });
      if (result.error && result.error.code === 'ETIMEDOUT') {
        timeouts.push(url);
        throw new Error(`Exception: Timeout: ${url}`);
      }
      if (result.error) {
        // What Apps Script throws when the host is down or unknown.
        const kind = result.error.code === 'ENOTFOUND' ? 'DNS error' : 'Address unavailable';
        throw new Error(`Exception: ${kind}: ${url}`);
      }
      const took = serviceTimeMs(result);
      if (took > FETCH_LIMIT_MS) {
        clock.advance(FETCH_LIMIT_MS);
        timeouts.push(url);
        throw new Error(`Exception: Timeout: ${url}`);
      }
      clock.advance(took);
      if (!params.muteHttpExceptions && result.status >= 400) {
        const shown = String(result.body || '').slice(0, 100);
        throw new Error(
          `Exception: Request failed for ${url} returned code ${result.status}. Truncated server ` +
            `response: ${shown} (use muteHttpExceptions option to examine full response)`,
        );
      }
      return new HTTPResponse(result);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Spreadsheet, UI, properties, HTML, Utilities
// ---------------------------------------------------------------------------------------------

class FakeRange {
  constructor(sheet, row, column, numRows = 1, numColumns = 1) {
    Object.assign(this, { sheet, row, column, numRows, numColumns });
  }
  getRow() {
    return this.row;
  }
  getColumn() {
    return this.column;
  }
  getNumRows() {
    return this.numRows;
  }
  getNumColumns() {
    return this.numColumns;
  }
  getValues() {
    const out = [];
    for (let r = 0; r < this.numRows; r++) {
      const source = this.sheet.rows[this.row - 1 + r] || [];
      const line = [];
      for (let c = 0; c < this.numColumns; c++) {
        const value = source[this.column - 1 + c];
        line.push(value === undefined || value === null ? '' : value);
      }
      out.push(line);
    }
    return out;
  }
  getDisplayValues() {
    return this.getValues().map((line) => line.map((value) => String(value)));
  }
  getValue() {
    return this.getValues()[0][0];
  }
  getDisplayValue() {
    return this.getDisplayValues()[0][0];
  }
}

class FakeSheet {
  constructor(name, rows) {
    this.name = name;
    this.rows = rows;
    this.selection = null;
  }
  getName() {
    return this.name;
  }
  getLastRow() {
    return this.rows.length;
  }
  getLastColumn() {
    return this.rows.reduce((max, row) => Math.max(max, row.length), 0);
  }
  getRange(row, column, numRows = 1, numColumns = 1) {
    return new FakeRange(this, row, column, numRows, numColumns);
  }
  getActiveRange() {
    if (!this.selection) return null;
    const { row, column = 1, numRows = 1, numColumns = 1 } = this.selection;
    return new FakeRange(this, row, column, numRows, numColumns);
  }
}

class FakeHtmlOutput {
  constructor(name, content) {
    this.name = name;
    this.content = content;
    this.title = '';
    this.width = null;
    this.height = null;
  }
  setTitle(title) {
    this.title = title;
    return this;
  }
  getTitle() {
    return this.title;
  }
  setWidth(width) {
    this.width = width;
    return this;
  }
  setHeight(height) {
    this.height = height;
    return this;
  }
  getContent() {
    return this.content;
  }
}

class FakeProperties {
  constructor(initial = {}) {
    this.values = new Map(Object.entries(initial));
  }
  getProperty(key) {
    return this.values.has(key) ? this.values.get(key) : null;
  }
  setProperty(key, value) {
    this.values.set(key, String(value));
    return this;
  }
  deleteProperty(key) {
    this.values.delete(key);
    return this;
  }
  getProperties() {
    return Object.fromEntries(this.values);
  }
}

/**
 * A CacheService cache: string values that expire after their seconds (default 600, at most
 * 21600), read on `clock`.
 */
class FakeCache {
  constructor(clock) {
    this.clock = clock;
    this.values = new Map();
  }
  get(key) {
    const entry = this.values.get(key);
    if (!entry || entry.expires <= this.clock.now()) return null;
    return entry.value;
  }
  put(key, value, expirationInSeconds = 600) {
    const text = String(value);
    if (text.length > 100 * 1024) throw new Error('Exception: Argument too large: value');
    const seconds = Math.min(Math.max(1, expirationInSeconds), 21600);
    this.values.set(key, { value: text, expires: this.clock.now() + seconds * 1000 });
  }
  remove(key) {
    this.values.delete(key);
  }
}

/** Apps Script's Utilities.computeHmacSha256Signature: signed bytes (-128..127). */
export function computeHmacSha256Signature(value, key) {
  const toBuffer = (v) => (Array.isArray(v) ? Buffer.from(v.map((b) => (b + 256) % 256)) : Buffer.from(String(v), 'utf8'));
  const digest = createHmac('sha256', toBuffer(key)).update(toBuffer(value)).digest();
  return Array.from(digest, (b) => (b > 127 ? b - 256 : b));
}

/**
 * Fakes of the Apps Script globals Code.gs uses, and a log of what the add-on showed.
 *
 * options:
 *   spreadsheetId   the active spreadsheet's id
 *   sheets          {tabName: rows} (row 1 = headers); the first tab is active unless activeSheet
 *   activeSheet     name of the active tab
 *   selection       {row, column?, numRows?, numColumns?} on the active tab, or null
 *   identityToken   what ScriptApp.getIdentityToken() returns (an Error instance is thrown)
 *   properties      initial document properties (shared by every editor of the spreadsheet)
 *   scriptProperties initial script properties (set by whoever deployed the add-on)
 *   pinnedUrl       the service URL `aftersales addon --url` would write (Config.gs + manifest)
 *   addonDir        a folder `aftersales addon` wrote, loaded instead of app/addon
 *   answers         what successive Ui.alert calls return (default: OK, or NO for YES_NO)
 *   timeZone        the spreadsheet's time zone
 *   fetch           replaces UrlFetchApp.fetch(url, params) if given
 *   clock           'virtual' (default) or 'real' (see makeClock)
 *   locale          what Session.getActiveUserLocale() returns ('en', 'zh_CN', …; an Error is thrown)
 */
export function createAppsScript(options = {}) {
  const {
    spreadsheetId = 'sheet-0001',
    sheets = { Cases: [['Case ID', 'Platform', 'Status']] },
    activeSheet,
    selection = null,
    identityToken = 'test-identity-token',
    properties = {},
    scriptProperties = {},
    pinnedUrl,
    addonDir = ADDON_DIR,
    answers = [],
    timeZone = 'Asia/Shanghai',
    fetch,
    clock: clockMode = 'virtual',
    locale = 'en',
  } = options;
  const clock = makeClock(clockMode);
  const log = {
    toasts: [],
    alerts: [],
    menus: [],
    sidebars: [],
    dialogs: [],
    fetches: [],
    blocked: [],
    timeouts: [],
    sleeps: [],
  };
  const manifest = JSON.parse(addonFile('appsscript.json', addonDir));
  const sources = {};
  if (pinnedUrl !== undefined) {
    sources['Config.gs'] = pinnedConfig(pinnedUrl, addonDir);
    manifest.urlFetchWhitelist = [String(pinnedUrl).replace(/\/+$/, '') + '/'];
  }
  const pendingAnswers = [...answers];
  const tabs = Object.entries(sheets).map(([name, rows]) => new FakeSheet(name, rows));
  const active = tabs.find((t) => t.name === activeSheet) || tabs[0];
  active.selection = selection;
  const documentProperties = new FakeProperties(properties);
  const scriptPropertyStore = new FakeProperties(scriptProperties);
  const documentCache = new FakeCache(clock);

  const spreadsheet = {
    getId: () => spreadsheetId,
    getName: () => 'After-sales cases',
    getSpreadsheetTimeZone: () => timeZone,
    getActiveSheet: () => active,
    getSheetByName: (name) => tabs.find((t) => t.name === name) || null,
    getActiveRange: () => active.getActiveRange(),
    toast(message, title = '', timeoutSeconds = 5) {
      log.toasts.push({ message: String(message), title, timeoutSeconds, at: clock.elapsed() });
    },
  };

  const ButtonSet = { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO' };
  const ui = {
    ButtonSet,
    Button: { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' },
    createMenu(name) {
      const menu = { name, items: [], added: false };
      const builder = {
        addItem(caption, functionName) {
          menu.items.push({ caption, functionName });
          return builder;
        },
        addSeparator() {
          menu.items.push({ separator: true });
          return builder;
        },
        addToUi() {
          menu.added = true;
          log.menus.push(menu);
        },
      };
      return builder;
    },
    alert(...args) {
      // alert(prompt) | alert(prompt, buttons) | alert(title, prompt, buttons)
      const [title, prompt, buttons] = args.length >= 3 ? args : ['', args[0], args[1]];
      log.alerts.push({ title, message: String(prompt), buttons, at: clock.elapsed() });
      if (pendingAnswers.length) return pendingAnswers.shift();
      return buttons === ButtonSet.YES_NO ? 'NO' : 'OK';
    },
    showSidebar(html) {
      log.sidebars.push(html);
    },
    showModalDialog(html, title) {
      log.dialogs.push({ html, title });
    },
  };

  const globals = {
    SpreadsheetApp: {
      getActiveSpreadsheet: () => spreadsheet,
      getActiveSheet: () => active,
      getActiveRange: () => active.getActiveRange(),
      getUi: () => ui,
    },
    UrlFetchApp: fetch
      ? { fetch: (url, params) => (log.fetches.push({ url, params: plain(params) }), fetch(url, params)) }
      : makeUrlFetchApp(log.fetches, manifest.urlFetchWhitelist, log.blocked, clock, log.timeouts),
    ScriptApp: {
      getIdentityToken() {
        if (identityToken instanceof Error) throw identityToken;
        return identityToken;
      },
    },
    PropertiesService: {
      getDocumentProperties: () => documentProperties,
      getScriptProperties: () => scriptPropertyStore,
    },
    CacheService: {
      getDocumentCache: () => documentCache,
    },
    HtmlService: {
      createHtmlOutputFromFile: (name) => new FakeHtmlOutput(name, addonFile(`${name}.html`, addonDir)),
      createHtmlOutput: (html) => new FakeHtmlOutput('', String(html)),
    },
    Utilities: {
      Charset: { UTF_8: 'UTF-8', US_ASCII: 'US-ASCII' },
      computeHmacSha256Signature,
      getUuid: () => randomUUID(),
      formatDate,
      sleep(milliseconds) {
        if (milliseconds > SLEEP_LIMIT_MS) {
          throw new Error(`Exception: Sleep time of ${milliseconds} ms is too long (max ${SLEEP_LIMIT_MS}).`);
        }
        log.sleeps.push(milliseconds);
        clock.advance(milliseconds);
      },
    },
    Session: {
      getActiveUserLocale() {
        if (locale instanceof Error) throw locale;
        return locale;
      },
    },
    Logger: { log: () => {} },
    Date: clockedDate(clock),
    console,
  };
  return {
    globals,
    log,
    spreadsheet,
    sheet: active,
    documentProperties,
    scriptProperties: scriptPropertyStore,
    documentCache,
    clock,
    ui,
    manifest,
    addonDir,
    sources,
  };
}

/** Apps Script's Utilities.formatDate for the patterns the add-on uses ("yyyy-MM-dd HH:mm"). */
function formatDate(date, timeZone, pattern) {
  const parts = {};
  new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(date)
    .forEach((part) => {
      parts[part.type] = part.value;
    });
  return pattern
    .replace('yyyy', parts.year)
    .replace('MM', parts.month)
    .replace('dd', parts.day)
    .replace('HH', parts.hour)
    .replace('mm', parts.minute)
    .replace('ss', parts.second);
}

/** The add-on's script files, in the order Apps Script loads them. */
export const SCRIPT_FILES = [
  'Config.gs',
  'Messages.gs',
  'Language.gs',
  'Code.gs',
  'Service.gs',
  'Undo.gs',
  'Progress.gs',
  'RunStatus.gs',
];

/**
 * Runs the add-on's .gs files in one fresh vm context over the fakes (one global scope, as in
 * Apps Script) and returns the context. `sources` may replace a file's text: {'Code.gs': text}.
 */
export function loadAddon(apps, sources = {}) {
  const context = vm.createContext({ ...apps.globals });
  const all = { ...(apps.sources || {}), ...sources };
  for (const name of SCRIPT_FILES) {
    const dir = apps.addonDir || ADDON_DIR;
    if (all[name] === undefined && !existsSync(path.join(dir, name))) continue;
    vm.runInContext(all[name] ?? addonFile(name, dir), context, { filename: name });
  }
  return context;
}

// ---------------------------------------------------------------------------------------------
// Fake After-sales service and signature check
// ---------------------------------------------------------------------------------------------

/**
 * Starts the fake service on 127.0.0.1 (free port) in a worker thread.
 * Returns {url, port, route(method, path, status, body, headers?, {tookMs}?),
 * answers(method, path, [{status, body, headers?, tookMs?}, ...]), expectSecret(secret), reset(),
 * requests(), close()}. `answers` gives successive answers to the same request (the last one
 * repeats); `tookMs` is how long, in virtual ms, the answer takes (see makeUrlFetchApp).
 */
export async function startFakeService() {
  const worker = new Worker(new URL('./fake_service.mjs', import.meta.url));
  const pending = new Map();
  let nextId = 1;
  const port = await new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message) => {
      if (message.ready) {
        resolve(message.ready);
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
  });
  const call = (op, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    route: (method, path, status, body, headers, { tookMs } = {}) =>
      call('answers', { method, path, answers: [{ status, body, headers, tookMs }] }),
    answers: (method, path, answers) => call('answers', { method, path, answers }),
    expectSecret: (value) => call('expectSecret', { value }),
    reset: () => call('reset'),
    requests: () => call('requests'),
    async close() {
      await call('close');
      await worker.terminate();
    },
  };
}

/**
 * The hex HMAC-SHA256 the service expects for a recorded request: over
 * METHOD \n path?query \n timestamp \n nonce \n body.
 */
export function expectedSignature(secret, request) {
  const timestamp = request.headers['x-aftersales-timestamp'];
  const nonce = request.headers['x-aftersales-nonce'];
  const canonical = `${request.method}\n${request.path}\n${timestamp}\n${nonce}\n${request.body}`;
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('hex');
}
