//! `bonifica serve` (the HTTP API on a region file), `bonifica user add` (an account that
//! may sign in to it) and `bonifica token add` (a bearer token for one of those accounts),
//! plus the demo's one user per role. Glue only: the server, the roles, the password
//! hashing and the tokens live in `bonifica-server`.

use std::io::{BufRead, IsTerminal};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::store::open_store;
use anyhow::Context;
use bonifica_server::Role;

/// `bonifica serve REGION.gpkg`: serve the API until Ctrl-C.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The region file to serve.
    pub file: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The programme's configuration (planner parameters, the gating distance among
    /// them); by default `programme.toml` beside the region file, else the documented
    /// defaults.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `bonifica user add`: add a user who may sign in.
#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    /// The region file.
    #[arg(long)]
    pub file: PathBuf,
    /// The user name to sign in with.
    #[arg(long)]
    pub username: String,
    /// coordinator, defence_liaison, operations_manager, team_leader or viewer.
    #[arg(long)]
    pub role: String,
    /// The organisation (code, such as ORG-0003) of an operations manager or team leader;
    /// for a team leader, the team's or crew's when left out.
    #[arg(long)]
    pub organisation: Option<String>,
    /// The unit a team leader leads: a demining team (DT-0007) or a reconstruction crew
    /// (RC-0012).
    #[arg(long)]
    pub team: Option<String>,
}

/// `bonifica token add`: mint a bearer token for a user.
#[derive(Debug, clap::Args)]
pub struct TokenAddArgs {
    /// The region file.
    #[arg(long)]
    pub file: PathBuf,
    /// The user the token acts as.
    #[arg(long)]
    pub username: String,
    /// What the token is for, as listed by `GET /api/tokens`.
    #[arg(long, default_value = "command line")]
    pub name: String,
    /// Days until the token expires (1 to 365).
    #[arg(long, default_value_t = 90)]
    pub days: u32,
}

/// Serves the region file until interrupted.
pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let addr = SocketAddr::new(args.host, args.port);
    let programme = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let config = bonifica_planner::PlannerConfig::from_toml(&text)
                .with_context(|| format!("programme configuration {}", path.display()))?;
            Some(config)
        }
        None => None,
    };
    bonifica_server::run(&args.file.to_string_lossy(), programme, addr, |bound| {
        // Serving goes on whether or not anyone still reads standard output.
        let _ = crate::outln!(
            "serving {}: open http://{bound}/ (API under http://{bound}/api/; ODK Collect and KoBoCollect server URL http://{bound}/odk)",
            args.file.display()
        );
    })
    .with_context(|| format!("serving {}", args.file.display()))
}

/// Adds a user. The password is read from standard input when it is piped, otherwise one
/// is generated and printed.
pub fn user_add(args: &UserAddArgs) -> anyhow::Result<()> {
    let role = Role::parse(&args.role)?;
    let mut store = open_store(&args.file)?;
    let data = store.load().context("reading the register")?;
    let unit = match &args.team {
        None => None,
        Some(code) => {
            anyhow::ensure!(
                role == Role::TeamLeader,
                "--team is for team leaders, not the role {}",
                role.as_str()
            );
            let unit = bonifica_server::users::unit_by_code(&data, code)
                .with_context(|| format!("no team or crew {code} in {}", args.file.display()))?;
            Some(unit)
        }
    };
    let organisation = match &args.organisation {
        None => unit.map(|u| u.organisation_id),
        Some(code) => {
            let id = data
                .organisations
                .iter()
                .find(|o| o.code.as_str() == code)
                .with_context(|| format!("no organisation {code} in {}", args.file.display()))?
                .id;
            if let (Some(u), Some(team)) = (unit, &args.team) {
                anyhow::ensure!(
                    u.organisation_id == id,
                    "{team} does not belong to the organisation {code}"
                );
            }
            Some(id)
        }
    };
    let team = unit.map(|u| u.id);
    let stdin = std::io::stdin();
    let (password, generated) = if stdin.is_terminal() {
        (bonifica_server::auth::new_password(), true)
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        anyhow::ensure!(
            !line.is_empty(),
            "the password read from standard input is empty"
        );
        (line, false)
    };
    bonifica_server::add_user(
        &mut *store,
        &args.username,
        role,
        &password,
        organisation,
        team,
    )
    .with_context(|| format!("adding user {}", args.username))?;
    if generated {
        crate::outln!("{} ({}): {password}", args.username, role.as_str())?;
    } else {
        crate::outln!("added {} ({})", args.username, role.as_str())?;
    }
    Ok(())
}

/// Mints a bearer token for a user and prints it; it is stored only as a hash, so this is
/// the one time it is shown.
pub fn token_add(args: &TokenAddArgs) -> anyhow::Result<()> {
    let mut store = open_store(&args.file)?;
    let (secret, token) =
        bonifica_server::users::add_token(&mut *store, &args.username, &args.name, args.days)
            .with_context(|| format!("adding a token for {}", args.username))?;
    crate::outln!("{secret}")?;
    eprintln!(
        "token {} ({}) for {}, expires {}; shown once, send it as 'Authorization: Bearer ...'",
        token.id, token.name, args.username, token.expires_at
    );
    Ok(())
}

/// Creates one user per role in the demo file and returns `(username, role, password)`
/// for each, so `bonifica demo --serve` can print the credentials.
pub fn create_demo_users(path: &Path) -> anyhow::Result<Vec<(String, String, String)>> {
    let users = bonifica_server::create_demo_users(&path.to_string_lossy())
        .with_context(|| format!("creating demo users in {}", path.display()))?;
    Ok(users
        .into_iter()
        .map(|(name, role, password)| (name, role.as_str().to_string(), password))
        .collect())
}
