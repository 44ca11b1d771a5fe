//! Codes of the records that exported lines and features refer to. Exports write a
//! reference as the record's code, which a person can read; an id not in the dataset is
//! written as is, which the importer also accepts.

use std::collections::HashMap;

use bonifica_model::{Code, Dataset};
use uuid::Uuid;

/// The codes of every record others can refer to, by id.
pub(crate) struct Codes<'a> {
    regions: HashMap<Uuid, &'a Code>,
    organisations: HashMap<Uuid, &'a Code>,
    people: HashMap<Uuid, &'a Code>,
    assets: HashMap<Uuid, &'a Code>,
}

impl<'a> Codes<'a> {
    pub(crate) fn new(dataset: &'a Dataset) -> Codes<'a> {
        Codes {
            regions: dataset.regions.iter().map(|r| (r.id, &r.code)).collect(),
            organisations: dataset
                .organisations
                .iter()
                .map(|r| (r.id, &r.code))
                .collect(),
            people: dataset.people.iter().map(|r| (r.id, &r.code)).collect(),
            assets: dataset.assets.iter().map(|r| (r.id, &r.code)).collect(),
        }
    }

    pub(crate) fn region(&self, id: Uuid) -> String {
        code_of(&self.regions, id)
    }

    pub(crate) fn organisation(&self, id: Uuid) -> String {
        code_of(&self.organisations, id)
    }

    pub(crate) fn person(&self, id: Uuid) -> String {
        code_of(&self.people, id)
    }

    pub(crate) fn asset(&self, id: Uuid) -> String {
        code_of(&self.assets, id)
    }

    /// Codes of several people, `;`-separated as the CSV tables write lists.
    pub(crate) fn people(&self, ids: &[Uuid]) -> String {
        ids.iter()
            .map(|id| self.person(*id))
            .collect::<Vec<_>>()
            .join(";")
    }
}

fn code_of(codes: &HashMap<Uuid, &Code>, id: Uuid) -> String {
    codes
        .get(&id)
        .map_or_else(|| id.to_string(), |c| c.to_string())
}
