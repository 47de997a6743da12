/**
 * After-sales Desk add-on: Sync now and Recalculate all, and following a run that takes long.
 *
 * The service answers a press within about 20 s: with the run's summary when it finished in
 * time, otherwise with 202 Accepted and the run's id. The add-on then asks for the run every few
 * seconds (GET .../runs/{run}?writes=false), shows its progress ("Syncing… 12,000 of 30,000
 * cases") as a toast and in the sidebar, and the summary as before when it ends. Apps Script ends
 * a menu function after 6 minutes and gives up on one fetch after 60 s, so a press stops
 * following after RUN_FOLLOW_BUDGET_MS and says that the run goes on; the run is the service's,
 * and the sidebar keeps showing it.
 *
 * A fetch that throws (the 60-second limit, a dropped connection) does not prove that the press
 * was lost: before saying anything the add-on asks for the sheet's latest run, and follows it
 * when this press started or joined it.
 *
 * What a run's state reads like, and where the sidebar finds it, is in RunStatus.gs. Shares the
 * global scope with Code.gs and Service.gs.
 */

// Between two looks at a running run.
var RUN_POLL_MS = 3000;
// A press stops following the run this long after it was pressed: one more fetch may take up to
// FETCH_LIMIT_MS, and the whole must stay inside Apps Script's 6 minutes.
var RUN_FOLLOW_BUDGET_MS = 4 * 60 * 1000;
// Apps Script's UrlFetchApp gives up after this long (not configurable).
var FETCH_LIMIT_MS = 60 * 1000;
// A run that ended at most this long before the press (clocks differ a little) may be its own.
var RUN_CLOCK_SKEW_MS = 10 * 1000;
// Looks at the run that failed in a row before the add-on says it lost touch.
var RUN_POLL_FAILURES = 3;
// The longest wait a busy service's Retry-After gets while following a run.
var RUN_BUSY_WAIT_MAX_MS = 30 * 1000;
var PROGRESS_TOAST_SECONDS = 30;
// The same progress is toasted again after this long, so the toast does not vanish meanwhile.
var PROGRESS_TOAST_AGAIN_MS = 20 * 1000;
// The states in which a run has ended.
var RUN_ENDED = { succeeded: true, failed: true, interrupted: true };

/**
 * POSTs sync or recalculate for this spreadsheet and shows what came of it: the summary (toast),
 * the run's progress until it ends, or the problem (alert). Returns the last message shown.
 */
function pressSheetAction_(spreadsheet, config, action) {
  var pressedAt = Date.now();
  var base = sheetPath_(spreadsheet.getId());
  spreadsheet.toast(
    t_(action === 'recalculate' ? 'press.recalculate' : 'press.sync'),
    t_('addon.title'),
    PROGRESS_TOAST_SECONDS
  );
  var result = callService_(config, 'POST', base + '/' + action, '{}');
  var run = null;
  if (result.ok && result.status === 202) {
    run = acceptedRun_(result);
    if (!run) {
      result = { ok: false, kind: 'bad_response', status: 202, message: snippet_(JSON.stringify(result.data)) };
    }
  } else if (!result.ok && result.kind === 'unreachable') {
    var timedOut = Date.now() - pressedAt >= FETCH_LIMIT_MS - 1000;
    var found = findPressedRun_(config, base, pressedAt);
    run = found.run;
    if (!run && timedOut) {
      result.unanswered = found.listed ? 'listed' : 'silent';
    }
  }
  if (run) {
    return followRun_(spreadsheet, config, action, run, pressedAt);
  }
  if (result.ok) {
    var summary = summarise_(result.data, action);
    saveSyncStatus_({ runId: result.data.run_id, action: action, state: 'succeeded', message: summary });
    spreadsheet.toast(summary, t_('addon.title'), 15);
    return summary;
  }
  var message = result.unanswered
    ? unansweredMessage_(config.url, action, result.unanswered === 'listed', result.message)
    : describeError_(result, { action: action, url: config.url });
  var ui = SpreadsheetApp.getUi();
  ui.alert(t_('addon.title'), message, ui.ButtonSet.OK);
  return message;
}

/** The run a 202 answer names ({run_id, state, progress}, else its Location), or null. */
function acceptedRun_(result) {
  var run = readRun_(result.data);
  if (run) {
    return run;
  }
  var fromLocation = /\/runs\/(\d+)(?:[?#]|$)/.exec(String(result.location || ''));
  return fromLocation ? readRun_({ state: 'running' }, Number(fromLocation[1])) : null;
}

/**
 * After a press whose fetch threw: {run, listed}. run is the sheet's latest run when this press
 * started or joined it (it is going, or it ended after the press), else null; listed says whether
 * the service answered the question at all.
 */
function findPressedRun_(config, base, pressedAt) {
  var listed = callService_(config, 'GET', base + '/runs?limit=1', '');
  if (!listed.ok || !Array.isArray(listed.data)) {
    return { run: null, listed: false };
  }
  var run = listed.data.length ? readRun_(listed.data[0]) : null;
  if (run && RUN_ENDED[run.state] && !(Date.parse(listed.data[0].finished_at) >= pressedAt - RUN_CLOCK_SKEW_MS)) {
    run = null; // it ended before the press: not this press's run
  }
  return { run: run, listed: true };
}

/**
 * A run as the add-on uses it, from a 202 body, a runs list item or a run's detail:
 * {id, state, progress, summary, error, message}, or null when it names no run.
 */
function readRun_(data, knownId) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return null;
  }
  var id = Number(data.id !== undefined ? data.id : data.run_id !== undefined ? data.run_id : knownId);
  if (!(id >= 1) || Math.floor(id) !== id) {
    return null;
  }
  return {
    id: id,
    state: typeof data.state === 'string' ? data.state : stateOfRecord_(data),
    progress: data.progress && typeof data.progress === 'object' ? data.progress : null,
    summary: data.summary && typeof data.summary === 'object' ? data.summary : null,
    error: data.error && typeof data.error === 'object' ? data.error : null,
    message: typeof data.message === 'string' ? data.message : '',
  };
}

/** A run's state from its record, for a service that does not send `state`. */
function stateOfRecord_(data) {
  if (!data.finished_at && !data.outcome) {
    return 'running';
  }
  if (data.outcome === 'failed' || data.outcome === 'interrupted') {
    return data.outcome;
  }
  return 'succeeded';
}

/**
 * Asks for the run every RUN_POLL_MS, toasting its progress, until it ends (then the summary or
 * the failure), the press has followed it for RUN_FOLLOW_BUDGET_MS (then: it goes on), or the
 * service stops answering (then: lost touch, it goes on). Returns the last message shown.
 */
function followRun_(spreadsheet, config, action, run, pressedAt) {
  var path = sheetPath_(spreadsheet.getId()) + '/runs/' + run.id + '?writes=false';
  // A run found ended in the runs list has no summary yet: ask for its detail once.
  var needDetail = Boolean(RUN_ENDED[run.state]) && !run.summary && !run.error;
  var failures = 0;
  var wait = RUN_POLL_MS;
  var toasted = { message: '', at: 0 };
  while (!RUN_ENDED[run.state] || needDetail) {
    if (!needDetail) {
      showProgress_(spreadsheet, saveRunStatus_(run, action).message, toasted);
      if (Date.now() - pressedAt + wait > RUN_FOLLOW_BUDGET_MS) {
        return stillGoing_(spreadsheet, action, run);
      }
      Utilities.sleep(wait);
    }
    needDetail = false;
    var polled = callService_(config, 'GET', path, '');
    var next = polled.ok ? readRun_(polled.data, run.id) : null;
    if (next) {
      run = next;
      failures = 0;
      wait = RUN_POLL_MS;
      continue;
    }
    if (isBusy_(polled)) {
      // A busy service is not a lost one: wait as it asks (the budget still bounds it).
      wait = Math.min(Math.max(RUN_POLL_MS, (polled.retryAfter || 0) * 1000), RUN_BUSY_WAIT_MAX_MS);
      continue;
    }
    if (RUN_ENDED[run.state]) {
      break; // it ended; only its summary could not be read
    }
    failures++;
    wait = RUN_POLL_MS;
    // A 4xx other than 429 (the run or the sheet is gone, a sign-in lapsed) will not mend itself.
    var hopeless = polled.kind === 'http' && polled.status >= 400 && polled.status < 500;
    if (hopeless || failures >= RUN_POLL_FAILURES) {
      return lostTouch_(spreadsheet, action, run, polled);
    }
  }
  return endRun_(spreadsheet, action, run);
}

/** Whether an answer says the service is busy (429, or 503 with Retry-After). */
function isBusy_(result) {
  return (
    !result.ok &&
    result.kind === 'http' &&
    (result.status === 429 || (result.status === 503 && result.retryAfter !== null && result.retryAfter !== undefined))
  );
}

/** Toasts a progress message when it changed, or again when the last toast is fading. */
function showProgress_(spreadsheet, message, toasted) {
  var now = Date.now();
  if (message === toasted.message && now - toasted.at < PROGRESS_TOAST_AGAIN_MS) {
    return;
  }
  spreadsheet.toast(message, t_('addon.title'), PROGRESS_TOAST_SECONDS);
  toasted.message = message;
  toasted.at = now;
}

/** The run ended: toasts its summary, or alerts its failure. Returns the message. */
function endRun_(spreadsheet, action, run) {
  var status = saveRunStatus_(run, action);
  if (status.problem) {
    var ui = SpreadsheetApp.getUi();
    ui.alert(t_('addon.title'), status.message, ui.ButtonSet.OK);
  } else {
    spreadsheet.toast(status.message, t_('addon.title'), 15);
  }
  return status.message;
}

/** Following ran out of time; the run goes on. Toasts (until closed) where to see it end. */
function stillGoing_(spreadsheet, action, run) {
  var message = t_(action === 'recalculate' ? 'follow.stillRecalculating' : 'follow.stillSyncing', {
    run: run.id,
  });
  spreadsheet.toast(message, t_('addon.title'), -1);
  return message;
}

/** The service stopped answering about a going run. Alerts that the run goes on. */
function lostTouch_(spreadsheet, action, run, polled) {
  var why;
  if (polled.kind === 'unreachable') {
    why = t_('follow.noAnswer', { message: polled.message });
  } else if (polled.kind === 'http') {
    why = 'HTTP ' + polled.status + (polled.error ? ' ' + polled.error : '') +
      (polled.detail ? ': ' + polled.detail : '');
  } else {
    why = polled.message || polled.kind;
  }
  var message = t_('follow.lostTouch', { run: run.id, why: endSentence_(why).replace(/[.。]$/, '') });
  var ui = SpreadsheetApp.getUi();
  ui.alert(t_('addon.title'), message, ui.ButtonSet.OK);
  return message;
}

/**
 * A press's fetch hit the 60-second limit and no run of it was found: the service listed its
 * runs and none is this press's (listed), or it did not answer that either.
 */
function unansweredMessage_(url, action, listed, thrown) {
  var doing = t_(action === 'recalculate' ? 'follow.doing.recalculate' : 'follow.doing.sync');
  return t_(listed ? 'follow.unansweredListed' : 'follow.unansweredSilent', {
    url: url,
    doing: doing,
    thrown: thrown,
  });
}
