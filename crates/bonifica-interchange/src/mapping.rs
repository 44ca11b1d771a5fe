//! Field mappings: which GeoJSON property holds each of Bonifica's fields.
//!
//! Other people's files name things their own way (`name:en`, `NAME`, `POP_MAX`). A
//! [`FieldMapping`] says, for each [`Field`], which properties to try in order. A source
//! that starts with `/` is a JSON pointer into the properties, for values nested deeper
//! (`/@relations/0/reltags/name` in OpenStreetMap extracts). Bonifica's own export uses
//! the field names themselves, which is [`FieldMapping::bonifica`].

use std::collections::BTreeMap;

use crate::error::InterchangeError;

/// A field of a spatial record that a GeoJSON property can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Code,
    Name,
    Region,
    Organisation,
    Population,
    Classification,
    Status,
    ClosureReason,
    Contamination,
    DensityPerHa,
    Terrain,
    Vegetation,
    ClearanceDepthCm,
    Evidence,
    Restricted,
    Version,
    AsOf,
    Kind,
    Damage,
    Repair,
    PopulationServed,
    NetworkShare,
    DependsOn,
    Restored,
}

impl Field {
    /// Every field, in the order Bonifica writes them.
    pub const ALL: &'static [Field] = &[
        Field::Id,
        Field::Code,
        Field::Name,
        Field::Region,
        Field::Organisation,
        Field::Population,
        Field::Classification,
        Field::Status,
        Field::ClosureReason,
        Field::Contamination,
        Field::DensityPerHa,
        Field::Terrain,
        Field::Vegetation,
        Field::ClearanceDepthCm,
        Field::Evidence,
        Field::Restricted,
        Field::Version,
        Field::AsOf,
        Field::Kind,
        Field::Damage,
        Field::Repair,
        Field::PopulationServed,
        Field::NetworkShare,
        Field::DependsOn,
        Field::Restored,
    ];

    /// The property name in Bonifica's own export, also the key in `key=property` pairs.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Code => "code",
            Field::Name => "name",
            Field::Region => "region_code",
            Field::Organisation => "organisation_code",
            Field::Population => "population",
            Field::Classification => "classification",
            Field::Status => "status",
            Field::ClosureReason => "closure_reason",
            Field::Contamination => "contamination",
            Field::DensityPerHa => "density_per_ha",
            Field::Terrain => "terrain",
            Field::Vegetation => "vegetation",
            Field::ClearanceDepthCm => "clearance_depth_cm",
            Field::Evidence => "evidence",
            Field::Restricted => "restricted",
            Field::Version => "version",
            Field::AsOf => "as_of",
            Field::Kind => "kind",
            Field::Damage => "damage",
            Field::Repair => "repair",
            Field::PopulationServed => "population_served",
            Field::NetworkShare => "network_share",
            Field::DependsOn => "depends_on",
            Field::Restored => "restored",
        }
    }

    /// Parses a field name; `region` and `organisation` are accepted as short forms.
    pub fn parse(text: &str) -> Option<Field> {
        match text {
            "region" => Some(Field::Region),
            "organisation" => Some(Field::Organisation),
            _ => Field::ALL.iter().copied().find(|f| f.as_str() == text),
        }
    }

    /// The accepted field names, for error messages.
    pub fn words() -> String {
        Field::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// For each field, the properties to try in order; the first present, non-null one wins.
/// A field mapped to no property is never read (its default applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMapping {
    sources: BTreeMap<Field, Vec<String>>,
}

impl Default for FieldMapping {
    fn default() -> Self {
        FieldMapping::bonifica()
    }
}

impl FieldMapping {
    /// Bonifica's own export: every field in the property of the same name.
    pub fn bonifica() -> FieldMapping {
        let sources = Field::ALL
            .iter()
            .map(|f| (*f, vec![f.as_str().to_string()]))
            .collect();
        FieldMapping { sources }
    }

    /// OpenStreetMap extracts (settlements, raions, oblasts): English name when there is
    /// one, then the local name, then the name of the relation a label node belongs to.
    /// The `id` property is not read: OSM ids (`relation/123`) are not Bonifica ids.
    pub fn openstreetmap() -> FieldMapping {
        FieldMapping::bonifica().with(Field::Id, &[]).with(
            Field::Name,
            &[
                "name:en",
                "name",
                "/@relations/0/reltags/name:en",
                "/@relations/0/reltags/name",
            ],
        )
    }

    /// Natural Earth layers: populated places (`NAME`, `POP_MAX`) and rivers (`name`).
    /// Their numeric `id` properties are not Bonifica ids.
    pub fn natural_earth() -> FieldMapping {
        FieldMapping::bonifica()
            .with(Field::Id, &[])
            .with(Field::Name, &["name_en", "NAME", "name"])
            .with(Field::Population, &["POP_MAX", "population"])
    }

    /// Replaces the sources of one field.
    pub fn with(mut self, field: Field, sources: &[&str]) -> FieldMapping {
        let sources = sources.iter().map(|s| s.to_string()).collect();
        self.sources.insert(field, sources);
        self
    }

    /// The properties tried for `field`, in order.
    pub fn sources(&self, field: Field) -> &[String] {
        self.sources.get(&field).map_or(&[], Vec::as_slice)
    }

    /// Applies `key=property` pairs (as given with `--map`) on top of this mapping. Several
    /// properties can be tried in order with `|` (`name=name:en|name`); an empty right side
    /// (`id=`) stops the field from being read.
    pub fn with_pairs<S: AsRef<str>>(
        mut self,
        pairs: &[S],
    ) -> Result<FieldMapping, InterchangeError> {
        for pair in pairs {
            let pair = pair.as_ref();
            let err = |problem: String| InterchangeError::Mapping {
                pair: pair.to_string(),
                problem,
            };
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| err("expected key=property".to_string()))?;
            let field = Field::parse(key.trim()).ok_or_else(|| {
                err(format!(
                    "unknown field {:?}, expected one of {}",
                    key.trim(),
                    Field::words()
                ))
            })?;
            let sources: Vec<&str> = value
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            self = self.with(field, &sources);
        }
        Ok(self)
    }

    /// Finds the first mapped value of `field` among `properties`, with the property name
    /// it came from. JSON `null` counts as absent.
    pub fn lookup<'a>(
        &self,
        field: Field,
        properties: &'a serde_json::Map<String, serde_json::Value>,
    ) -> Option<(&str, &'a serde_json::Value)> {
        self.sources(field).iter().find_map(|source| {
            let value = if source.starts_with('/') {
                pointer(properties, source)
            } else {
                properties.get(source)
            };
            match value {
                None | Some(serde_json::Value::Null) => None,
                Some(v) => Some((source.as_str(), v)),
            }
        })
    }
}

fn pointer<'a>(
    properties: &'a serde_json::Map<String, serde_json::Value>,
    path: &str,
) -> Option<&'a serde_json::Value> {
    let rest = path.strip_prefix('/')?;
    let (first, tail) = match rest.split_once('/') {
        Some((first, tail)) => (first, Some(tail)),
        None => (rest, None),
    };
    let first = properties.get(&unescape(first))?;
    match tail {
        Some(tail) => first.pointer(&format!("/{tail}")),
        None => Some(first),
    }
}

/// JSON pointer escapes (RFC 6901): `~1` is `/`, `~0` is `~`.
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        match v {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        }
    }

    #[test]
    fn pairs_override_sources_in_order() {
        let m = FieldMapping::bonifica()
            .with_pairs(&["name=name:en|name", "population=population", "id="])
            .expect("valid pairs");
        assert_eq!(m.sources(Field::Name), ["name:en", "name"]);
        assert!(m.sources(Field::Id).is_empty());
        let p = props(json!({"name": "Липці", "name:en": null}));
        assert_eq!(m.lookup(Field::Name, &p), Some(("name", &json!("Липці"))));
    }

    #[test]
    fn bad_pairs_are_named() {
        let err = FieldMapping::bonifica()
            .with_pairs(&["colour=red"])
            .expect_err("unknown field");
        assert!(
            err.to_string()
                .starts_with("field mapping \"colour=red\": unknown field \"colour\"")
        );
        assert!(FieldMapping::bonifica().with_pairs(&["name"]).is_err());
    }

    #[test]
    fn pointers_reach_nested_values() {
        let m = FieldMapping::openstreetmap();
        let p = props(json!({"@relations": [{"reltags": {"name": "Харків"}}]}));
        assert_eq!(
            m.lookup(Field::Name, &p).map(|(_, v)| v),
            Some(&json!("Харків"))
        );
    }
}
