//! The commands Trellis names in its messages and hints, made ones that run where the user
//! stands, as the program that embeds the engine is run.
//!
//! The engine names a command of its own as `` `trellis <command> <args>` `` (in an error, a
//! warning, a hint). [`parts`] splits such text into words and [`Part::Command`]s; an
//! [`Invocation`] (how the person runs the caller: `cargo trellis`, `cargo xtask`, with the
//! options that named the workspace) renders them.

use std::path::Path;

/// A piece of a message: words, or a Trellis command it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// Text as it is.
    Words(&'a str),
    /// A command the engine named as `` `trellis <args><shell>` ``: `args` the command and its
    /// arguments (`apply --prune`), `shell` what follows them for the shell (` > Trellis.toml`,
    /// ` | less`; often empty).
    Command {
        /// The command and its arguments.
        args: &'a str,
        /// A redirection or a pipe after them, with its leading space; often empty.
        shell: &'a str,
    },
}

impl Part<'_> {
    /// The command's name (`apply`), for a [`Part::Command`].
    pub fn command(&self) -> Option<&str> {
        match self {
            Part::Command { args, .. } => args.split_whitespace().next(),
            Part::Words(_) => None,
        }
    }
}

/// `text` as words and the Trellis commands it names, in order. A command is one closed pair of
/// backticks on one line, opening with `trellis ` (`` `trellis` `` alone is a word).
pub fn parts(text: &str) -> Vec<Part<'_>> {
    const MARK: &str = "`trellis ";
    let mut out = Vec::new();
    let mut rest = text;
    let mut words = 0;
    while let Some(at) = rest[words..].find(MARK).map(|at| at + words) {
        let after = &rest[at + MARK.len()..];
        let Some(end) = after.find(['`', '\n']).filter(|&e| after[e..].starts_with('`')) else {
            words = at + MARK.len();
            continue;
        };
        if at > 0 {
            out.push(Part::Words(&rest[..at]));
        }
        // The options go before a redirection or a pipe: `trellis infer > Trellis.toml`.
        let command = &after[..end];
        let (args, shell) = match [" > ", " | "].iter().filter_map(|op| command.find(op)).min() {
            Some(at) => command.split_at(at),
            None => (command, ""),
        };
        out.push(Part::Command { args, shell });
        rest = &after[end + 1..];
        words = 0;
    }
    if !rest.is_empty() {
        out.push(Part::Words(rest));
    }
    out
}

/// How the person runs the program that embeds the engine: what every command Trellis names
/// becomes (see [`Invocation::render`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    program: String,
    root: String,
    spec: String,
    commands: Option<Vec<String>>,
}

impl Invocation {
    /// The program as the person runs it (`cargo trellis`, `cargo xtask`), with every command
    /// of Trellis' and no workspace options.
    pub fn new(program: impl Into<String>) -> Invocation {
        Invocation {
            program: program.into(),
            root: String::new(),
            spec: String::new(),
            commands: None,
        }
    }

    /// The same, with the workspace named by `--root <root>`, as the person named it: every
    /// command a hint names takes it too.
    pub fn with_root(mut self, root: &Path) -> Invocation {
        self.root = format!(" --root {}", crate::shell_word(&root.display().to_string()));
        self
    }

    /// The same, with the spec named by `--spec <file>`: every command but `infer` (which
    /// writes a spec) takes it too.
    pub fn with_spec(mut self, spec: &Path) -> Invocation {
        self.spec = format!(" --spec {}", crate::shell_word(&spec.display().to_string()));
        self
    }

    /// The same, for a program that has only these of Trellis' commands (a guarded
    /// workspace's own xtask): the others are named as installed Trellis runs them,
    /// `cargo trellis <command>`, without the workspace options.
    pub fn with_commands(mut self, commands: &[&str]) -> Invocation {
        self.commands = Some(commands.iter().map(|c| (*c).to_owned()).collect());
        self
    }

    /// How the person runs the program.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// `text` with every Trellis command it names (see [`parts`]) made one that works where
    /// the user stands: run as the user runs the program, with the options that named the
    /// workspace. Other text is left alone.
    pub fn render(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for part in parts(text) {
            let Part::Command { args, shell } = part else {
                if let Part::Words(words) = part {
                    out.push_str(words);
                }
                continue;
            };
            let name = part.command().unwrap_or("");
            let ours = self.commands.as_ref().is_none_or(|c| c.iter().any(|c| c == name));
            if !ours {
                out.push_str(&format!("`cargo trellis {args}{shell}`"));
                continue;
            }
            // `infer` takes no spec: it writes one.
            let spec = if name == "infer" { "" } else { self.spec.as_str() };
            out.push_str(&format!("`{} {args}{}{spec}{shell}`", self.program, self.root));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Invocation;

    #[test]
    fn commands_in_hints_run_where_the_user_stands() {
        let here = Invocation::new("cargo xtask")
            .with_root(Path::new("ws"))
            .with_spec(Path::new("s.toml"));
        let localized = |text| here.render(text);
        assert_eq!(
            localized("hint: run `trellis apply --prune` or `trellis plan`; `trellis` alone stays"),
            "hint: run `cargo xtask apply --prune --root ws --spec s.toml` or `cargo xtask plan --root ws --spec s.toml`; `trellis` alone stays"
        );
        assert_eq!(
            localized("`trellis infer > Trellis.toml`"),
            "`cargo xtask infer --root ws > Trellis.toml`"
        );
        assert_eq!(
            localized("`trellis apply --accept <file>`"),
            "`cargo xtask apply --accept <file> --root ws --spec s.toml`"
        );
        // An unclosed command, or one broken across lines, is left as written.
        assert_eq!(localized("see `trellis apply\nnow`"), "see `trellis apply\nnow`");
        assert_eq!(localized("`trellis "), "`trellis ");
        assert_eq!(
            localized("a `trellis \nb `trellis plan`"),
            "a `trellis \nb `cargo xtask plan --root ws --spec s.toml`"
        );
    }

    #[test]
    fn a_command_the_program_lacks_is_named_as_installed_trellis_runs_it() {
        let own = Invocation::new("cargo xtask").with_commands(&["check", "apply"]);
        assert_eq!(
            own.render("`trellis infer > Trellis.toml`, then `trellis apply`"),
            "`cargo trellis infer > Trellis.toml`, then `cargo xtask apply`"
        );
    }
}
