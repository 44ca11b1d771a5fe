//! `/api/organisations`, `/api/people`, `/api/contracts`, `/api/teams` and `/api/crews`:
//! the programme's organisations and its contingent. People and contracts are personal
//! data: operations managers see their own organisation's, team leaders their own team's,
//! viewers none.

use bonifica_model::{
    Code, Contract, ContractWindow, Crew, Dataset, Date, Method, Organisation, OrganisationKind,
    Person, RecordKind, Role as FieldRole, Team, Trade,
};
use bonifica_store::{Record, Stamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crud::{Filters, Resource, meets, organisation_ref, region_for};
use crate::error::ApiError;
use crate::resources::crud_handlers;
use crate::wire::{name, parse_point, point_json, word};
use bonifica_app::Model;

macro_rules! record_basics {
    ($field:ident, $variant:ident) => {
        fn all(data: &Dataset) -> &Vec<Self> {
            &data.$field
        }
        fn all_mut(data: &mut Dataset) -> &mut Vec<Self> {
            &mut data.$field
        }
        fn id(&self) -> Uuid {
            self.id
        }
        fn code(&self) -> &Code {
            &self.code
        }
        fn set_code(&mut self, code: Code) {
            self.code = code;
        }
        fn into_record(self) -> Record {
            Record::$variant(self)
        }
        fn wanted_code(input: &Self::In) -> Option<&str> {
            input.code.as_deref()
        }
    };
}

/// An organisation as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub name: String,
    pub kind: String,
    pub version: u32,
}

/// An organisation to record or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationIn {
    pub code: Option<String>,
    pub region_id: Option<Uuid>,
    pub name: String,
    /// civil_authority, defence_ministry, demining_operator, construction_contractor.
    pub kind: String,
}

impl Resource for Organisation {
    const KIND: RecordKind = RecordKind::Organisation;
    const PATH: &'static str = "/api/organisations";
    const FILTERS: &'static [&'static str] = &["kind"];
    type In = OrganisationIn;
    type Out = OrganisationOut;
    record_basics!(organisations, Organisation);

    fn out(&self, stamp: &Stamp) -> OrganisationOut {
        OrganisationOut {
            id: self.id,
            code: self.code.to_string(),
            region_id: self.region_id,
            name: self.name.clone(),
            kind: self.kind.as_str().to_string(),
            version: stamp.version,
        }
    }
    fn build(
        input: OrganisationIn,
        id: Uuid,
        code: Code,
        _: Option<&Organisation>,
        model: &Model,
    ) -> Result<Organisation, ApiError> {
        Ok(Organisation {
            id,
            code,
            region_id: region_for(model, input.region_id)?,
            name: name("name", input.name)?,
            kind: word(
                "kind",
                &input.kind,
                OrganisationKind::parse,
                OrganisationKind::words,
            )?,
        })
    }
    fn matches(&self, f: &Filters) -> bool {
        f.kind.as_deref().is_none_or(|k| k == self.kind.as_str())
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }
}

crud_handlers! {
    resource: Organisation, input: OrganisationIn, output: OrganisationOut, tag: "organisations",
    collection: "/api/organisations", item: "/api/organisations/{id}",
    list: organisations_list, get: organisations_get, create: organisations_create,
    update: organisations_update, delete: organisations_delete,
}

/// A person as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    pub role: String,
    pub trade: Option<String>,
    pub qualifications: Vec<String>,
    pub version: u32,
}

/// A person to record or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    pub code: Option<String>,
    pub region_id: Option<Uuid>,
    /// Organisation id or code.
    pub organisation: String,
    pub name: String,
    /// deminer, team_leader, medic, dog_handler, machine_operator, worker.
    pub role: String,
    /// A reconstruction worker's trade.
    pub trade: Option<String>,
    #[serde(default)]
    pub qualifications: Vec<String>,
}

impl Resource for Person {
    const KIND: RecordKind = RecordKind::Person;
    const PATH: &'static str = "/api/people";
    const FILTERS: &'static [&'static str] = &["organisation"];
    type In = PersonIn;
    type Out = PersonOut;
    record_basics!(people, Person);

    fn out(&self, stamp: &Stamp) -> PersonOut {
        PersonOut {
            id: self.id,
            code: self.code.to_string(),
            region_id: self.region_id,
            organisation_id: self.organisation_id,
            name: self.name.clone(),
            role: self.role.as_str().to_string(),
            trade: self.trade.map(|t| t.as_str().to_string()),
            qualifications: self.qualifications.clone(),
            version: stamp.version,
        }
    }
    fn build(
        input: PersonIn,
        id: Uuid,
        code: Code,
        _: Option<&Person>,
        model: &Model,
    ) -> Result<Person, ApiError> {
        Ok(Person {
            id,
            code,
            region_id: region_for(model, input.region_id)?,
            organisation_id: organisation_ref(model, "organisation", &input.organisation)?,
            name: name("name", input.name)?,
            role: word("role", &input.role, FieldRole::parse, FieldRole::words)?,
            trade: input
                .trade
                .as_deref()
                .map(|t| word("trade", t, Trade::parse, Trade::words))
                .transpose()?,
            qualifications: input.qualifications,
        })
    }
    fn matches(&self, f: &Filters) -> bool {
        f.organisation.is_none_or(|o| o == self.organisation_id)
    }

    fn name(&self) -> Option<&str> {
        Some(&self.name)
    }
}

crud_handlers! {
    resource: Person, input: PersonIn, output: PersonOut, tag: "people",
    collection: "/api/people", item: "/api/people/{id}",
    list: people_list, get: people_get, create: people_create,
    update: people_update, delete: people_delete,
}

/// A contract as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub person_id: Uuid,
    pub organisation_id: Uuid,
    /// First day, included.
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    /// Last day, included.
    #[schema(value_type = String, format = Date)]
    pub end: Date,
    pub version: u32,
}

/// A contract to record or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractIn {
    pub code: Option<String>,
    pub region_id: Option<Uuid>,
    pub person_id: Uuid,
    /// Organisation id or code.
    pub organisation: String,
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[schema(value_type = String, format = Date)]
    pub end: Date,
}

impl Resource for Contract {
    const KIND: RecordKind = RecordKind::Contract;
    const PATH: &'static str = "/api/contracts";
    const FILTERS: &'static [&'static str] = &["organisation"];
    type In = ContractIn;
    type Out = ContractOut;
    record_basics!(contracts, Contract);

    fn out(&self, stamp: &Stamp) -> ContractOut {
        ContractOut {
            id: self.id,
            code: self.code.to_string(),
            region_id: self.region_id,
            person_id: self.person_id,
            organisation_id: self.organisation_id,
            start: self.window.start(),
            end: self.window.end(),
            version: stamp.version,
        }
    }
    fn build(
        input: ContractIn,
        id: Uuid,
        code: Code,
        _: Option<&Contract>,
        model: &Model,
    ) -> Result<Contract, ApiError> {
        if !model.data.people.iter().any(|p| p.id == input.person_id) {
            return Err(ApiError::field(
                "person_id",
                format!("no person {}", input.person_id),
            ));
        }
        Ok(Contract {
            id,
            code,
            region_id: region_for(model, input.region_id)?,
            person_id: input.person_id,
            organisation_id: organisation_ref(model, "organisation", &input.organisation)?,
            window: ContractWindow::new(input.start, input.end)
                .map_err(|e| ApiError::field("end", e.to_string()))?,
        })
    }
    fn matches(&self, f: &Filters) -> bool {
        f.organisation.is_none_or(|o| o == self.organisation_id)
    }
}

crud_handlers! {
    resource: Contract, input: ContractIn, output: ContractOut, tag: "contracts",
    collection: "/api/contracts", item: "/api/contracts/{id}",
    list: contracts_list, get: contracts_get, create: contracts_create,
    update: contracts_update, delete: contracts_delete,
}

/// A demining team or reconstruction crew as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitOut {
    pub id: Uuid,
    pub code: String,
    pub region_id: Uuid,
    pub organisation_id: Uuid,
    pub name: String,
    /// A team's method (manual, mechanical, mdd, bac, eod) or a crew's trade.
    pub kind: String,
    pub members: Vec<Uuid>,
    /// GeoJSON Point, WGS 84.
    #[schema(value_type = Object)]
    pub base: serde_json::Value,
    pub version: u32,
}

/// A team or crew to record or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    pub code: Option<String>,
    pub region_id: Option<Uuid>,
    /// Organisation id or code.
    pub organisation: String,
    pub name: String,
    /// A team's method or a crew's trade.
    pub kind: String,
    #[serde(default)]
    pub members: Vec<Uuid>,
    /// GeoJSON Point, WGS 84.
    #[schema(value_type = Object)]
    pub base: serde_json::Value,
}

struct UnitParts {
    region_id: Uuid,
    organisation_id: Uuid,
    members: Vec<Uuid>,
    base: geo_types::Point<f64>,
}

fn unit_parts(input: &UnitIn, model: &Model) -> Result<UnitParts, ApiError> {
    for (i, m) in input.members.iter().enumerate() {
        if !model.data.people.iter().any(|p| p.id == *m) {
            return Err(ApiError::field(
                format!("members[{i}]"),
                format!("no person {m}"),
            ));
        }
    }
    Ok(UnitParts {
        region_id: region_for(model, input.region_id)?,
        organisation_id: organisation_ref(model, "organisation", &input.organisation)?,
        members: input.members.clone(),
        base: parse_point("base", &input.base)?,
    })
}

/// Teams and crews are the same resource but for what their `kind` names: a team's
/// demining method, a crew's trade.
macro_rules! unit_resource {
    (
        $unit:ident, $field:ident, $kind_field:ident: $kind:ident, tag: $tag:literal,
        collection: $collection:literal, item: $item:literal,
        list: $list:ident, get: $get:ident, create: $create:ident,
        update: $update:ident, delete: $delete:ident,
    ) => {
        impl Resource for $unit {
            const KIND: RecordKind = RecordKind::$unit;
            const PATH: &'static str = $collection;
            const FILTERS: &'static [&'static str] = &["bbox", "kind", "organisation"];
            type In = UnitIn;
            type Out = UnitOut;
            record_basics!($field, $unit);

            fn out(&self, stamp: &Stamp) -> UnitOut {
                UnitOut {
                    id: self.id,
                    code: self.code.to_string(),
                    region_id: self.region_id,
                    organisation_id: self.organisation_id,
                    name: self.name.clone(),
                    kind: self.$kind_field.as_str().to_string(),
                    members: self.members.clone(),
                    base: point_json(self.base),
                    version: stamp.version,
                }
            }
            fn build(
                input: UnitIn,
                id: Uuid,
                code: Code,
                _: Option<&$unit>,
                model: &Model,
            ) -> Result<$unit, ApiError> {
                let parts = unit_parts(&input, model)?;
                Ok($unit {
                    id,
                    code,
                    region_id: parts.region_id,
                    organisation_id: parts.organisation_id,
                    name: name("name", input.name)?,
                    $kind_field: word("kind", &input.kind, $kind::parse, $kind::words)?,
                    members: parts.members,
                    base: parts.base,
                })
            }
            fn matches(&self, f: &Filters) -> bool {
                meets(&f.bbox, &self.base)
                    && f.kind
                        .as_deref()
                        .is_none_or(|k| k == self.$kind_field.as_str())
                    && f.organisation.is_none_or(|o| o == self.organisation_id)
            }

            fn name(&self) -> Option<&str> {
                Some(&self.name)
            }
        }

        crud_handlers! {
            resource: $unit, input: UnitIn, output: UnitOut, tag: $tag,
            collection: $collection, item: $item,
            list: $list, get: $get, create: $create, update: $update, delete: $delete,
        }
    };
}

unit_resource! {
    Team, teams, method: Method, tag: "teams",
    collection: "/api/teams", item: "/api/teams/{id}",
    list: teams_list, get: teams_get, create: teams_create,
    update: teams_update, delete: teams_delete,
}

unit_resource! {
    Crew, crews, trade: Trade, tag: "crews",
    collection: "/api/crews", item: "/api/crews/{id}",
    list: crews_list, get: crews_get, create: crews_create,
    update: crews_update, delete: crews_delete,
}
