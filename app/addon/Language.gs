/**
 * After-sales Desk add-on: the team language, and the texts of Messages.gs looked up in it.
 *
 * The language is the team's, as the service last reported it (`language` in the sheet's, a
 * sync's or the doctor's answer), kept in the document properties; before the service ever
 * answered (and in onOpen, which may not read properties) it is the person's Apps Script locale
 * (zh, zh_CN, zh_TW, zh-HK → zh; anything else → en).
 */

var LANGUAGES = ['en', 'zh'];
var DEFAULT_LANGUAGE = 'en';
// Document property holding the team language the service last reported.
var PROP_LANGUAGE = 'aftersales.language';
// Where an HTML page receives its texts (replaced by htmlPage_).
var PAGE_TEXTS_MARKER = '/*PAGE_TEXTS*/{}';

// ---------------------------------------------------------------------------------------------
// Looking texts up
// ---------------------------------------------------------------------------------------------

/** The text of `key` in the current language with {name} placeholders filled from `params`. */
function t_(key, params) {
  return fillPlaceholders_(messageText_(key, currentLanguage_()), params);
}

/** t_ for a count: KEY.one when count is 1, else KEY.other; params.count is the count. */
function tn_(key, count, params) {
  var all = Object.assign({}, params || {}, { count: count });
  return t_(key + (count === 1 ? '.one' : '.other'), all);
}

/** The team's words for a code the service sends (prefix + code in the catalogue), else the code. */
function tCode_(prefix, code) {
  return MESSAGES.hasOwnProperty(prefix + code) ? t_(prefix + code) : String(code);
}

/** The catalogue's text of `key` in `language` (English when that language lacks it). */
function messageText_(key, language) {
  var entry = MESSAGES[key];
  if (!entry) {
    throw new Error('No message "' + key + '" in Messages.gs');
  }
  return entry[language] !== undefined ? entry[language] : entry[DEFAULT_LANGUAGE];
}

function fillPlaceholders_(text, params) {
  return String(text).replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, function (whole, name) {
    return params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole;
  });
}

// ---------------------------------------------------------------------------------------------
// The team language
// ---------------------------------------------------------------------------------------------

// This execution's language once known (Apps Script starts every execution with fresh globals).
var currentLanguageMemo_ = null;

/** 'en' or 'zh': the language the service last reported, else the person's locale. */
function currentLanguage_() {
  if (currentLanguageMemo_) {
    return currentLanguageMemo_;
  }
  var reported = null;
  try {
    reported = PropertiesService.getDocumentProperties().getProperty(PROP_LANGUAGE);
  } catch (err) {
    reported = null; // onOpen in AuthMode.NONE may not read properties: fall back to the locale
  }
  currentLanguageMemo_ = LANGUAGES.indexOf(reported) >= 0 ? reported : localeLanguage_(userLocale_());
  return currentLanguageMemo_;
}

/** The person's Apps Script locale ("zh_CN", "en"), or '' when it cannot be read. */
function userLocale_() {
  try {
    return String(Session.getActiveUserLocale() || '');
  } catch (err) {
    return '';
  }
}

/** zh, zh_CN, zh_TW, zh-HK, … → 'zh'; anything else → 'en'. */
function localeLanguage_(locale) {
  var primary = String(locale || '').split(/[_-]/)[0].toLowerCase();
  return LANGUAGES.indexOf(primary) >= 0 ? primary : DEFAULT_LANGUAGE;
}

/**
 * Keeps the team language an answer of the service reports (`language`, or its summary's), so
 * the next menu, page and message use it. Returns the language now in use.
 */
function rememberLanguage_(data) {
  if (!data || typeof data !== 'object') {
    return currentLanguage_();
  }
  var reported = data.language;
  if (reported === undefined && data.summary && typeof data.summary === 'object') {
    reported = data.summary.language;
  }
  if (typeof reported !== 'string' || LANGUAGES.indexOf(reported) < 0) {
    return currentLanguage_();
  }
  if (reported !== currentLanguage_()) {
    try {
      PropertiesService.getDocumentProperties().setProperty(PROP_LANGUAGE, reported);
    } catch (err) {
      // Not kept for later: this execution still uses it.
    }
  }
  currentLanguageMemo_ = reported;
  return reported;
}

// ---------------------------------------------------------------------------------------------
// HTML pages
// ---------------------------------------------------------------------------------------------

/**
 * The HtmlOutput of Sidebar.html or Setup.html with its texts (keys "<prefix>.") in the current
 * language put where the page expects them ({lang, texts} in place of PAGE_TEXTS_MARKER).
 */
function htmlPage_(name, prefix) {
  var language = currentLanguage_();
  var texts = {};
  Object.keys(MESSAGES).forEach(function (key) {
    if (key.indexOf(prefix + '.') === 0) {
      texts[key] = messageText_(key, language);
    }
  });
  // Escaped so that no text can end the page's <script> element.
  var json = JSON.stringify({ lang: language, texts: texts }).replace(/</g, '\\u003c');
  var content = HtmlService.createHtmlOutputFromFile(name).getContent();
  if (content.indexOf(PAGE_TEXTS_MARKER) < 0) {
    throw new Error(name + '.html has no ' + PAGE_TEXTS_MARKER + ' for its texts');
  }
  return HtmlService.createHtmlOutput(
    content.replace(PAGE_TEXTS_MARKER, function () {
      return json;
    })
  );
}
