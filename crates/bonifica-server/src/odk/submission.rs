//! Reading a daily progress instance as ODK Collect submits it (`xml_submission_file`).
//!
//! The XML is read as data: element names are the form's fields, `meta/instanceID` is the
//! client id. A geoshape is `lat lon alt accuracy` points separated by `;`, closed by
//! repeating the first point; an unclosed shape is refused, never silently closed.

use super::xform::DAILY_PROGRESS_FORM_ID;

/// An explosive ordnance find as the form records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Find {
    pub category: String,
    pub count: u32,
    pub disposal: String,
}

/// A daily progress instance, fields as entered on the phone.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyProgressInstance {
    /// `meta/instanceID`, such as `uuid:6f1c...`; the client id of the report.
    pub instance_id: String,
    pub hazard_area_code: String,
    pub team_code: String,
    pub based_on_version: Option<u32>,
    pub date: String,
    /// The worked polygon's ring as `[lon, lat]`, closed.
    pub worked: Vec<[f64; 2]>,
    pub cancelled_m2: f64,
    pub reduced_m2: f64,
    pub cleared_m2: f64,
    pub hours: f64,
    pub ordnance: Vec<Find>,
}

/// Why an instance cannot be read, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InstanceError {
    pub field: String,
    pub problem: String,
}

fn error(field: &str, problem: impl Into<String>) -> InstanceError {
    InstanceError {
        field: field.to_string(),
        problem: problem.into(),
    }
}

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    child(node, name)
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn required<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Result<&'a str, InstanceError> {
    text(node, name).ok_or_else(|| error(name, "is required"))
}

fn number(node: roxmltree::Node<'_, '_>, name: &str) -> Result<f64, InstanceError> {
    let raw = required(node, name)?;
    let value: f64 = raw
        .parse()
        .map_err(|_| error(name, format!("{raw:?} is not a number")))?;
    if !value.is_finite() {
        return Err(error(name, format!("{raw:?} is not a finite number")));
    }
    Ok(value)
}

/// Parses an ODK geoshape (`lat lon [alt [accuracy]]` points separated by `;`).
pub fn parse_geoshape(field: &str, raw: &str) -> Result<Vec<[f64; 2]>, InstanceError> {
    let mut ring = Vec::new();
    for (i, point) in raw
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = point.split_whitespace().collect();
        if parts.len() < 2 {
            return Err(error(
                field,
                format!("point {} {point:?} needs latitude and longitude", i + 1),
            ));
        }
        let lat: f64 = parts[0].parse().map_err(|_| {
            error(
                field,
                format!("point {}: latitude {:?} is not a number", i + 1, parts[0]),
            )
        })?;
        let lon: f64 = parts[1].parse().map_err(|_| {
            error(
                field,
                format!("point {}: longitude {:?} is not a number", i + 1, parts[1]),
            )
        })?;
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(error(
                field,
                format!("point {}: {lat} {lon} is not a WGS 84 position", i + 1),
            ));
        }
        ring.push([lon, lat]);
    }
    if ring.len() < 4 {
        return Err(error(
            field,
            format!(
                "a polygon needs at least 4 points (the first repeated last), got {}",
                ring.len()
            ),
        ));
    }
    if ring.first() != ring.last() {
        return Err(error(
            field,
            "the shape is not closed: its last point must repeat the first",
        ));
    }
    Ok(ring)
}

/// Reads a daily progress instance.
pub fn parse_daily_progress(xml: &str) -> Result<DailyProgressInstance, InstanceError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| {
        error(
            "xml_submission_file",
            format!("is not well-formed XML: {e}"),
        )
    })?;
    let root = doc.root_element();
    let form_id = root.attribute("id").unwrap_or_default();
    if form_id != DAILY_PROGRESS_FORM_ID {
        return Err(error(
            "id",
            format!("form {form_id:?} is not known here (expected {DAILY_PROGRESS_FORM_ID:?})"),
        ));
    }
    let meta = child(root, "meta").ok_or_else(|| error("meta/instanceID", "is required"))?;
    let instance_id = required(meta, "instanceID")
        .map_err(|_| error("meta/instanceID", "is required"))?
        .to_string();
    let based_on_version = match text(root, "based_on_version") {
        None => None,
        Some(raw) => Some(raw.parse().map_err(|_| {
            error(
                "based_on_version",
                format!("{raw:?} is not a version number"),
            )
        })?),
    };
    let mut ordnance = Vec::new();
    for (i, find) in root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "ordnance")
        .enumerate()
    {
        let field = |name: &str| format!("ordnance[{}]/{name}", i + 1);
        let category =
            text(find, "category").ok_or_else(|| error(&field("category"), "is required"))?;
        let raw = text(find, "count").ok_or_else(|| error(&field("count"), "is required"))?;
        let count = raw
            .parse()
            .map_err(|_| error(&field("count"), format!("{raw:?} is not a whole number")))?;
        let disposal =
            text(find, "disposal").ok_or_else(|| error(&field("disposal"), "is required"))?;
        ordnance.push(Find {
            category: category.to_string(),
            count,
            disposal: disposal.to_string(),
        });
    }
    Ok(DailyProgressInstance {
        instance_id,
        hazard_area_code: required(root, "hazard_area")?.to_string(),
        team_code: required(root, "team")?.to_string(),
        based_on_version,
        date: required(root, "date")?.to_string(),
        worked: parse_geoshape("worked", required(root, "worked")?)?,
        cancelled_m2: number(root, "cancelled_m2")?,
        reduced_m2: number(root, "reduced_m2")?,
        cleared_m2: number(root, "cleared_m2")?,
        hours: number(root, "hours")?,
        ordnance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str = r#"<?xml version='1.0' ?>
<data id="bonifica_daily_progress" orx:version="1" xmlns:orx="http://openrosa.org/xforms">
  <hazard_area>HA-0042</hazard_area><team>DT-0001</team><based_on_version>3</based_on_version>
  <date>2026-11-24</date>
  <worked>49.9 36.2 0 5; 49.9 36.201 0 5; 49.901 36.201 0 5; 49.9 36.2 0 5</worked>
  <cancelled_m2>0</cancelled_m2><reduced_m2>10.5</reduced_m2><cleared_m2>3900</cleared_m2>
  <hours>6</hours>
  <ordnance><category>ap_mine</category><count>2</count><disposal>destroyed_in_situ</disposal></ordnance>
  <ordnance><category>uxo</category><count>1</count><disposal>removed</disposal></ordnance>
  <meta><instanceID>uuid:0b6c1d0e-5a3e-4a52-9f1e-1f2d3c4b5a69</instanceID></meta>
</data>"#;

    #[test]
    fn reads_every_field_of_an_instance() {
        let i = parse_daily_progress(INSTANCE).unwrap();
        assert_eq!(i.instance_id, "uuid:0b6c1d0e-5a3e-4a52-9f1e-1f2d3c4b5a69");
        assert_eq!(i.hazard_area_code, "HA-0042");
        assert_eq!(i.team_code, "DT-0001");
        assert_eq!(i.based_on_version, Some(3));
        assert_eq!(i.worked[1], [36.201, 49.9]);
        assert_eq!(i.worked.len(), 4);
        assert_eq!(i.reduced_m2, 10.5);
        assert_eq!(i.ordnance.len(), 2);
        assert_eq!(i.ordnance[1].disposal, "removed");
    }

    #[test]
    fn an_open_shape_is_refused_not_closed() {
        let xml = INSTANCE.replace("; 49.9 36.2 0 5</worked>", "; 49.95 36.2 0 5</worked>");
        let e = parse_daily_progress(&xml).unwrap_err();
        assert_eq!(e.field, "worked");
        assert!(e.problem.contains("not closed"), "{e}");
    }

    #[test]
    fn missing_and_malformed_fields_are_named() {
        let e = parse_daily_progress(&INSTANCE.replace("<hours>6</hours>", "")).unwrap_err();
        assert_eq!(e.field, "hours");
        let e = parse_daily_progress(&INSTANCE.replace("<count>2</count>", "<count>two</count>"))
            .unwrap_err();
        assert_eq!(e.field, "ordnance[1]/count");
        let e = parse_daily_progress(&INSTANCE.replace("bonifica_daily_progress", "other"))
            .unwrap_err();
        assert_eq!(e.field, "id");
        let e = parse_daily_progress("<data").unwrap_err();
        assert_eq!(e.field, "xml_submission_file");
    }

    /// Short fuzzing of the reader: arbitrary text, and edits of the instance in
    /// `test-data/odk/`. Reading must never panic, and an error always names a field. The
    /// long harness is `cargo run --release -p bonifica-server --example fuzz_odk`.
    mod fuzz {
        use super::super::parse_daily_progress;
        use proptest::prelude::*;

        const SEED: &str = include_str!("../../../../test-data/odk/daily_progress.xml");

        const TOKENS: &[&str] = &[
            "<",
            ">",
            "</",
            "/>",
            "<!DOCTYPE d [<!ENTITY e \"x\">]>",
            "&e;",
            "&amp;",
            "&#0;",
            ";",
            " ",
            "NaN",
            "inf",
            "-0",
            "1e400",
            "4294967296",
            "-1",
            "\u{feff}",
            "é",
            "<ordnance>",
            "</ordnance>",
            "<worked>",
            "</worked>",
            "<meta>",
            "<![CDATA[",
        ];

        fn check(xml: &str) {
            if let Err(e) = parse_daily_progress(xml) {
                assert!(!e.field.is_empty(), "{e:?}");
                assert!(!e.problem.is_empty(), "{e:?}");
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn the_submission_reader_survives_arbitrary_text(text in "\\PC{0,400}") {
                check(&text);
            }

            #[test]
            fn the_submission_reader_survives_edited_instances(
                edits in prop::collection::vec(
                    (0.0..1.0f64, 0..4usize, 0..TOKENS.len(), 1..40usize), 1..6),
            ) {
                let mut xml = SEED.to_string();
                for (share, kind, token, n) in edits {
                    // Edit at a character boundary, so the text stays UTF-8.
                    let mut at = ((share * xml.len() as f64) as usize).min(xml.len());
                    while !xml.is_char_boundary(at) {
                        at -= 1;
                    }
                    match kind {
                        0 => xml.insert_str(at, TOKENS[token]),
                        1 => {
                            let mut end = (at + n).min(xml.len());
                            while !xml.is_char_boundary(end) {
                                end -= 1;
                            }
                            xml.replace_range(at..end, "");
                        }
                        2 => {
                            let mut end = (at + n).min(xml.len());
                            while !xml.is_char_boundary(end) {
                                end -= 1;
                            }
                            let copy = xml[at..end].to_string();
                            xml.insert_str(end, &copy);
                        }
                        _ => xml.insert_str(at, &"9".repeat(n)),
                    }
                }
                check(&xml);
            }
        }
    }
}
