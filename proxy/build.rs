//! Compiles the built widget (`../dist`, made by `trunk build --release`) into the binary, so
//! one `feedframe` binary is the whole deployment. Without a built widget the binary still
//! builds, and `/widget.js` explains what is missing.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = std::env::var_os("FEEDFRAME_WIDGET_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../dist"));
    println!("cargo:rerun-if-env-changed=FEEDFRAME_WIDGET_DIST");
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dist)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();

    let mut out = String::from("pub static WIDGET_FILES: &[(&str, &[u8])] = &[\n");
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file names");
        println!("cargo:rerun-if-changed={}", path.display());
        let abs = path.canonicalize().expect("dist file");
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .expect("write");
    }
    out.push_str("];\n");
    let target =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("widget_files.rs");
    std::fs::write(target, out).expect("write widget_files.rs");
}
