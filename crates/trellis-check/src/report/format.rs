//! The forms a `check` report is written in, by name (`--format sarif`).

use std::fmt;
use std::str::FromStr;

/// A form of the `check` report. [`crate::Checked::render_as`] writes a report in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// For people: rustc-style findings, then a summary line (styled; printed on stderr).
    Human,
    /// The stable JSON object of docs/check.md.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub workflow annotations (`::error file=…,line=…::…`), one line a finding.
    Github,
    /// JUnit XML: one test case per rule and crate, failed for an error.
    Junit,
    /// A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull request comment.
    Markdown,
}

impl Format {
    /// Every format, in the order the command line lists them.
    pub const ALL: [Format; 6] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Markdown,
    ];

    /// Every format's name, in [`Format::ALL`]'s order: what `--format` takes.
    pub const NAMES: [&'static str; 6] = ["human", "json", "sarif", "github", "junit", "markdown"];

    /// The name `--format` takes for it: `human`, `json`, `sarif`, `github`, `junit`,
    /// `markdown`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of [`Format::NAMES`]; its `Display` names it and lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown format `{}`: expected one of {}", self.0, Format::NAMES.join(", "))
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// The format of a name in [`Format::NAMES`] (exactly, lower case).
    fn from_str(name: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| UnknownFormat(name.to_owned()))
    }
}
