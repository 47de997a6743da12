/**
 * After-sales Desk add-on: every text a person sees, in each team language (the functions that
 * pick and fill them are in Language.gs).
 *
 * MESSAGES maps a key to {en, zh}; {name} is a placeholder filled by t_(key, params). A count
 * that English words differently for 1 has two keys, KEY.one and KEY.other (tn_ picks one; the
 * Chinese texts of both are the same). The HTML pages get their part of the table (keys starting
 * with "setup." or "sidebar.") injected by htmlPage_, so they hold no text of their own.
 *
 * Chinese texts are written as a team lead would write them, not word for word; they keep run
 * numbers, case ids, URLs and numbers as they are; a run is "任务 57". Server error sentences
 * are not here: they are shown as the service sends them, framed by these texts.
 * tests/addon/messages.test.mjs checks that every key has both languages with the same
 * placeholders, that no Chinese text carries an English word outside a small allowed set, and
 * that no other file holds a sentence people see.
 */

var MESSAGES = {
  // --- Menu, titles -----------------------------------------------------------------------------
  'addon.title': { en: 'After-sales', zh: '售后' },
  'menu.sync': { en: 'Sync now', zh: '立即同步' },
  'menu.recalculate': { en: 'Recalculate all', zh: '全部重新计算' },
  'menu.undo': { en: 'Undo last sync', zh: '撤销上次同步' },
  'menu.caseDetails': { en: 'Case details', zh: '案件详情' },
  'menu.setup': { en: 'Set up', zh: '设置' },
  'setup.dialogTitle': { en: 'Set up After-sales', zh: '售后助手设置' },

  // --- Configuration and the selection (Code.gs) ------------------------------------------------
  'config.urlRefused': {
    en:
      'The service URL "{url}" is refused: it must start with https:// (http:// only for ' +
      '127.0.0.1, localhost or [::1]) and have no user name, query or fragment. Whoever deployed ' +
      'the add-on must fix it.',
    zh:
      '服务地址“{url}”不能用：必须以 https:// 开头（http:// 只允许 127.0.0.1、localhost 或 [::1]），' +
      '且不能带用户名、查询参数或 # 片段。请部署插件的同事改正。',
  },
  'config.notSet': {
    en:
      'The After-sales service URL is not set in this add-on: whoever deployed it must write it ' +
      'with `aftersales addon --url` (or set the script property {property}).',
    zh:
      '插件里还没有设置售后服务地址：请部署插件的同事用 `aftersales addon --url` 写入' +
      '（或设置脚本属性 {property}）。',
  },
  'config.fixedUrl': {
    en:
      'The service URL is fixed by whoever deployed the add-on and cannot be changed from a ' +
      'spreadsheet. Ask them if it is wrong.',
    zh: '服务地址由部署插件的同事固定，不能在表格里修改。如果地址不对，请找他们。',
  },
  'select.noSelection': {
    en: 'Select a row of the Cases tab, then press Refresh.',
    zh: '请先在案件工作表里选中一行，再点“刷新”。',
  },
  'select.noCaseIdColumn': {
    en:
      'The tab "{tab}" has no "Case ID" column in row 1. Open the Cases tab, select a case row, ' +
      'then press Refresh.',
    zh: '工作表“{tab}”的第 1 行没有“案件编号”列。请打开案件工作表，选中一行案件，再点“刷新”。',
  },
  'select.headerRow': {
    en: 'Select a case row below the header row, then press Refresh.',
    zh: '请选中表头下面的案件行，再点“刷新”。',
  },
  'select.noCaseId': {
    en:
      'Row {row} has no Case ID yet. Press After-sales ▸ Sync now to give it one, or select ' +
      'another row.',
    zh: '第 {row} 行还没有案件编号。点 售后 ▸ 立即同步 就会生成，或者换一行。',
  },

  // --- Set up ▸ Test connection (the doctor) and Check my sheet (Code.gs) ------------------------
  'doctor.how.secret': { en: 'the sheet secret', zh: '表格密钥' },
  'doctor.how.google': { en: 'your Google sign-in', zh: '你的 Google 登录' },
  'doctor.noChecks': {
    en: 'Connected: {url} accepted {how}, but sent no checks.',
    zh: '已连接：{url} 接受了{how}，但没有返回任何检查项。',
  },
  'doctor.failing.one': {
    en: 'Connected: {url} accepted {how}. {count} check needs a person (✗ below, each with its fix).',
    zh: '已连接：{url} 接受了{how}。有 {count} 项检查需要人工处理（见下方 ✗，每项都附了解决办法）。',
  },
  'doctor.failing.other': {
    en: 'Connected: {url} accepted {how}. {count} checks need a person (✗ below, each with its fix).',
    zh: '已连接：{url} 接受了{how}。有 {count} 项检查需要人工处理（见下方 ✗，每项都附了解决办法）。',
  },
  'doctor.allHold': {
    en: 'Connected: {url} accepted {how}. Every check holds.',
    zh: '已连接：{url} 接受了{how}。所有检查都通过了。',
  },
  'adopt.casesTab': { en: 'Cases tab: {tab}', zh: '案件工作表：{tab}' },
  'adopt.column': { en: 'Column "{header}" is {means} ({how})', zh: '“{header}”列对应 {means}（{how}）' },
  'adopt.how.settings': { en: 'settings', zh: '设置表里写明' },
  'adopt.how.suggested': { en: 'suggested', zh: '建议' },
  'adopt.ownColumns': {
    en: 'Your own columns (left alone): {columns}',
    zh: '你们自己的列（不会动）：{columns}',
  },
  'adopt.word': { en: '{column} "{word}" means {means} (suggested)', zh: '{column}里的“{word}”即 {means}（建议）' },
  'adopt.needsYou': { en: 'Needs you: {text}', zh: '需要你处理：{text}' },
  'adopt.applied.one': {
    en: 'Applied: {count} cell written to the Settings and Vocabulary tabs.',
    zh: '已应用：在“设置”和“词汇”工作表写入了 {count} 个单元格。',
  },
  'adopt.applied.other': {
    en: 'Applied: {count} cells written to the Settings and Vocabulary tabs.',
    zh: '已应用：在“设置”和“词汇”工作表写入了 {count} 个单元格。',
  },
  'adopt.pending.one': {
    en: '{count} mapping row to write: press Apply (nothing else in the sheet changes).',
    zh: '有 {count} 行对应关系待写入：点“应用”即可（表格里其他内容不会改动）。',
  },
  'adopt.pending.other': {
    en: '{count} mapping rows to write: press Apply (nothing else in the sheet changes).',
    zh: '有 {count} 行对应关系待写入：点“应用”即可（表格里其他内容不会改动）。',
  },
  'adopt.mapped': { en: 'This sheet is mapped already.', zh: '这张表已经对应好了。' },

  // --- Sync now, Recalculate all and their runs (Service.gs, Progress.gs, RunStatus.gs) ---------
  'press.sync': { en: 'Syncing…', zh: '正在同步…' },
  'press.recalculate': { en: 'Recalculating all cases…', zh: '正在重新计算全部案件…' },
  'summary.sync.one': { en: 'Synced {count} case: {parts}{run}.', zh: '已同步 {count} 个案件：{parts}{run}。' },
  'summary.sync.other': { en: 'Synced {count} cases: {parts}{run}.', zh: '已同步 {count} 个案件：{parts}{run}。' },
  'summary.recalculate.one': {
    en: 'Recalculated {count} case: {parts}{run}.',
    zh: '已重新计算 {count} 个案件：{parts}{run}。',
  },
  'summary.recalculate.other': {
    en: 'Recalculated {count} cases: {parts}{run}.',
    zh: '已重新计算 {count} 个案件：{parts}{run}。',
  },
  'summary.cells.one': { en: '{count} cell updated', zh: '更新了 {count} 个单元格' },
  'summary.cells.other': { en: '{count} cells updated', zh: '更新了 {count} 个单元格' },
  'summary.new': { en: '{count} new', zh: '新增 {count} 个' },
  'summary.errors.one': { en: '{count} error in Validation', zh: '校验列有 {count} 个错误' },
  'summary.errors.other': { en: '{count} errors in Validation', zh: '校验列有 {count} 个错误' },
  'summary.noErrors': { en: 'no errors', zh: '没有错误' },
  'summary.warnings.one': { en: '{count} warning', zh: '{count} 个提醒' },
  'summary.warnings.other': { en: '{count} warnings', zh: '{count} 个提醒' },
  'summary.separator': { en: ', ', zh: '，' },
  'summary.run': { en: ' (run {run})', zh: '（任务 {run}）' },
  'summary.joined': {
    en: 'A sync was already running, so this joined it. {text}',
    zh: '已经有一次同步在进行，这次就并入了它。{text}',
  },
  'run.synced': { en: 'Synced (run {run}).', zh: '已同步（任务 {run}）。' },
  'run.recalculated': { en: 'Recalculated (run {run}).', zh: '已重新计算（任务 {run}）。' },
  'run.failed.sync': { en: 'Sync run {run} failed{code}: {reason}', zh: '同步任务 {run} 失败{code}：{reason}' },
  'run.failed.recalculate': {
    en: 'Recalculation run {run} failed{code}: {reason}',
    zh: '重新计算任务 {run} 失败{code}：{reason}',
  },
  'run.interrupted.sync': {
    en: 'Sync run {run} was interrupted before it finished{code}: {reason}',
    zh: '同步任务 {run} 没做完就中断了{code}：{reason}',
  },
  'run.interrupted.recalculate': {
    en: 'Recalculation run {run} was interrupted before it finished{code}: {reason}',
    zh: '重新计算任务 {run} 没做完就中断了{code}：{reason}',
  },
  'run.code': { en: ' ({code})', zh: '（{code}）' },
  'run.noReason': { en: 'the service gave no reason', zh: '服务没有说明原因' },
  'step.queued': { en: 'Waiting to start…', zh: '排队等待中…' },
  'step.read': { en: 'Reading the sheet…', zh: '正在读取表格…' },
  'step.write': { en: 'Writing…', zh: '正在写入…' },
  'step.record': { en: 'Recording the run…', zh: '正在记录本次任务…' },
  'step.notify': { en: 'Sending notifications…', zh: '正在发送通知…' },
  'step.sync': { en: 'Syncing…', zh: '正在同步…' },
  'step.recalculate': { en: 'Recalculating…', zh: '正在重新计算…' },
  'progress.plain': { en: '{step} (run {run})', zh: '{step}（任务 {run}）' },
  'progress.counted': { en: '{step} {counted} (run {run})', zh: '{step} {counted}（任务 {run}）' },
  'progress.of.one': { en: '{done} of {total} case', zh: '已处理 {done} / {total} 个案件' },
  'progress.of.other': { en: '{done} of {total} cases', zh: '已处理 {done} / {total} 个案件' },
  'progress.done.one': { en: '{done} case', zh: '已处理 {done} 个案件' },
  'progress.done.other': { en: '{done} cases', zh: '已处理 {done} 个案件' },
  'follow.stillSyncing': {
    en:
      'Still syncing, run {run}; it will finish on its own. Open After-sales ▸ Case details to ' +
      'follow it and see its summary when it ends.',
    zh: '任务 {run} 还在同步，会自己跑完。打开 售后 ▸ 案件详情 可以看进度，结束后也能看到汇总。',
  },
  'follow.stillRecalculating': {
    en:
      'Still recalculating, run {run}; it will finish on its own. Open After-sales ▸ Case details ' +
      'to follow it and see its summary when it ends.',
    zh: '任务 {run} 还在重新计算，会自己跑完。打开 售后 ▸ 案件详情 可以看进度，结束后也能看到汇总。',
  },
  'follow.noAnswer': { en: 'no answer ({message})', zh: '没有响应（{message}）' },
  'follow.lostTouch': {
    en:
      'Run {run} is on the After-sales service, but the add-on lost touch with it ({why}). It will ' +
      'finish on its own; open After-sales ▸ Case details to see how it ends.',
    zh:
      '任务 {run} 仍在售后服务上运行，但插件和它失去了联系（{why}）。任务会自己跑完；' +
      '打开 售后 ▸ 案件详情 可以看结果。',
  },
  'follow.doing.sync': { en: 'syncing', zh: '同步' },
  'follow.doing.recalculate': { en: 'recalculating', zh: '重新计算' },
  'follow.unansweredListed': {
    en:
      'The After-sales service at {url} did not answer within 60 s, and its latest run is not one ' +
      'from this press, so nothing is {doing}. Try again in a minute. If it keeps happening, tell ' +
      'whoever deployed the add-on. ({thrown})',
    zh:
      '售后服务（{url}）60 秒内没有响应，而且它最近的任务不是这次点击发起的，所以现在并没有在{doing}。' +
      '请过一分钟再试；如果一直这样，请联系部署插件的同事。（{thrown}）',
  },
  'follow.unansweredSilent': {
    en:
      'The After-sales service at {url} did not answer within 60 s, nor when asked for its runs, ' +
      'so the add-on cannot tell whether it is {doing}. Wait a minute, then press again: a press ' +
      'while the sheet syncs joins that run instead of starting another. ({thrown})',
    zh:
      '售后服务（{url}）60 秒内没有响应，查询任务列表也没有回应，插件无法确定是否正在{doing}。' +
      '请等一分钟再点一次：表格正在同步时再点，会并入那次同步，不会重复开始。（{thrown}）',
  },

  // --- Errors of a call to the service (Service.gs) --------------------------------------------
  'error.deployer': {
    en: ' If it keeps happening, tell whoever deployed the add-on.',
    zh: '如果一直这样，请联系部署插件的同事。',
  },
  'error.detail': { en: ' {detail}', zh: '{detail}' },
  'error.unknown': { en: 'unknown error', zh: '未知错误' },
  'error.noToken': { en: 'Apps Script returned no identity token.', zh: 'Apps Script 没有返回身份令牌。' },
  'error.notPinnedTarget': { en: 'not the pinned service URL: {target}', zh: '不是固定的服务地址：{target}' },
  'error.unreachable': {
    en: 'Cannot reach the After-sales service at {url}. Try again in a minute.{deployer} ({message})',
    zh: '连不上售后服务（{url}）。请过一分钟再试。{deployer}（{message}）',
  },
  'error.notPinned': {
    en: 'The add-on refused to send your sign-in outside its service URL ({message}).',
    zh: '插件拒绝把你的登录信息发到固定服务地址以外的地方（{message}）。',
  },
  'error.tokenFailed': {
    en:
      'Could not get your Google sign-in token for the After-sales service ({message}). Reload ' +
      'the sheet and allow the add-on.{deployer}',
    zh: '没能拿到你访问售后服务用的 Google 登录令牌（{message}）。请刷新表格并允许插件授权。{deployer}',
  },
  'error.badResponse': {
    en: 'The After-sales service at {url} gave an answer the add-on cannot read (HTTP {status}).{deployer}{answer}',
    zh: '售后服务（{url}）返回的内容插件读不懂（HTTP {status}）。{deployer}{answer}',
  },
  'error.badResponseAnswer': { en: ' Answer: {answer}', zh: '返回内容：{answer}' },
  'error.busyFor': { en: 'The After-sales service is busy, try again in {seconds} s.', zh: '售后服务正忙，请 {seconds} 秒后再试。' },
  'error.busy': { en: 'The After-sales service is busy, try again in a minute.', zh: '售后服务正忙，请过一分钟再试。' },
  'error.redirect': {
    en: 'The service at {url} answered with a redirect (HTTP {status}), which the add-on does not follow.{deployer}',
    zh: '服务（{url}）返回了重定向（HTTP {status}），插件不会跟随。{deployer}',
  },
  'error.noReason': { en: 'no reason given', zh: '没有说明原因' },
  'error.secretRefused': {
    en:
      "The service did not accept the sheet secret: {reason} Tell whoever deployed the add-on (the " +
      "secret may have been rotated; also check that this computer's clock is right).",
    zh: '服务不接受表格密钥：{reason}请联系部署插件的同事（密钥可能已更换；也请检查这台电脑的时间是否准确）。',
  },
  'error.signInRefused': {
    en:
      'The service did not accept your Google sign-in: {reason} Reload the sheet and try again; if ' +
      'it keeps happening, tell your team lead.',
    zh: '服务不接受你的 Google 登录：{reason}请刷新表格后再试；如果一直这样，请告诉组长。',
  },
  'error.sheetAccess': {
    en:
      'The After-sales service account cannot open this spreadsheet. Share the spreadsheet ' +
      '(Editor) with the service account shown here, then try again:{detail}',
    zh: '售后服务账号打不开这张表。请把表格以“编辑者”权限共享给下面这个服务账号，然后再试：{detail}',
  },
  'error.forbidden': {
    en:
      'Your Google account is not allowed to use the After-sales service on this sheet. Ask your ' +
      'team lead to add your email to the allow-list.{detail}',
    zh: '你的 Google 账号没有权限在这张表上使用售后服务。请组长把你的邮箱加进允许名单。{detail}',
  },
  'error.caseUnknown': {
    en: 'Case {caseId} is not known to the service yet: press After-sales ▸ Sync now first.{detail}',
    zh: '服务里还没有案件 {caseId}：请先点 售后 ▸ 立即同步。{detail}',
  },
  'error.sheetNotFound': { en: 'The service cannot find this spreadsheet.{detail}', zh: '服务找不到这张表。{detail}' },
  'error.notFound': {
    en: 'The service at {url} answered "not found".{deployer}{detail}',
    zh: '服务（{url}）返回“找不到”。{deployer}{detail}',
  },
  'error.concurrentEdit': {
    en: 'The sheet kept changing while the service tried to write to it. Wait a moment and try again.{detail}',
    zh: '服务写入时表格一直在变动。请稍等片刻再试。{detail}',
  },
  'error.conflict': { en: 'The service refused because of a conflict.{detail}', zh: '有冲突，服务拒绝了这次操作。{detail}' },
  'error.running': {
    en:
      'A sync of this sheet is already running. Wait for it to finish (a few seconds to a minute), ' +
      'then try again.{detail}',
    zh: '这张表已经在同步了。请等它完成（几秒到一分钟）后再试。{detail}',
  },
  'error.unprocessable': {
    en: 'The sheet cannot be synced as it is. Fix this and try again:{detail}',
    zh: '这张表现在没法同步。请先改正下面的问题再试：{detail}',
  },
  'error.noDetail': { en: ' (the service gave no detail)', zh: '（服务没有给出详情）' },
  'error.locked': {
    en: 'The workbook is locked (open in another program). Close it and try again.{detail}',
    zh: '工作簿被锁定了（在别的程序里打开着）。请关掉后再试。{detail}',
  },
  'error.notReady': {
    en: 'The service at {url} is running but not ready.{detail}',
    zh: '服务（{url}）在运行，但还没准备好。{detail}',
  },
  'error.serverFailed': {
    en:
      'The After-sales service failed (HTTP {status}); try again in a minute. If it keeps failing, ' +
      'tell your team lead.{detail}',
    zh: '售后服务出错了（HTTP {status}）；请过一分钟再试。如果一直出错，请告诉组长。{detail}',
  },
  'error.http': { en: 'The After-sales service answered HTTP {status}.{detail}', zh: '售后服务返回了 HTTP {status}。{detail}' },

  // --- Undo last sync (Undo.gs) ----------------------------------------------------------------
  'trigger.sync-now': { en: 'Sync now', zh: '立即同步' },
  'trigger.recalculate': { en: 'Recalculate all', zh: '全部重新计算' },
  'trigger.nightly': { en: 'nightly recalculation', zh: '夜间重新计算' },
  'trigger.sweep': { en: 'overdue sweep', zh: '逾期巡检' },
  'trigger.cli': { en: 'command line', zh: '命令行' },
  'trigger.unknown': { en: 'a run', zh: '一次任务' },
  'undo.described': { en: '{name}, {at}', zh: '{name}，{at}' },
  'undo.question.one': {
    en:
      'Undo run {run} ({described})? It wrote {count} cell. Each goes back to its value before ' +
      'that run, unless someone changed it since.',
    zh: '要撤销任务 {run}（{described}）吗？它写入了 {count} 个单元格。每个单元格都会恢复成该任务之前的值，之后被人改过的除外。',
  },
  'undo.question.other': {
    en:
      'Undo run {run} ({described})? It wrote {count} cells. Each goes back to its value before ' +
      'that run, unless someone changed it since.',
    zh: '要撤销任务 {run}（{described}）吗？它写入了 {count} 个单元格。每个单元格都会恢复成该任务之前的值，之后被人改过的除外。',
  },
  'undo.cancelled': { en: 'Undo cancelled: nothing was changed.', zh: '已取消撤销，表格没有任何改动。' },
  'undo.undoing': { en: 'Undoing run {run}…', zh: '正在撤销任务 {run}…' },
  'undo.running': {
    en: 'A sync of this sheet is running (run {run}). Wait for it to finish, then undo.',
    zh: '这张表正在同步（任务 {run}）。请等它完成后再撤销。',
  },
  'undo.lastWasUndo': {
    en: 'Nothing to undo: the last change to this sheet was run {run}, which undid run {undid}.',
    zh: '没有可撤销的：这张表最近一次改动是任务 {run}，它撤销了任务 {undid}。',
  },
  'undo.alreadyUndone': {
    en: 'Nothing to undo: run {run} was already undone (by run {by}).',
    zh: '没有可撤销的：任务 {run} 已经被撤销过了（由任务 {by}）。',
  },
  'undo.nothingRecent': {
    en: 'Nothing to undo: no recent sync of this sheet changed a cell.',
    zh: '没有可撤销的：这张表最近的同步都没有改动单元格。',
  },
  'undo.allChanged': {
    en: 'Nothing to undo: every cell run {run} wrote has changed since ({skipped} left as they are).',
    zh: '没有可撤销的：任务 {run} 写入的单元格之后都被改过了（{skipped} 个保持不变）。',
  },
  'undo.noneLeft': {
    en: 'Nothing to undo: run {run} had no cell left to restore.',
    zh: '没有可撤销的：任务 {run} 已经没有可恢复的单元格。',
  },
  'undo.done.one': { en: 'Undid run {run}: {count} cell restored{skipped}{by}.', zh: '已撤销任务 {run}：恢复了 {count} 个单元格{skipped}{by}。' },
  'undo.done.other': { en: 'Undid run {run}: {count} cells restored{skipped}{by}.', zh: '已撤销任务 {run}：恢复了 {count} 个单元格{skipped}{by}。' },
  'undo.skipped': {
    en: '; {skipped} left as they are because they changed since',
    zh: '；另有 {skipped} 个之后被改过，保持不变',
  },
  'undo.by': { en: ' (run {run})', zh: '（任务 {run}）' },

  // --- Set up dialog (Setup.html) --------------------------------------------------------------
  'setup.urlLabel': { en: 'Service URL', zh: '服务地址' },
  'setup.urlHint': {
    en:
      'Fixed by whoever deployed the add-on; it cannot be changed from a spreadsheet, so nobody ' +
      'who edits this sheet can send your sign-in elsewhere.',
    zh: '由部署插件的同事固定，不能在表格里修改，所以编辑这张表的人都没法把你的登录信息发到别处。',
  },
  'setup.urlNotSet': { en: 'not set', zh: '未设置' },
  'setup.signInLabel': { en: 'Signs in with', zh: '登录方式' },
  'setup.signInSecret': { en: 'A sheet secret set by whoever deployed the add-on', zh: '部署插件的同事设置的表格密钥' },
  'setup.signInSecretHint': {
    en: 'Every editor of this spreadsheet syncs with it; each run records that it was used.',
    zh: '这张表的所有编辑者都用它同步；每次任务都会记下用了它。',
  },
  'setup.signInGoogle': { en: 'Your Google account', zh: '你的 Google 账号' },
  'setup.signInGoogleHint': {
    en: "The service checks your email against this sheet's allow-list.",
    zh: '服务会核对你的邮箱是否在这张表的允许名单里。',
  },
  'setup.test': { en: 'Test connection', zh: '测试连接' },
  'setup.check': { en: 'Check my sheet', zh: '检查我的表格' },
  'setup.apply': { en: 'Apply', zh: '应用' },
  'setup.close': { en: 'Close', zh: '关闭' },
  'setup.legacy': {
    en:
      'An older version of the add-on kept a service URL or secret in this spreadsheet, where ' +
      'every editor could change it. They were removed and are no longer used; ask whoever ' +
      "deployed the add-on to rotate this sheet's secret if one was stored.",
    zh:
      '旧版插件曾把服务地址或密钥存在这张表里，所有编辑者都能改。现在已经删除，不再使用；' +
      '如果当时存过密钥，请让部署插件的同事为这张表更换密钥。',
  },
  'setup.checksLabel': { en: 'Checks', zh: '检查项' },
  'setup.mark.pass': { en: 'passes', zh: '通过' },
  'setup.mark.fail': { en: 'fails', zh: '未通过' },
  'setup.mark.skip': { en: 'skipped', zh: '已跳过' },
  'setup.fix': { en: 'Fix: {fix}', zh: '解决办法：{fix}' },
  'setup.testing': { en: 'Testing the connection…', zh: '正在测试连接…' },
  'setup.checking': { en: 'Checking how the service reads this sheet…', zh: '正在检查服务如何读取这张表…' },
  'setup.applying': {
    en: 'Writing the mapping into the Settings and Vocabulary tabs…',
    zh: '正在把对应关系写入“设置”和“词汇”工作表…',
  },

  // --- Case details sidebar (Sidebar.html) -----------------------------------------------------
  'sidebar.title': { en: 'Case details', zh: '案件详情' },
  'sidebar.syncProgress': { en: 'Sync progress', zh: '同步进度' },
  'sidebar.refresh': { en: 'Refresh', zh: '刷新' },
  'sidebar.refreshHint': { en: 'Load the case in the selected row', zh: '加载选中行的案件' },
  'sidebar.loading': { en: 'Loading the selected case…', zh: '正在加载选中的案件…' },
  'sidebar.returnDeadline': { en: 'Return deadline', zh: '退货截止日期' },
  'sidebar.daysLeft': { en: 'Days left', zh: '剩余天数' },
  'sidebar.sellerDeadline': { en: 'Seller deadline', zh: '卖家退货截止' },
  'sidebar.sellerWindowMissed': { en: 'missed', zh: '已错过' },
  'sidebar.policy': { en: 'Policy', zh: '适用政策' },
  'sidebar.priority': { en: 'Priority', zh: '优先级' },
  'sidebar.nextAction': { en: 'Next action', zh: '下一步' },
  'sidebar.nextDue': { en: 'Next due', zh: '下一步截止' },
  'sidebar.exceptions': { en: 'Exceptions', zh: '例外情况' },
  'sidebar.sla': { en: 'SLA', zh: 'SLA 时效' },
  'sidebar.missingEvidence': { en: 'Missing evidence', zh: '缺少的凭证' },
  'sidebar.refundOptions': { en: 'Refund options', zh: '可选退款方式' },
  'sidebar.findings': { en: 'Findings', zh: '检查结果' },
  'sidebar.replies': { en: 'Suggested replies', zh: '建议回复' },
  'sidebar.timeline': { en: 'Timeline', zh: '处理记录' },
  'sidebar.overdue.one': { en: '{count} day overdue', zh: '已逾期 {count} 天' },
  'sidebar.overdue.other': { en: '{count} days overdue', zh: '已逾期 {count} 天' },
  'sidebar.dueToday': { en: 'Due today', zh: '今天到期' },
  'sidebar.days.one': { en: '{count} day', zh: '{count} 天' },
  'sidebar.days.other': { en: '{count} days', zh: '{count} 天' },
  'sidebar.noClocks': { en: 'No SLA clocks.', zh: '没有 SLA 计时。' },
  'sidebar.met': { en: 'met {when}', zh: '{when} 已达成' },
  'sidebar.due': { en: 'due {when}', zh: '{when} 到期' },
  'sidebar.nothingMissing': { en: 'Nothing missing.', zh: '凭证齐全。' },
  'sidebar.noFindings': { en: 'No findings.', zh: '没有发现问题。' },
  'sidebar.severity.error': { en: 'error', zh: '错误' },
  'sidebar.severity.warning': { en: 'warning', zh: '提醒' },
  'sidebar.severity.info': { en: 'info', zh: '提示' },
  'sidebar.toCustomer': { en: 'To the customer', zh: '回复客户' },
  'sidebar.toSeller': { en: 'To the seller', zh: '回复卖家' },
  'sidebar.copy': { en: 'Copy', zh: '复制' },
  'sidebar.noReplies': { en: 'No reply suggested for this case.', zh: '这个案件暂无建议回复。' },
  'sidebar.noEvents': { en: 'No events yet.', zh: '暂无记录。' },
  'sidebar.case': { en: 'Case {caseId}', zh: '案件 {caseId}' },
  'sidebar.row': { en: 'row {row}', zh: '第 {row} 行' },
  'sidebar.nothingReturned': { en: 'The add-on returned nothing.', zh: '插件没有返回任何内容。' },
  'sidebar.loadFailed': { en: 'Could not load the case: {error}', zh: '案件加载失败：{error}' },
  'sidebar.unknownError': { en: 'unknown error', zh: '未知错误' },
  'sidebar.copied': { en: 'Copied.', zh: '已复制。' },
  'sidebar.selected': { en: 'Selected: press Ctrl+C', zh: '已选中，请按 Ctrl+C 复制' },
  'sidebar.endedAt': { en: 'at {when}', zh: '{when} 结束' },
};
