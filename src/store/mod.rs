//! The state store at the edge: [`crate::state::StateStore`] over DynamoDB ([`dynamodb`]), sharing
//! the function's HTTP client and AWS configuration with the SNS publisher.

pub mod dynamodb;
