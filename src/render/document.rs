//! The versioned JSON document for programs. The README documents every field; a change that removes
//! or retypes a field raises `SCHEMA_VERSION`.

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::model::{
    Action, Actor, ErrorInfo, Fact, Family, Link, Notification, Outcome, Resource, Severity, Status,
};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema_version: u32,
    pub event_id: Option<&'a str>,
    pub family: Family,
    pub source: &'a str,
    pub detail_type: &'a str,
    pub event_name: &'a str,
    pub time: Option<&'a str>,
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
    pub severity: Severity,
    pub severity_reasons: &'a [&'static str],
    pub outcome: Outcome,
    pub summary: String,
    pub resource: &'a Resource,
    pub action: Option<&'a Action>,
    pub actor: Option<&'a Actor>,
    pub status: Option<&'a Status>,
    pub error: Option<&'a ErrorInfo>,
    #[serde(serialize_with = "facts_as_map")]
    pub facts: &'a [Fact],
    pub links: &'a [Link],
    pub cloudtrail_event_id: Option<&'a str>,
    pub thread_key: &'a str,
    /// The event detail, redacted; `null` when it did not fit the message size limit.
    pub detail: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_omitted: Option<&'a str>,
}

fn facts_as_map<S: Serializer>(facts: &&[Fact], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(facts.iter().map(|f| (f.key, &f.value)))
}

static NULL: Value = Value::Null;

/// The document of `n`; without its detail when `omit_detail` says why.
pub fn document<'a>(n: &'a Notification, omit_detail: Option<&'a str>) -> Document<'a> {
    Document {
        schema_version: SCHEMA_VERSION,
        event_id: n.event_id.as_deref(),
        family: n.family,
        source: &n.source,
        detail_type: &n.detail_type,
        event_name: &n.event_name,
        time: n.time.as_deref(),
        account: n.account.as_deref(),
        region: n.region.as_deref(),
        severity: n.severity,
        severity_reasons: &n.severity_reasons,
        outcome: n.outcome,
        summary: super::text::headline(n),
        resource: &n.resource,
        action: n.action.as_ref(),
        actor: n.actor.as_ref(),
        status: n.status.as_ref(),
        error: n.error.as_ref(),
        facts: &n.facts,
        links: &n.links,
        cloudtrail_event_id: n.cloudtrail_event_id.as_deref(),
        thread_key: &n.thread_key,
        detail: if omit_detail.is_some() {
            &NULL
        } else {
            &n.detail
        },
        detail_omitted: omit_detail,
    }
}
