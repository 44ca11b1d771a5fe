//! The planner's configuration: productivity by method and ground, survey shares, the
//! gating buffer, travel, staffing, the objective's weights and the forecast's spread.
//!
//! Every field has a default taken from `DOMAIN.md` (sources in `docs/planner.md`); a
//! programme overrides any of them in a TOML file read by [`PlannerConfig::from_toml`].
//! Unknown keys are refused, so a misspelt override cannot silently do nothing.

use std::collections::BTreeMap;

use bonifica_model::{AssetKind, Contamination, Method, Terrain, Vegetation};
use serde::{Deserialize, Serialize};

use crate::error::PlannerError;

/// Everything the planner can be told; `PlannerConfig::default()` is the documented
/// starting point.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlannerConfig {
    pub productivity: Productivity,
    pub survey: Survey,
    pub gating: GatingConfig,
    pub travel: Travel,
    pub staffing: Staffing,
    pub objective: ObjectiveWeights,
    pub forecast: ForecastConfig,
}

impl PlannerConfig {
    /// Reads a configuration from TOML; missing keys keep their defaults. Errors name the
    /// key and its line.
    pub fn from_toml(text: &str) -> Result<PlannerConfig, PlannerError> {
        let config: PlannerConfig =
            toml::from_str(text).map_err(|e| PlannerError::Config(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Refuses values that would make durations or travel meaningless.
    pub fn check(&self) -> Result<(), PlannerError> {
        let p = &self.productivity;
        let positive = [
            (
                "productivity.manual_m2_per_deminer_day",
                p.manual_m2_per_deminer_day,
            ),
            (
                "productivity.mdd_m2_per_dog_pair_day",
                p.mdd_m2_per_dog_pair_day,
            ),
            (
                "productivity.mechanical_m2_per_machine_day",
                p.mechanical_m2_per_machine_day,
            ),
            ("productivity.bac_m2_per_team_day", p.bac_m2_per_team_day),
            ("productivity.eod_m2_per_team_day", p.eod_m2_per_team_day),
            ("productivity.ts_speed_factor", p.ts_speed_factor),
            (
                "survey.nts_m2_per_team_day",
                self.survey.nts_m2_per_team_day,
            ),
            ("travel.zone_size_m", self.travel.zone_size_m),
            ("travel.km_per_day", self.travel.km_per_day),
        ];
        for (key, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(PlannerError::Invalid {
                    key,
                    value: value.to_string(),
                    reason: "must be a positive number",
                });
            }
        }
        let shares = [
            ("survey.cancelled_share", self.survey.cancelled_share),
            ("survey.reduced_share", self.survey.reduced_share),
            ("staffing.min_staff_share", self.staffing.min_staff_share),
        ];
        for (key, value) in shares {
            if !(0.0..=1.0).contains(&value) {
                return Err(PlannerError::Invalid {
                    key,
                    value: value.to_string(),
                    reason: "must lie between 0 and 1",
                });
            }
        }
        if !(self.gating.buffer_m.is_finite() && self.gating.buffer_m >= 0.0) {
            return Err(PlannerError::Invalid {
                key: "gating.buffer_m",
                value: self.gating.buffer_m.to_string(),
                reason: "must be zero or more metres",
            });
        }
        Ok(())
    }
}

/// Demining productivity, in m² per day per unit, before the ground multipliers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Productivity {
    /// Manual clearance, per deminer (10–50; HALO Trust, NATO SFOR Bosnia 2001).
    pub manual_m2_per_deminer_day: f64,
    /// Mine detection dogs, per pair of dogs (800–900; NATO SFOR Bosnia 2001).
    pub mdd_m2_per_dog_pair_day: f64,
    /// Flail or tiller, per machine (5,000–7,000; vendor figures, Ukraine 2025).
    pub mechanical_m2_per_machine_day: f64,
    /// Battle area clearance, per team (assumption: a BAC team sweeps a UXO area with
    /// large-loop detectors about ten times faster than a manual team prods for mines).
    pub bac_m2_per_team_day: f64,
    /// EOD spot tasks, per team: a small area (up to this size) takes one day.
    pub eod_m2_per_team_day: f64,
    /// Technical survey covers ground this many times faster than clearance (it samples).
    pub ts_speed_factor: f64,
    pub terrain: TerrainFactors,
    pub vegetation: VegetationFactors,
    pub contamination: ContaminationFactors,
}

impl Default for Productivity {
    fn default() -> Productivity {
        Productivity {
            manual_m2_per_deminer_day: 30.0,
            mdd_m2_per_dog_pair_day: 850.0,
            mechanical_m2_per_machine_day: 6_000.0,
            bac_m2_per_team_day: 3_000.0,
            eod_m2_per_team_day: 2_000.0,
            ts_speed_factor: 3.0,
            terrain: TerrainFactors::default(),
            vegetation: VegetationFactors::default(),
            contamination: ContaminationFactors::default(),
        }
    }
}

/// Productivity multipliers by terrain (assumptions, see `docs/planner.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TerrainFactors {
    pub flat: f64,
    pub rolling: f64,
    pub steep: f64,
    pub wetland: f64,
    pub urban: f64,
}

impl Default for TerrainFactors {
    fn default() -> TerrainFactors {
        TerrainFactors {
            flat: 1.0,
            rolling: 0.85,
            steep: 0.6,
            wetland: 0.5,
            urban: 0.7,
        }
    }
}

impl TerrainFactors {
    pub fn of(&self, t: Terrain) -> f64 {
        match t {
            Terrain::Flat => self.flat,
            Terrain::Rolling => self.rolling,
            Terrain::Steep => self.steep,
            Terrain::Wetland => self.wetland,
            Terrain::Urban => self.urban,
        }
    }
}

/// Productivity multipliers by vegetation, for manual and dog teams (machines cut it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VegetationFactors {
    pub none: f64,
    pub light: f64,
    pub medium: f64,
    pub heavy: f64,
}

impl Default for VegetationFactors {
    fn default() -> VegetationFactors {
        VegetationFactors {
            none: 1.0,
            light: 0.9,
            medium: 0.7,
            heavy: 0.5,
        }
    }
}

impl VegetationFactors {
    pub fn of(&self, v: Vegetation) -> f64 {
        match v {
            Vegetation::Bare => self.none,
            Vegetation::Light => self.light,
            Vegetation::Medium => self.medium,
            Vegetation::Heavy => self.heavy,
        }
    }
}

/// Productivity multipliers by contamination type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContaminationFactors {
    pub ap_mines: f64,
    pub av_mines: f64,
    pub uxo: f64,
    pub cluster_munitions: f64,
    pub ied: f64,
    pub abandoned_ordnance: f64,
    pub mixed: f64,
}

impl Default for ContaminationFactors {
    fn default() -> ContaminationFactors {
        ContaminationFactors {
            ap_mines: 1.0,
            av_mines: 1.2,
            uxo: 1.2,
            cluster_munitions: 0.8,
            ied: 0.5,
            abandoned_ordnance: 1.5,
            mixed: 0.8,
        }
    }
}

impl ContaminationFactors {
    pub fn of(&self, c: Contamination) -> f64 {
        match c {
            Contamination::AntiPersonnelMines => self.ap_mines,
            Contamination::AntiVehicleMines => self.av_mines,
            Contamination::Uxo => self.uxo,
            Contamination::ClusterMunitions => self.cluster_munitions,
            Contamination::Ied => self.ied,
            Contamination::AbandonedOrdnance => self.abandoned_ordnance,
            Contamination::Mixed => self.mixed,
        }
    }
}

/// Survey: how fast non-technical survey goes and what survey is expected to release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Survey {
    /// Non-technical survey, m² per team per day (at least one day per area).
    pub nts_m2_per_team_day: f64,
    /// Expected share of a suspected area that NTS cancels.
    pub cancelled_share: f64,
    /// Expected share of what NTS leaves that technical survey reduces.
    pub reduced_share: f64,
    /// Areas up to this size may be cleared by an EOD team as a spot task.
    pub eod_small_area_m2: f64,
}

impl Default for Survey {
    fn default() -> Survey {
        Survey {
            nts_m2_per_team_day: 250_000.0,
            cancelled_share: 0.6,
            reduced_share: 0.5,
            eod_small_area_m2: 2_000.0,
        }
    }
}

/// Gating: the working buffer around an asset's footprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatingConfig {
    pub buffer_m: f64,
}

impl Default for GatingConfig {
    fn default() -> GatingConfig {
        GatingConfig { buffer_m: 50.0 }
    }
}

/// Travel between sites. Sites are zones: square cells of the local projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Travel {
    /// Side of a zone, metres.
    pub zone_size_m: f64,
    /// Moves up to this distance cost no day (done the evening before).
    pub same_day_km: f64,
    /// Beyond `same_day_km`, one travel day per this many kilometres, rounded up.
    pub km_per_day: f64,
}

impl Default for Travel {
    fn default() -> Travel {
        Travel {
            zone_size_m: 5_000.0,
            same_day_km: 20.0,
            km_per_day: 150.0,
        }
    }
}

impl Travel {
    /// Whole travel days for a move of `km` kilometres.
    pub fn days_for_km(&self, km: f64) -> i64 {
        if km <= self.same_day_km {
            0
        } else {
            ((km - self.same_day_km) / self.km_per_day).ceil() as i64
        }
    }
}

/// When a team or crew counts as available.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Staffing {
    /// Share of members that must be under contract on a day (the team leader too).
    pub min_staff_share: f64,
}

impl Default for Staffing {
    fn default() -> Staffing {
        Staffing {
            min_staff_share: 0.75,
        }
    }
}

/// The weights of the service-restoration objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObjectiveWeights {
    /// Multiplier on the service value of critical services (power, water, heating, rail).
    pub critical_multiplier: f64,
    /// Hazard areas within this distance of a settlement carry a risk weight.
    pub risk_distance_m: f64,
    /// Risk weight per inhabitant of a nearby settlement (per day the area stays open).
    pub risk_weight_per_person: f64,
    /// A deferred asset or hazard counts as done this many days after the horizon.
    pub deferred_penalty_days: i64,
    /// Multipliers on asset weights, by asset kind word (`bridge`) or asset code.
    pub priority_multipliers: BTreeMap<String, f64>,
}

impl Default for ObjectiveWeights {
    fn default() -> ObjectiveWeights {
        ObjectiveWeights {
            critical_multiplier: 1.5,
            risk_distance_m: 1_000.0,
            risk_weight_per_person: 0.05,
            deferred_penalty_days: 365,
            priority_multipliers: BTreeMap::new(),
        }
    }
}

impl ObjectiveWeights {
    /// True for the services the objective weighs as critical.
    pub fn is_critical(kind: AssetKind) -> bool {
        matches!(
            kind,
            AssetKind::PowerLine
                | AssetKind::Substation
                | AssetKind::WaterWorks
                | AssetKind::HeatingWorks
                | AssetKind::RailwaySegment
        )
    }
}

/// The Monte Carlo forecast: triangular multipliers around 1 on productivity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastConfig {
    pub samples: usize,
    /// Programme-wide multiplier per method: lowest and highest value.
    pub method_low: f64,
    pub method_high: f64,
    /// Per work item multiplier: lowest and highest value.
    pub item_low: f64,
    pub item_high: f64,
    /// The cancelled and reduced shares vary by this much either way.
    pub share_spread: f64,
}

impl Default for ForecastConfig {
    fn default() -> ForecastConfig {
        ForecastConfig {
            samples: 50,
            method_low: 0.6,
            method_high: 1.25,
            item_low: 0.8,
            item_high: 1.2,
            share_spread: 0.15,
        }
    }
}

/// Index of a method in per-method arrays.
pub fn method_index(m: Method) -> usize {
    match m {
        Method::Manual => 0,
        Method::Mechanical => 1,
        Method::MineDetectionDogs => 2,
        Method::BattleAreaClearance => 3,
        Method::Eod => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_toml_gives_the_defaults() {
        assert_eq!(
            PlannerConfig::from_toml("").ok(),
            Some(PlannerConfig::default())
        );
    }

    #[test]
    fn overrides_keep_other_defaults() {
        let c = PlannerConfig::from_toml(
            "[productivity]\nmanual_m2_per_deminer_day = 20\n[gating]\nbuffer_m = 100\n",
        )
        .expect("valid config");
        assert_eq!(c.productivity.manual_m2_per_deminer_day, 20.0);
        assert_eq!(c.gating.buffer_m, 100.0);
        assert_eq!(c.survey, Survey::default());
    }

    #[test]
    fn unknown_and_bad_keys_are_named() {
        let err =
            PlannerConfig::from_toml("[productivity]\nmanual_m2 = 20\n").expect_err("unknown key");
        assert!(err.to_string().contains("manual_m2"), "{err}");
        let err = PlannerConfig::from_toml("[survey]\ncancelled_share = 1.5\n")
            .expect_err("share above one");
        assert!(err.to_string().contains("survey.cancelled_share"), "{err}");
    }

    #[test]
    fn travel_days_follow_the_rule() {
        let t = Travel::default();
        assert_eq!(t.days_for_km(19.0), 0);
        assert_eq!(t.days_for_km(21.0), 1);
        assert_eq!(t.days_for_km(170.0), 1);
        assert_eq!(t.days_for_km(171.0), 2);
    }
}
