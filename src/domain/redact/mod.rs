//! Redaction: nothing that can carry a secret leaves through a notification.
//!
//! Two layers. Values under secret-bearing keys ([`secret_keys`]) are replaced wholesale as the
//! JSON is read ([`reader`]), and remembered; those remembered values are then scrubbed from the
//! free text that may echo them, such as an error message ([`secrets`]). Apart from both, access key
//! ids are masked in every string that is published ([`access_keys`], applied by `render`).

mod access_keys;
mod assignments;
mod reader;
mod secret_keys;
mod secrets;

pub use access_keys::mask_access_keys;
pub use assignments::mask_secret_assignments;
pub use reader::{MAX_DEPTH, Redacted, TOO_DEEP};
pub use secret_keys::is_secret_key;
pub use secrets::{Scrubbed, Secrets};

/// What a removed value is shown as.
pub const REDACTED: &str = "[redacted]";
