//! What every AWS client of the function shares: one SDK configuration, on the function's own
//! HTTPS client, with the publisher's retry and timeout bounds as its defaults (the other clients
//! set their own).

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

use super::sns::{ATTEMPT_TIMEOUT, CONNECT_TIMEOUT, MAX_ATTEMPTS, OPERATION_TIMEOUT};

/// The function's AWS configuration, which every client shares: the HTTP client, region and
/// credentials from the environment, and the publisher's retry and timeout bounds (other clients
/// set their own).
///
/// Lambda gives the function its credentials in environment variables. When they are there,
/// only they are read: the default chain would also build the providers a function never uses
/// (profiles, web identity with its own STS client, container and instance metadata), a
/// quarter of the cold start (BENCHMARKS.md). Without them (a person's shell with a profile),
/// the default chain applies.
pub async fn load_config() -> aws_config::SdkConfig {
    let mut loader = configure(aws_config::defaults(BehaviorVersion::latest()));
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

/// The HTTP client and the retry and timeout bounds every publisher uses.
pub fn configure(loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
    loader
        .http_client(super::https::client(CONNECT_TIMEOUT))
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
}
