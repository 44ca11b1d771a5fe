//! The OpenRosa form list and the daily progress XForm, generated from the model's words
//! so the phone's choices are always the ones the server accepts.
//!
//! References: the OpenRosa Form List API and the ODK XForms specification
//! (`https://getodk.github.io/xforms-spec/`).

use md5::{Digest, Md5};

/// The form id of daily progress, as phones store it.
pub const DAILY_PROGRESS_FORM_ID: &str = "bonifica_daily_progress";

/// A form as the form list names it.
#[derive(Debug, Clone)]
pub struct FormEntry {
    pub form_id: &'static str,
    pub name: &'static str,
    pub version: String,
    /// `md5:` followed by the hex digest of the form's XML, as OpenRosa asks.
    pub hash: String,
    pub download_url: String,
}

/// `md5:<hex>` of a form's XML.
pub fn form_hash(xml: &str) -> String {
    let digest = Md5::digest(xml.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("md5:{hex}")
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The OpenRosa form list (`/formList`).
pub fn form_list(forms: &[FormEntry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n",
    );
    for f in forms {
        xml.push_str(&format!(
            "  <xform>\n    <formID>{}</formID>\n    <name>{}</name>\n    \
             <version>{}</version>\n    <hash>{}</hash>\n    \
             <downloadUrl>{}</downloadUrl>\n  </xform>\n",
            escape(f.form_id),
            escape(f.name),
            escape(&f.version),
            escape(&f.hash),
            escape(&f.download_url),
        ));
    }
    xml.push_str("</xforms>\n");
    xml
}

/// One choice of a select list: the stored word and its label.
pub type Choice = (&'static str, String);

/// The choices the daily progress form offers.
#[derive(Debug, Clone)]
pub struct DailyProgressChoices {
    pub ordnance_categories: Vec<Choice>,
    pub disposals: Vec<Choice>,
}

fn select1(reference: &str, label: &str, choices: &[Choice]) -> String {
    let items: String = choices
        .iter()
        .map(|(value, label)| {
            format!(
                "          <item><label>{}</label><value>{}</value></item>\n",
                escape(label),
                escape(value)
            )
        })
        .collect();
    format!(
        "        <select1 ref=\"{reference}\">\n          <label>{}</label>\n{items}        </select1>\n",
        escape(label)
    )
}

fn input(reference: &str, label: &str, hint: &str) -> String {
    format!(
        "    <input ref=\"{reference}\">\n      <label>{}</label>\n      <hint>{}</hint>\n    </input>\n",
        escape(label),
        escape(hint)
    )
}

/// The daily progress XForm. `version` changes whenever the form does, so phones fetch it
/// again; the form id never changes.
pub fn daily_progress(version: &str, choices: &DailyProgressChoices) -> String {
    let d = "/data";
    let area_bind = |name: &str| {
        format!(
            "      <bind nodeset=\"{d}/{name}\" type=\"decimal\" required=\"true()\" \
             constraint=\". &gt;= 0\" jr:constraintMsg=\"Square metres cannot be negative\"/>\n"
        )
    };
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\" \
xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\" \
xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n\
  <h:head>\n    <h:title>Daily progress</h:title>\n    <model>\n      <instance>\n\
        <data id=\"{DAILY_PROGRESS_FORM_ID}\" orx:version=\"{version}\">\n\
          <hazard_area/>\n          <team/>\n          <based_on_version/>\n          <date/>\n\
          <worked/>\n          <cancelled_m2/>\n          <reduced_m2/>\n          <cleared_m2/>\n\
          <hours/>\n\
          <ordnance jr:template=\"\">\n            <category/>\n            <count/>\n            <disposal/>\n          </ordnance>\n\
          <meta>\n            <instanceID/>\n          </meta>\n\
        </data>\n      </instance>\n\
      <bind nodeset=\"{d}/hazard_area\" type=\"string\" required=\"true()\" \
constraint=\"regex(., '^HAR?-[0-9]+$')\" jr:constraintMsg=\"A hazard area code, such as HA-0042\"/>\n\
      <bind nodeset=\"{d}/team\" type=\"string\" required=\"true()\"/>\n\
      <bind nodeset=\"{d}/based_on_version\" type=\"int\"/>\n\
      <bind nodeset=\"{d}/date\" type=\"date\" required=\"true()\" \
constraint=\". &lt;= today()\" jr:constraintMsg=\"The date cannot be in the future\"/>\n\
      <bind nodeset=\"{d}/worked\" type=\"geoshape\" required=\"true()\"/>\n"
    );
    for name in ["cancelled_m2", "reduced_m2", "cleared_m2"] {
        xml.push_str(&area_bind(name));
    }
    xml.push_str(&format!(
        "      <bind nodeset=\"{d}/hours\" type=\"decimal\" required=\"true()\" \
constraint=\". &gt;= 0 and . &lt;= 24\" jr:constraintMsg=\"Hours of a day, 0 to 24\"/>\n\
      <bind nodeset=\"{d}/ordnance/category\" type=\"string\" required=\"true()\"/>\n\
      <bind nodeset=\"{d}/ordnance/count\" type=\"int\" required=\"true()\" constraint=\". &gt; 0\"/>\n\
      <bind nodeset=\"{d}/ordnance/disposal\" type=\"string\" required=\"true()\"/>\n\
      <bind nodeset=\"{d}/meta/instanceID\" type=\"string\" readonly=\"true()\" \
jr:preload=\"uid\"/>\n\
    </model>\n  </h:head>\n  <h:body>\n"
    ));
    xml.push_str(&input(
        "/data/hazard_area",
        "Hazard area",
        "Its code, as on the map and the task order",
    ));
    xml.push_str(&input("/data/team", "Team", "Your team's code"));
    xml.push_str(&input("/data/date", "Date", "The day worked"));
    xml.push_str(&input(
        "/data/worked",
        "Worked polygon",
        "Walk or tap the boundary of the land worked today",
    ));
    xml.push_str(&input(
        "/data/cancelled_m2",
        "Cancelled (m²)",
        "Released by non-technical survey",
    ));
    xml.push_str(&input(
        "/data/reduced_m2",
        "Reduced (m²)",
        "Released by technical survey",
    ));
    xml.push_str(&input(
        "/data/cleared_m2",
        "Cleared (m²)",
        "Released by clearance",
    ));
    xml.push_str(&input(
        "/data/hours",
        "Hours worked",
        "On the ground, per team",
    ));
    xml.push_str(
        "    <group ref=\"/data/ordnance\">\n      <label>Explosive ordnance found</label>\n\
      <repeat nodeset=\"/data/ordnance\">\n",
    );
    xml.push_str(&select1(
        "/data/ordnance/category",
        "Category",
        &choices.ordnance_categories,
    ));
    xml.push_str(
        "        <input ref=\"/data/ordnance/count\">\n          <label>Count</label>\n        </input>\n",
    );
    xml.push_str(&select1(
        "/data/ordnance/disposal",
        "Disposal",
        &choices.disposals,
    ));
    xml.push_str("      </repeat>\n    </group>\n  </h:body>\n</h:html>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> DailyProgressChoices {
        DailyProgressChoices {
            ordnance_categories: vec![("ap_mine", "AP mine".into()), ("uxo", "UXO".into())],
            disposals: vec![("removed", "Removed".into())],
        }
    }

    #[test]
    fn the_form_is_well_formed_xml_with_every_field_bound() {
        let xml = daily_progress("2026112401", &choices());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let binds: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("bind"))
            .filter_map(|n| n.attribute("nodeset"))
            .collect();
        for field in [
            "hazard_area",
            "team",
            "date",
            "worked",
            "cancelled_m2",
            "reduced_m2",
            "cleared_m2",
            "hours",
            "meta/instanceID",
        ] {
            assert!(
                binds.contains(&format!("/data/{field}").as_str()),
                "{field}"
            );
        }
        let data = doc.descendants().find(|n| n.has_tag_name("data")).unwrap();
        assert_eq!(data.attribute("id"), Some(DAILY_PROGRESS_FORM_ID));
        assert!(xml.contains("<value>ap_mine</value>"));
    }

    #[test]
    fn the_form_list_escapes_and_hashes() {
        let xml = daily_progress("1", &choices());
        let list = form_list(&[FormEntry {
            form_id: DAILY_PROGRESS_FORM_ID,
            name: "Daily progress",
            version: "1".into(),
            hash: form_hash(&xml),
            download_url: "http://h/odk/forms/daily_progress.xml?a=1&b=2".into(),
        }]);
        let doc = roxmltree::Document::parse(&list).unwrap();
        let url = doc
            .descendants()
            .find(|n| n.has_tag_name("downloadUrl"))
            .and_then(|n| n.text())
            .unwrap();
        assert_eq!(url, "http://h/odk/forms/daily_progress.xml?a=1&b=2");
        let hash = doc
            .descendants()
            .find(|n| n.has_tag_name("hash"))
            .and_then(|n| n.text())
            .unwrap();
        assert!(hash.starts_with("md5:") && hash.len() == 36, "{hash}");
    }
}
