//! `bonifica audit verify`: walks a region file's audit log and says whether its hash
//! chain holds, or names the first entry that does not (exit code 5). Anchors taken from
//! earlier runs and kept outside the file catch a log rewritten consistently, head
//! included.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bonifica_store::{AuditAnchor, AuditProblem, GeoPackage, StoreError};

use crate::exit::Failure;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The region file whose audit log to check.
    pub region_file: PathBuf,
    /// An entry's `SEQ:HASH` as an earlier run printed it, kept outside the file: the log
    /// must still hold it. Repeat for several.
    #[arg(long = "anchor", value_name = "SEQ:HASH")]
    pub anchors: Vec<AuditAnchor>,
}

/// `bonifica audit verify FILE`.
pub fn verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let file = crate::store::shown(&args.region_file);
    let location = args.region_file.to_string_lossy();
    // A file is read read-only and without migrating: checking the evidence does not
    // change it. A database is read in the one transaction of each query.
    let checked = if bonifica_store::is_database_url(&location) {
        bonifica_store::open(&location).and_then(|store| store.verify_audit_anchored(&args.anchors))
    } else {
        GeoPackage::verify_audit_file(&args.region_file, &args.anchors)
    };
    match checked {
        Ok(check) => {
            let entries = match check.entries {
                1 => "1 entry".to_string(),
                n => format!("{} entries", grouped(n)),
            };
            crate::outln!(
                "audit log of {file}: {entries}, chain intact, head {}",
                check.head
            )?;
            if !args.anchors.is_empty() {
                let n = args.anchors.len();
                crate::outln!("{n} anchor{} held", if n == 1 { "" } else { "s" })?;
            }
            if check.entries > 0 {
                crate::outln!(
                    "anchor {}:{} (keep it outside this file; --anchor checks it later)",
                    check.entries,
                    check.head
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(broken @ StoreError::AuditBroken { .. }) => {
            let verdict = match &broken {
                StoreError::AuditBroken {
                    problem:
                        AuditProblem::AnchorMissing { .. } | AuditProblem::AnchorMismatch { .. },
                    ..
                } => "the chain holds, but it is not the log that was anchored",
                _ => "the chain is broken",
            };
            Err(Failure::Violations(format!("{file}: {broken}; {verdict}")).into())
        }
        Err(other) => Err(other).with_context(|| format!("reading the audit log of {file}")),
    }
}

/// A count with thousands separated by commas: `1,234`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234), "1,234");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
