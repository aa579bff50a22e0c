//! `feedframe`: see `feedframe --help` and the README.

fn main() -> std::process::ExitCode {
    feedframe::cli::main()
}
