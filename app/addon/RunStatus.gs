/**
 * After-sales Desk add-on: a run's status in words ("Syncing… 12,000 of 30,000 cases (run 57)",
 * the summary, the failure with its code), and where the sidebar finds it.
 *
 * The sidebar cannot be told anything: it asks getSyncStatus() every few seconds, which reads
 * what the press (Progress.gs) left in the document cache, so whoever opens the sidebar of this
 * spreadsheet sees the last press, running or ended. Shares the global scope with Code.gs,
 * Service.gs and Progress.gs.
 */

var SYNC_STATUS_KEY = 'aftersales.sync-status';
var SYNC_STATUS_SECONDS = 6 * 60 * 60; // CacheService's longest
// How often the sidebar asks, while a run is going and otherwise.
var SIDEBAR_RUNNING_POLL_MS = 2000;
var SIDEBAR_IDLE_POLL_MS = 5000;
// A going run whose status nobody updated for this long is asked for by the sidebar itself.
var SYNC_STATUS_STALE_MS = 10 * 1000;
// The steps a run reports, each with its text (Messages.gs: step.<step>).
var RUN_STEPS = { read: true, write: true, record: true, notify: true };

/**
 * What to show for a run: {runId, action, state, message, fraction, problem}, also saved for
 * the sidebar.
 */
function saveRunStatus_(run, action) {
  var status = { runId: run.id, action: action, state: run.state, fraction: null, problem: false };
  if (run.state === 'succeeded') {
    var summary = run.summary;
    if (summary) {
      if (summary.run_id === undefined || summary.run_id === null) {
        summary = Object.assign({}, summary, { run_id: run.id });
      }
      status.message = summarise_(summary, action);
    } else {
      status.message = t_(action === 'recalculate' ? 'run.recalculated' : 'run.synced', { run: run.id });
    }
  } else if (run.state === 'failed' || run.state === 'interrupted') {
    status.message = failureMessage_(run, action);
    status.problem = true;
  } else {
    status.message = progressMessage_(run, action);
    status.fraction = progressFraction_(run.progress);
  }
  saveSyncStatus_(status);
  return status;
}

/**
 * "Sync run 57 failed (backend_unavailable): Google Sheets kept failing." from the run's error
 * {error, detail}, or from its message ("code: sentence") for a service that sends no error.
 */
function failureMessage_(run, action) {
  var code = '';
  var sentence = '';
  if (run.error) {
    code = String(run.error.error || '');
    sentence = detailText_(run.error.detail);
  } else {
    var split = /^([a-z][a-z0-9_]*):\s*([\s\S]*)$/.exec(run.message);
    code = split ? split[1] : '';
    sentence = split ? split[2] : run.message;
  }
  var key = (run.state === 'interrupted' ? 'run.interrupted.' : 'run.failed.') +
    (action === 'recalculate' ? 'recalculate' : 'sync');
  return t_(key, {
    run: run.id,
    code: code ? t_('run.code', { code: code }) : '',
    reason: endSentence_(sentence || t_('run.noReason')),
  });
}

/** "Syncing… 12,000 of 30,000 cases (run 42)", worded for the run's step. */
function progressMessage_(run, action) {
  var progress = run.progress || {};
  var step;
  if (run.state === 'queued') {
    step = 'queued';
  } else if (RUN_STEPS.hasOwnProperty(progress.step)) {
    step = progress.step;
  } else {
    step = action === 'recalculate' ? 'recalculate' : 'sync';
  }
  var counted = casesDone_(progress);
  var params = { step: t_('step.' + step), counted: counted, run: run.id };
  return t_(counted ? 'progress.counted' : 'progress.plain', params);
}

/** "12,000 of 30,000 cases", "1,200 cases" or '' (nothing counted yet). */
function casesDone_(progress) {
  var done = Number(progress.done);
  var total = progress.total === null || progress.total === undefined ? NaN : Number(progress.total);
  if (!isFinite(done) || done < 0) {
    return '';
  }
  if (isFinite(total) && total > 0) {
    return tn_('progress.of', total, { done: groupDigits_(done), total: groupDigits_(total) });
  }
  return done > 0 ? tn_('progress.done', done, { done: groupDigits_(done) }) : '';
}

/** done / total between 0 and 1, or null when the total is not known. */
function progressFraction_(progress) {
  var done = Number((progress || {}).done);
  var total = Number((progress || {}).total);
  if (!isFinite(done) || !isFinite(total) || total <= 0 || (progress || {}).total === null) {
    return null;
  }
  return Math.max(0, Math.min(1, done / total));
}

/** 30000 -> "30,000". */
function groupDigits_(n) {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// ---------------------------------------------------------------------------------------------
// What the sidebar shows
// ---------------------------------------------------------------------------------------------

/**
 * Called by the sidebar every few seconds: the last press's status {state: 'none'|'queued'|
 * 'running'|'succeeded'|'failed'|'interrupted', runId, message, fraction, problem, pollMs}.
 * A going run nobody has asked about lately (the press stopped following it) is asked for here.
 */
function getSyncStatus() {
  var status = readSyncStatus_();
  if (!status) {
    return { state: 'none', pollMs: SIDEBAR_IDLE_POLL_MS };
  }
  if (!RUN_ENDED[status.state] && status.runId && Date.now() - status.updatedAt > SYNC_STATUS_STALE_MS) {
    status = refreshSyncStatus_(status);
  }
  status.pollMs = RUN_ENDED[status.state] ? SIDEBAR_IDLE_POLL_MS : SIDEBAR_RUNNING_POLL_MS;
  return status;
}

/** Asks the service for a going run's state; keeps the old status when it cannot. */
function refreshSyncStatus_(status) {
  var sheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
  var config = pinnedConfig_(sheetId);
  if (!config.url) {
    return status;
  }
  var path = sheetPath_(sheetId) + '/runs/' + status.runId + '?writes=false';
  var polled = callService_(config, 'GET', path, '');
  var run = polled.ok ? readRun_(polled.data, status.runId) : null;
  return run ? saveRunStatus_(run, status.action) : status;
}

/** Keeps the status where the sidebar finds it (the document cache: whoever opens it sees it). */
function saveSyncStatus_(status) {
  status.updatedAt = Date.now();
  try {
    CacheService.getDocumentCache().put(SYNC_STATUS_KEY, JSON.stringify(status), SYNC_STATUS_SECONDS);
  } catch (err) {
    // The cache only feeds the sidebar: a press must not fail because of it.
  }
}

function readSyncStatus_() {
  try {
    var text = CacheService.getDocumentCache().get(SYNC_STATUS_KEY);
    return text ? JSON.parse(text) : null;
  } catch (err) {
    return null;
  }
}
