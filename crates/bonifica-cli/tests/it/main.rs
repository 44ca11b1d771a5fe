//! End-to-end tests of the `bonifica` binary: each runs the real command on files in a
//! fresh temporary folder and checks its output, its exit code and the files it leaves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod audit;
mod process;
mod region;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `bonifica` with `args` in `dir`.
pub fn bonifica(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bonifica"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the bonifica binary runs")
}

/// Standard output and error as text, for assertions and failure messages.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The repository's test data folder.
pub fn test_data() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-data")
}
