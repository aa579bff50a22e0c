//! Compiles the built widget (`../dist`, made by `trunk build --release`) and the console's wasm
//! (`../dist/console`) into the binary, so one `feedframe` binary is the whole deployment.
//! Without a built widget the binary still builds, and `/widget.js` explains what is missing;
//! without the console's wasm the console's pages are plain forms.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = std::env::var_os("FEEDFRAME_WIDGET_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../dist"));
    println!("cargo:rerun-if-env-changed=FEEDFRAME_WIDGET_DIST");

    let mut out = files_static("WIDGET_FILES", &dist);
    // The console's wasm (console-ui/Trunk.toml builds it into dist/console/).
    out.push_str(&files_static("CONSOLE_FILES", &dist.join("console")));
    let target =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("widget_files.rs");
    std::fs::write(target, out).expect("write widget_files.rs");
}

/// `pub static NAME: &[(&str, &[u8])]` with every file directly in `dir` (none if it is missing).
fn files_static(name: &str, dir: &Path) -> String {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = format!("pub static {name}: &[(&str, &[u8])] = &[\n");
    for path in &files {
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file names");
        println!("cargo:rerun-if-changed={}", path.display());
        let abs = path.canonicalize().expect("dist file");
        writeln!(
            out,
            "    ({file:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .expect("write");
    }
    out.push_str("];\n");
    out
}
