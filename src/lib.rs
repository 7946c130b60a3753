//! batch-notifier: turns AWS Batch and S3 Batch Operations events delivered by EventBridge into
//! readable, routable SNS notifications. ARCHITECTURE.md is the map; the modules below are in the
//! order data flows through them, and each imports only from those above it.

// Leaves, shared by every stage.
pub mod config;
pub mod fingerprint;
pub mod limits;
pub mod model;
pub mod redact;
mod wire;

// The pure core: bytes in, a decision and its SNS Publish request out. No AWS SDK below this line
// until `deliver`.
pub mod ingest;
pub mod parse;
pub mod classify;
pub mod decide;
pub mod state;
pub mod enrich;
pub mod render;
pub mod digest;
pub mod pipeline;
pub mod batching;

// The edge: the publisher port and its SNS adapter, the DynamoDB state store, and the lookups.
pub mod deliver;
pub mod store;
pub mod lookup;

// The entry points: the Lambda handler and `preview`.
pub mod entry;
