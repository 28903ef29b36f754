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
use crate::plan::{Action, CONFLICT_SUFFIX, Note, Op, Plan};

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
    let (mut run, ledger_text) = Run::journaled(root, plan, before, options)?;
    if run.steps.is_empty()
        && run.local_seen.is_none()
        && run.journal.ledger_before.as_deref() == Some(ledger_text.as_bytes())
    {
        mark_meanwhile(&mut run.report, &run.meanwhile);
        return Ok(run.report);
    }
    let check = options.verify.as_ref().map(|v| v.start(root.dir()));
    root.write(JOURNAL_PATH, run.journal.to_text().as_bytes())?;
    match run.carry_out(check) {
        Ok(()) => {
            mark_meanwhile(&mut run.report, &run.meanwhile);
            Ok(run.report)
        }
        // A simulated kill: the process is gone, nothing more happens until the next run.
        #[cfg(test)]
        Err(Stop::Failed(SyncError::Injected)) => Err(SyncError::Injected),
        Err(stop) => Err(roll_back(root, &run.journal, stop, run.done)),
    }
}

/// A run under way: what it will do, the journal of it, and what it has done.
struct Run<'a> {
    root: &'a Root,
    /// The ledger the plan was made from.
    before: &'a Ledger,
    options: &'a ApplyOptions,
    report: Report,
    /// The folder moves, `(from, to)`.
    moves: Vec<(String, String)>,
    journal: Journal,
    steps: Vec<Step>,
    /// The entries whose file a person changed since the plan read it.
    meanwhile: Vec<usize>,
    /// The local copy of the ledger's hash as read, when the run writes the copy.
    local_seen: Option<Option<String>>,
    /// What has been done, for the report of a failure.
    done: Vec<String>,
}

impl<'a> Run<'a> {
    /// The run of `plan`, its steps decided and journaled (in memory): each file's bytes now,
    /// the folders it will create; and the ledger's text as the run leaves it.
    fn journaled(
        root: &'a Root,
        plan: Plan,
        before: &'a Ledger,
        options: &'a ApplyOptions,
    ) -> Result<(Run<'a>, String), SyncError> {
        let report = Report::of(plan);
        let moves = report
            .plan
            .entries
            .iter()
            .filter_map(|e| match &e.op {
                Op::Move(m) => Some((m.from.clone(), m.to.clone())),
                _ => None,
            })
            .collect();
        let journal = Journal { ledger_before: root.read(LEDGER_PATH)?, changes: Vec::new() };
        let mut run = Run {
            root,
            before,
            options,
            report,
            moves,
            journal,
            steps: Vec::new(),
            meanwhile: Vec::new(),
            local_seen: None,
            done: Vec::new(),
        };
        run.journal_files()?;
        let ledger_text = run.journal_local_copy()?;
        run.journal_folders()?;
        Ok((run, ledger_text))
    }

    /// Where a path is before the moves: the journal is written before the first change, so
    /// a file in a folder that moves is read at its old place.
    fn source(&self, path: &str) -> String {
        for (from, to) in &self.moves {
            if let Some(rest) = path.strip_prefix(to.as_str())
                && rest.starts_with('/')
            {
                return format!("{from}{rest}");
            }
        }
        path.to_owned()
    }

    /// The moves, writes, conflict copies, deletions and Trellis' own files, each with the
    /// bytes it has now; a file that no longer holds what the plan read is left (`meanwhile`).
    fn journal_files(&mut self) -> Result<(), SyncError> {
        let root = self.root;
        for (from, to) in &self.moves {
            self.journal.changes.push(Change::Move { from: from.clone(), to: to.clone() });
            self.steps.push(Step::Move { from: from.clone(), to: to.clone() });
        }
        for (i, e) in self.report.plan.entries.iter().enumerate() {
            let Op::Write(text) = &e.op else { continue };
            let cur = root.read(&self.source(&e.path))?;
            if cur.as_deref().map(hash_bytes) != e.seen {
                self.meanwhile.push(i);
                continue;
            }
            let after = hash_bytes(text.as_bytes());
            self.journal.changes.push(Change::Write { path: e.path.clone(), before: cur, after });
            self.steps.push(Step::Write { entry: i });
        }
        if self.options.plan.write_conflicts {
            let conflicts =
                self.report.plan.entries.iter().filter(|e| e.action == Action::Conflict);
            for e in conflicts {
                let Some(theirs) = e.trellis_version() else { continue };
                let copy = format!("{}{CONFLICT_SUFFIX}", e.path);
                let cur = root.read(&self.source(&copy))?;
                if cur.as_deref() != Some(theirs.as_bytes()) {
                    let after = hash_bytes(theirs.as_bytes());
                    let seen = cur.as_deref().map(hash_bytes);
                    self.journal.changes.push(Change::Write {
                        path: copy.clone(),
                        before: cur,
                        after,
                    });
                    self.steps.push(Step::Copy {
                        path: copy.clone(),
                        text: theirs.to_owned(),
                        seen,
                    });
                }
                self.report.conflict_copies.push(copy);
            }
        }
        for (i, e) in self.report.plan.entries.iter().enumerate() {
            if e.op != Op::Delete {
                continue;
            }
            match root.read(&e.path)? {
                Some(cur) if Some(hash_bytes(&cur)) == e.seen => {
                    self.journal.changes.push(Change::Delete { path: e.path.clone(), before: cur });
                    self.steps.push(Step::Delete { entry: i });
                }
                _ => self.meanwhile.push(i),
            }
        }
        for (path, text, old) in BOOKKEEPING {
            let cur = root.read(path)?;
            let earlier = |cur: &[u8]| old.iter().any(|o| o.as_bytes() == cur);
            if cur.as_deref().is_none_or(earlier) {
                let (after, seen) = (hash_bytes(text.as_bytes()), cur.as_deref().map(hash_bytes));
                self.journal.changes.push(Change::Write { path: path.into(), before: cur, after });
                self.steps.push(Step::Bookkeeping { path, text, seen });
            }
        }
        Ok(())
    }

    /// This machine's full copy of the ledger, journaled like the ledger: written where it
    /// is missing (a fresh clone) or behind, rolled back with the run. Returns the ledger's
    /// own text as the run leaves it ([`Run::ledger_text`]). Each text takes tens of
    /// milliseconds at a thousand crates: where no file changed meanwhile, both are of the
    /// same ledger, and are written side by side.
    fn journal_local_copy(&mut self) -> Result<String, SyncError> {
        let cur = self.root.read(APPLIED_PATH)?;
        let (local, ledger_text) = if self.meanwhile.is_empty() {
            let ledger = &self.report.plan.ledger;
            std::thread::scope(|scope| {
                let local = scope.spawn(|| ledger.local_text());
                let text = ledger.to_text();
                (local.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), text)
            })
        } else {
            // The local copy is of the plan's ledger; the ledger's text keeps the records of
            // the files changed meanwhile.
            let local = self.report.plan.ledger.local_text();
            (local, self.ledger_text())
        };
        if let Some(text) = local
            && cur.as_deref() != Some(text.as_bytes())
        {
            let (after, seen) = (hash_bytes(text.as_bytes()), cur.as_deref().map(hash_bytes));
            self.journal.changes.push(Change::Write {
                path: APPLIED_PATH.into(),
                before: cur,
                after,
            });
            self.local_seen = Some(seen);
        }
        Ok(ledger_text)
    }

    /// The folders the run will create, so that a rollback removes them again.
    fn journal_folders(&mut self) -> Result<(), SyncError> {
        let (mut folders, mut seen) = (Vec::new(), std::collections::HashSet::new());
        let local = self.local_seen.as_ref().map(|_| APPLIED_PATH);
        let paths = local.into_iter().chain(self.steps.iter().filter_map(|step| match step {
            Step::Move { to, .. } => Some(to.as_str()),
            Step::Write { entry } => Some(self.report.plan.entries[*entry].path.as_str()),
            Step::Copy { path, .. } => Some(path.as_str()),
            Step::Delete { .. } => None,
            Step::Bookkeeping { path, .. } => Some(*path),
        }));
        for path in paths {
            for folder in self.root.missing_parents(path)? {
                if seen.insert(folder.clone()) {
                    folders.push(folder);
                }
            }
        }
        self.journal.changes.extend(folders.into_iter().map(|path| Change::Folder { path }));
        Ok(())
    }

    /// The ledger's text as the run leaves it: an entry whose file a person changed meanwhile
    /// keeps its record from before.
    fn ledger_text(&mut self) -> String {
        for &i in &self.meanwhile {
            let path = self.report.plan.entries[i].path.clone();
            match self.before.files.get(&self.source(&path)) {
                Some(record) => self.report.plan.ledger.files.insert(path, record.clone()),
                None => self.report.plan.ledger.files.remove(&path),
            };
        }
        self.report.plan.ledger.to_text()
    }

    fn cancelled(&self) -> bool {
        self.options.cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst))
    }

    /// The steps, the ledger and its local copy, cargo's check, the journal removed.
    fn carry_out(&mut self, check: Option<super::Check>) -> Result<(), Stop> {
        let steps = std::mem::take(&mut self.steps);
        for step in &steps {
            if self.cancelled() {
                return Err(Stop::Cancelled);
            }
            self.step(step)?;
        }
        if self.cancelled() {
            return Err(Stop::Cancelled);
        }
        let root = self.root;
        let ledger_text = self.ledger_text();
        if self.journal.ledger_before.as_deref() != Some(ledger_text.as_bytes()) {
            root.write(LEDGER_PATH, ledger_text.as_bytes())?;
            self.report.ledger_written = true;
            self.done.push(LEDGER_PATH.into());
        }
        if let Some(seen) = &self.local_seen
            && let Some(text) = self.report.plan.ledger.local_text()
            && root.write_checked(APPLIED_PATH, text.as_bytes(), seen.as_deref())?
                == Checked::Written
        {
            self.done.push(APPLIED_PATH.into());
        }
        // Only a change to the workspace itself can change what cargo sees.
        let touched = self.done.iter().any(|p| !p.starts_with(".trellis/"));
        if let Some(check) = check
            && touched
        {
            self.verify(check)?;
        }
        root.remove(JOURNAL_PATH)?;
        Ok(())
    }

    /// One step, while its file holds what the plan read.
    fn step(&mut self, step: &Step) -> Result<(), Stop> {
        let root = self.root;
        match step {
            Step::Move { from, to } => {
                root.move_dir(from, to)?;
                self.done.push(format!("{from} -> {to}"));
            }
            Step::Write { entry } => {
                let e = &self.report.plan.entries[*entry];
                let Op::Write(text) = &e.op else { return Ok(()) };
                match root.write_checked(&e.path, text.as_bytes(), e.seen.as_deref())? {
                    Checked::Written => {
                        self.report.written_files.push(e.path.clone());
                        self.done.push(e.path.clone());
                    }
                    Checked::Changed => self.meanwhile.push(*entry),
                    Checked::Raced => {
                        self.report.raced.push(e.path.clone());
                        self.meanwhile.push(*entry);
                    }
                }
            }
            Step::Copy { path, text, seen } => {
                // A copy someone changed meanwhile is left; the conflict is reported anyway.
                match root.write_checked(path, text.as_bytes(), seen.as_deref())? {
                    Checked::Written => self.done.push(path.clone()),
                    Checked::Changed => {}
                    Checked::Raced => self.report.raced.push(path.clone()),
                }
            }
            Step::Delete { entry } => {
                let e = &self.report.plan.entries[*entry];
                let seen = e.seen.as_deref().unwrap_or_default();
                match root.remove_checked(&e.path, seen)? {
                    Checked::Written => {
                        self.report.deleted_files.push(e.path.clone());
                        self.done.push(e.path.clone());
                    }
                    Checked::Changed => self.meanwhile.push(*entry),
                    Checked::Raced => {
                        self.report.raced.push(e.path.clone());
                        self.meanwhile.push(*entry);
                    }
                }
            }
            Step::Bookkeeping { path, text, seen } => {
                if root.write_checked(path, text.as_bytes(), seen.as_deref())? == Checked::Written {
                    self.done.push((*path).into());
                }
            }
        }
        Ok(())
    }

    /// Cargo's check of the written workspace. A refusal rolls the run back, unless files a
    /// person saved during the run were part of what cargo saw: then the run stands, their
    /// files are conflicts, and the refusal is reported (`Report::unverified`).
    fn verify(&mut self, check: super::Check) -> Result<(), Stop> {
        let root = self.root;
        let verdict = check(root.dir());
        // A manifest the run did not change may have been saved meanwhile too, before
        // cargo read it or while it did: the person must hear it was not judged as planned.
        for (i, e) in self.report.plan.entries.iter().enumerate() {
            if e.op == Op::Nothing
                && e.ownership == Some(trellis_render::Ownership::Manifest)
                && !self.meanwhile.contains(&i)
                && root.read(&e.path)?.as_deref().map(hash_bytes) != e.seen
            {
                self.meanwhile.push(i);
            }
        }
        let Err(message) = verdict else { return Ok(()) };
        // Ctrl-C reaches cargo too: its failure then is the interruption, not a refusal.
        if self.cancelled() {
            return Err(Stop::Cancelled);
        }
        // Cargo judged a workspace that holds a person's save of a manifest: what it
        // refuses may be theirs, so the run stands, their file is a conflict, and the
        // next `apply` judges again.
        let manifest =
            |e: &crate::plan::Entry| e.ownership == Some(trellis_render::Ownership::Manifest);
        // One the run wrote and a person saved over since: the next `apply` sees their
        // edit as any other, but cargo judged it now.
        let saved_over = |e: &crate::plan::Entry| match &e.op {
            Op::Write(text) => {
                root.read(&e.path).is_ok_and(|cur| cur.as_deref() != Some(text.as_bytes()))
            }
            _ => false,
        };
        let entries = &self.report.plan.entries;
        let saved_manifest = self.meanwhile.iter().any(|&i| manifest(&entries[i]))
            || entries.iter().any(|e| manifest(e) && saved_over(e));
        if !saved_manifest {
            return Err(Stop::Refused(message));
        }
        self.report.unverified = Some(message);
        Ok(())
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
        e.note = Some(Note::SavedDuringApply);
        if let Op::Write(text) = &e.op {
            e.theirs = Some(text.clone());
        }
        e.op = Op::Nothing;
        report.changed_meanwhile.push(e.path.clone());
    }
}
