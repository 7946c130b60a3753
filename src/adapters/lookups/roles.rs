//! Credentials for another account's lookups: STS `AssumeRole` of the role `LOOKUP_ROLE_NAME`
//! names there, once per account until shortly before the credentials expire. The STS client is
//! built at the first role assumed, so a function that never sees another account's event never
//! builds it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{self, ProvideCredentials, error::CredentialsError};
use aws_sdk_sts::Client;

use super::OnFirstUse;
use crate::adapters::sdk_error::describe;
use crate::ports::lookups::{LookupError, RoleRef};

/// The session name the member account's CloudTrail shows for the function's lookups.
const SESSION_NAME: &str = "batch-notifier-lookups";

/// Credentials this close to their expiry are renewed first: a lookup must not start with
/// credentials that end during it.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

/// The roles assumed so far, each with its last credentials. One lock per role, so that the
/// events of one account wait for one `AssumeRole` rather than each making their own, while
/// another account's go on.
pub struct AssumedRoles {
    sts: OnFirstUse<Client>,
    roles: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Credentials>>>>>,
}

impl AssumedRoles {
    /// STS in the function's own region (its regional endpoint).
    pub fn new(config: &SdkConfig) -> Self {
        AssumedRoles {
            sts: client_on_first_use!(aws_sdk_sts, config),
            roles: Mutex::new(HashMap::new()),
        }
    }

    /// The role's credentials: the last ones while they last, else new ones from STS.
    pub async fn credentials(&self, role: &RoleRef) -> Result<Credentials, LookupError> {
        let slot = {
            let mut roles = self.roles.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(roles.entry(role.arn.clone()).or_default())
        };
        let mut held = slot.lock().await;
        if let Some(credentials) = held.as_ref().filter(|c| lasts(c, SystemTime::now())) {
            return Ok(credentials.clone());
        }
        let credentials = self.assume(role).await?;
        *held = Some(credentials.clone());
        Ok(credentials)
    }

    async fn assume(&self, role: &RoleRef) -> Result<Credentials, LookupError> {
        let failed = |why: String| {
            LookupError::new(
                None,
                format!("{why} assuming {} in {}", role.name, role.account),
            )
        };
        let answer = (self.sts.get().assume_role())
            .role_arn(&role.arn)
            .role_session_name(SESSION_NAME)
            .send()
            .await
            .map_err(|e| {
                let (code, message) = describe(&e, "AWS STS");
                failed(code.unwrap_or(message))
            })?;
        let given = (answer.credentials())
            .ok_or_else(|| failed("no credentials in STS's answer".to_owned()))?;
        let expiry = SystemTime::try_from(*given.expiration()).ok();
        Ok(Credentials::new(
            given.access_key_id(),
            given.secret_access_key(),
            Some(given.session_token().to_owned()),
            expiry,
            "AssumeRole",
        ))
    }
}

/// Whether credentials are good for a lookup started at `now`.
fn lasts(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_none_or(|expiry| expiry > now + RENEW_BEFORE)
}

/// The credentials of one role, as an SDK client asks for them.
#[derive(Clone)]
pub struct RoleCredentials {
    pub roles: Arc<AssumedRoles>,
    pub role: RoleRef,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RoleCredentials({})", self.role.arn)
    }
}

impl ProvideCredentials for RoleCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            (self.roles.credentials(&self.role).await).map_err(CredentialsError::provider_error)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_renewed_five_minutes_before_they_expire() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let expiring = |seconds| {
            Credentials::new(
                "a",
                "s",
                None,
                Some(now + Duration::from_secs(seconds)),
                "t",
            )
        };
        assert!(lasts(&expiring(3600), now));
        assert!(lasts(&expiring(301), now));
        assert!(!lasts(&expiring(300), now));
        assert!(!lasts(&expiring(10), now));
        assert!(lasts(&Credentials::new("a", "s", None, None, "t"), now));
    }
}
