//! The versioned JSON document for programs: the notification itself, with the schema version in
//! front. The README documents every field; a change that removes or retypes a field raises
//! `SCHEMA_VERSION`.

use serde::Serialize;

use crate::domain::model::Notification;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document<'a> {
    schema_version: u32,
    #[serde(flatten)]
    notification: &'a Notification,
    /// Why the detail is `null`: it did not fit the message size limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail_omitted: Option<&'a str>,
}

pub fn document<'a>(n: &'a Notification, detail_omitted: Option<&'a str>) -> Document<'a> {
    Document {
        schema_version: SCHEMA_VERSION,
        notification: n,
        detail_omitted,
    }
}
