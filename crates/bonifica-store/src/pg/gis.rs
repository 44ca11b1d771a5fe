//! A read-only role for GIS desktops (QGIS, `ogrinfo PG:...`) that never sees what is
//! restricted to the defence liaison, nor the server's accounts.

use super::Postgres;
use super::write::begin;
use crate::StoreError;
use crate::error::SqlContext;

/// Tables the role reads whole: nothing in them is restricted.
const OPEN: [&str; 10] = [
    "regions",
    "organisations",
    "people",
    "contracts",
    "teams",
    "crews",
    "team_members",
    "crew_members",
    "settlements",
    "rivers",
];

/// Tables the role reads through a row-level security policy, with the condition a row
/// must meet to be seen. A condition that looks a record up in another of these tables
/// sees that table through the role's own policy, so a row about a restricted record
/// (a repair, a released piece, a planned date) is hidden with the record.
const FILTERED: [(&str, &str); 10] = [
    ("hazard_areas", "NOT restricted"),
    ("assets", "NOT restricted AND kind <> 'military_structure'"),
    (
        "asset_dependencies",
        "EXISTS (SELECT 1 FROM assets a WHERE a.id = asset_id) \
         AND EXISTS (SELECT 1 FROM assets a WHERE a.id = depends_on_id)",
    ),
    (
        "asset_repair_work",
        "EXISTS (SELECT 1 FROM assets a WHERE a.id = asset_id)",
    ),
    (
        "hazard_area_versions",
        "NOT restricted AND EXISTS (SELECT 1 FROM hazard_areas h WHERE h.id = hazard_area_id)",
    ),
    (
        "released_land",
        "EXISTS (SELECT 1 FROM hazard_areas h WHERE h.id = hazard_area_id)",
    ),
    (
        "reports",
        "NOT restricted \
         AND (hazard_area_id IS NULL \
              OR EXISTS (SELECT 1 FROM hazard_areas h WHERE h.id = hazard_area_id)) \
         AND (asset_id IS NULL OR EXISTS (SELECT 1 FROM assets a WHERE a.id = asset_id))",
    ),
    (
        "report_transitions",
        "EXISTS (SELECT 1 FROM reports r WHERE r.id = report_id)",
    ),
    (
        "plan_hazard_areas",
        "EXISTS (SELECT 1 FROM hazard_areas h WHERE h.id = hazard_area_id)",
    ),
    (
        "plan_assets",
        "NOT restricted AND kind <> 'military_structure' \
         AND EXISTS (SELECT 1 FROM assets a WHERE a.id = asset_id)",
    ),
];

/// `plan_tasks` rows name their record by kind word and code.
const PLAN_TASKS: &str = "CASE record \
    WHEN 'hazard_area' THEN EXISTS (SELECT 1 FROM hazard_areas h WHERE h.code = plan_tasks.code) \
    WHEN 'asset' THEN EXISTS (SELECT 1 FROM assets a WHERE a.code = plan_tasks.code) \
    ELSE true END";

/// The columns of `plans` the role reads: all but `plan`, the whole plan as JSON, which
/// names every record planned, restricted ones included.
const PLAN_COLUMNS: &str = "fid, id, name, created, start_date, objective, baseline_objective, \
    programme_end, programme_p50, programme_p90, indicators";

/// Tables the role may not read at all.
const CLOSED: [&str; 6] = [
    "bonifica_users",
    "bonifica_sessions",
    "bonifica_api_tokens",
    "audit_log",
    "audit_head",
    "bonifica_migrations",
];

impl Postgres {
    /// Creates, if missing, the login role `role` (no password: the server's
    /// authentication rules decide how it connects) and lets it read the register as a GIS
    /// desktop does, and nothing restricted.
    ///
    /// The role reads, with `USAGE` on schema `public` and `SELECT`:
    /// - whole: regions, organisations, people, contracts, teams, crews and their members,
    ///   settlements, rivers, and PostGIS's `geometry_columns`, `geography_columns` and
    ///   `spatial_ref_sys`, so QGIS and GDAL list the layers;
    /// - through row-level security: hazard areas that are not restricted; assets that
    ///   are neither restricted nor military structures; the dependencies and repair work
    ///   of those assets only; the earlier versions of visible hazard areas that were not
    ///   restricted themselves; land released from visible hazard areas; reports that are
    ///   not restricted and name no hidden hazard area or asset, and their transitions;
    ///   the plan layers' rows of visible hazard areas and unrestricted assets, and the
    ///   plan tasks on visible records;
    /// - `plans` without its `plan` column (the whole plan as JSON).
    ///
    /// It has no access to users, sessions, API tokens, the audit log (which holds before
    /// and after images of restricted records) or the migrations table.
    ///
    /// Every other role keeps seeing every row: each filtered table has a permissive
    /// policy for everyone and a restrictive one for `role`; the owner and superusers
    /// bypass row-level security anyway. Run it again after an upgrade adds tables.
    pub fn grant_gis(&mut self, role: &str) -> Result<(), StoreError> {
        let valid = !role.is_empty()
            && role.len() <= 40
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !role.starts_with(|c: char| c.is_ascii_digit())
            && !role.starts_with("pg_");
        if !valid {
            return Err(StoreError::Database {
                url: self.url.clone(),
                problem: format!(
                    "{role:?} is not a role name this store creates (lower-case letters, \
                     digits and underscores, not starting with a digit or pg_)"
                ),
            });
        }
        let context = || format!("granting role {role} read access for GIS");
        let mut tx = begin(self.client_mut()).ctx(context)?;
        let exists = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&role],
            )
            .ctx(context)?;
        if !exists.try_get::<_, bool>(0).ctx(context)? {
            tx.batch_execute(&format!("CREATE ROLE \"{role}\" LOGIN"))
                .ctx(context)?;
        }
        let mut sql = format!(
            "GRANT USAGE ON SCHEMA public TO \"{role}\";
             GRANT SELECT ON geometry_columns, geography_columns, spatial_ref_sys TO \"{role}\";
             REVOKE ALL ON plans FROM \"{role}\";
             GRANT SELECT ({PLAN_COLUMNS}) ON plans TO \"{role}\";"
        );
        for table in CLOSED {
            sql.push_str(&format!("REVOKE ALL ON \"{table}\" FROM \"{role}\";"));
        }
        let filtered = FILTERED.iter().copied().chain([("plan_tasks", PLAN_TASKS)]);
        for table in OPEN.iter().copied().chain(filtered.clone().map(|(t, _)| t)) {
            sql.push_str(&format!("GRANT SELECT ON \"{table}\" TO \"{role}\";"));
        }
        for (table, visible) in filtered {
            sql.push_str(&format!(
                "ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY;
                 DROP POLICY IF EXISTS bonifica_everyone ON \"{table}\";
                 CREATE POLICY bonifica_everyone ON \"{table}\" USING (true) WITH CHECK (true);
                 DROP POLICY IF EXISTS \"gis_{role}\" ON \"{table}\";
                 CREATE POLICY \"gis_{role}\" ON \"{table}\" AS RESTRICTIVE FOR SELECT
                   TO \"{role}\" USING ({visible});"
            ));
        }
        tx.batch_execute(&sql).ctx(context)?;
        tx.commit().ctx(context)
    }
}
