//! `cargo run -p xtask -- bench` (or `./x bench`): measures FeedFrame the same way every time,
//! side by side with a baseline in the same run, and writes `docs/benchmarks.md`.

mod browser;
mod fleet;
mod load;
mod machine;
mod pressure;
mod proxy;
mod scaling;
mod wrk;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => {
            let quick = args.iter().any(|a| a == "--quick");
            runtime().block_on(bench(quick));
        }
        Some("browser") => {
            let quick = args.iter().any(|a| a == "--quick");
            let runs = if quick { 3 } else { 7 };
            runtime().block_on(section_only(async |proxy| browser::run(proxy, runs).await));
        }
        Some("pressure") => {
            runtime().block_on(section_only(pressure::run));
        }
        Some("scaling") => {
            let section = runtime().block_on(section_only(scaling::run));
            write_section(scaling::HEADING, &section);
        }
        Some("fleet") => {
            let baseline = args
                .iter()
                .position(|a| a == "--baseline")
                .map(|i| PathBuf::from(args.get(i + 1).expect("--baseline BIN")));
            build_unless_given();
            let current = proxy::bench_bin(&root());
            let section = runtime().block_on(fleet::run(&current, baseline.as_deref()));
            write_section(fleet::HEADING, &section);
        }
        _ => {
            eprintln!(
                "usage: cargo run -p xtask -- bench [--quick] | browser [--quick] | pressure | scaling | fleet [--baseline BIN]"
            );
            std::process::exit(2);
        }
    }
}

/// The runtime every subcommand runs in.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a command in the workspace root and returns its stdout, failing loudly.
fn sh(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn bench(quick: bool) {
    let runs = if quick { 3 } else { 7 };
    let mut doc = String::new();
    writeln!(doc, "# FeedFrame benchmarks\n").unwrap();
    writeln!(
        doc,
        "Written by `./x bench` (`cargo run --profile server -p xtask -- bench`). {}\n",
        machine::describe()
    )
    .unwrap();

    eprintln!("==> widget bytes");
    let sizes = sh("scripts/size-report", &[]);
    writeln!(doc, "## Widget bytes\n\nThe release build in `dist/` (`scripts/size-report`; gzip -9, brotli -11):\n\n```\n{}```\n", sizes).unwrap();

    eprintln!("==> building the proxy (profile server)");
    sh(
        "cargo",
        &["build", "--quiet", "--profile", "server", "-p", "feedframe"],
    );
    let proxy = proxy::Proxy::start(&root()).await;

    if std::env::var_os("BENCH_SKIP_BROWSER").is_none() {
        eprintln!("==> browser: {runs} runs per layout, slow 4G and 4x CPU slowdown");
        let table = browser::run(&proxy, runs).await;
        doc.push_str(&table);
    }

    eprintln!("==> proxy under load");
    doc.push_str(&load::run(&proxy).await);

    eprintln!("==> the feed under pressure (health checks, unknown names, a locked database)");
    doc.push_str(&pressure::run(&proxy).await);

    eprintln!("==> one instance against three behind nginx (cache off, cache on)");
    doc.push_str(&scaling::run(&proxy).await);
    proxy.stop().await;

    eprintln!("==> image mirroring");
    doc.push_str(&mirror_section());

    let path = root().join("docs/benchmarks.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    // Written by their own commands, minutes long: kept as they are.
    for heading in [fleet::HEADING, SOAK] {
        if let Some((start, end)) = section_span(&old, heading) {
            doc.push('\n');
            doc.push_str(&old[start..end]);
            doc.push('\n');
        }
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &doc).unwrap();
    println!("{doc}");
    eprintln!("wrote {}", path.display());
}

/// One section alone (`./x pressure`, `cargo run -p xtask -- browser`), printed and returned.
/// Uses FEEDFRAME_BENCH_BIN when set, else builds the `server` profile.
async fn section_only(run: impl AsyncFnOnce(&proxy::Proxy) -> String) -> String {
    build_unless_given();
    let proxy = proxy::Proxy::start(&root()).await;
    let section = run(&proxy).await;
    proxy.stop().await;
    println!("{section}");
    section
}

/// Builds the proxy's `server` profile, unless FEEDFRAME_BENCH_BIN names the binary to measure.
fn build_unless_given() {
    if std::env::var_os("FEEDFRAME_BENCH_BIN").is_none() {
        eprintln!("==> building the proxy (profile server)");
        sh(
            "cargo",
            &["build", "--quiet", "--profile", "server", "-p", "feedframe"],
        );
    }
}

/// Replaces the section `heading` of docs/benchmarks.md with `section` (which starts with it), or
/// adds it before the soak figures; the rest of the file stays as it is.
fn write_section(heading: &str, section: &str) {
    let path = root().join("docs/benchmarks.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let new = match section_span(&old, heading).or_else(|| section_span(&old, SOAK)) {
        Some((start, end)) if old[start..].starts_with(heading) => {
            format!("{}{}{}", &old[..start], section.trim_end(), &old[end..])
        }
        Some((start, _)) => format!(
            "{}{}

{}",
            &old[..start],
            section.trim_end(),
            &old[start..]
        ),
        None => format!(
            "{}
{}
",
            old.trim_end(),
            section.trim_end()
        ),
    };
    std::fs::write(&path, new).unwrap();
    eprintln!("wrote its section of {}", path.display());
}

/// Where the section that starts with the line `heading` begins in `doc`, and where it ends
/// (before the blank line ahead of the next `## `, or at the end).
fn section_span(doc: &str, heading: &str) -> Option<(usize, usize)> {
    let start = doc.find(&format!("\n{heading}\n"))? + 1;
    let end = doc[start + 1..]
        .find("\n## ")
        .map_or(doc.len(), |i| start + 1 + i);
    let end = doc[..end].trim_end().len();
    Some((start, end))
}

/// The mirroring benchmark is the proxy's own example; its output goes in verbatim.
fn mirror_section() -> String {
    let out = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "--profile",
            "server",
            "-p",
            "feedframe",
            "--example",
            "mirror_bench",
        ])
        .current_dir(root())
        .output();
    match out {
        Ok(o) if o.status.success() => format!(
            "## Image mirroring\n\n`cargo run --profile server -p feedframe --example mirror_bench`:\n\n```\n{}```\n",
            String::from_utf8_lossy(&o.stdout)
        ),
        Ok(o) => format!(
            "## Image mirroring\n\nThe mirroring benchmark failed:\n\n```\n{}```\n",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => format!("## Image mirroring\n\nThe mirroring benchmark could not run: {e}\n"),
    }
}

/// The soak figures are written by hand after `./x soak` (minutes long, not part of `./x bench`).
const SOAK: &str = "## Soak";

/// The median of some samples.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
