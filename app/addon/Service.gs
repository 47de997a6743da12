/**
 * After-sales Desk add-on: the client of the After-sales service.
 *
 * Builds requests (Google identity token or HMAC signature), calls UrlFetchApp at the pinned
 * URL only, reads answers (including Retry-After when the service is busy) and turns them into the
 * messages people see (their texts are in Messages.gs). Shares the global scope with Code.gs
 * (Apps Script loads every .gs file of the project into one scope).
 */

/** Whether a /readyz answer says ready (no status field, or "ready" / "ok"). */
function isReady_(data) {
  return !data || data.status === undefined || /^(ready|ok)$/i.test(String(data.status));
}

/** The path and query of an absolute URL ("/" when it has none). */
function pathWithQuery_(url) {
  var rest = String(url).replace(/^[a-z][a-z0-9+.-]*:\/\/[^\/?#]*/i, '').replace(/#.*$/, '');
  if (!rest) {
    return '/';
  }
  return rest.charAt(0) === '?' ? '/' + rest : rest;
}

/**
 * The string an HMAC signature covers: METHOD, path with query, timestamp, nonce and body, one
 * per line (the nonce makes two presses in the same second sign differently).
 */
function canonicalString_(method, pathWithQuery, timestamp, nonce, body) {
  return (
    String(method).toUpperCase() + '\n' + pathWithQuery + '\n' + timestamp + '\n' + nonce + '\n' +
    body
  );
}

/** A fresh random nonce for X-Aftersales-Nonce: 32 hex characters. */
function newNonce_() {
  return Utilities.getUuid().replace(/-/g, '');
}

/** Hex HMAC-SHA256 of `message` with key `secret` (both UTF-8). */
function hmacHex_(secret, message) {
  var bytes = Utilities.computeHmacSha256Signature(message, secret, Utilities.Charset.UTF_8);
  var hex = '';
  for (var i = 0; i < bytes.length; i++) {
    var b = (bytes[i] + 256) % 256; // Apps Script bytes are signed (-128..127)
    hex += (b < 16 ? '0' : '') + b.toString(16);
  }
  return hex;
}

/**
 * The UrlFetchApp call for one request: {url, params}.
 * auth is {secret} (HMAC signature) or {token} (Bearer identity token); nowSeconds is the unix
 * time used for the signature timestamp; nonce (tests) replaces the random one.
 */
function buildRequest_(method, baseUrl, path, body, auth, nowSeconds, nonce) {
  var url = normaliseUrl_(baseUrl) + path;
  var upper = String(method).toUpperCase();
  var headers = {};
  if (auth && auth.secret) {
    var timestamp = String(Math.floor(nowSeconds));
    var once = nonce || newNonce_();
    headers['X-Aftersales-Timestamp'] = timestamp;
    headers['X-Aftersales-Nonce'] = once;
    headers['X-Aftersales-Signature'] = hmacHex_(
      auth.secret,
      canonicalString_(upper, pathWithQuery_(url), timestamp, once, body || '')
    );
  } else if (auth && auth.token) {
    headers['Authorization'] = 'Bearer ' + auth.token;
  }
  var params = {
    method: upper.toLowerCase(),
    headers: headers,
    muteHttpExceptions: true,
    followRedirects: false,
  };
  if (upper !== 'GET') {
    params.contentType = 'application/json';
    params.payload = body || '';
  }
  return { url: url, params: params };
}

/**
 * Calls the service at the pinned URL (config from pinnedConfig_). Returns {ok: true, status,
 * data, location} for a 2xx JSON answer (location: its Location header, or ''), otherwise {ok: false, kind: 'http'|'unreachable'|'no_token'|
 * 'bad_response'|'not_pinned', status?, error?, detail?, message?, retryAfter?}.
 */
function callService_(config, method, path, body) {
  // The credential goes only under the pinned URL: re-read it here rather than trust `config`,
  // and refuse a path that would leave it.
  var pinned = pinnedConfig_('').url;
  var target = normaliseUrl_(config.url) + path;
  if (!pinned || normaliseUrl_(config.url) !== pinned || target.indexOf(pinned + '/') !== 0) {
    return { ok: false, kind: 'not_pinned', message: t_('error.notPinnedTarget', { target: target }) };
  }
  var auth = {};
  if (config.secret) {
    auth.secret = config.secret;
  } else {
    var token = null;
    try {
      token = ScriptApp.getIdentityToken();
    } catch (err) {
      return { ok: false, kind: 'no_token', message: errorText_(err) };
    }
    if (!token) {
      return { ok: false, kind: 'no_token', message: t_('error.noToken') };
    }
    auth.token = token;
  }
  var request = buildRequest_(method, config.url, path, body, auth, Date.now() / 1000);
  var response;
  try {
    response = UrlFetchApp.fetch(request.url, request.params);
  } catch (err) {
    return { ok: false, kind: 'unreachable', message: errorText_(err) };
  }
  var result = parseResponse_(
    response.getResponseCode(),
    response.getContentText(),
    response.getHeaders ? response.getHeaders() : {}
  );
  result.auth = auth.secret ? 'hmac' : 'google';
  if (result.ok) {
    rememberLanguage_(result.data); // the team language, when the answer reports it
  }
  return result;
}

/**
 * Seconds a Retry-After header value asks to wait (delay-seconds or an HTTP date), or null.
 */
function retryAfterSeconds_(value, nowMs) {
  if (value === undefined || value === null || String(value).trim() === '') {
    return null;
  }
  var text = String(value).trim();
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  var at = Date.parse(text);
  if (isNaN(at)) {
    return null;
  }
  return Math.max(1, Math.ceil((at - nowMs) / 1000));
}

/** A response header by name, whatever its case. */
function headerValue_(headers, name) {
  var wanted = name.toLowerCase();
  var keys = Object.keys(headers || {});
  for (var i = 0; i < keys.length; i++) {
    if (keys[i].toLowerCase() === wanted) {
      var value = headers[keys[i]];
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

/** Interprets a status code, body text and headers (see callService_). */
function parseResponse_(status, text, headers) {
  var data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (err) {
    data = null;
  }
  var isObject = data !== null && typeof data === 'object' && !Array.isArray(data);
  if (status >= 200 && status < 300) {
    if (isObject || Array.isArray(data)) {
      return { ok: true, status: status, data: data, location: headerValue_(headers, 'Location') || '' };
    }
    return { ok: false, kind: 'bad_response', status: status, message: snippet_(text) };
  }
  var result = { ok: false, kind: 'http', status: status, error: '', detail: '' };
  result.retryAfter = retryAfterSeconds_(headerValue_(headers, 'Retry-After'), Date.now());
  if (isObject) {
    result.error = typeof data.error === 'string' ? data.error : '';
    result.detail = detailText_(data.detail !== undefined ? data.detail : withoutKey_(data, 'error'));
    result.data = data;
  } else {
    result.detail = snippet_(text);
  }
  return result;
}

function withoutKey_(object, key) {
  var copy = {};
  Object.keys(object).forEach(function (k) {
    if (k !== key) {
      copy[k] = object[k];
    }
  });
  return copy;
}

/** A readable text for an error `detail` (a string, FastAPI's list of errors, or an object). */
function detailText_(detail) {
  if (detail === undefined || detail === null) {
    return '';
  }
  if (typeof detail === 'string') {
    return detail;
  }
  if (Array.isArray(detail)) {
    return detail
      .map(function (item) {
        return item && typeof item === 'object' && item.msg ? item.msg : detailText_(item);
      })
      .join('; ');
  }
  if (typeof detail === 'object') {
    return Object.keys(detail)
      .map(function (key) {
        return key + ': ' + detailText_(detail[key]);
      })
      .join('; ');
  }
  return String(detail);
}

function snippet_(text) {
  var flat = String(text || '').replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? flat.slice(0, 200) + '…' : flat;
}

function errorText_(err) {
  return String((err && err.message) || err || t_('error.unknown')).replace(/^Exception:\s*/, '');
}

/**
 * The message a person sees for a failed call. context: {action: 'sync'|'recalculate'|'case'|
 * 'ready'|'undo', url, caseId?}.
 */
function describeError_(result, context) {
  var url = (context && context.url) || '';
  var action = (context && context.action) || 'sync';
  var detail = result.detail ? t_('error.detail', { detail: endSentence_(result.detail) }) : '';
  var deployer = t_('error.deployer');
  if (result.kind === 'unreachable') {
    return t_('error.unreachable', { url: url, deployer: deployer, message: result.message });
  }
  if (result.kind === 'not_pinned') {
    return t_('error.notPinned', { message: result.message });
  }
  if (result.kind === 'no_token') {
    return t_('error.tokenFailed', { message: result.message, deployer: deployer });
  }
  if (result.kind === 'bad_response') {
    return t_('error.badResponse', {
      url: url,
      status: result.status,
      deployer: deployer,
      answer: result.message ? t_('error.badResponseAnswer', { answer: result.message }) : '',
    });
  }
  var status = result.status;
  var code = result.error;
  if (status === 429 || (status === 503 && result.retryAfter !== null && result.retryAfter !== undefined)) {
    return result.retryAfter === null || result.retryAfter === undefined
      ? t_('error.busy')
      : t_('error.busyFor', { seconds: result.retryAfter });
  }
  if (status >= 300 && status < 400) {
    return t_('error.redirect', { url: url, status: status, deployer: deployer });
  }
  if (status === 401) {
    return t_(result.auth === 'hmac' ? 'error.secretRefused' : 'error.signInRefused', {
      reason: endSentence_(result.detail || t_('error.noReason')),
    });
  }
  if (status === 403) {
    return t_(code === 'sheet_access' ? 'error.sheetAccess' : 'error.forbidden', { detail: detail });
  }
  if (status === 404) {
    if (action === 'case' && code !== 'sheet_not_found') {
      return t_('error.caseUnknown', { caseId: context.caseId, detail: detail });
    }
    if (code === 'sheet_not_found') {
      return t_('error.sheetNotFound', { detail: detail });
    }
    return t_('error.notFound', { url: url, deployer: deployer, detail: detail });
  }
  if (status === 409) {
    if (code === 'concurrent_edit') {
      return t_('error.concurrentEdit', { detail: detail });
    }
    if (code === 'conflict') {
      return t_('error.conflict', { detail: detail });
    }
    return t_('error.running', { detail: detail });
  }
  if (status === 422) {
    return t_('error.unprocessable', { detail: detail || t_('error.noDetail') });
  }
  if (status === 423) {
    return t_('error.locked', { detail: detail });
  }
  if (status === 503 && action === 'ready') {
    return t_('error.notReady', { url: url, detail: detail });
  }
  if (status >= 500) {
    return t_('error.serverFailed', { status: status, detail: detail });
  }
  return t_('error.http', { status: status, detail: detail });
}

/**
 * The text ending in a full stop: '.' after Latin text, '。' after Chinese (a server sentence
 * keeps its own language).
 */
function endSentence_(text) {
  var t = String(text).trim();
  if (/[.!?。！？)）]$/.test(t)) {
    return t;
  }
  return /[\u3400-\u9fff\uff00-\uffef]$/.test(t) ? t + '。' : t + '.';
}

/** A number for a count field that may be a number or a list. */
function count_(value) {
  if (Array.isArray(value)) {
    return value.length;
  }
  var n = Number(value);
  return isFinite(n) ? n : 0;
}

/**
 * The toast for a sync / recalculate answer, e.g.
 * "Synced 200 cases: 14 cells updated, 3 new, 2 errors in Validation (run 42)."
 */
function summarise_(data, action) {
  var errors = count_(data.errors);
  var warnings = count_(data.warnings);
  var parts = [tn_('summary.cells', count_(data.cells_written)), t_('summary.new', { count: count_(data.new_cases) })];
  parts.push(errors ? tn_('summary.errors', errors) : t_('summary.noErrors'));
  if (warnings) {
    parts.push(tn_('summary.warnings', warnings));
  }
  var run = data.run_id !== undefined && data.run_id !== null ? t_('summary.run', { run: data.run_id }) : '';
  var text = tn_(action === 'recalculate' ? 'summary.recalculate' : 'summary.sync', count_(data.cases), {
    parts: parts.join(t_('summary.separator')),
    run: run,
  });
  if (data.joined) {
    text = t_('summary.joined', { text: text });
  }
  return text;
}
