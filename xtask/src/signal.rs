//! Ctrl-C and SIGTERM for the commands that write (`new`, `apply`) or stage (`plan`, whose judge
//! makes an overlay and a link beside the root): the first signal only sets a flag that the
//! engine checks between two writes (`plan`: once cargo's question ends), so the run stops
//! cleanly (staging removed, changes rolled back through the journal) and the command exits 130.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The flag a signal sets, with the handler installed on first use. Commands that never ask for
/// it keep the default behaviour: a signal ends them at once, which is safe as they write nothing.
pub(crate) fn cancel_flag() -> Arc<AtomicBool> {
    Arc::clone(FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&flag);
        // A second signal means "now": the process ends where it is, and the next `apply`
        // rolls the run back from its journal (or the next `new` removes its staging folder).
        let installed = ctrlc::set_handler(move || {
            if seen.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
        // Without a handler, a signal ends the process as before: still recoverable.
        drop(installed);
        flag
    }))
}
