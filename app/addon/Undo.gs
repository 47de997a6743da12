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
// Names people know for a run's trigger.
var TRIGGER_NAMES = {
  'sync-now': 'Sync now',
  recalculate: 'Recalculate all',
  nightly: 'nightly recalculation',
  sweep: 'overdue sweep',
  cli: 'command line',
};

/** After-sales ▸ Undo last sync. Returns the message shown (for tests). */
function undoLastSync() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var ui = SpreadsheetApp.getUi();
  var config = pinnedConfig_(spreadsheet.getId());
  var say = function (message) {
    ui.alert(ADDON_TITLE, message, ui.ButtonSet.OK);
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
  var question =
    'Undo run ' + run.id + ' (' + describeRun_(run, spreadsheet.getSpreadsheetTimeZone()) + ')? ' +
    'It wrote ' + plural_(count_((run.counts || {}).cells_written), 'cell') + '. Each goes back ' +
    'to its value before that run, unless someone changed it since.';
  if (ui.alert('Undo last sync', question, ui.ButtonSet.YES_NO) !== ui.Button.YES) {
    var cancelled = 'Undo cancelled: nothing was changed.';
    spreadsheet.toast(cancelled, ADDON_TITLE, 5);
    return cancelled;
  }
  spreadsheet.toast('Undoing run ' + run.id + '…', ADDON_TITLE, 30);
  var undone = callService_(config, 'POST', base + '/runs/' + run.id + '/undo', '{}');
  if (!undone.ok) {
    return say(describeError_(undone, context));
  }
  var summary = summariseUndo_(undone.data, run.id);
  if (count_(undone.data.restored) === 0) {
    return say(summary);
  }
  spreadsheet.toast(summary, ADDON_TITLE, 15);
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
      return {
        message:
          'A sync of this sheet is running (run ' + run.id + '). Wait for it to finish, then ' +
          'undo.',
      };
    }
    var written = count_((run.counts || {}).cells_written);
    var undid = /^undo:(\d+)$/.exec(String(run.trigger || ''));
    if (undid) {
      if (written) {
        return {
          message:
            'Nothing to undo: the last change to this sheet was run ' + run.id + ', which undid ' +
            'run ' + undid[1] + '.',
        };
      }
      continue;
    }
    if (run.undone_by) {
      return {
        message:
          'Nothing to undo: run ' + run.id + ' was already undone (by run ' + run.undone_by + ').',
      };
    }
    if (written) {
      return { run: run };
    }
  }
  return { message: 'Nothing to undo: no recent sync of this sheet changed a cell.' };
}

/** "Sync now, 2025-03-10 14:05" for a run, in the spreadsheet's time zone. */
function describeRun_(run, timeZone) {
  var trigger = String(run.trigger || '');
  var name = TRIGGER_NAMES.hasOwnProperty(trigger) ? TRIGGER_NAMES[trigger] : trigger || 'a run';
  var at = new Date(run.started_at);
  if (isNaN(at.getTime())) {
    return name;
  }
  return name + ', ' + Utilities.formatDate(at, timeZone || 'UTC', 'yyyy-MM-dd HH:mm');
}

/** The message for an undo answer {run_id, undone_run, restored, skipped}. */
function summariseUndo_(data, runId) {
  var restored = count_(data.restored);
  var skipped = count_(data.skipped);
  if (!restored) {
    if (skipped) {
      return (
        'Nothing to undo: every cell run ' + runId + ' wrote has changed since (' + skipped +
        ' left as they are).'
      );
    }
    return 'Nothing to undo: run ' + runId + ' had no cell left to restore.';
  }
  var text = 'Undid run ' + runId + ': ' + plural_(restored, 'cell') + ' restored';
  if (skipped) {
    text += '; ' + skipped + ' left as they are because they changed since';
  }
  return text + (data.run_id ? ' (run ' + data.run_id + ')' : '') + '.';
}
