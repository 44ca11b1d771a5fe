//! Hazard areas: polygons of land suspected or confirmed to hold explosive ordnance, with
//! what the field knows about them.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Date;
use crate::geometry::Polygonal;
use crate::ids::Code;
use crate::release::{HazardStatus, IllegalTransition, ReleaseEvent, ReleaseState};

/// IMAS classification of a hazard area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Classification {
    /// Suspected hazardous area: indirect evidence, needs survey.
    #[serde(rename = "SHA")]
    Sha,
    /// Confirmed hazardous area: direct evidence.
    #[serde(rename = "CHA")]
    Cha,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Sha => "SHA",
            Classification::Cha => "CHA",
        }
    }

    pub fn parse(text: &str) -> Option<Classification> {
        match text {
            "SHA" | "sha" => Some(Classification::Sha),
            "CHA" | "cha" => Some(Classification::Cha),
            _ => None,
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $word)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word as stored and exchanged.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Parses the stored word.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($word => Some($name::$variant),)+ _ => None }
            }

            /// The accepted words, for error messages.
            pub fn words() -> String {
                [$($word),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

word_enum! {
    /// What kind of explosive ordnance contaminates an area.
    Contamination {
        AntiPersonnelMines => "ap_mines",
        AntiVehicleMines => "av_mines",
        Uxo => "uxo",
        ClusterMunitions => "cluster_munitions",
        Ied => "ied",
        AbandonedOrdnance => "abandoned_ordnance",
        Mixed => "mixed",
    }
}

word_enum! {
    /// Ground the teams have to work on; it drives productivity.
    Terrain {
        Flat => "flat",
        Rolling => "rolling",
        Steep => "steep",
        Wetland => "wetland",
        Urban => "urban",
    }
}

word_enum! {
    /// Vegetation cover; heavy vegetation slows manual and dog teams.
    Vegetation {
        Bare => "none",
        Light => "light",
        Medium => "medium",
        Heavy => "heavy",
    }
}

/// A hazard area: a polygon with its classification, status and what is known of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardArea {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    /// The organisation that recorded or works the area.
    pub organisation_id: Option<Uuid>,
    geometry: Polygonal,
    state: ReleaseState,
    pub contamination: Contamination,
    /// Estimated explosive ordnance items per hectare.
    pub density_per_ha: f64,
    pub terrain: Terrain,
    pub vegetation: Vegetation,
    /// Clearance depth required, in centimetres (set nationally, e.g. 13 cm).
    pub clearance_depth_cm: u32,
    pub evidence: String,
    /// Restricted areas (military sites) are visible only to entitled roles.
    pub restricted: bool,
    /// Version number, raised by every change; 1 when recorded.
    pub version: u32,
    /// The date of information of this version.
    pub as_of: Date,
}

/// The facts needed to record a new hazard area.
#[derive(Debug, Clone)]
pub struct NewHazardArea {
    pub id: Uuid,
    pub code: Code,
    pub region_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub geometry: Polygonal,
    pub classification: Classification,
    pub contamination: Contamination,
    pub density_per_ha: f64,
    pub terrain: Terrain,
    pub vegetation: Vegetation,
    pub clearance_depth_cm: u32,
    pub evidence: String,
    pub restricted: bool,
    pub as_of: Date,
}

impl HazardArea {
    /// Records a new, open hazard area.
    pub fn new(new: NewHazardArea) -> HazardArea {
        HazardArea {
            id: new.id,
            code: new.code,
            region_id: new.region_id,
            organisation_id: new.organisation_id,
            geometry: new.geometry,
            state: ReleaseState::new(new.classification),
            contamination: new.contamination,
            density_per_ha: new.density_per_ha,
            terrain: new.terrain,
            vegetation: new.vegetation,
            clearance_depth_cm: new.clearance_depth_cm,
            evidence: new.evidence,
            restricted: new.restricted,
            version: 1,
            as_of: new.as_of,
        }
    }

    /// Rebuilds a hazard area exactly as it was recorded, state included: a store reading
    /// its own rows, or an import of Bonifica's own export. The status is taken as recorded,
    /// not re-derived; new areas start with [`HazardArea::new`] and change state only
    /// through [`HazardArea::apply`].
    pub fn restore(new: NewHazardArea, status: HazardStatus, version: u32) -> HazardArea {
        let mut area = HazardArea::new(new);
        area.state.status = status;
        area.version = version;
        area
    }

    pub fn geometry(&self) -> &Polygonal {
        &self.geometry
    }

    pub fn state(&self) -> ReleaseState {
        self.state
    }

    pub fn classification(&self) -> Classification {
        self.state.classification
    }

    pub fn status(&self) -> HazardStatus {
        self.state.status
    }

    /// Geodesic area, in square metres.
    pub fn area_m2(&self) -> f64 {
        self.geometry.area_m2()
    }

    /// Applies a land-release event on `date`, raising the version.
    pub fn apply(&mut self, event: ReleaseEvent, date: Date) -> Result<(), IllegalTransition> {
        self.state = self.state.apply(event)?;
        self.version += 1;
        self.as_of = date;
        Ok(())
    }

    /// Replaces the polygon (a survey revised it, or part was released), raising the version.
    pub fn reshape(&mut self, geometry: Polygonal, date: Date) {
        self.geometry = geometry;
        self.version += 1;
        self.as_of = date;
    }
}
