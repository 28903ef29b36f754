//! A plan carried out as a transaction: the journal, the moves, writes and deletions (each
//! only while the file holds what the plan read), the ledger, the verification, the journal
//! removed; a failure, a refusal or a cancel rolls everything back.

use std::sync::atomic::Ordering;

use super::{ApplyOptions, Report};
use crate::SyncError;
use crate::fsx::{Checked, Root};
use crate::journal::{self, Change, JOURNAL_PATH, Journal};
use crate::ledger::{
    APPLIED_PATH, ATTRIBUTES_PATH, ATTRIBUTES_TEXT, IGNORE_PATH, IGNORE_TEXT, LEDGER_PATH, Ledger,
    OLD_IGNORE_TEXTS, hash_bytes,
};
use crate::plan::{Action, CONFLICT_SUFFIX, Op, Plan};

/// One change of a run, as `transact` carries it out.
enum Step {
    Move {
        from: String,
        to: String,
    },
    /// Entry `entry`'s file gets `text`, while it still hashes to `seen`.
    Write {
        entry: usize,
    },
    /// A `<file>.trellis-new` copy beside a conflict.
    Copy {
        path: String,
        text: String,
        seen: Option<String>,
    },
    Delete {
        entry: usize,
    },
    /// One of Trellis' own files in `.trellis/` (what git ignores there, how it merges the
    /// ledger), written while it is absent or what an earlier Trellis wrote (`seen`).
    Bookkeeping {
        path: &'static str,
        text: &'static str,
        seen: Option<String>,
    },
}

/// Trellis' own files beside the ledger, with the texts earlier versions wrote there.
pub(super) const BOOKKEEPING: [(&str, &str, &[&str]); 2] =
    [(IGNORE_PATH, IGNORE_TEXT, &OLD_IGNORE_TEXTS), (ATTRIBUTES_PATH, ATTRIBUTES_TEXT, &[])];

/// Why a run stopped before its end.
enum Stop {
    Failed(SyncError),
    Cancelled,
    Refused(String),
}

impl From<SyncError> for Stop {
    fn from(e: SyncError) -> Stop {
        Stop::Failed(e)
    }
}

/// Carries out a plan as a transaction (see [`apply`]). `before` is the ledger the plan was
/// made from.
pub(super) fn transact(
    root: &Root,
    plan: Plan,
    before: &Ledger,
    options: &ApplyOptions,
) -> Result<Report, SyncError> {
    let mut report = Report::of(plan);
    let moves: Vec<(String, String)> = report
        .plan
        .entries
        .iter()
        .filter_map(|e| match &e.op {
            Op::Move(m) => Some((m.from.clone(), m.to.clone())),
            _ => None,
        })
        .collect();
    // Where a path is before the moves: the journal is written before the first change, so
    // a file in a folder that moves is read at its old place.
    let source = |path: &str| -> String {
        for (from, to) in &moves {
            if let Some(rest) = path.strip_prefix(to.as_str())
                && rest.starts_with('/')
            {
                return format!("{from}{rest}");
            }
        }
        path.to_owned()
    };

    // What the run will change, and each file's bytes now: the journal.
    let mut journal = Journal { ledger_before: root.read(LEDGER_PATH)?, changes: Vec::new() };
    let mut steps = Vec::new();
    let mut meanwhile = Vec::new();
    for (from, to) in &moves {
        journal.changes.push(Change::Move { from: from.clone(), to: to.clone() });
        steps.push(Step::Move { from: from.clone(), to: to.clone() });
    }
    for (i, e) in report.plan.entries.iter().enumerate() {
        let Op::Write(text) = &e.op else { continue };
        let cur = root.read(&source(&e.path))?;
        if cur.as_deref().map(hash_bytes) != e.seen {
            meanwhile.push(i);
            continue;
        }
        let after = hash_bytes(text.as_bytes());
        journal.changes.push(Change::Write { path: e.path.clone(), before: cur, after });
        steps.push(Step::Write { entry: i });
    }
    if options.plan.write_conflicts {
        for e in report.plan.entries.iter().filter(|e| e.action == Action::Conflict) {
            let Some(theirs) = e.trellis_version() else { continue };
            let copy = format!("{}{CONFLICT_SUFFIX}", e.path);
            let cur = root.read(&source(&copy))?;
            if cur.as_deref() != Some(theirs.as_bytes()) {
                let (after, seen) = (hash_bytes(theirs.as_bytes()), cur.as_deref().map(hash_bytes));
                journal.changes.push(Change::Write { path: copy.clone(), before: cur, after });
                steps.push(Step::Copy { path: copy.clone(), text: theirs.to_owned(), seen });
            }
            report.conflict_copies.push(copy);
        }
    }
    for (i, e) in report.plan.entries.iter().enumerate() {
        if e.op != Op::Delete {
            continue;
        }
        match root.read(&e.path)? {
            Some(cur) if Some(hash_bytes(&cur)) == e.seen => {
                journal.changes.push(Change::Delete { path: e.path.clone(), before: cur });
                steps.push(Step::Delete { entry: i });
            }
            _ => meanwhile.push(i),
        }
    }
    for (path, text, old) in BOOKKEEPING {
        let cur = root.read(path)?;
        let earlier = |cur: &[u8]| old.iter().any(|o| o.as_bytes() == cur);
        if cur.as_deref().is_none_or(earlier) {
            let (after, seen) = (hash_bytes(text.as_bytes()), cur.as_deref().map(hash_bytes));
            journal.changes.push(Change::Write { path: path.into(), before: cur, after });
            steps.push(Step::Bookkeeping { path, text, seen });
        }
    }
    let ledger_now = |report: &mut Report, meanwhile: &[usize]| {
        for &i in meanwhile {
            let path = report.plan.entries[i].path.clone();
            match before.files.get(&source(&path)) {
                Some(record) => report.plan.ledger.files.insert(path, record.clone()),
                None => report.plan.ledger.files.remove(&path),
            };
        }
        report.plan.ledger.to_text()
    };
    // The folders the run will create, so that a rollback removes them again.
    // This machine's full copy of the ledger, journaled like the ledger: written where it is
    // missing (a fresh clone) or behind, rolled back with the run.
    let local_now = |report: &Report| report.plan.ledger.local_text();
    let local_cur = root.read(APPLIED_PATH)?;
    let local_seen = match local_now(&report) {
        Some(text) if local_cur.as_deref() != Some(text.as_bytes()) => {
            let (after, seen) = (hash_bytes(text.as_bytes()), local_cur.as_deref().map(hash_bytes));
            journal.changes.push(Change::Write {
                path: APPLIED_PATH.into(),
                before: local_cur,
                after,
            });
            Some(seen)
        }
        _ => None,
    };
    let (mut folders, mut seen) = (Vec::new(), std::collections::HashSet::new());
    let local_path = local_seen.as_ref().map(|_| APPLIED_PATH);
    for path in local_path.iter().copied() {
        for folder in root.missing_parents(path)? {
            if seen.insert(folder.clone()) {
                folders.push(folder);
            }
        }
    }
    for step in &steps {
        let path = match step {
            Step::Move { to, .. } => to.as_str(),
            Step::Write { entry } => report.plan.entries[*entry].path.as_str(),
            Step::Copy { path, .. } => path.as_str(),
            Step::Delete { .. } => continue,
            Step::Bookkeeping { path, .. } => path,
        };
        for folder in root.missing_parents(path)? {
            if seen.insert(folder.clone()) {
                folders.push(folder);
            }
        }
    }
    journal.changes.extend(folders.into_iter().map(|path| Change::Folder { path }));
    let ledger_text = ledger_now(&mut report, &meanwhile);
    if steps.is_empty()
        && local_seen.is_none()
        && journal.ledger_before.as_deref() == Some(ledger_text.as_bytes())
    {
        mark_meanwhile(&mut report, &meanwhile);
        return Ok(report);
    }
    let check = options.verify.as_ref().map(|v| v.start(root.dir()));
    root.write(JOURNAL_PATH, journal.to_text().as_bytes())?;

    let mut done: Vec<String> = Vec::new();
    let cancelled = || options.cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst));
    let run = (|| -> Result<(), Stop> {
        for step in &steps {
            if cancelled() {
                return Err(Stop::Cancelled);
            }
            match step {
                Step::Move { from, to } => {
                    root.move_dir(from, to)?;
                    done.push(format!("{from} -> {to}"));
                }
                Step::Write { entry } => {
                    let e = &report.plan.entries[*entry];
                    let Op::Write(text) = &e.op else { continue };
                    match root.write_checked(&e.path, text.as_bytes(), e.seen.as_deref())? {
                        Checked::Written => {
                            report.written_files.push(e.path.clone());
                            done.push(e.path.clone());
                        }
                        Checked::Changed => meanwhile.push(*entry),
                        Checked::Raced => {
                            report.raced.push(e.path.clone());
                            meanwhile.push(*entry);
                        }
                    }
                }
                Step::Copy { path, text, seen } => {
                    // A copy someone changed meanwhile is left; the conflict is reported anyway.
                    match root.write_checked(path, text.as_bytes(), seen.as_deref())? {
                        Checked::Written => done.push(path.clone()),
                        Checked::Changed => {}
                        Checked::Raced => report.raced.push(path.clone()),
                    }
                }
                Step::Delete { entry } => {
                    let e = &report.plan.entries[*entry];
                    let seen = e.seen.as_deref().unwrap_or_default();
                    match root.remove_checked(&e.path, seen)? {
                        Checked::Written => {
                            report.deleted_files.push(e.path.clone());
                            done.push(e.path.clone());
                        }
                        Checked::Changed => meanwhile.push(*entry),
                        Checked::Raced => {
                            report.raced.push(e.path.clone());
                            meanwhile.push(*entry);
                        }
                    }
                }
                Step::Bookkeeping { path, text, seen } => {
                    if root.write_checked(path, text.as_bytes(), seen.as_deref())?
                        == Checked::Written
                    {
                        done.push((*path).into());
                    }
                }
            }
        }
        if cancelled() {
            return Err(Stop::Cancelled);
        }
        let ledger_text = ledger_now(&mut report, &meanwhile);
        if journal.ledger_before.as_deref() != Some(ledger_text.as_bytes()) {
            root.write(LEDGER_PATH, ledger_text.as_bytes())?;
            report.ledger_written = true;
            done.push(LEDGER_PATH.into());
        }
        if let Some(seen) = &local_seen
            && let Some(text) = local_now(&report)
            && root.write_checked(APPLIED_PATH, text.as_bytes(), seen.as_deref())?
                == Checked::Written
        {
            done.push(APPLIED_PATH.into());
        }
        // Only a change to the workspace itself can change what cargo sees.
        let touched = done.iter().any(|p| !p.starts_with(".trellis/"));
        if let Some(check) = check
            && touched
        {
            let verdict = check(root.dir());
            // A manifest the run did not change may have been saved meanwhile too, before
            // cargo read it or while it did: the person must hear it was not judged as planned.
            for (i, e) in report.plan.entries.iter().enumerate() {
                if e.op == Op::Nothing
                    && e.ownership == Some(trellis_render::Ownership::Manifest)
                    && !meanwhile.contains(&i)
                    && root.read(&e.path)?.as_deref().map(hash_bytes) != e.seen
                {
                    meanwhile.push(i);
                }
            }
            if let Err(message) = verdict {
                // Ctrl-C reaches cargo too: its failure then is the interruption, not a refusal.
                if cancelled() {
                    return Err(Stop::Cancelled);
                }
                // Cargo judged a workspace that holds a person's save of a manifest: what it
                // refuses may be theirs, so the run stands, their file is a conflict, and the
                // next `apply` judges again.
                let manifest = |e: &crate::plan::Entry| {
                    e.ownership == Some(trellis_render::Ownership::Manifest)
                };
                // One the run wrote and a person saved over since: the next `apply` sees their
                // edit as any other, but cargo judged it now.
                let saved_over = |e: &crate::plan::Entry| match &e.op {
                    Op::Write(text) => {
                        root.read(&e.path).is_ok_and(|cur| cur.as_deref() != Some(text.as_bytes()))
                    }
                    _ => false,
                };
                let entries = &report.plan.entries;
                let saved_manifest = meanwhile.iter().any(|&i| manifest(&entries[i]))
                    || entries.iter().any(|e| manifest(e) && saved_over(e));
                if !saved_manifest {
                    return Err(Stop::Refused(message));
                }
                report.unverified = Some(message);
            }
        }
        root.remove(JOURNAL_PATH)?;
        Ok(())
    })();
    match run {
        Ok(()) => {
            mark_meanwhile(&mut report, &meanwhile);
            Ok(report)
        }
        // A simulated kill: the process is gone, nothing more happens until the next run.
        #[cfg(test)]
        Err(Stop::Failed(SyncError::Injected)) => Err(SyncError::Injected),
        Err(stop) => Err(roll_back(root, &journal, stop, done)),
    }
}

/// Rolls a stopped run back through its journal and says what happened.
fn roll_back(root: &Root, journal: &Journal, stop: Stop, done: Vec<String>) -> SyncError {
    let rolled = journal::rollback(root, journal).and_then(|r| {
        root.remove(JOURNAL_PATH)?;
        Ok(r)
    });
    match (stop, rolled) {
        (Stop::Cancelled, Ok(rollback)) => SyncError::Interrupted { rollback },
        (Stop::Refused(message), Ok(rollback)) => SyncError::Verification { message, rollback },
        (Stop::Failed(error), Ok(rollback)) => {
            SyncError::Failed { error: Box::new(error), done, rollback }
        }
        (stop, Err(error)) => {
            let cause = match stop {
                Stop::Cancelled => "interrupted".to_owned(),
                Stop::Refused(message) => {
                    format!("the workspace as applied does not pass verification:\n{message}\n")
                }
                Stop::Failed(e) => e.to_string(),
            };
            SyncError::RollbackFailed { cause, done, error: Box::new(error) }
        }
    }
}

/// Turns the entries whose file a person saved during the run into conflicts.
pub(super) fn mark_meanwhile(report: &mut Report, meanwhile: &[usize]) {
    for &i in meanwhile {
        let e = &mut report.plan.entries[i];
        e.action = Action::Conflict;
        e.note = Some("changed while `apply` ran: kept as it was saved; run `apply` again".into());
        if let Op::Write(text) = &e.op {
            e.theirs = Some(text.clone());
        }
        e.op = Op::Nothing;
        report.changed_meanwhile.push(e.path.clone());
    }
}
