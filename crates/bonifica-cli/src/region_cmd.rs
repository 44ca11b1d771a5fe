//! The register commands: `demo` writes the synthetic frontier region, `import` and
//! `export` move GeoJSON, CSV and GeoPackage data in and out, `summary` prints counts and
//! totals. Everything here is glue: the work is in the library crates.

use std::path::{Path, PathBuf};

use anyhow::Context;
use bonifica_interchange::{FieldMapping, ImportOptions, SpatialLayer, Table};
use bonifica_model::{Dataset, Date, Summary};
use bonifica_store::Backend;

use crate::store::{create_store, open_store};

use crate::exit::Failure;
use crate::ui;

/// `bonifica demo`: write the synthetic frontier region to a GeoPackage file.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The region file to write, or the `postgres://` URL of a database to write it into.
    #[arg(long, default_value = "bonifica-demo.gpkg")]
    pub out: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The seed: the same seed gives the same region.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Demining staff, every team member counted.
    #[arg(long, default_value_t = 1_000)]
    pub deminers: u32,
    /// Reconstruction workers.
    #[arg(long, default_value_t = 5_000)]
    pub workers: u32,
    /// Multiplier on the number of hazard areas (1.0 gives about 6,000).
    #[arg(long, default_value_t = 1.0)]
    pub hazard_density: f64,
    /// Multiplier on the number of villages and countryside assets.
    #[arg(long, default_value_t = 1.0)]
    pub asset_density: f64,
    /// The programme's first day (YYYY-MM-DD).
    #[arg(long, default_value = "2027-03-01")]
    pub start_date: Date,
    /// Then serve the file (API and web app), with one user per role, and print the URL
    /// and the credentials.
    #[arg(long)]
    pub serve: bool,
    /// Address to serve on, with --serve.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Port to serve on, with --serve (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// With --serve: plan the region for this many seconds first (0 to skip), so the map's
    /// timeline, the Gantt and the dashboard have a plan to show.
    #[arg(long, default_value_t = 0)]
    pub plan_seconds: u64,
    /// With a database: also create this read-only role for GIS analysts (as `bonifica db
    /// grant-gis` does).
    #[arg(long, value_name = "NAME")]
    pub gis_role: Option<String>,
}

/// `bonifica import`: add records from GeoJSON or CSV files to a region file, all or nothing.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The region file to add to; created if it does not exist.
    #[arg(long = "into", value_name = "REGION.gpkg")]
    pub into: PathBuf,
    /// What the files hold: regions, settlements, rivers, hazard_areas, assets (GeoJSON),
    /// or organisations, people, contracts, teams, crews (CSV).
    #[arg(long)]
    pub layer: String,
    /// Field mapping, `field=property` (try several with `a|b`, a JSON pointer with `/`),
    /// for example `--map name=name:en|name --map population=population`.
    #[arg(long = "map", value_name = "FIELD=PROPERTY")]
    pub map: Vec<String>,
    /// Start from the mapping of a known source: bonifica, openstreetmap, natural_earth.
    #[arg(long, default_value = "bonifica")]
    pub mapping: String,
    /// Leave out invalid features and list them, instead of refusing the whole import.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Population to give settlements whose population is missing.
    #[arg(long, default_value_t = 0)]
    pub default_population: u32,
    /// The region (code) the records belong to, when the file does not say.
    #[arg(long)]
    pub region: Option<String>,
    /// The date of information of the imported records (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub as_of: Option<Date>,
    /// The files to import, all in one transaction.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// `bonifica export`: write a region file's layers as GeoJSON and CSV, or as a GeoPackage.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The region file to read.
    pub region_file: PathBuf,
    /// Where to write: a folder for geojson and csv, a file for gpkg.
    #[arg(long)]
    pub out: PathBuf,
    /// geojson (every spatial layer), csv (every table), all (both), or gpkg.
    #[arg(long, default_value = "all")]
    pub format: String,
    /// Export one region only, by code.
    #[arg(long)]
    pub region: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

/// `bonifica summary`: counts, hazardous area, damaged network and the workforce.
#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// The region file to read.
    pub region_file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The date contracts are counted from (YYYY-MM-DD); the programme's first contract
    /// start by default.
    #[arg(long)]
    pub as_of: Option<Date>,
}

pub fn demo(args: &DemoArgs) -> anyhow::Result<()> {
    let params = bonifica_synth::Params {
        seed: args.seed,
        deminers: args.deminers,
        workers: args.workers,
        hazard_density: args.hazard_density,
        asset_density: args.asset_density,
        start_date: args.start_date,
        ..bonifica_synth::Params::default()
    };
    let spinner = ui::spinner("generating the frontier region");
    let dataset = bonifica_synth::generate(&params).context("generating the demo region")?;
    spinner.set_message("writing the GeoPackage");
    let mut store = create_store(&args.out, args.force)?;
    store
        .insert(&dataset)
        .with_context(|| format!("writing {}", args.out.display()))?;
    spinner.finish_and_clear();
    let s = dataset.summary(params.start_date);
    crate::outln!(
        "wrote {}: {} hazard areas, {} damaged assets, {} settlements, {} teams, {} crews",
        args.out.display(),
        s.hazard_areas,
        s.damaged_assets,
        s.settlements,
        s.teams,
        s.crews
    )?;
    if let Some(name) = &args.gis_role {
        crate::db_cmd::grant_gis(&crate::db_cmd::GrantGisArgs {
            database: args.out.to_string_lossy().into_owned(),
            name: name.clone(),
        })?;
    }
    if args.serve && args.plan_seconds > 0 {
        crate::plan_cmd::plan_and_save(&args.out, args.plan_seconds, 50)?;
    }
    if args.serve {
        let users = crate::serve_cmd::create_demo_users(&args.out)?;
        crate::outln!("users (one per role):")?;
        for (name, role, password) in &users {
            crate::outln!("  {name:<12} {role:<20} password {password}")?;
        }
        let serve = crate::serve_cmd::ServeArgs {
            file: args.out.clone(),
            host: args.host,
            port: args.port,
            config: None,
        };
        crate::serve_cmd::serve(&serve)?;
    }
    Ok(())
}

pub fn import(args: &ImportArgs) -> anyhow::Result<()> {
    let target = layer_of(&args.layer)?;
    let mut store = open_or_create(&args.into)?;
    let mut existing = store.load().context("reading the region file")?;
    let mut options = ImportOptions::new(args.as_of.unwrap_or_else(today));
    options.mapping = base_mapping(&args.mapping)?
        .with_pairs(&args.map.iter().map(String::as_str).collect::<Vec<_>>())
        .map_err(|e| Failure::Usage(e.to_string()))?;
    options.skip_invalid = args.skip_invalid;
    options.default_population = args.default_population;
    if let Some(code) = &args.region {
        let region = existing.regions.iter().find(|r| r.code.as_str() == code);
        let Some(region) = region else {
            return Err(
                Failure::Usage(format!("region {code} is not in {}", args.into.display())).into(),
            );
        };
        options.region_id = Some(region.id);
    }
    let mut added = Dataset::default();
    for file in &args.files {
        let import = match target {
            Target::Layer(layer) => {
                bonifica_interchange::read_geojson(file, layer, &options, &existing)
            }
            Target::Table(table) => {
                bonifica_interchange::read_csv(file, table, &options, &existing)
            }
        }
        .map_err(|e| Failure::BadInput(e.to_string()))?;
        for rejected in &import.report.rejected {
            eprintln!("skipped: {rejected}");
        }
        crate::outln!(
            "{}: read {}, importing {}, skipped {}",
            file.display(),
            import.report.read,
            import.report.imported,
            import.report.rejected.len()
        )?;
        merge(&mut existing, import.records.clone());
        merge(&mut added, import.records);
    }
    let report = store
        .insert(&added)
        .map_err(|e| Failure::BadInput(format!("{}: {e}", args.into.display())))?;
    crate::outln!(
        "stored {} records in {}",
        report.added.total(),
        args.into.display()
    )?;
    Ok(())
}

pub fn export(args: &ExportArgs) -> anyhow::Result<()> {
    let store = open_store(&args.region_file)?;
    let dataset = match &args.region {
        None => store.load()?,
        Some(code) => {
            let all = store.load()?;
            let Some(region) = all.regions.iter().find(|r| r.code.as_str() == code) else {
                return Err(Failure::Usage(format!("region {code} is not in the file")).into());
            };
            store.load_region(region.id)?
        }
    };
    match args.format.as_str() {
        "gpkg" => {
            let mut out = create_store(&args.out, args.force)?;
            out.insert(&dataset)
                .with_context(|| format!("writing {}", args.out.display()))?;
            crate::outln!("wrote {}", args.out.display())?;
        }
        "geojson" | "csv" | "all" => {
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            if args.format != "csv" {
                for layer in SpatialLayer::ALL {
                    let path = args.out.join(format!("{}.geojson", layer.as_str()));
                    write_new(
                        &path,
                        &bonifica_interchange::export_geojson(&dataset, layer),
                        args.force,
                    )?;
                }
            }
            if args.format != "geojson" {
                for table in Table::ALL {
                    let text = bonifica_interchange::export_csv(&dataset, table)?;
                    let path = args.out.join(format!("{}.csv", table.as_str()));
                    write_new(&path, &text, args.force)?;
                }
            }
        }
        other => {
            return Err(Failure::Usage(format!(
                "unknown export format {other:?}: use geojson, csv, all or gpkg"
            ))
            .into());
        }
    }
    Ok(())
}

pub fn summary(args: &SummaryArgs) -> anyhow::Result<()> {
    let store = open_store(&args.region_file)?;
    let dataset = store.load().context("reading the register")?;
    let as_of = args
        .as_of
        .or_else(|| dataset.contracts.iter().map(|c| c.window.start()).min())
        .unwrap_or_else(today);
    let s = dataset.summary(as_of);
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&s)?)?;
    } else {
        print!("{}", render_summary(&args.region_file, &s, as_of));
    }
    Ok(())
}

fn render_summary(file: &Path, s: &Summary, as_of: Date) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", file.display());
    let _ = writeln!(
        out,
        "  regions {:>8}   organisations {:>5}",
        s.regions, s.organisations
    );
    let _ = writeln!(
        out,
        "  settlements {:>4}   population {:>12}",
        s.settlements, s.population
    );
    let _ = writeln!(out, "hazard areas {:>6}", s.hazard_areas);
    for (class, by_status) in &s.hazard_km2 {
        let total: f64 = by_status.values().sum::<f64>() + 0.0;
        let parts: Vec<String> = by_status
            .iter()
            .map(|(st, km2)| format!("{st} {km2:.2}"))
            .collect();
        let _ = writeln!(out, "  {class} {total:>10.2} km²   ({})", parts.join(", "));
    }
    let _ = writeln!(
        out,
        "assets {:>12}   damaged {:>6}",
        s.assets, s.damaged_assets
    );
    let _ = writeln!(out, "  damaged road {:>8.1} km", s.damaged_road_km);
    let _ = writeln!(out, "  damaged rail {:>8.1} km", s.damaged_rail_km);
    let _ = writeln!(
        out,
        "workforce {:>9}   deminers {:>5}   workers {:>5}",
        s.people, s.deminers, s.workers
    );
    let _ = writeln!(out, "  teams {:>11}   crews {:>8}", s.teams, s.crews);
    let _ = writeln!(out, "  contracts {:>7}", s.contracts);
    if let (Some(first), Some(last)) = (s.first_contract_start, s.last_contract_end) {
        let _ = writeln!(out, "  contract dates     {first} to {last}");
    }
    let [d30, d60, d90] = s.contracts_ending_30_60_90;
    let _ = writeln!(
        out,
        "  ending after {as_of}: {d30} within 30 days, {d60} within 60, {d90} within 90"
    );
    out
}

enum Target {
    Layer(SpatialLayer),
    Table(Table),
}

fn layer_of(name: &str) -> anyhow::Result<Target> {
    let name = name.replace('-', "_");
    if let Some(layer) = SpatialLayer::parse(&name) {
        return Ok(Target::Layer(layer));
    }
    if let Some(table) = Table::parse(&name) {
        return Ok(Target::Table(table));
    }
    let layers: Vec<&str> = SpatialLayer::ALL.iter().map(|l| l.as_str()).collect();
    let tables: Vec<&str> = Table::ALL.iter().map(|t| t.as_str()).collect();
    Err(Failure::Usage(format!(
        "unknown layer {name:?}: use one of {} (GeoJSON) or {} (CSV)",
        layers.join(", "),
        tables.join(", ")
    ))
    .into())
}

fn base_mapping(name: &str) -> anyhow::Result<FieldMapping> {
    match name {
        "bonifica" => Ok(FieldMapping::bonifica()),
        "openstreetmap" | "osm" => Ok(FieldMapping::openstreetmap()),
        "natural_earth" | "naturalearth" => Ok(FieldMapping::natural_earth()),
        other => Err(Failure::Usage(format!(
            "unknown mapping {other:?}: use bonifica, openstreetmap or natural_earth"
        ))
        .into()),
    }
}

fn merge(into: &mut Dataset, more: Dataset) {
    into.regions.extend(more.regions);
    into.organisations.extend(more.organisations);
    into.people.extend(more.people);
    into.contracts.extend(more.contracts);
    into.teams.extend(more.teams);
    into.crews.extend(more.crews);
    into.settlements.extend(more.settlements);
    into.hazard_areas.extend(more.hazard_areas);
    into.assets.extend(more.assets);
    into.rivers.extend(more.rivers);
}

fn open_or_create(path: &Path) -> anyhow::Result<Box<dyn Backend>> {
    let location = path.to_string_lossy();
    if bonifica_store::is_database_url(&location) || path.exists() {
        open_store(path)
    } else {
        bonifica_store::create(&location, false)
            .with_context(|| format!("creating {}", path.display()))
    }
}

fn write_new(path: &Path, text: &str, force: bool) -> anyhow::Result<()> {
    if path.exists() && !force {
        return Err(Failure::Exists(format!(
            "{} already exists (use --force to overwrite it)",
            path.display()
        ))
        .into());
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    crate::outln!("wrote {}", path.display())?;
    Ok(())
}

/// Today's date, for commands whose user did not give one. Only the binary reads the clock.
fn today() -> Date {
    chrono::Local::now().date_naive()
}
