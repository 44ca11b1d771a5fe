//! Reading: rows back into model records, checked on the way in, as the GeoPackage reads
//! them (same order, same filters, same [`StoreError::CorruptRow`] for a row that does not
//! parse).

use std::collections::HashMap;

use bonifica_model::{
    Asset, Code, Contract, ContractWindow, Crew, Dataset, Date, Footprint, HazardArea,
    HazardStatus, NewHazardArea, Organisation, Person, Polygonal, RecordKind, Region, RepairWork,
    River, ServiceValue, Settlement, Team,
};
use geo::Intersects;
use geo_types::{Geometry, MultiPolygon, Point, Rect, coord};
use postgres::types::{FromSql, ToSql};
use postgres::{GenericClient, Row};
use uuid::Uuid;

use super::geometry;
use super::schema::{ALL_TABLES, FEATURE_TABLES};
use crate::error::SqlContext;
use crate::gpkg::read::{parse_code, parse_uuid};
use crate::gpkg::write::HAZARD_FIELDS;
use crate::record::table_of;
use crate::{
    BBox, Counts, HazardAreaVersion, ListQuery, Record, RecordPage, Stamp, StoreError, Versioned,
};

/// A query parameter of any type.
pub type Param = Box<dyn ToSql + Sync>;

/// The parameters as the client takes them.
pub fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// Which rows to read: a join and a filter on the table aliased `t`, with their parameters.
struct Scope {
    join: String,
    filter: String,
    params: Vec<Param>,
    /// `ORDER BY` and `LIMIT` of the main select.
    order: String,
}

impl Scope {
    fn filter(filter: &str, params: Vec<Param>) -> Scope {
        Scope {
            join: String::new(),
            filter: filter.to_string(),
            params,
            order: "ORDER BY t.fid".to_string(),
        }
    }

    fn region(region: Option<Uuid>, column: &str) -> Scope {
        let param: Param = Box::new(region.map(|r| r.to_string()));
        Scope::filter(
            &format!("($1::text IS NULL OR t.{column} = $1)"),
            vec![param],
        )
    }

    fn id(column: &str, id: Uuid) -> Scope {
        Scope::filter(&format!("t.{column} = $1"), vec![Box::new(id.to_string())])
    }

    fn bbox(b: BBox) -> Scope {
        Scope {
            join: String::new(),
            filter: "t.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)".to_string(),
            params: vec![
                Box::new(b.min_lon),
                Box::new(b.min_lat),
                Box::new(b.max_lon),
                Box::new(b.max_lat),
            ],
            order: "ORDER BY t.fid".to_string(),
        }
    }
}

/// Reads every record, or every record of one region.
pub fn load(c: &mut impl GenericClient, region: Option<Uuid>) -> Result<Dataset, StoreError> {
    let scope = || Scope::region(region, "region_id");
    Ok(Dataset {
        regions: regions(c, &Scope::region(region, "id"))?,
        organisations: organisations(c, &scope())?,
        people: people(c, &scope())?,
        contracts: contracts(c, &scope())?,
        teams: teams(c, &scope())?,
        crews: crews(c, &scope())?,
        settlements: settlements(c, &scope())?,
        hazard_areas: hazard_areas(c, "hazard_areas", "id", &scope())?,
        assets: assets(c, &scope())?,
        rivers: rivers(c, &scope())?,
    })
}

/// One hazard area by id.
pub fn hazard_area(c: &mut impl GenericClient, id: Uuid) -> Result<Option<HazardArea>, StoreError> {
    Ok(hazard_areas(c, "hazard_areas", "id", &Scope::id("id", id))?.pop())
}

/// One asset by id.
pub fn asset(c: &mut impl GenericClient, id: Uuid) -> Result<Option<Asset>, StoreError> {
    Ok(assets(c, &Scope::id("id", id))?.pop())
}

/// The earlier versions of a hazard area, oldest first.
pub fn hazard_area_history(
    c: &mut impl GenericClient,
    id: Uuid,
) -> Result<Vec<HazardAreaVersion>, StoreError> {
    let scope = Scope::id("hazard_area_id", id);
    let mut versions = hazard_areas(c, "hazard_area_versions", "hazard_area_id", &scope)?;
    versions.sort_by_key(|a| a.version);
    Ok(versions
        .into_iter()
        .map(|area| HazardAreaVersion { area })
        .collect())
}

/// Hazard areas whose polygon intersects the box: index candidates, then an exact test.
pub fn hazard_areas_in_bbox(
    c: &mut impl GenericClient,
    b: BBox,
) -> Result<Vec<HazardArea>, StoreError> {
    let rect = rect(b);
    let mut found = hazard_areas(c, "hazard_areas", "id", &Scope::bbox(b))?;
    found.retain(|h| h.geometry().as_multi_polygon().intersects(&rect));
    Ok(found)
}

/// Assets whose footprint intersects the box: index candidates, then an exact test.
pub fn assets_in_bbox(c: &mut impl GenericClient, b: BBox) -> Result<Vec<Asset>, StoreError> {
    let rect = rect(b);
    let mut found = assets(c, &Scope::bbox(b))?;
    found.retain(|a| a.footprint.to_geometry().intersects(&rect));
    Ok(found)
}

/// Row counts of every register table.
pub fn counts(c: &mut impl GenericClient) -> Result<Counts, StoreError> {
    let mut counts = Counts::default();
    for table in ALL_TABLES {
        let context = || format!("counting {table}");
        let row = c
            .query_one(&format!("SELECT COUNT(*) FROM \"{table}\""), &[])
            .ctx(context)?;
        let n: i64 = row.try_get(0).ctx(context)?;
        counts.0.insert(table, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

fn rect(b: BBox) -> Rect<f64> {
    Rect::new(
        coord! { x: b.min_lon, y: b.min_lat },
        coord! { x: b.max_lon, y: b.max_lat },
    )
}

/// Runs `SELECT {columns} FROM {table} t {join} WHERE {filter} {order}` and maps each
/// row, whose column 1 must be the record's code (for messages).
fn select<T>(
    c: &mut impl GenericClient,
    table: &'static str,
    columns: &str,
    scope: &Scope,
    mut map: impl FnMut(&Cells) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let context = || format!("reading {table}");
    let sql = format!(
        "SELECT {columns} FROM \"{table}\" t {} WHERE {} {}",
        scope.join, scope.filter, scope.order
    );
    let rows = c.query(&sql, &refs(&scope.params)).ctx(context)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let code = row.try_get::<_, String>(1).unwrap_or_default();
        out.push(map(&Cells { row, table, code })?);
    }
    Ok(out)
}

/// Reads ordered child rows (`parent, value...`) into lists per parent id.
fn children<T>(
    c: &mut impl GenericClient,
    sql: &str,
    scope: &Scope,
    table: &'static str,
    mut map: impl FnMut(&Cells) -> Result<T, StoreError>,
) -> Result<HashMap<String, Vec<T>>, StoreError> {
    let context = || format!("reading {table}");
    let sql = format!("{sql} {} WHERE {} ORDER BY c.fid", scope.join, scope.filter);
    let rows = c.query(&sql, &refs(&scope.params)).ctx(context)?;
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for row in &rows {
        let parent: String = row.try_get(0).ctx(context)?;
        let cells = Cells {
            row,
            table,
            code: parent.clone(),
        };
        out.entry(parent).or_default().push(map(&cells)?);
    }
    Ok(out)
}

fn regions(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Region>, StoreError> {
    let cols = "t.id, t.code, t.name, ST_AsBinary(t.geom)";
    select(c, "regions", cols, scope, |c| {
        Ok(Region {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            name: c.get(2, "name")?,
            boundary: c.polygonal(3)?,
        })
    })
}

fn organisations(
    c: &mut impl GenericClient,
    scope: &Scope,
) -> Result<Vec<Organisation>, StoreError> {
    let cols = "t.id, t.code, t.region_id, t.name, t.kind";
    select(c, "organisations", cols, scope, |c| {
        Ok(Organisation {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            name: c.get(3, "name")?,
            kind: c.word(4, "kind", bonifica_model::OrganisationKind::parse)?,
        })
    })
}

fn people(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Person>, StoreError> {
    let cols = "t.id, t.code, t.region_id, t.organisation_id, t.name, t.role, t.trade, \
                t.qualifications";
    select(c, "people", cols, scope, |c| {
        let trade: Option<String> = c.get(6, "trade")?;
        let qualifications: String = c.get(7, "qualifications")?;
        Ok(Person {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            organisation_id: c.uuid(3, "organisation_id")?,
            name: c.get(4, "name")?,
            role: c.word(5, "role", bonifica_model::Role::parse)?,
            trade: match trade {
                None => None,
                Some(t) => Some(c.parse_word(&t, "trade", bonifica_model::Trade::parse)?),
            },
            qualifications: serde_json::from_str(&qualifications)
                .map_err(|e| c.corrupt("qualifications", e.to_string()))?,
        })
    })
}

fn contracts(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Contract>, StoreError> {
    let cols = "t.id, t.code, t.region_id, t.person_id, t.organisation_id, t.start_date, \
                t.end_date";
    select(c, "contracts", cols, scope, |c| {
        let window = ContractWindow::new(c.date(5, "start_date")?, c.date(6, "end_date")?)
            .map_err(|e| c.corrupt("end_date", e.to_string()))?;
        Ok(Contract {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            person_id: c.uuid(3, "person_id")?,
            organisation_id: c.uuid(4, "organisation_id")?,
            window,
        })
    })
}

fn members(
    c: &mut impl GenericClient,
    table: &'static str,
    parent: &str,
    key: &str,
    scope: &Scope,
) -> Result<HashMap<String, Vec<Uuid>>, StoreError> {
    let sql = format!(
        "SELECT c.{key}, c.person_id FROM \"{table}\" c JOIN \"{parent}\" t ON t.id = c.{key}"
    );
    children(c, &sql, scope, table, |c| c.uuid(1, "person_id"))
}

fn teams(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Team>, StoreError> {
    let mut members = members(c, "team_members", "teams", "team_id", scope)?;
    let cols = "t.id, t.code, t.region_id, t.organisation_id, t.name, t.method, t.base_lon, \
                t.base_lat";
    select(c, "teams", cols, scope, |c| {
        let id: String = c.get(0, "id")?;
        Ok(Team {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            organisation_id: c.uuid(3, "organisation_id")?,
            name: c.get(4, "name")?,
            method: c.word(5, "method", bonifica_model::Method::parse)?,
            members: members.remove(&id).unwrap_or_default(),
            base: Point::new(c.get(6, "base_lon")?, c.get(7, "base_lat")?),
        })
    })
}

fn crews(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Crew>, StoreError> {
    let mut members = members(c, "crew_members", "crews", "crew_id", scope)?;
    let cols = "t.id, t.code, t.region_id, t.organisation_id, t.name, t.trade, t.base_lon, \
                t.base_lat";
    select(c, "crews", cols, scope, |c| {
        let id: String = c.get(0, "id")?;
        Ok(Crew {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            organisation_id: c.uuid(3, "organisation_id")?,
            name: c.get(4, "name")?,
            trade: c.word(5, "trade", bonifica_model::Trade::parse)?,
            members: members.remove(&id).unwrap_or_default(),
            base: Point::new(c.get(6, "base_lon")?, c.get(7, "base_lat")?),
        })
    })
}

fn settlements(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Settlement>, StoreError> {
    let cols = "t.id, t.code, t.region_id, t.name, t.population, ST_AsBinary(t.geom)";
    select(c, "settlements", cols, scope, |c| {
        Ok(Settlement {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            name: c.get(3, "name")?,
            population: c.int(4, "population")?,
            footprint: c.footprint(5)?,
        })
    })
}

fn rivers(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<River>, StoreError> {
    let cols = "t.id, t.code, t.region_id, t.name, ST_AsBinary(t.geom)";
    select(c, "rivers", cols, scope, |c| {
        let course = match c.geometry(4)? {
            Geometry::MultiLineString(m) => m,
            Geometry::LineString(l) => geo_types::MultiLineString(vec![l]),
            other => return Err(c.wrong_type("a (multi)line", &other)),
        };
        Ok(River {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            name: c.get(3, "name")?,
            course,
        })
    })
}

fn hazard_areas(
    c: &mut impl GenericClient,
    table: &'static str,
    id_column: &str,
    scope: &Scope,
) -> Result<Vec<HazardArea>, StoreError> {
    // The history keeps its geometry as WKB in a bytea column.
    let geom = match table {
        "hazard_areas" => "ST_AsBinary(t.geom)",
        _ => "t.geom",
    };
    // Column 1 must be the code: HAZARD_FIELDS starts with it.
    let cols = format!(
        "t.{id_column} AS id, {}, {geom}",
        HAZARD_FIELDS
            .split(", ")
            .map(|f| format!("t.{f}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    select(c, table, &cols, scope, |c| {
        let status: String = c.get(5, "status")?;
        let reason: Option<String> = c.get(6, "closure_reason")?;
        let status = HazardStatus::from_parts(&status, reason.as_deref())
            .map_err(|problem| c.corrupt("status", problem))?;
        let new = NewHazardArea {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            organisation_id: c.opt_uuid(3, "organisation_id")?,
            geometry: c.polygonal(17)?,
            classification: c.word(4, "classification", bonifica_model::Classification::parse)?,
            contamination: c.word(7, "contamination", bonifica_model::Contamination::parse)?,
            density_per_ha: c.get(9, "density_per_ha")?,
            terrain: c.word(10, "terrain", bonifica_model::Terrain::parse)?,
            vegetation: c.word(11, "vegetation", bonifica_model::Vegetation::parse)?,
            clearance_depth_cm: c.int(12, "clearance_depth_cm")?,
            evidence: c.get(13, "evidence")?,
            restricted: c.get(14, "restricted")?,
            as_of: c.date(16, "as_of")?,
        };
        Ok(HazardArea::restore(new, status, c.int(15, "version")?))
    })
}

fn assets(c: &mut impl GenericClient, scope: &Scope) -> Result<Vec<Asset>, StoreError> {
    let repair_sql = "SELECT c.asset_id, c.trade, c.person_days FROM asset_repair_work c \
                      JOIN assets t ON t.id = c.asset_id";
    let mut repair = children(c, repair_sql, scope, "asset_repair_work", |c| {
        Ok(RepairWork {
            trade: c.word(1, "trade", bonifica_model::Trade::parse)?,
            person_days: c.get(2, "person_days")?,
        })
    })?;
    let deps_sql = "SELECT c.asset_id, c.depends_on_id FROM asset_dependencies c \
                    JOIN assets t ON t.id = c.asset_id";
    let mut deps = children(c, deps_sql, scope, "asset_dependencies", |c| {
        c.uuid(1, "depends_on_id")
    })?;
    let cols = "t.id, t.code, t.region_id, t.name, t.kind, t.damage, t.population_served, \
                t.network_share, t.restricted, t.restored, ST_AsBinary(t.geom)";
    select(c, "assets", cols, scope, |c| {
        let id: String = c.get(0, "id")?;
        Ok(Asset {
            id: c.uuid(0, "id")?,
            code: c.code()?,
            region_id: c.uuid(2, "region_id")?,
            name: c.get(3, "name")?,
            kind: c.word(4, "kind", bonifica_model::AssetKind::parse)?,
            footprint: c.footprint(10)?,
            damage: c.word(5, "damage", bonifica_model::DamageLevel::parse)?,
            repair: repair.remove(&id).unwrap_or_default(),
            service: ServiceValue {
                population_served: c.int(6, "population_served")?,
                network_share: c.get(7, "network_share")?,
            },
            depends_on: deps.remove(&id).unwrap_or_default(),
            restricted: c.get(8, "restricted")?,
            restored: c.get(9, "restored")?,
        })
    })
}

/// One record of an editable kind by id, with its stamp.
pub fn record(
    c: &mut impl GenericClient,
    kind: RecordKind,
    id: Uuid,
) -> Result<Option<Versioned>, StoreError> {
    let Some(record) = records(c, kind, &Scope::id("id", id))?.pop() else {
        return Ok(None);
    };
    let stamp = stamp(c, kind, id)?.unwrap_or_default();
    Ok(Some(Versioned { record, stamp }))
}

/// The stamps of every record of one kind, by id.
pub fn stamps(
    c: &mut impl GenericClient,
    kind: RecordKind,
) -> Result<HashMap<Uuid, Stamp>, StoreError> {
    let Some(table) = table_of(kind) else {
        return Ok(HashMap::new());
    };
    let context = || format!("reading versions of {table}");
    let rows = c
        .query(
            &format!("SELECT id, version, updated_at, updated_by, code FROM \"{table}\""),
            &[],
        )
        .ctx(context)?;
    let mut out = HashMap::new();
    for row in &rows {
        let id: String = row.try_get(0).ctx(context)?;
        let code: String = row.try_get(4).ctx(context)?;
        let version: i64 = row.try_get(1).ctx(context)?;
        out.insert(
            parse_uuid(table, &code, "id", &id)?,
            Stamp {
                version: version_of(table, &code, version)?,
                updated_at: row.try_get(2).ctx(context)?,
                updated_by: row.try_get(3).ctx(context)?,
            },
        );
    }
    Ok(out)
}

/// A stored version as a `u32`, or the row is corrupt.
pub fn version_of(table: &'static str, code: &str, version: i64) -> Result<u32, StoreError> {
    u32::try_from(version).map_err(|_| StoreError::CorruptRow {
        table,
        code: code.to_string(),
        field: "version",
        problem: format!("{version} is not a version"),
    })
}

fn stamp(
    c: &mut impl GenericClient,
    kind: RecordKind,
    id: Uuid,
) -> Result<Option<Stamp>, StoreError> {
    let Some(table) = table_of(kind) else {
        return Ok(None);
    };
    let context = || format!("reading the version of {} {id}", kind.label());
    let row = c
        .query_opt(
            &format!("SELECT version, updated_at, updated_by, code FROM \"{table}\" WHERE id = $1"),
            &[&id.to_string()],
        )
        .ctx(context)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let code: String = row.try_get(3).ctx(context)?;
    Ok(Some(Stamp {
        version: version_of(table, &code, row.try_get(0).ctx(context)?)?,
        updated_at: row.try_get(1).ctx(context)?,
        updated_by: row.try_get(2).ctx(context)?,
    }))
}

/// One page of records of a kind, filtered, in code order; see [`ListQuery`].
pub fn list(
    c: &mut impl GenericClient,
    kind: RecordKind,
    q: &ListQuery,
) -> Result<RecordPage, StoreError> {
    let Some(table) = table_of(kind) else {
        return Ok(RecordPage {
            records: Vec::new(),
            next_after: None,
        });
    };
    let mut scope = match q.bbox {
        Some(b) if FEATURE_TABLES.contains(&table) => Scope::bbox(b),
        _ => Scope::filter("1 = 1", Vec::new()),
    };
    let mut and = |clause: &str, value: String| {
        scope.params.push(Box::new(value));
        scope.filter = format!("{} AND {clause} ${}", scope.filter, scope.params.len());
    };
    let kind_column = match kind {
        RecordKind::Asset | RecordKind::Organisation => Some("kind"),
        RecordKind::Team => Some("method"),
        RecordKind::Crew => Some("trade"),
        _ => None,
    };
    if let (Some(column), Some(word)) = (kind_column, &q.kind) {
        and(&format!("t.{column} ="), word.clone());
    }
    if let (RecordKind::HazardArea, Some(status)) = (kind, &q.status) {
        and("t.status =", status.clone());
    }
    let has_organisation = matches!(
        kind,
        RecordKind::HazardArea
            | RecordKind::Person
            | RecordKind::Contract
            | RecordKind::Team
            | RecordKind::Crew
    );
    if let (true, Some(org)) = (has_organisation, q.organisation) {
        and("t.organisation_id =", org.to_string());
    }
    if let Some(after) = &q.after_code {
        and("t.code >", after.clone());
    }
    if !q.include_restricted {
        match kind {
            RecordKind::HazardArea => scope.filter.push_str(" AND NOT t.restricted"),
            RecordKind::Asset => scope
                .filter
                .push_str(" AND NOT t.restricted AND t.kind <> 'military_structure'"),
            _ => {}
        }
    }
    let limit = q.limit.max(1);
    scope.order = format!("ORDER BY t.code LIMIT {limit}");
    let mut found = records(c, kind, &scope)?;
    let next_after = (found.len() == limit)
        .then(|| found.last().map(|r| r.code().to_string()))
        .flatten();
    if let Some(b) = q.bbox {
        let rect = rect(b);
        found.retain(|r| match r {
            Record::HazardArea(h) => h.geometry().as_multi_polygon().intersects(&rect),
            Record::Asset(a) => a.footprint.to_geometry().intersects(&rect),
            Record::Settlement(s) => s.footprint.to_geometry().intersects(&rect),
            Record::Region(r) => r.boundary.as_multi_polygon().intersects(&rect),
            _ => true,
        });
    }
    let stamps = stamps(c, kind)?;
    let records = found
        .into_iter()
        .map(|record| {
            let stamp = stamps.get(&record.id()).cloned().unwrap_or_default();
            Versioned { record, stamp }
        })
        .collect();
    Ok(RecordPage {
        records,
        next_after,
    })
}

fn records(
    c: &mut impl GenericClient,
    kind: RecordKind,
    scope: &Scope,
) -> Result<Vec<Record>, StoreError> {
    fn wrap<T>(v: Vec<T>, f: fn(T) -> Record) -> Vec<Record> {
        v.into_iter().map(f).collect()
    }
    Ok(match kind {
        RecordKind::Region => wrap(regions(c, scope)?, Record::Region),
        RecordKind::Organisation => wrap(organisations(c, scope)?, Record::Organisation),
        RecordKind::Person => wrap(people(c, scope)?, Record::Person),
        RecordKind::Contract => wrap(contracts(c, scope)?, Record::Contract),
        RecordKind::Team => wrap(teams(c, scope)?, Record::Team),
        RecordKind::Crew => wrap(crews(c, scope)?, Record::Crew),
        RecordKind::Settlement => wrap(settlements(c, scope)?, Record::Settlement),
        RecordKind::HazardArea => wrap(
            hazard_areas(c, "hazard_areas", "id", scope)?,
            Record::HazardArea,
        ),
        RecordKind::Asset => wrap(assets(c, scope)?, Record::Asset),
        RecordKind::River => Vec::new(),
    })
}

/// One row being read, with what messages need to name it.
pub struct Cells<'r> {
    pub row: &'r Row,
    pub table: &'static str,
    pub code: String,
}

impl<'r> Cells<'r> {
    /// Names a row by its first column (an id) in messages.
    pub fn by_first(row: &'r Row, table: &'static str) -> Cells<'r> {
        let code = row.try_get::<_, String>(0).unwrap_or_default();
        Cells { row, table, code }
    }

    pub fn corrupt(&self, field: &'static str, problem: String) -> StoreError {
        StoreError::CorruptRow {
            table: self.table,
            code: self.code.clone(),
            field,
            problem,
        }
    }

    pub fn get<'a, T: FromSql<'a>>(
        &'a self,
        i: usize,
        field: &'static str,
    ) -> Result<T, StoreError> {
        self.row
            .try_get(i)
            .map_err(|e| self.corrupt(field, e.to_string()))
    }

    /// A `bigint` as a narrower integer.
    pub fn int<T: TryFrom<i64>>(&self, i: usize, field: &'static str) -> Result<T, StoreError> {
        let n: i64 = self.get(i, field)?;
        T::try_from(n).map_err(|_| self.corrupt(field, format!("{n} is out of range")))
    }

    /// A nullable `bigint` as a narrower integer.
    pub fn opt_int<T: TryFrom<i64>>(
        &self,
        i: usize,
        field: &'static str,
    ) -> Result<Option<T>, StoreError> {
        let n: Option<i64> = self.get(i, field)?;
        n.map(|n| T::try_from(n).map_err(|_| self.corrupt(field, format!("{n} is out of range"))))
            .transpose()
    }

    pub fn code(&self) -> Result<Code, StoreError> {
        parse_code(self.table, &self.code)
    }

    pub fn uuid(&self, i: usize, field: &'static str) -> Result<Uuid, StoreError> {
        let text: String = self.get(i, field)?;
        parse_uuid(self.table, &self.code, field, &text)
    }

    pub fn opt_uuid(&self, i: usize, field: &'static str) -> Result<Option<Uuid>, StoreError> {
        let text: Option<String> = self.get(i, field)?;
        text.map(|t| parse_uuid(self.table, &self.code, field, &t))
            .transpose()
    }

    pub fn date(&self, i: usize, field: &'static str) -> Result<Date, StoreError> {
        let text: String = self.get(i, field)?;
        Date::parse_from_str(&text, "%Y-%m-%d")
            .map_err(|e| self.corrupt(field, format!("{text:?} is not a date: {e}")))
    }

    pub fn word<T>(
        &self,
        i: usize,
        field: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let text: String = self.get(i, field)?;
        self.parse_word(&text, field, parse)
    }

    pub fn parse_word<T>(
        &self,
        text: &str,
        field: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        parse(text).ok_or_else(|| self.corrupt(field, format!("unknown word {text:?}")))
    }

    /// A geometry from WKB (`ST_AsBinary(geom)`, or a `bytea` column).
    pub fn geometry(&self, i: usize) -> Result<Geometry<f64>, StoreError> {
        let bytes: Vec<u8> = self.get(i, "geom")?;
        geometry::decode(&bytes).map_err(|problem| self.corrupt("geom", problem))
    }

    pub fn wrong_type(&self, expected: &str, found: &Geometry<f64>) -> StoreError {
        let found = match found {
            Geometry::Point(_) => "point",
            Geometry::Line(_) | Geometry::LineString(_) => "line",
            Geometry::Polygon(_) => "polygon",
            Geometry::MultiPoint(_) => "multipoint",
            Geometry::MultiLineString(_) => "multiline",
            Geometry::MultiPolygon(_) => "multipolygon",
            _ => "other geometry",
        };
        self.corrupt("geom", format!("expected {expected}, found a {found}"))
    }

    pub fn polygonal(&self, i: usize) -> Result<Polygonal, StoreError> {
        let mp = match self.geometry(i)? {
            Geometry::MultiPolygon(mp) => mp,
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            other => return Err(self.wrong_type("a (multi)polygon", &other)),
        };
        Polygonal::try_from(mp).map_err(|e| self.corrupt("geom", e.to_string()))
    }

    pub fn footprint(&self, i: usize) -> Result<Footprint, StoreError> {
        match self.geometry(i)? {
            Geometry::Point(p) => Ok(Footprint::Point(p)),
            Geometry::LineString(l) if l.0.len() >= 2 => Ok(Footprint::Line(l)),
            Geometry::MultiPolygon(mp) => Polygonal::try_from(mp)
                .map(Footprint::Area)
                .map_err(|e| self.corrupt("geom", e.to_string())),
            Geometry::Polygon(p) => Polygonal::try_from(MultiPolygon(vec![p]))
                .map(Footprint::Area)
                .map_err(|e| self.corrupt("geom", e.to_string())),
            other => Err(self.wrong_type("a point, line or polygon", &other)),
        }
    }
}
