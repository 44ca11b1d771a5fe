//! The `bonifica` command: argument parsing and glue between the library crates and the
//! terminal. Each subcommand lives in a module of its own; `exit` says what the exit codes
//! mean.

mod audit_cmd;
mod bench_cmd;
mod db_cmd;
mod exit;
mod plan_cmd;
mod region_cmd;
mod sched_cmd;
mod serve_cmd;
mod store;
mod ui;

use std::process::ExitCode;

use clap::Parser;

/// Bonifica coordinates the clearing of explosive hazards and the rebuilding of
/// infrastructure after a war: a register on real maps, a planner, and the daily loop of
/// land release.
#[derive(Debug, clap::Parser)]
#[command(name = "bonifica", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Write the synthetic frontier region (a GeoPackage file QGIS and GDAL open).
    Demo(region_cmd::DemoArgs),
    /// Add records from GeoJSON or CSV files to a region file, all or nothing.
    Import(region_cmd::ImportArgs),
    /// Write a region file's layers as GeoJSON and CSV, or as a GeoPackage.
    Export(region_cmd::ExportArgs),
    /// Print counts, hazardous area, damaged network and the workforce of a region file.
    Summary(region_cmd::SummaryArgs),
    /// Plan who clears and repairs what, and when; print the indicators, export the plan.
    Plan(plan_cmd::PlanArgs),
    /// Plan two scenarios and print their indicators side by side.
    Compare(plan_cmd::CompareArgs),
    /// Serve the API and the web app on a region file.
    Serve(serve_cmd::ServeArgs),
    /// Manage the users who may sign in.
    #[command(subcommand)]
    User(User),
    /// Manage the bearer tokens of API clients.
    #[command(subcommand)]
    Token(Token),
    /// Solve a scheduling instance (JSON) and print the schedule (JSON).
    Solve(sched_cmd::SolveArgs),
    /// Check a schedule against an instance; prints every violation.
    Validate(sched_cmd::ValidateArgs),
    /// Run a benchmark and print its figures.
    #[command(subcommand)]
    Bench(Bench),
    /// Check a region file's audit trail.
    #[command(subcommand)]
    Audit(Audit),
    /// Copy a whole register, history and audit log included, between a GeoPackage file
    /// and a PostgreSQL database, in one transaction.
    Copy(db_cmd::CopyArgs),
    /// Manage a PostgreSQL database's roles.
    #[command(subcommand)]
    Db(Db),
}

#[derive(Debug, clap::Subcommand)]
enum Db {
    /// Create a read-only role for GIS analysts (QGIS, ogrinfo) that sees no restricted
    /// record, no user and no audit entry.
    GrantGis(db_cmd::GrantGisArgs),
}

#[derive(Debug, clap::Subcommand)]
enum User {
    /// Add a user with a role; the password is read from standard input or generated.
    Add(serve_cmd::UserAddArgs),
}

#[derive(Debug, clap::Subcommand)]
enum Token {
    /// Mint a token for a user and print it (shown once; stored as a hash).
    Add(serve_cmd::TokenAddArgs),
}

#[derive(Debug, clap::Subcommand)]
enum Audit {
    /// Walk the audit log's hash chain; name the first entry that does not hold (exit 5).
    Verify(audit_cmd::VerifyArgs),
}

#[derive(Debug, clap::Subcommand)]
enum Bench {
    /// Solve PSPLIB instances and print the figures the literature reports, per set.
    Psplib(sched_cmd::PsplibArgs),
    /// Generate the default region and compute gating, with times and peak memory.
    Region(bench_cmd::RegionBenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    install_logging();
    let result = match cli.command {
        Command::Demo(a) => region_cmd::demo(&a).map(|()| ExitCode::SUCCESS),
        Command::Import(a) => region_cmd::import(&a).map(|()| ExitCode::SUCCESS),
        Command::Export(a) => region_cmd::export(&a).map(|()| ExitCode::SUCCESS),
        Command::Summary(a) => region_cmd::summary(&a).map(|()| ExitCode::SUCCESS),
        Command::Plan(a) => plan_cmd::plan(&a).map(|()| ExitCode::SUCCESS),
        Command::Compare(a) => plan_cmd::compare(&a).map(|()| ExitCode::SUCCESS),
        Command::Serve(a) => serve_cmd::serve(&a).map(|()| ExitCode::SUCCESS),
        Command::User(User::Add(a)) => serve_cmd::user_add(&a).map(|()| ExitCode::SUCCESS),
        Command::Token(Token::Add(a)) => serve_cmd::token_add(&a).map(|()| ExitCode::SUCCESS),
        Command::Solve(a) => sched_cmd::solve(&a).map(|()| ExitCode::SUCCESS),
        Command::Validate(a) => sched_cmd::validate(&a),
        Command::Bench(Bench::Psplib(a)) => {
            sched_cmd::bench(&sched_cmd::BenchCommand::Psplib(a)).map(|()| ExitCode::SUCCESS)
        }
        Command::Bench(Bench::Region(a)) => bench_cmd::region(&a).map(|()| ExitCode::SUCCESS),
        Command::Audit(Audit::Verify(a)) => audit_cmd::verify(&a),
        Command::Copy(a) => db_cmd::copy(&a).map(|()| ExitCode::SUCCESS),
        Command::Db(Db::GrantGis(a)) => db_cmd::grant_gis(&a).map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|err| exit::report(&err))
}

/// Logs go to standard error, so standard output stays the command's answer. The filter
/// comes from `BONIFICA_LOG` (tracing's `EnvFilter` syntax, such as `debug` or
/// `bonifica_server=debug,tower_http=debug`); by default warnings from everything and
/// the server's requests and events at INFO.
fn install_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BONIFICA_LOG").unwrap_or_else(|_| {
        EnvFilter::new("warn,bonifica_server=info,tower_http=info,bonifica=info")
    });
    // Only fails when a subscriber is already installed, which nothing else does.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours on a terminal only: a log file or a journal gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
