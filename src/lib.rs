//! batch-notifier: turns AWS Batch and S3 Batch Operations events delivered by EventBridge into
//! readable, routable SNS notifications.
//!
//! The pure core — [`event`] (parse), [`classify`], [`decide`], [`render`] — turns bytes into an SNS
//! Publish request through [`pipeline::prepare`]; `preview` and the Lambda handler share it.

pub mod actor;
pub mod catalog;
pub mod classify;
pub mod cloudtrail;
pub mod config;
pub mod decide;
pub mod event;
pub mod links;
pub mod model;
pub mod pipeline;
pub mod preview;
pub mod redact;
pub mod render;
pub mod severity;
pub mod statuses;
