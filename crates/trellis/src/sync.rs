//! `new`, `plan` and `apply`: a spec rendered into files, and those files written. One module
//! a job: `prepare` (the spec loaded, refused where cargo or `check` would refuse what it makes,
//! rendered), `plan`, `apply`, `new`, `verify` (cargo's reading of what a run wrote) and
//! `old_names` (the files that still call a renamed crate by its old name).

mod apply;
mod new;
mod old_names;
mod plan;
mod prepare;
mod verify;

pub use apply::{Applied, ApplyOptions, apply};
pub use new::{Created, NewOptions, new, new_from_text, with_engine};
pub use old_names::OldName;
pub use plan::{PlanOptions, Planned, plan, render_plan};
pub(crate) use prepare::{render, templates};
