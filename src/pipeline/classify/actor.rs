//! Who made a call: a short and a long human description of a CloudTrail `userIdentity`.

use super::fields::short_name as last_segment;
use crate::domain::limits::{MAX_NAME, MAX_TEXT, bounded};
use crate::domain::model::{Actor, Channel};
use crate::pipeline::parse::{CloudTrailRecord, UserIdentity};

/// Describes the caller of a CloudTrail record, whatever its identity type, or with none at all.
pub fn describe(record: &CloudTrailRecord) -> Actor {
    let empty = UserIdentity::default();
    let identity = record.user_identity.as_ref().unwrap_or(&empty);
    let (short, description) = names(identity);
    let account = identity.account_id.clone();
    let description = match &account {
        Some(account) if identity.identity_type.is_some() => {
            format!("{description} (account {account})")
        }
        _ => description,
    };
    let name = |s: &Option<String>| s.clone().map(|s| bounded(s, MAX_NAME));
    Actor {
        identity_type: name(&identity.identity_type),
        short: bounded(short, MAX_NAME),
        description: bounded(description, MAX_TEXT),
        arn: name(&identity.arn),
        account: account.map(|s| bounded(s, MAX_NAME)),
        mfa: identity
            .session_context
            .as_ref()
            .and_then(|c| c.attributes.as_ref())
            .and_then(|a| a.mfa_authenticated),
        channel: channel(record, identity),
        source_ip: name(&record.source_ip_address),
        user_agent: record.user_agent.clone().map(|s| bounded(s, MAX_TEXT)),
        is_root: identity.identity_type.as_deref() == Some("Root"),
    }
}

fn first_of<'a>(candidates: &[Option<&'a str>]) -> Option<&'a str> {
    candidates.iter().flatten().copied().find(|s| !s.is_empty())
}

fn names(identity: &UserIdentity) -> (String, String) {
    let user_name = identity.user_name.as_deref();
    let arn_name = identity.arn.as_deref().map(last_segment);
    let principal = identity.principal_id.as_deref();
    let invoked_by = identity.invoked_by.as_deref();
    let named = |kind: &str, name: Option<&str>| {
        let name = name.unwrap_or("unnamed");
        (name.to_string(), format!("{kind} {name}"))
    };
    match identity.identity_type.as_deref() {
        Some("Root") => ("root".into(), "root user".into()),
        Some("IAMUser") => named("IAM user", first_of(&[user_name, arn_name])),
        Some("AssumedRole") => {
            let role = identity
                .session_context
                .as_ref()
                .and_then(|c| c.session_issuer.as_ref())
                .and_then(|i| {
                    first_of(&[i.user_name.as_deref(), i.arn.as_deref().map(last_segment)])
                });
            // assumed-role ARNs end in `role-name/session-name`.
            let session = identity.arn.as_deref().map(last_segment);
            match (role, session) {
                (Some(role), Some(session)) => (
                    format!("{role}/{session}"),
                    format!("assumed role {role}, session {session}"),
                ),
                (role, session) => named("assumed role", role.or(session)),
            }
        }
        Some("Role") => named("role", first_of(&[user_name, arn_name])),
        Some("FederatedUser") => named(
            "federated user",
            first_of(&[user_name, arn_name, principal]),
        ),
        Some("Directory") => named(
            "directory user",
            first_of(&[user_name, arn_name, principal]),
        ),
        Some("IdentityCenterUser") => {
            let user_id = identity
                .on_behalf_of
                .as_ref()
                .and_then(|o| o.user_id.as_deref());
            named(
                "IAM Identity Center user",
                first_of(&[user_name, user_id, principal]),
            )
        }
        Some("AWSService") => named("AWS service", first_of(&[invoked_by, principal])),
        Some("AWSAccount") => named(
            "AWS account",
            first_of(&[identity.account_id.as_deref(), principal]),
        ),
        Some("Unknown") => named("unknown identity", first_of(&[user_name, principal])),
        Some(other) => {
            let name = first_of(&[user_name, arn_name, principal, invoked_by]).unwrap_or("unnamed");
            (name.to_string(), format!("{other} {name}"))
        }
        None => match invoked_by {
            Some(service) => named("AWS service", Some(service)),
            None => match &identity.account_id {
                Some(account) => (
                    format!("account {account}"),
                    format!("a caller in account {account}"),
                ),
                None => ("unknown".into(), "an unknown caller".into()),
            },
        },
    }
}

/// Console, API or AWS service, where the record tells.
fn channel(record: &CloudTrailRecord, identity: &UserIdentity) -> Option<Channel> {
    if identity.invoked_by.is_some() || identity.identity_type.as_deref() == Some("AWSService") {
        return Some(Channel::Service);
    }
    if record.session_credential_from_console == Some(true) {
        return Some(Channel::Console);
    }
    let agent = record.user_agent.as_deref()?;
    if agent.contains("console.amazonaws.com") || agent.contains("signin.amazonaws.com") {
        Some(Channel::Console)
    } else if agent.ends_with(".amazonaws.com") || agent == "AWS Internal" {
        Some(Channel::Service)
    } else {
        Some(Channel::Api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(identity: serde_json::Value) -> Actor {
        let record: CloudTrailRecord = serde_json::from_value(serde_json::json!({
            "userIdentity": identity,
            "userAgent": "aws-cli/2.15.0",
        }))
        .unwrap();
        describe(&record)
    }

    #[test]
    fn every_identity_type_has_a_readable_name() {
        let cases = [
            (
                serde_json::json!({"type":"Root","accountId":"1"}),
                "root",
                "root user (account 1)",
            ),
            (
                serde_json::json!({"type":"IAMUser","userName":"alice","accountId":"1"}),
                "alice",
                "IAM user alice (account 1)",
            ),
            (
                serde_json::json!({"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Admin/jane",
                    "sessionContext":{"sessionIssuer":{"userName":"Admin"}}}),
                "Admin/jane",
                "assumed role Admin, session jane",
            ),
            (
                serde_json::json!({"type":"Role","arn":"arn:aws:iam::1:role/Deployer"}),
                "Deployer",
                "role Deployer",
            ),
            (
                serde_json::json!({"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob"}),
                "bob",
                "federated user bob",
            ),
            (
                serde_json::json!({"type":"AWSService","invokedBy":"batch.amazonaws.com"}),
                "batch.amazonaws.com",
                "AWS service batch.amazonaws.com",
            ),
            (
                serde_json::json!({"type":"AWSAccount","accountId":"222233334444"}),
                "222233334444",
                "AWS account 222233334444 (account 222233334444)",
            ),
            (
                serde_json::json!({"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-123"}}),
                "u-123",
                "IAM Identity Center user u-123",
            ),
            (
                serde_json::json!({"type":"Unknown","principalId":"ABC"}),
                "ABC",
                "unknown identity ABC",
            ),
            (
                serde_json::json!({"type":"Directory","userName":"carol"}),
                "carol",
                "directory user carol",
            ),
            (
                serde_json::json!({"accountId":"1","invokedBy":"s3.amazonaws.com"}),
                "s3.amazonaws.com",
                "AWS service s3.amazonaws.com",
            ),
            (serde_json::json!({}), "unknown", "an unknown caller"),
        ];
        for (identity, short, description) in cases {
            let a = actor(identity.clone());
            assert_eq!(
                (a.short.as_str(), a.description.as_str()),
                (short, description),
                "{identity}"
            );
        }
    }

    #[test]
    fn no_identity_at_all_is_an_unknown_caller() {
        let a = describe(&CloudTrailRecord::default());
        assert_eq!(a.short, "unknown");
        assert_eq!(a.channel, None);
    }

    #[test]
    fn mfa_and_console_are_reported() {
        let record: CloudTrailRecord = serde_json::from_value(serde_json::json!({
            "userIdentity": {"type":"IAMUser","userName":"alice",
                "sessionContext":{"attributes":{"mfaAuthenticated":"true"}}},
            "sessionCredentialFromConsole": "true",
        }))
        .unwrap();
        let a = describe(&record);
        assert_eq!(a.mfa, Some(true));
        assert_eq!(a.channel, Some(Channel::Console));
        assert_eq!(
            actor(serde_json::json!({"type":"IAMUser"})).channel,
            Some(Channel::Api)
        );
    }
}
