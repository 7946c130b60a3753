//! AWS Organizations' account names (`ACCOUNT_NAMES=organizations`): `ListAccounts`, all pages,
//! at the first event that names an account, then kept for the life of the invocation
//! environment. A failure leaves ids alone and is tried again a while later, not at every event.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_organizations::Client;
use tokio::time::{Instant, timeout};

use super::{OnFirstUse, failed};
use crate::domain::limits::single_line;
use crate::ports::lookups::LookupError;

/// How long ids are left alone after `ListAccounts` failed, before it is asked again.
const RETRY_AFTER: Duration = Duration::from_secs(5 * 60);

/// The longest name kept, as `ACCOUNT_NAMES` allows.
const MAX_NAME: usize = 64;

pub struct AccountDirectory {
    client: OnFirstUse<Client>,
    known: tokio::sync::Mutex<Known>,
    timeout: Duration,
}

#[derive(Default)]
struct Known {
    names: Option<Arc<HashMap<String, String>>>,
    failed_at: Option<Instant>,
}

impl AccountDirectory {
    /// `timeout` bounds one reading of the directory, all pages.
    pub fn new(config: &SdkConfig, timeout: Duration) -> Self {
        AccountDirectory {
            client: client_on_first_use!(aws_sdk_organizations, config),
            known: tokio::sync::Mutex::new(Known::default()),
            timeout,
        }
    }

    /// The account's name, if the organization's directory could be read and lists it.
    pub async fn name(&self, account: &str) -> Option<String> {
        let mut known = self.known.lock().await;
        let may_ask = known.failed_at.is_none_or(|at| at.elapsed() >= RETRY_AFTER);
        if known.names.is_none() && may_ask {
            let read = match timeout(self.timeout, self.list()).await {
                Ok(read) => read,
                Err(_) => Err(LookupError::new(None, "no answer in time")),
            };
            match read {
                Ok(names) => known.names = Some(Arc::new(names)),
                Err(error) => {
                    tracing::warn!(error = %error, message = %error.message,
                        "AWS Organizations ListAccounts failed: accounts are named by id");
                    known.failed_at = Some(Instant::now());
                }
            }
        }
        known.names.as_ref()?.get(account).cloned()
    }

    async fn list(&self) -> Result<HashMap<String, String>, LookupError> {
        let mut names = HashMap::new();
        let mut pages = self.client.get().list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| failed(&e, "AWS Organizations"))?;
            for account in page.accounts() {
                if let (Some(id), Some(name)) = (account.id(), account.name()) {
                    names.insert(id.to_owned(), readable(name));
                }
            }
        }
        Ok(names)
    }
}

/// A name as a subject can carry it: one line, at most `MAX_NAME` characters.
fn readable(name: &str) -> String {
    single_line(name).chars().take(MAX_NAME).collect()
}
