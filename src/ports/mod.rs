//! What the core needs from the world, each with no AWS SDK type in sight: a publisher (SNS), a state
//! store (DynamoDB) and the lookups (S3 Control, CloudWatch Logs, AWS Batch). Each has an ordinary
//! implementation that needs no AWS (the in-memory and stateless stores, the offline enricher); the
//! SDK adapters are in `adapters/`.

pub mod lookups;
pub mod publisher;
pub mod state;
