//! Makes `cargo build` self-contained: when `web/dist/index.html` is missing or older than
//! the app's sources, runs `npm ci` (when `web/node_modules` is missing) and `npm run build`
//! in `web/`, so the crate always embeds a current build of the browser app. Then gzips
//! every text file of the build of 1 kB or more into `$OUT_DIR/gzip`, embedded beside it,
//! so the server sends them compressed without compressing on each request.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::SystemTime;

/// Inputs of the web build whose changes make cargo run this script again.
const INPUTS: &[&str] = &[
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "vite.config.ts",
];

fn main() -> ExitCode {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let web = manifest_dir.join("../../web");
    for input in INPUTS {
        println!("cargo:rerun-if-changed={}", web.join(input).display());
    }
    let index = web.join("dist/index.html");
    println!("cargo:rerun-if-changed={}", index.display());
    println!("cargo:rerun-if-env-changed=BONIFICA_WEB_FORCE_BUILD");

    let built = modified(&index);
    let newest_input = INPUTS.iter().filter_map(|i| newest(&web.join(i))).max();
    let forced = std::env::var_os("BONIFICA_WEB_FORCE_BUILD").is_some();
    let fresh = matches!((built, newest_input), (Some(b), Some(s)) if b >= s);
    let built = if fresh && !forced {
        Ok(())
    } else {
        build_web(&web)
    };
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    match built.and_then(|()| gzip_dir(&web.join("dist"), &out_dir.join("gzip"))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: bonifica-web: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Extensions of the files worth compressing: text, and WebAssembly.
const COMPRESSIBLE: &[&str] = &[
    "html", "js", "mjs", "css", "json", "map", "svg", "txt", "wasm",
];

/// Smaller files go as they are: gzip's header and a round trip of headers outweigh the gain.
const MIN_GZIP_BYTES: u64 = 1024;

/// Writes `to/PATH` as the gzip of every compressible `from/PATH`, replacing `to`.
fn gzip_dir(from: &Path, to: &Path) -> Result<(), String> {
    if to.exists() {
        std::fs::remove_dir_all(to)
            .map_err(|e| format!("could not clear {}: {e}", to.display()))?;
    }
    std::fs::create_dir_all(to).map_err(|e| format!("could not create {}: {e}", to.display()))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("could not read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("could not read {}: {e}", from.display()))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            gzip_dir(&path, &target)?;
            continue;
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let size = entry.metadata().map(|m| m.len()).unwrap_or_default();
        if !COMPRESSIBLE.contains(&extension) || size < MIN_GZIP_BYTES {
            continue;
        }
        let bytes =
            std::fs::read(&path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(&bytes)
            .and_then(|()| encoder.finish())
            .and_then(|gz| std::fs::write(&target, gz))
            .map_err(|e| format!("could not write {}: {e}", target.display()))?;
    }
    Ok(())
}

/// Runs npm in `web/`: `npm ci` when the dependencies are not installed, then the build.
fn build_web(web: &Path) -> Result<(), String> {
    if !web.join("node_modules").is_dir() {
        npm(web, &["ci", "--no-audit", "--no-fund"])?;
    }
    npm(web, &["run", "build"])?;
    if !web.join("dist/index.html").is_file() {
        return Err(format!(
            "npm run build finished but {} is missing",
            web.join("dist/index.html").display()
        ));
    }
    Ok(())
}

fn npm(web: &Path, args: &[&str]) -> Result<(), String> {
    let shown = format!("npm {}", args.join(" "));
    let status = Command::new("npm")
        .args(args)
        .current_dir(web)
        .status()
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => format!(
                "the browser app in {} must be built, but npm was not found; install Node.js 20.19 \
                 or later with npm (Debian: apt-get install nodejs npm) and build again",
                web.display()
            ),
            _ => format!("could not run `{shown}` in {}: {err}", web.display()),
        })?;
    if !status.success() {
        return Err(format!("`{shown}` failed in {} ({status})", web.display()));
    }
    Ok(())
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a folder.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let entries = std::fs::read_dir(path).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|e| newest(&e.path()))
        .chain(meta.modified().ok())
        .max()
}
