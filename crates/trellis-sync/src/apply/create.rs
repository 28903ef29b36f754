//! `create`: a new workspace, built whole beside the target folder and renamed into place.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use trellis_render::PlannedFile;

use super::transact::BOOKKEEPING;
use super::{Report, Verifier};
use crate::SyncError;
use crate::fsx::{self, Root, fault};
use crate::journal::Rollback;
use crate::ledger::{APPLIED_PATH, LEDGER_PATH, Ledger};
use crate::plan::{Op, Options, Plan, plan_in};
use crate::staging::{self, Staging};

/// Creates a new workspace at `out` from `files`. `out` must be absent, an empty folder, or a
/// fresh clone (version-control metadata and files at the top: see `fresh_clone`), whose files
/// `new` would create too are conflicts, kept as they are.
///
/// The whole tree, ledger included, is built in a fresh folder beside `out` and renamed into
/// place in one step, so a failure at any point leaves nothing behind.
pub fn create(out: &Path, files: &[PlannedFile]) -> Result<Report, SyncError> {
    create_with(out, files, &AtomicBool::new(false), None)
}

/// [`create`], stopping cleanly (the staging folder removed, [`SyncError::Interrupted`]) when
/// `cancel` is set between two writes. Staging folders that runs whose process is gone left in
/// the same parent folder are removed first.
///
/// With `verify`, the finished tree is checked in its staging folder before it is moved into
/// place: a tree the verifier refuses is removed, and `out` is left as it was
/// ([`SyncError::Verification`]).
pub fn create_with(
    out: &Path,
    files: &[PlannedFile],
    cancel: &AtomicBool,
    verify: Option<&Verifier>,
) -> Result<Report, SyncError> {
    for f in files {
        fsx::check_rel(&f.path)?;
    }
    let given = out;
    let resolved;
    // A fresh clone: version-control metadata and a few files at the top, filled in place.
    let mut clone = false;
    let out = match fs::symlink_metadata(given) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(SyncError::Symlink(given.into())),
        Ok(meta) if meta.is_dir() => {
            let entries: Vec<fs::DirEntry> = fs::read_dir(given)
                .map_err(SyncError::io("read", given))?
                .collect::<Result<_, _>>()
                .map_err(SyncError::io("read", given))?;
            if !entries.is_empty() {
                if !fresh_clone(&entries) {
                    return Err(SyncError::NotEmpty(given.into()));
                }
                clone = true;
            }
            // `.` or `a/..` name no folder to rename onto: take the real path.
            resolved = fs::canonicalize(given).map_err(SyncError::io("resolve", given))?;
            resolved.as_path()
        }
        Ok(_) => return Err(SyncError::NotEmpty(given.into())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => given,
        Err(e) => return Err(SyncError::io("inspect", given)(e)),
    };
    let name = out
        .file_name()
        .filter(|n| !n.is_empty())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workspace".to_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(SyncError::io("create folder", &parent))?;
    staging::sweep_stale(&parent);
    let tmp = Staging::new(&parent, &name)?;
    let root = Root::new(&tmp.path);
    // Planned against what is there: a file of the clone that `new` would create too (a
    // README, a `.gitignore`) is a conflict, as in `apply`, and kept.
    let planned_on = if clone { Root::new(out) } else { Root::new(&tmp.path) };
    let plan = plan_in(&planned_on, files, &Ledger::default(), &Options::default())?;
    let report = execute_fresh(&root, plan, cancel)?;
    fault::point()?;
    if cancel.load(Ordering::SeqCst) {
        return Err(SyncError::Interrupted { rollback: Rollback::default() });
    }
    if let Some(verify) = verify {
        let check = verify.start(&tmp.path);
        check(&tmp.path).map_err(|message| SyncError::Verification {
            message,
            rollback: Rollback::default(),
        })?;
        // The verifier may take a while (cargo): a stop asked for meanwhile still leaves nothing.
        if cancel.load(Ordering::SeqCst) {
            return Err(SyncError::Interrupted { rollback: Rollback::default() });
        }
    }
    tmp.seal()?;
    if clone {
        move_into(&tmp.path, out).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => SyncError::NotEmpty(given.into()),
            _ => SyncError::io("move into place", given)(e),
        })?;
        // Emptied; dropped below, as a failure would have dropped it.
        return Ok(report);
    }
    match fs::rename(&tmp.path, out) {
        Ok(()) => {}
        // Someone put something there meanwhile.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists
            ) =>
        {
            return Err(SyncError::NotEmpty(given.into()));
        }
        Err(e) => return Err(SyncError::io("move into place", given)(e)),
    }
    tmp.disarm();
    Ok(report)
}

/// The folders version control keeps its metadata in.
const VCS_FOLDERS: [&str; 4] = [".git", ".hg", ".jj", ".svn"];

/// Whether a non-empty folder is a repository just made to hold the workspace: version-control
/// metadata, and otherwise only files at the top (a README, a licence, a `.gitignore`, the
/// spec), none of them a manifest; a folder of anything else is someone's work.
fn fresh_clone(entries: &[fs::DirEntry]) -> bool {
    let has_vcs = entries.iter().any(|e| VCS_FOLDERS.iter().any(|v| e.file_name() == *v));
    has_vcs
        && entries.iter().all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            VCS_FOLDERS.contains(&name.as_ref())
                || (is_file && name != "Cargo.toml" && name != "Cargo.lock")
        })
}

/// Moves everything in `from` into the existing folder `to`, whose top holds none of it (a
/// clash is `AlreadyExists`); on a failure, moves back what was moved, so `to` is as it was.
fn move_into(from: &Path, to: &Path) -> io::Result<()> {
    let mut moved: Vec<std::ffi::OsString> = Vec::new();
    let result = (|| {
        for entry in fs::read_dir(from)? {
            let name = entry?.file_name();
            let target = to.join(&name);
            if fs::symlink_metadata(&target).is_ok() {
                return Err(io::Error::new(io::ErrorKind::AlreadyExists, "taken meanwhile"));
            }
            fs::rename(from.join(&name), &target)?;
            moved.push(name);
        }
        Ok(())
    })();
    if result.is_err() {
        for name in moved.iter().rev() {
            let _ = fs::rename(to.join(name), from.join(name));
        }
    }
    result
}

/// Carries out a plan in a fresh staging folder: no journal, since the folder is removed whole
/// on any failure.
fn execute_fresh(root: &Root, plan: Plan, cancel: &AtomicBool) -> Result<Report, SyncError> {
    let mut report = Report::of(plan);
    let stop = || -> Result<(), SyncError> {
        match cancel.load(Ordering::SeqCst) {
            true => Err(SyncError::Interrupted { rollback: Rollback::default() }),
            false => Ok(()),
        }
    };
    for e in &report.plan.entries {
        if let Op::Write(text) = &e.op {
            stop()?;
            root.write(&e.path, text.as_bytes())?;
            report.written_files.push(e.path.clone());
        }
    }
    for (path, text, _) in BOOKKEEPING {
        stop()?;
        root.write(path, text.as_bytes())?;
    }
    stop()?;
    root.write(LEDGER_PATH, report.plan.ledger.to_text().as_bytes())?;
    report.ledger_written = true;
    if let Some(text) = report.plan.ledger.local_text() {
        stop()?;
        root.write(APPLIED_PATH, text.as_bytes())?;
    }
    Ok(report)
}
