//! Exit codes that mean something, so scripts can tell a typo from bad data.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | an unexpected failure (IO, a corrupt file); the message says where |
//! | 2 | the command line is wrong (clap's own code too) |
//! | 3 | the input data is invalid: nothing was stored |
//! | 4 | the output already exists: nothing was overwritten |
//! | 5 | a check found violations (for example `bonifica validate`) |

use std::process::ExitCode;

/// A failure with a deliberate exit code. Other errors exit with 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Exists(String),
    #[error("{0}")]
    Violations(String),
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::BadInput(_) => 3,
            Failure::Exists(_) => 4,
            Failure::Violations(_) => 5,
        }
    }
}

/// Prints an error with its chain of causes and picks the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    // The reader of our output went away (`| head`): what it wanted, it has.
    let closed_pipe = err
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
    if closed_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    let code = err
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(1, Failure::code);
    ExitCode::from(code)
}
