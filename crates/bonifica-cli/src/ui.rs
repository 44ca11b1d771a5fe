//! Terminal feedback: spinners and progress bars that stay silent when output is not a
//! terminal, so logs and CI output stay readable.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner with a message, for work whose length is unknown.
pub fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar over a time budget in seconds, whose message the caller updates.
pub fn timed_bar(prefix: &str, seconds: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(seconds.max(1)), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} s  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix.to_string());
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// Writes one line of the command's answer to standard output. Unlike `println!`, a
/// closed pipe (`bonifica audit verify FILE | head -1`) is an error the caller returns,
/// not a panic; `exit::report` then ends the command quietly.
pub fn out_line(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")
}

/// `println!` that returns `std::io::Result` instead of panicking on a closed pipe.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::ui::out_line(format_args!($($arg)*))
    };
}
