//! `cargo xtask <command>`: Trellis' command line in this repository (`.cargo/config.toml`
//! aliases `cargo xtask` to this binary).

fn main() -> std::process::ExitCode {
    xtask::main("cargo xtask", std::env::args_os().collect())
}
