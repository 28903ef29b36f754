//! Listing each crate's files and reading and scanning them on every core.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use walkdir::WalkDir;

use super::{Evidence, Place, Target, TraceError, record};
use crate::ids::Ids;
use crate::results::{Binary, locate};
use crate::scan;

/// Folders of a crate that hold Rust code, relative to the crate's folder.
pub(super) const CODE_DIRS: [&str; 4] = ["src", "tests", "benches", "examples"];

/// Per target, the binaries its files show (`tests/it/main.rs` shows the test `it`), so that a
/// result that names only its binary can be told to be one crate's.
pub(super) fn binaries(targets: &[Target], root: &Path, sources: &[Source]) -> Vec<Vec<Binary>> {
    let mut out: Vec<HashSet<Binary>> = vec![HashSet::new(); targets.len()];
    for (t, path) in sources {
        let crate_dir = root.join(&targets[*t].path);
        let Ok(inside) = path.strip_prefix(&crate_dir) else { continue };
        if let Some((binary, _)) = locate(&trellis_spec::slashed(inside))
            && binary != Binary::Unit
        {
            out[*t].insert(binary);
        }
    }
    out.into_iter().map(|set| set.into_iter().collect()).collect()
}

/// A file to scan: the index of its crate in the targets, and its path.
pub(super) type Source = (usize, PathBuf);

/// Lists the files of every crate, in the order of the targets and of the walks, and which
/// crates' folders are missing.
pub(super) fn list(
    targets: &[Target],
    root: &Path,
) -> Result<(Vec<Source>, Vec<bool>), TraceError> {
    // Only when one crate's folder is inside another's must a walk look out for it (the spec
    // forbids it; other callers may not).
    let paths: HashSet<&str> = targets.iter().map(|t| t.path.trim_end_matches('/')).collect();
    let nested = paths.iter().any(|p| p.match_indices('/').any(|(i, _)| paths.contains(&p[..i])));
    let crate_roots: HashSet<PathBuf> = match nested {
        true => targets.iter().map(|t| root.join(&t.path)).collect(),
        false => HashSet::new(),
    };
    let mut sources = Vec::new();
    let mut missing = vec![false; targets.len()];
    for (t, target) in targets.iter().enumerate() {
        let crate_dir = root.join(&target.path);
        // One walk per crate: its code folders and build script, nothing else.
        // A crate folder that is a link is not followed either: it may lead out of the workspace.
        let walk = WalkDir::new(&crate_dir).follow_links(false).follow_root_links(false);
        let walk = walk.into_iter().filter_entry(|e| {
            let name = e.file_name();
            let is_dir = e.file_type().is_dir();
            match e.depth() {
                0 => true,
                _ if nested && is_dir && crate_roots.contains(e.path()) => false,
                1 if is_dir => CODE_DIRS.iter().any(|d| name == *d),
                1 => name == "build.rs",
                _ => !(is_dir && name == "target"),
            }
        });
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) if e.depth() == 0 && is_not_found(&e) => {
                    missing[t] = true;
                    break;
                }
                Err(source) => {
                    let path = source.path().unwrap_or(&crate_dir).to_path_buf();
                    return Err(TraceError::List { path, source });
                }
            };
            if entry.depth() > 0
                && entry.file_type().is_file()
                && entry.path().extension().is_some_and(|x| x == "rs")
            {
                sources.push((t, entry.into_path()));
            }
        }
    }
    Ok((sources, missing))
}

/// Files a worker takes at a time: enough that taking them costs nothing, few enough that the
/// workers finish together.
pub(super) const FILES_PER_TAKE: usize = 16;

/// What the files say about each requirement, and the stray ids in them.
#[derive(Debug)]
pub(super) struct Found {
    /// Per requirement, in the order of [`Ids::known`].
    pub(super) evidence: Vec<Evidence>,
    pub(super) stray: BTreeMap<String, Vec<Place>>,
}

impl Found {
    pub(super) fn new(requirements: usize) -> Found {
        Found { evidence: vec![Evidence::default(); requirements], stray: BTreeMap::new() }
    }

    /// Adds what another worker found. Order does not matter: every list is sorted before it is
    /// reported, and no two workers read the same file.
    pub(super) fn merge(&mut self, other: Found) {
        for (mine, theirs) in self.evidence.iter_mut().zip(other.evidence) {
            mine.tests.extend(theirs.tests);
            mine.elsewhere.extend(theirs.elsewhere);
        }
        for (id, places) in other.stray {
            self.stray.entry(id).or_default().extend(places);
        }
    }
}

/// Reads and scans every file, on every core but `spare` (at least one). Reading is most of
/// the cost, and a file's scan depends on that file alone. The error reported is the first in
/// the order of `sources`, whichever worker met it, so a run fails the same way each time.
pub(super) fn scan_all(
    targets: &[Target],
    root: &Path,
    sources: &[Source],
    ids: &Ids<'_>,
    spare: usize,
) -> Result<Found, TraceError> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = cores.saturating_sub(spare).max(1);
    let threads = threads.min(sources.len().div_ceil(FILES_PER_TAKE)).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut found = Found::new(ids.known.len());
        let mut failed: Option<(usize, TraceError)> = None;
        let mut scratch = scan::FileScan::default();
        let mut buf = Vec::new();
        loop {
            let start = next.fetch_add(FILES_PER_TAKE, Ordering::Relaxed);
            if start >= sources.len() {
                break;
            }
            for (i, (t, path)) in sources.iter().enumerate().skip(start).take(FILES_PER_TAKE) {
                let len = match read_into(path, &mut buf) {
                    Ok(len) => len,
                    Err(source) => {
                        if failed.as_ref().is_none_or(|(j, _)| i < *j) {
                            failed = Some((i, TraceError::Read { path: path.clone(), source }));
                        }
                        continue;
                    }
                };
                let src = &buf[..len];
                if !ids.may_hold_id(src) {
                    continue;
                }
                scan::scan_file(src, ids, &mut scratch);
                if scratch.hits.is_empty() {
                    continue;
                }
                let target = &targets[*t];
                let file = relative(&target.path, &root.join(&target.path), path);
                record(&target.name, &file, src, &mut scratch, &mut found);
            }
        }
        (found, failed)
    };
    let results: Vec<(Found, Option<(usize, TraceError)>)> = if threads == 1 {
        vec![work()]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    let mut all = Found::new(ids.known.len());
    let mut first_error: Option<(usize, TraceError)> = None;
    for (found, failed) in results {
        all.merge(found);
        if let Some((i, e)) = failed
            && first_error.as_ref().is_none_or(|(j, _)| i < *j)
        {
            first_error = Some((i, e));
        }
    }
    match first_error {
        Some((_, e)) => Err(e),
        None => Ok(all),
    }
}

/// Reads a whole file into `buf` (grown as needed, never shrunk) and returns its length.
///
/// `read_to_end` on a `File` asks for the size and position first; reading into a buffer kept
/// across files needs neither, and a file is read with as few system calls as a file can be.
pub(super) fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut file = std::fs::File::open(path)?;
    if buf.len() < 64 * 1024 {
        buf.resize(64 * 1024, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

pub(super) fn is_not_found(e: &walkdir::Error) -> bool {
    e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
}

/// The path of a file of a crate relative to the workspace root, `/`-separated: the crate's
/// path as the spec gives it, then the file's path inside the crate's folder.
pub(super) fn relative(crate_path: &str, crate_dir: &Path, path: &Path) -> String {
    let inside = path.strip_prefix(crate_dir).unwrap_or(path);
    format!("{crate_path}/{}", trellis_spec::slashed(inside))
}
