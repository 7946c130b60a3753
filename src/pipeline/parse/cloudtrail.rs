//! A lenient CloudTrail record: every field optional, unknown fields ignored.
//!
//! `aws_lambda_events`' own `AWSAPICall` requires fields that S3 Batch Operations events lack, so the
//! record is modelled here. Fields that can carry secrets are read as JSON redacted on the way in;
//! `userIdentity.accessKeyId` is not read at all. (`Serialize` is only there because
//! `aws_lambda_events`' envelope type asks it of its detail.)

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::domain::redact::Redacted;

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CloudTrailRecord {
    pub event_time: Option<String>,
    pub event_source: Option<String>,
    pub event_name: Option<String>,
    pub aws_region: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_parameters: Option<Redacted>,
    pub response_elements: Option<Redacted>,
    pub additional_event_data: Option<Redacted>,
    #[serde(rename = "eventID")]
    pub event_id: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub read_only: Option<bool>,
    pub event_type: Option<String>,
    pub recipient_account_id: Option<String>,
    pub user_identity: Option<UserIdentity>,
    pub service_event_details: Option<Redacted>,
    #[serde(default, deserialize_with = "flag")]
    pub session_credential_from_console: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub identity_type: Option<String>,
    pub principal_id: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub user_name: Option<String>,
    pub invoked_by: Option<String>,
    pub session_context: Option<SessionContext>,
    pub on_behalf_of: Option<OnBehalfOf>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    pub attributes: Option<SessionAttributes>,
    pub session_issuer: Option<SessionIssuer>,
    pub source_identity: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes {
    #[serde(default, deserialize_with = "flag")]
    pub mfa_authenticated: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    #[serde(rename = "type")]
    pub issuer_type: Option<String>,
    pub arn: Option<String>,
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OnBehalfOf {
    pub user_id: Option<String>,
}

/// CloudTrail writes some flags as JSON booleans and others as the strings `"true"` / `"false"`;
/// anything else counts as unknown rather than failing the event.
fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_accept_booleans_and_strings() {
        let r: CloudTrailRecord = serde_json::from_str(
            r#"{"readOnly":"true","sessionCredentialFromConsole":true,
                "userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"false"}}}}"#,
        )
        .unwrap();
        assert_eq!(r.read_only, Some(true));
        assert_eq!(r.session_credential_from_console, Some(true));
        let mfa = r
            .user_identity
            .unwrap()
            .session_context
            .unwrap()
            .attributes
            .unwrap();
        assert_eq!(mfa.mfa_authenticated, Some(false));
    }

    #[test]
    fn odd_flags_and_nulls_are_unknown_not_errors() {
        let r: CloudTrailRecord =
            serde_json::from_str(r#"{"readOnly":3,"requestParameters":null,"userIdentity":null}"#)
                .unwrap();
        assert_eq!(r.read_only, None);
        assert_eq!(r.request_parameters, None);
        assert_eq!(r.user_identity, None);
    }
}
