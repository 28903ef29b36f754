//! The base revision, read through git's command line without touching the working tree,
//! the index or the refs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;

/// The git repository around a workspace.
pub(super) struct Repo {
    /// The repository's top folder.
    pub(super) top: PathBuf,
    /// The workspace root's path inside it (`""` at the top).
    pub(super) prefix: PathBuf,
}

impl Repo {
    pub(super) fn at(root: &Path) -> Result<Repo, Error> {
        let top = git(root, &["rev-parse", "--show-toplevel"], &[]).map_err(|said| match said {
            GitFailure::Missing(e) => Error::env(format!(
                "cannot run `git`: {e}\nhint: `--base` reads the base revision through git: install it, or put it on `PATH`"
            )),
            GitFailure::Said(_) => Error::input(format!(
                "`{}` is not in a git repository, so there is no base revision to compare with\nhint: `--base` needs the workspace to be in a git checkout",
                root.display()
            )),
        })?;
        let prefix = git(root, &["rev-parse", "--show-prefix"], &[]).unwrap_or_default();
        Ok(Repo { top: PathBuf::from(top.trim()), prefix: PathBuf::from(prefix.trim()) })
    }

    /// The full hash of the commit `rev` names.
    pub(super) fn commit(&self, rev: &str) -> Result<String, Error> {
        let spec = format!("{rev}^{{commit}}");
        let refused = || {
            Error::input(format!(
                "`{rev}` names no commit in this repository\nhint: give a branch, a tag or a commit (`git log --oneline` lists them); in a shallow CI checkout, fetch the base first (`git fetch --depth=1 origin <branch>`)"
            ))
        };
        if rev.starts_with('-') || rev.is_empty() {
            return Err(refused());
        }
        // One object name, nothing else (`^HEAD` "verifies" as a negated revision).
        let is_hash = |h: &str| h.len() >= 40 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let args = ["rev-parse", "--verify", "--quiet", "--end-of-options", &spec];
        match git(&self.top, &args, &[]) {
            Ok(hash) if is_hash(hash.trim()) => Ok(hash.trim().to_owned()),
            _ => Err(refused()),
        }
    }

    pub(super) fn short(&self, commit: &str) -> String {
        git(&self.top, &["rev-parse", "--short", commit], &[])
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| commit.chars().take(12).collect())
    }
}

/// Why a git command gave no output.
pub(crate) enum GitFailure {
    /// Git could not be run.
    Missing(io::Error),
    /// Git ran and failed, saying this on stderr.
    Said(String),
}

/// Git's output in `dir` with `envs` set: `Err` when git cannot run, or says why it failed.
pub(crate) fn git(dir: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Result<String, GitFailure> {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args).stdin(Stdio::null());
    for (k, v) in envs {
        command.env(k, v);
    }
    let output = command.output().map_err(GitFailure::Missing)?;
    if !output.status.success() {
        return Err(GitFailure::Said(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
    }
    String::from_utf8(output.stdout).map_err(|e| GitFailure::Said(e.to_string()))
}

/// The base commit's tree written out in a scratch folder, removed when dropped.
pub(super) struct BaseTree {
    pub(super) path: PathBuf,
    folder: PathBuf,
    scratch: Option<trellis_sync::Scratch>,
}

impl BaseTree {
    pub(super) fn write(repo: &Repo, commit: &str) -> Result<BaseTree, Error> {
        let parent = crate::judge::memory_folder().unwrap_or_else(std::env::temp_dir);
        trellis_sync::sweep_stale(&parent);
        let pid = std::process::id();
        let fail = |what: &str, e: String| {
            Error::env(format!("cannot write out the base revision ({what}): {e}"))
        };
        for n in 0..1000 {
            let folder = parent.join(format!(".trellis-base-{pid}-{n}"));
            match fs::create_dir(&folder) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(fail("a scratch folder", e.to_string())),
            }
            let mut tree = BaseTree { path: folder.join("tree"), folder, scratch: None };
            tree.scratch = Some(
                trellis_sync::Scratch::mark(&tree.folder)
                    .map_err(|e| fail("a scratch folder", e.to_string()))?,
            );
            let index = tree.folder.join("index");
            let said = |e: GitFailure| match e {
                GitFailure::Missing(e) => e.to_string(),
                GitFailure::Said(s) => s,
            };
            git(&repo.top, &["read-tree", commit], &[("GIT_INDEX_FILE", &index)])
                .map_err(|e| fail("git read-tree", said(e)))?;
            let mut prefix = tree.path.clone().into_os_string();
            prefix.push("/");
            let prefix = format!("--prefix={}", prefix.to_string_lossy());
            git(
                &repo.top,
                &["checkout-index", "--all", "--force", &prefix],
                &[("GIT_INDEX_FILE", &index)],
            )
            .map_err(|e| fail("git checkout-index", said(e)))?;
            fs::create_dir_all(&tree.path).map_err(|e| fail("its folder", e.to_string()))?;
            return Ok(tree);
        }
        Err(fail("a scratch folder", "no free name".to_owned()))
    }
}

impl BaseTree {
    /// The scratch folder the tree is written in (`path` is its `tree` folder).
    pub(super) fn folder(&self) -> &Path {
        &self.folder
    }
}

impl Drop for BaseTree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.folder);
        drop(self.scratch.take());
    }
}
