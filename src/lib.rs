//! batch-notifier: turns AWS Batch and S3 Batch Operations events delivered by EventBridge into
//! readable, routable SNS notifications.
//!
//! The pure core — [`event`] (parse), [`classify`], [`decide`], [`render`] — turns bytes into an SNS
//! Publish request through [`pipeline::prepare`]; `preview` and the Lambda handler share it. The
//! handler hands the request to a [`publisher::Publisher`]; [`sns`] and the HTTP client it uses,
//! [`https`], are the only modules that know the AWS SDK.

pub mod actor;
pub mod catalog;
pub mod classify;
pub mod cloudtrail;
pub mod config;
pub mod decide;
pub mod event;
pub mod handler;
pub mod https;
pub mod links;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod preview;
pub mod publisher;
pub mod redact;
pub mod render;
pub mod severity;
pub mod sns;
pub mod statuses;
