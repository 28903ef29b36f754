//! The Rust a spec targets: its edition and the oldest Rust it builds with, typed, with the one
//! table of which Rust first knows which edition.

use std::fmt;

/// A Rust edition a spec may name (`[workspace] edition`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    /// `"2015"`.
    E2015,
    /// `"2018"`.
    E2018,
    /// `"2021"`.
    E2021,
    /// `"2024"`, the default.
    #[default]
    E2024,
}

impl Edition {
    /// Every edition, oldest first.
    pub const ALL: [Edition; 4] = [Edition::E2015, Edition::E2018, Edition::E2021, Edition::E2024];

    /// The edition as manifests and the spec spell it (`"2021"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::E2015 => "2015",
            Edition::E2018 => "2018",
            Edition::E2021 => "2021",
            Edition::E2024 => "2024",
        }
    }

    /// Reads the spelling of [`Edition::as_str`]; `None` for anything else.
    pub fn parse(s: &str) -> Option<Edition> {
        Edition::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The first Rust that knows the edition (2018: 1.31, 2021: 1.56, 2024: 1.85; 2015: any).
    pub fn min_rust(self) -> RustVersion {
        let minor = match self {
            Edition::E2015 => 0,
            Edition::E2018 => 31,
            Edition::E2021 => 56,
            Edition::E2024 => 85,
        };
        RustVersion::new(minor, None)
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `rust-version` as cargo reads it: `1.<minor>` or `1.<minor>.<patch>`, without leading
/// zeros. It shows as it was written (`1.85` stays `1.85`), and compares as the Rust releases
/// do (`1.85` is `1.85.0`).
#[derive(Debug, Clone, Copy)]
pub struct RustVersion {
    minor: u32,
    patch: Option<u32>,
}

impl RustVersion {
    /// The oldest Rust whose cargo reads the manifests Trellis generates: they set
    /// `resolver = "3"`, new in cargo 1.84.
    pub const GENERATED: RustVersion = RustVersion::new(84, None);

    /// `1.<minor>`, or `1.<minor>.<patch>` when `patch` is given.
    pub const fn new(minor: u32, patch: Option<u32>) -> RustVersion {
        RustVersion { minor, patch }
    }

    /// Reads `1.85` or `1.85.1`; `None` for anything else (another major, leading zeros, a
    /// pre-release).
    pub fn parse(s: &str) -> Option<RustVersion> {
        let number = |p: &str| -> Option<u32> {
            let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
            let canonical = p == "0" || !p.starts_with('0');
            if digits && canonical { p.parse().ok() } else { None }
        };
        match s.split('.').collect::<Vec<_>>().as_slice() {
            ["1", minor] => Some(RustVersion::new(number(minor)?, None)),
            ["1", minor, patch] => Some(RustVersion::new(number(minor)?, Some(number(patch)?))),
            _ => None,
        }
    }

    /// The minor version: 85 for `1.85.1`.
    pub fn minor(self) -> u32 {
        self.minor
    }

    /// The patch version, 0 when it is not written.
    pub fn patch(self) -> u32 {
        self.patch.unwrap_or(0)
    }
}

impl PartialEq for RustVersion {
    fn eq(&self, other: &RustVersion) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for RustVersion {}

impl PartialOrd for RustVersion {
    fn partial_cmp(&self, other: &RustVersion) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RustVersion {
    fn cmp(&self, other: &RustVersion) -> std::cmp::Ordering {
        (self.minor, self.patch()).cmp(&(other.minor, other.patch()))
    }
}

impl fmt::Display for RustVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(patch) => write!(f, "1.{}.{patch}", self.minor),
            None => write!(f, "1.{}", self.minor),
        }
    }
}
