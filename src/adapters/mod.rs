//! The edge: the only code that names an AWS SDK. One adapter per port (`sns`, `dynamodb`,
//! `lookups`), and what they share: one SDK configuration (`aws`), one HTTPS client (`https`), and
//! how a failed call is told (`sdk_error`).

pub mod aws;
pub mod dynamodb;
mod https;
pub mod lookups;
pub(crate) mod sdk_error;
pub mod sns;
