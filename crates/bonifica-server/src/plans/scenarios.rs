//! Scenario files: `NAME.toml` in the server's scenario folders ([`AppState::scenario_dirs`]),
//! listed for `GET /api/scenarios` and looked up by name when a plan is started.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bonifica_model::Dataset;
use bonifica_planner::Scenario;

use crate::error::ApiError;
use crate::plans::wire::{ScenarioIn, ScenarioOut};

/// Every scenario file in `dirs`, by name; a name found twice is the first folder's.
/// Files that do not read as scenarios are logged and left out.
pub fn list(dirs: &[PathBuf]) -> Vec<ScenarioOut> {
    let mut found: BTreeMap<String, ScenarioOut> = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            match read(&path, false) {
                Ok(s) => {
                    found.entry(s.name.clone()).or_insert_with(|| out(&s));
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e.detail, "scenario left out")
                }
            }
        }
    }
    found.into_values().collect()
}

/// The wire form of a scenario.
pub fn out(s: &Scenario) -> ScenarioOut {
    ScenarioOut {
        name: s.name.clone(),
        deminers_factor: s.deminers_factor,
        workers_factor: s.workers_factor,
        contract_extension_days: s.contract_extension_days,
        priority: s.priority.clone(),
    }
}

/// The scenario a plan request names: `None` for `base`, a file looked up by name, or
/// the scenario written out in the request. Errors are 422 on `scenario`.
pub fn resolve(input: Option<ScenarioIn>, dirs: &[PathBuf]) -> Result<Option<Scenario>, ApiError> {
    match input {
        None => Ok(None),
        Some(ScenarioIn::Name(name)) if name == "base" => Ok(None),
        Some(ScenarioIn::Name(name)) => by_name(&name, dirs).map(Some),
        Some(ScenarioIn::Inline(s)) => inline(s).map(Some),
    }
}

fn inline(s: ScenarioOut) -> Result<Scenario, ApiError> {
    let name = s.name.trim();
    if name.is_empty() {
        return Err(ApiError::field("scenario.name", "must not be empty"));
    }
    for (field, v) in [
        ("scenario.deminers_factor", s.deminers_factor),
        ("scenario.workers_factor", s.workers_factor),
    ] {
        crate::wire::in_range(field, v, 0.0, 10.0)?;
    }
    if !(0..=3650).contains(&s.contract_extension_days) {
        return Err(ApiError::field(
            "scenario.contract_extension_days",
            format!("{} is out of range 0..=3650", s.contract_extension_days),
        ));
    }
    if let Some((k, v)) = s
        .priority
        .iter()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(ApiError::field(
            format!("scenario.priority.{k}"),
            format!("{v} must be zero or more"),
        ));
    }
    Ok(Scenario {
        name: name.to_string(),
        deminers_factor: s.deminers_factor,
        workers_factor: s.workers_factor,
        contract_extension_days: s.contract_extension_days,
        priority: s.priority,
        ..Scenario::default()
    })
}

fn by_name(name: &str, dirs: &[PathBuf]) -> Result<Scenario, ApiError> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !plain {
        return Err(ApiError::field(
            "scenario",
            format!("{name:?} is not a scenario name (letters, digits, - and _)"),
        ));
    }
    let file = format!("{name}.toml");
    let Some(path) = dirs.iter().map(|d| d.join(&file)).find(|p| p.is_file()) else {
        return Err(ApiError::field(
            "scenario",
            format!("no scenario named {name:?}: see GET /api/scenarios"),
        ));
    };
    let mut scenario = read(&path, true)?;
    if scenario.name.is_empty() || scenario.name == "base" {
        scenario.name = name.to_string();
    }
    Ok(scenario)
}

/// Reads a scenario file and, `with_region`, the extra region it adds.
fn read(path: &Path, with_region: bool) -> Result<Scenario, ApiError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::field("scenario", format!("reading {stem}.toml: {e}")))?;
    let mut scenario = Scenario::from_toml(&text)
        .map_err(|e| ApiError::field("scenario", format!("{stem}.toml: {e}")))?;
    if scenario.name.is_empty() || scenario.name == "base" {
        scenario.name = stem.clone();
    }
    if let Some(extra) = scenario.add_region.as_ref().filter(|_| with_region) {
        let extra_path = path.parent().unwrap_or(Path::new(".")).join(extra);
        scenario.extra_region = Some(load(&extra_path).map_err(|e| {
            ApiError::field("scenario", format!("{stem}.toml: region {extra}: {e}"))
        })?);
    }
    Ok(scenario)
}

fn load(path: &Path) -> Result<Dataset, bonifica_store::StoreError> {
    bonifica_store::open(&path.to_string_lossy())?.load()
}
