//! batch-notifier: turns AWS Batch and S3 Batch Operations events delivered by EventBridge into
//! readable, routable SNS notifications. ARCHITECTURE.md is the map.
//!
//! The data flow, one event:
//!
//! ```text
//! bytes ─ ingest ─ parse ─ classify ─ decide ─ gate ─ enrich ─ render ─ publish ─ settle
//! ```
//!
//! `pipeline::prepare` is the one path from bytes to what is published, and every caller uses it:
//! the Lambda handler, an SQS batch, `preview`, the tests, benches and fuzz target. The layers
//! below are declared in import order: each imports only from those above it.

// The vocabulary every layer speaks: the notification, decisions, bounded text, secrets.
pub mod domain;
// Settings, read from the environment: one row per variable.
pub mod config;
// What the core needs from the world (publisher, state store, lookups), with an in-memory or
// offline implementation of each.
pub mod ports;
// The pure core, in flow order: plain functions over plain data, no AWS SDK.
pub mod pipeline;
// The only code that names an AWS SDK: one adapter per port, and what they share.
pub mod adapters;
// The entry points: the Lambda function (one event, an SQS batch), `preview`, the log and metric
// lines.
pub mod entry;
