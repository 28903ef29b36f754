//! `cargo trellis <command>`: Trellis' command line, installed
//! (`cargo install --locked --path xtask --bin cargo-trellis`).
//!
//! Cargo runs an external subcommand `cargo-trellis` with `trellis` as its first argument
//! (`cargo-trellis trellis check`); run directly (`cargo-trellis check`), it has none.

fn main() -> std::process::ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "trellis") {
        args.remove(1);
    }
    xtask::main("cargo trellis", args)
}
