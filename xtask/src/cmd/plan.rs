//! `plan`: what `apply` would do, file by file, without writing anything; and the printing
//! `plan` and `apply` share (aligned lines and a summary for people; JSON is the engine's).

use std::path::PathBuf;

use trellis::Project;
use trellis::trellis_sync::{Action, Plan};

use crate::cmd::{Location, print_warnings};
use crate::exit::{Failure, Outcome};
use crate::term::{self, Verbosity};

/// Show what `apply` would do, file by file; writes nothing, ever.
///
/// Each file gets an action: create, update, merge, conflict, orphan (or delete, with --prune);
/// unchanged files are counted (listed with -v). Exits 1 when a file is in conflict.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) source: Source,
    /// Show a unified diff of every change (for a conflict: the file with its markers).
    #[arg(long)]
    diff: bool,
    /// Plan as `apply --prune` would: delete orphans that are unchanged since Trellis wrote them.
    #[arg(long)]
    prune: bool,
    #[command(flatten)]
    pub(crate) verify: VerifyArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Where the workspace, its spec and its templates are.
#[derive(Debug, clap::Args)]
pub(crate) struct Source {
    #[command(flatten)]
    pub(crate) location: Location,
    /// A folder of templates that replace the defaults, by the same relative names.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

impl Source {
    /// The project, with its template overrides.
    pub(crate) fn project(&self) -> Result<Project, Failure> {
        let project = self.location.project()?;
        Ok(match &self.templates {
            Some(dir) => project.with_templates(dir),
            None => project,
        })
    }
}

/// How hard cargo judges the result (`plan` and `apply` take the same flag).
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArg {
    /// How cargo judges the result before anything is written: `metadata` (cargo must load it:
    /// `cargo metadata` with dependencies, offline, from the lock file, else `--no-deps`) or
    /// `build` (also `cargo check --workspace --all-targets`, offline). Only a failure the change
    /// introduces counts; what cargo refuses is held back (a build error refuses the whole run,
    /// which `apply` then rolls back).
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = VerifyLevel::Metadata)]
    verify: VerifyLevel,
}

impl VerifyArg {
    pub(crate) fn level(&self) -> trellis::Verify {
        match self.verify {
            VerifyLevel::Metadata => trellis::Verify::Metadata,
            VerifyLevel::Build => trellis::Verify::Build,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum VerifyLevel {
    Metadata,
    Build,
}

/// What cargo said of a plan: the question it answered (with `-v`), and its refusal.
pub(crate) fn report_judged(judged: &trellis::Judged) {
    if term::verbosity() >= Verbosity::Verbose {
        let said = match (judged.level, &judged.refusal) {
            (Some(level), None) => format!("{level} accepts the result"),
            (Some(level), Some(_)) => format!("{level} refuses the result"),
            (None, _) => "cargo was not asked: nothing it reads changes".to_owned(),
        };
        term::status("judge", term::NOTE, &said);
    }
    if let Some(why) = &judged.unjudged {
        term::warning(&format!("cargo could not judge the result before writing: {why}"));
    }
    if let Some(refusal) = &judged.refusal
        && judged.level != Some(trellis::Level::Build)
    {
        term::warning(&format!(
            "cargo refuses the result of the change, so its cause is held back:\n{refusal}"
        ));
    }
}

/// How a plan or a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One aligned line per file, then a summary.
    Human,
    /// One JSON document (see docs/sync.md).
    Json,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.source.project()?;
    let options = trellis::PlanOptions {
        prune: args.prune,
        diff: args.diff,
        verify: args.verify.level(),
        cancel: Some(crate::signal::cancel_flag()),
    };
    let planned = trellis::plan(&project, &options)?;
    print_warnings(&planned.loaded);
    report_judged(&planned.judged);
    // An interrupted `apply` left its journal: this plan sees the half-done workspace, while the
    // next `apply` first rolls that run back. Say so rather than show a plan as if all were well.
    if planned.unfinished {
        term::warning(&format!(
            "an `apply` was interrupted here (`{}` remains): the next `apply` first rolls it back to the state before that run, then plans again, so what it does can differ from this plan\nhint: run `trellis apply` to finish the rollback",
            project.show(trellis::trellis_sync::JOURNAL_PATH),
        ));
    }
    match args.format {
        Format::Human => {
            term::out(&human(&project, &planned.plan, args.diff));
            term::out(&format!("plan: {}\n", planned.plan.summary()));
        }
        Format::Json => term::out(&planned.json(&project)),
    }
    if planned.judged.level == Some(trellis::Level::Build)
        && let Some(first) = &planned.judged.refusal
    {
        term::error(&format!(
            "`cargo check` finds an error the change introduces, so `apply --verify build` would roll it back:\n{first}\nhint: fix what the error names (or the spec), then plan again"
        ));
        return Err(Failure::Findings);
    }
    conflicts_outcome(&planned.plan, "plan")
}

/// The plan for people: one aligned line per file that changes (every file with `-v`).
pub(crate) fn human(project: &Project, plan: &Plan, diffs: bool) -> String {
    trellis::render_plan(project, plan, diffs, term::verbosity() >= Verbosity::Verbose)
}

/// Exit 1, with a hint, when some file is in conflict or held back because cargo refuses it.
pub(crate) fn conflicts_outcome(plan: &Plan, command: &str) -> Outcome {
    let held = |e: &&trellis::trellis_sync::Entry| e.refused_by_cargo();
    let conflicts = plan.entries.iter().filter(|e| e.action == Action::Conflict);
    let (n, h) = (conflicts.clone().filter(|e| !held(e)).count(), conflicts.filter(held).count());
    if n + h == 0 {
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if h > 0 {
        term::err(&format!(
            "{}: {h} file{} held back: cargo refuses the result with {} change\n",
            term::paint(command, term::WARNING),
            plural(h),
            if h == 1 { "its" } else { "their" },
        ));
        let hint = term::paint("hint", term::NOTE);
        term::note(&format!(
            "{hint}: fix what cargo names above (or the spec), then `trellis apply` makes the change\n"
        ));
    }
    if n == 0 {
        return Err(Failure::Findings);
    }
    term::err(&format!(
        "{}: {n} conflict{}: Trellis cannot make its change to {} without touching a person's text; each note says why, and what was done\n",
        term::paint(command, term::WARNING),
        plural(n),
        if n == 1 { "a file" } else { "files" },
    ));
    let hint = term::paint("hint", term::NOTE);
    term::note(&format!(
        "{hint}: `trellis plan --diff` shows each conflict with Trellis' change\n\
         {hint}: `trellis apply --write-conflicts` writes the conflict markers into a seeded file, and Trellis' version of any other file beside it as `<file>{}`\n\
         {hint}: resolve them by hand, then `trellis apply` ends the conflict (for a file with Trellis' version beside it: `trellis apply --accept <file>`)\n",
        trellis::trellis_sync::CONFLICT_SUFFIX,
    ));
    Err(Failure::Findings)
}
