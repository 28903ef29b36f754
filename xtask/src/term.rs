//! The terminal, in one place: colour, verbosity, and every line the command line prints.
//!
//! Text is styled with [anstyle] wherever it is made (the engine styles its diagnostics the
//! same way) and written through [anstream], which strips the styles when the stream is not a
//! terminal, `NO_COLOR` is set, or `--color never` was given (`CARGO_TERM_COLOR` is the
//! default, as cargo passes it on to its subcommands). Nothing else writes escape codes.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use anstyle::{AnsiColor, Style};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour when the stream is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// How much is said besides the data and the errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// `-q`: data, warnings and errors only; no progress, notes or hints to go on.
    Quiet,
    /// The default.
    Normal,
    /// `-v`: also what did not change (unchanged files of a plan).
    Verbose,
}

struct Settings {
    verbosity: Verbosity,
    invocation: &'static str,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// How the user runs Trellis, with the options that named the workspace: what hints name.
static INVOCATION: OnceLock<trellis::Invocation> = OnceLock::new();

/// Records the options that name the workspace as the user gave them (`--root DIR`, `--spec
/// FILE`), for the commands hints name.
pub(crate) fn set_location(root: Option<&Path>, spec: Option<&Path>) {
    let mut here = trellis::Invocation::new(invocation());
    if let Some(root) = root {
        here = here.with_root(root);
    }
    if let Some(spec) = spec {
        here = here.with_spec(spec);
    }
    let _ = INVOCATION.set(here);
}

/// Sets colour and verbosity for the whole run; called once, before any command runs.
pub(crate) fn init(color: Option<ColorWhen>, verbosity: Verbosity, invocation: &'static str) {
    let color = color.or_else(|| match std::env::var("CARGO_TERM_COLOR").ok()?.as_str() {
        "always" => Some(ColorWhen::Always),
        "never" => Some(ColorWhen::Never),
        _ => None,
    });
    let choice = match color {
        None | Some(ColorWhen::Auto) => anstream::ColorChoice::Auto,
        Some(ColorWhen::Always) => anstream::ColorChoice::Always,
        Some(ColorWhen::Never) => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let _ = SETTINGS.set(Settings { verbosity, invocation });
}

fn settings() -> &'static Settings {
    SETTINGS.get_or_init(|| Settings { verbosity: Verbosity::Normal, invocation: "cargo xtask" })
}

/// The verbosity of this run.
pub(crate) fn verbosity() -> Verbosity {
    settings().verbosity
}

/// How the user runs Trellis (`cargo xtask`, `cargo trellis`): what hints name.
pub(crate) fn invocation() -> &'static str {
    settings().invocation
}

/// The style of an error's label.
pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
/// The style of a warning's label.
pub(crate) const WARNING: Style = AnsiColor::Yellow.on_default().bold();
/// The style of something done.
pub(crate) const GOOD: Style = AnsiColor::Green.on_default().bold();
/// The style of a note or hint's label.
pub(crate) const NOTE: Style = AnsiColor::Cyan.on_default().bold();

/// `text` in `style`.
pub(crate) fn paint(text: &str, style: Style) -> String {
    format!("{style}{text}{style:#}")
}

/// Data, to stdout. A reader that goes away early (`| head`) is not an error worth a panic:
/// the data was theirs to stop reading.
pub(crate) fn out(text: &str) {
    let _ = anstream::stdout().lock().write_all(text.as_bytes());
}

/// Diagnostics and other text for people, to stderr, whatever the verbosity; every command a
/// hint names is [`localized`].
pub(crate) fn err(text: &str) {
    let _ = anstream::stderr().lock().write_all(localized(text).as_bytes());
}

/// Text with every Trellis command it names (`` `trellis apply --prune` ``, as the engine and
/// this command line write them) made one that works where the user stands
/// ([`trellis::Invocation::render`]). Other text is left alone.
pub(crate) fn localized(text: &str) -> String {
    match INVOCATION.get() {
        Some(here) => here.render(text),
        None => trellis::Invocation::new(invocation()).render(text),
    }
}

/// `warning: message`, to stderr, whatever the verbosity.
pub(crate) fn warning(message: &str) {
    err(&format!("{}: {message}\n", paint("warning", WARNING)));
}

/// `error: message`, to stderr.
pub(crate) fn error(message: &str) {
    err(&format!("{}: {message}\n", paint("error", ERROR)));
}

/// A line of progress (`created 12 files in …`), a label in `style` first; not with `-q`.
pub(crate) fn status(label: &str, style: Style, message: &str) {
    if verbosity() > Verbosity::Quiet {
        err(&format!("{}: {message}\n", paint(label, style)));
    }
}

/// Text that helps a person go on (next steps, notes, a hint after findings); not with `-q`.
pub(crate) fn note(text: &str) {
    if verbosity() > Verbosity::Quiet {
        err(text);
    }
}
