/**
 * After-sales Desk add-on: After-sales ▸ Undo last sync.
 *
 * Finds the latest run of this spreadsheet that changed cells (GET .../runs), asks for a YES, and
 * asks the service to undo it (POST .../runs/{run}/undo): every cell that run wrote goes back to
 * its earlier value unless someone changed it since. Shares the global scope with Code.gs and
 * Service.gs.
 */

// How many recent runs to look through for the last one that changed cells.
var UNDO_LOOKBACK = 20;
// Triggers people know by a name (Messages.gs: trigger.<trigger>).
var TRIGGER_NAMES = { 'sync-now': true, recalculate: true, nightly: true, sweep: true, cli: true };

/** After-sales ▸ Undo last sync. Returns the message shown (for tests). */
function undoLastSync() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var ui = SpreadsheetApp.getUi();
  var config = pinnedConfig_(spreadsheet.getId());
  var say = function (message) {
    ui.alert(t_('addon.title'), message, ui.ButtonSet.OK);
    return message;
  };
  if (!config.url) {
    return say(config.problem);
  }
  var base = sheetPath_(spreadsheet.getId());
  var context = { action: 'undo', url: config.url };
  var listed = callService_(config, 'GET', base + '/runs?limit=' + UNDO_LOOKBACK, '');
  if (!listed.ok) {
    return say(describeError_(listed, context));
  }
  var choice = pickRunToUndo_(Array.isArray(listed.data) ? listed.data : []);
  if (!choice.run) {
    return say(choice.message);
  }
  var run = choice.run;
  var question = tn_('undo.question', count_((run.counts || {}).cells_written), {
    run: run.id,
    described: describeRun_(run, spreadsheet.getSpreadsheetTimeZone()),
  });
  if (ui.alert(t_('menu.undo'), question, ui.ButtonSet.YES_NO) !== ui.Button.YES) {
    var cancelled = t_('undo.cancelled');
    spreadsheet.toast(cancelled, t_('addon.title'), 5);
    return cancelled;
  }
  spreadsheet.toast(t_('undo.undoing', { run: run.id }), t_('addon.title'), 30);
  var undone = callService_(config, 'POST', base + '/runs/' + run.id + '/undo', '{}');
  if (!undone.ok) {
    return say(describeError_(undone, context));
  }
  var summary = summariseUndo_(undone.data, run.id);
  if (count_(undone.data.restored) === 0) {
    return say(summary);
  }
  spreadsheet.toast(summary, t_('addon.title'), 15);
  return summary;
}

/**
 * The run "Undo last sync" offers, from the runs newest first: {run} or {message} saying why
 * there is nothing to undo. Runs that changed no cell are passed over; a running run, an undo,
 * or a run already undone stops the search (undoing an older run behind them would surprise).
 */
function pickRunToUndo_(runs) {
  for (var i = 0; i < runs.length; i++) {
    var run = runs[i] || {};
    if (!run.finished_at && !run.outcome) {
      return { message: t_('undo.running', { run: run.id }) };
    }
    var written = count_((run.counts || {}).cells_written);
    var undid = /^undo:(\d+)$/.exec(String(run.trigger || ''));
    if (undid) {
      if (written) {
        return { message: t_('undo.lastWasUndo', { run: run.id, undid: undid[1] }) };
      }
      continue;
    }
    if (run.undone_by) {
      return { message: t_('undo.alreadyUndone', { run: run.id, by: run.undone_by }) };
    }
    if (written) {
      return { run: run };
    }
  }
  return { message: t_('undo.nothingRecent') };
}

/** "Sync now, 2025-03-10 14:05" for a run, in the spreadsheet's time zone. */
function describeRun_(run, timeZone) {
  var trigger = String(run.trigger || '');
  var name = TRIGGER_NAMES.hasOwnProperty(trigger) ? t_('trigger.' + trigger) : trigger || t_('trigger.unknown');
  var at = new Date(run.started_at);
  if (isNaN(at.getTime())) {
    return name;
  }
  return t_('undo.described', { name: name, at: Utilities.formatDate(at, timeZone || 'UTC', 'yyyy-MM-dd HH:mm') });
}

/** The message for an undo answer {run_id, undone_run, restored, skipped}. */
function summariseUndo_(data, runId) {
  var restored = count_(data.restored);
  var skipped = count_(data.skipped);
  if (!restored) {
    if (skipped) {
      return t_('undo.allChanged', { run: runId, skipped: skipped });
    }
    return t_('undo.noneLeft', { run: runId });
  }
  return tn_('undo.done', restored, {
    run: runId,
    skipped: skipped ? t_('undo.skipped', { skipped: skipped }) : '',
    by: data.run_id ? t_('undo.by', { run: data.run_id }) : '',
  });
}
