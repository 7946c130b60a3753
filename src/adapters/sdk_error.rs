//! How an SDK call's failure is told: the service's code when it answered, and otherwise what
//! went wrong on the way, in words (shared by every client of the function).

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// The error code (when `service` answered with one) and a message a person can act on.
pub fn describe<E, R>(error: &SdkError<E, R>, service: &str) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match error {
        SdkError::ServiceError(answer) => (
            answer.err().code().map(str::to_owned),
            answer
                .err()
                .message()
                .map_or_else(|| DisplayErrorContext(error).to_string(), str::to_owned),
        ),
        SdkError::TimeoutError(_) => (None, "timed out after the SDK's retries".to_owned()),
        SdkError::DispatchFailure(_) => (
            None,
            format!("could not reach {service}: {}", causes(error)),
        ),
        SdkError::ResponseError(_) => (
            None,
            format!("unreadable answer from {service}: {}", causes(error)),
        ),
        _ => (None, DisplayErrorContext(error).to_string()),
    }
}

/// The messages of an error's sources, most specific last, without repeats.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = error.source();
    while let Some(cause) = current {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = cause.source();
    }
    if parts.is_empty() {
        error.to_string()
    } else {
        parts.join(": ")
    }
}
