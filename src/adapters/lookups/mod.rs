//! The lookups at the edge: enrichment's ports ([`crate::ports::lookups`]) over the AWS SDK clients, each
//! built once (at its first lookup), and only for the sources `ENRICH` names, on the function's
//! shared HTTP client and configuration; [`Concurrent`], which runs one notification's lookups
//! together under one deadline; and [`AwsLookups`], which runs them in the event's own account
//! and region, with the credentials of the role assumed there ([`roles`]), and names accounts from
//! AWS Organizations ([`organizations`]).

/// The client of SDK crate `$sdk` on `$config` (an `SdkConfig`) with the lookups' [`bounds`],
/// built at its first use ([`OnFirstUse`]): every source's client is made so.
macro_rules! client_on_first_use {
    ($sdk:ident, $config:expr) => {{
        let config = $config.clone();
        crate::adapters::lookups::OnFirstUse::new(move || {
            let (retry, timeouts) = crate::adapters::lookups::bounds();
            let config = $sdk::config::Builder::from(&config)
                .retry_config(retry)
                .timeout_config(timeouts)
                .build();
            $sdk::Client::from_conf(config)
        })
    }};
}

mod batch;
mod concurrent;
mod logs;
mod organizations;
mod roles;
mod s3_control;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::time::{Instant, timeout_at};

pub use batch::BatchJobs;
pub use concurrent::Concurrent;
pub use logs::LogEvents;
pub use organizations::AccountDirectory;
pub use roles::{AssumedRoles, RoleCredentials};
pub use s3_control::{ENDPOINT_VARIABLE, S3ControlJobs};

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::adapters::sdk_error::describe;
use crate::config::{EnrichSource, Settings};
use crate::ports::lookups::{Enricher, Found, LookupError, Missing, Reach, Wanted};

/// The lookups of one region and set of credentials. Jobs and queues share AWS Batch's client.
pub type PlaceLookups = Concurrent<S3ControlJobs, LogEvents, BatchJobs, BatchJobs>;

/// All that a place's lookups need of the settings: which sources `ENRICH` enables, and the
/// deadline of one notification's lookups (`ENRICH_TIMEOUT_MS`).
#[derive(Clone, Copy, Debug)]
struct Enabled {
    s3_jobs: bool,
    job_logs: bool,
    jobs: bool,
    queues: bool,
    timeout: Duration,
}

impl Enabled {
    fn of(settings: &Settings) -> Enabled {
        Enabled {
            s3_jobs: settings.enriches(EnrichSource::S3Jobs),
            job_logs: settings.enriches(EnrichSource::JobLogs),
            jobs: settings.enriches(EnrichSource::Jobs),
            queues: settings.enriches(EnrichSource::Queues),
            timeout: Duration::from_millis(u64::from(settings.enrich.timeout_ms)),
        }
    }
}

/// Builds the clients of the enabled sources, once, on `config`'s region and credentials.
fn place_lookups(config: &SdkConfig, enabled: Enabled) -> PlaceLookups {
    let batch = BatchJobs::new(config);
    Concurrent {
        s3_jobs: enabled.s3_jobs.then(|| S3ControlJobs::new(config)),
        job_logs: enabled.job_logs.then(|| LogEvents::new(config)),
        jobs: enabled.jobs.then(|| batch.clone()),
        queues: enabled.queues.then_some(batch),
        timeout: enabled.timeout,
    }
}

/// The lookups over AWS: in the function's own region and account with its own credentials; in
/// an event's other region, or other account through the role assumed there, on clients built at
/// the first event from there and kept.
pub struct AwsLookups {
    config: SdkConfig,
    enabled: Enabled,
    home: PlaceLookups,
    elsewhere: Mutex<HashMap<Reach, Arc<PlaceLookups>>>,
    roles: Arc<AssumedRoles>,
    names: Option<AccountDirectory>,
}

/// The lookups `settings` enables. Nothing is called, and no client built, before a lookup.
pub fn aws_lookups(config: &SdkConfig, settings: &Settings) -> AwsLookups {
    let enabled = Enabled::of(settings);
    AwsLookups {
        config: config.clone(),
        enabled,
        home: place_lookups(config, enabled),
        elsewhere: Mutex::new(HashMap::new()),
        roles: Arc::new(AssumedRoles::new(config)),
        names: (settings.render.names_from_organizations)
            .then(|| AccountDirectory::new(config, enabled.timeout)),
    }
}

impl AwsLookups {
    /// The lookups of `reach`, built at its first use.
    fn at(&self, reach: &Reach) -> Arc<PlaceLookups> {
        let mut elsewhere = self.elsewhere.lock().unwrap_or_else(|e| e.into_inner());
        let lookups = elsewhere.entry(reach.clone()).or_insert_with(|| {
            let mut config = self.config.to_builder();
            if let Some(region) = &reach.region {
                config.set_region(Some(Region::new(region.clone())));
            }
            if let Some(role) = &reach.role {
                config.set_credentials_provider(Some(SharedCredentialsProvider::new(
                    RoleCredentials {
                        roles: Arc::clone(&self.roles),
                        role: role.clone(),
                    },
                )));
            }
            Arc::new(place_lookups(&config.build(), self.enabled))
        });
        Arc::clone(lookups)
    }
}

impl Enricher for AwsLookups {
    async fn look_up(&self, wanted: &Wanted) -> Found {
        let deadline = Instant::now() + self.home.timeout;
        if wanted.reach == Reach::default() {
            return self.home.look_up_until(wanted, deadline).await;
        }
        // A role that cannot be assumed makes every part missing, for the one reason.
        if let Some(role) = &wanted.reach.role {
            let missing = match timeout_at(deadline, self.roles.credentials(role)).await {
                Ok(Ok(_)) => None,
                Ok(Err(error)) => Some(Missing::Failed(error)),
                Err(_) => Some(self.home.late()),
            };
            if let Some(missing) = missing {
                return Found::all_missing(wanted, &missing);
            }
        }
        self.at(&wanted.reach).look_up_until(wanted, deadline).await
    }

    async fn account_name(&self, account: &str) -> Option<String> {
        self.names.as_ref()?.name(account).await
    }
}

/// A lookup is worth one retry at most: the deadline is short, and a notification without its
/// context is better than a late one. The SDK's own timeouts are off: [`Concurrent`]'s deadline
/// ends every lookup of an event, and an SDK timeout at the same moment would race it and tell the
/// same lateness in other words.
fn bounds() -> (RetryConfig, TimeoutConfig) {
    (
        RetryConfig::standard().with_max_attempts(2),
        TimeoutConfig::disabled(),
    )
}

/// A client built at its source's first lookup, not at start-up. Each SDK crate parses its own copy
/// of AWS's partition table (JSON, and a regular expression per partition) when its first client is
/// built: about 0.55 M instructions a crate, which for the three sources was more than the rest of
/// the cold start together (BENCHMARKS.md, "Lookups"). A container that never sees an S3 Batch
/// Operations job never pays for S3 Control's. What is read from the environment is read at
/// start-up, by `build`'s maker.
struct OnFirstUse<C> {
    build: Box<dyn Fn() -> C + Send + Sync>,
    client: OnceLock<C>,
}

impl<C> OnFirstUse<C> {
    fn new(build: impl Fn() -> C + Send + Sync + 'static) -> Self {
        OnFirstUse {
            build: Box::new(build),
            client: OnceLock::new(),
        }
    }

    fn get(&self) -> &C {
        self.client.get_or_init(&self.build)
    }
}

/// A lookup's failure, as the SDK tells it.
fn failed<E, R>(error: &SdkError<E, R>, service: &str) -> LookupError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = describe(error, service);
    LookupError::new(code, message)
}
