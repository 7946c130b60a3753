//! Ingest: the shapes of payload an invocation can carry, told apart before anything is parsed.
//! Today there is one, an EventBridge event, handed to the pipeline as its bytes; an SQS batch whose
//! records each carry one would be the next, told apart here by its shape.

/// What an invocation carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload<'a> {
    /// One EventBridge event.
    Event(&'a [u8]),
}

/// The payload's shape.
pub fn payload(bytes: &[u8]) -> Payload<'_> {
    Payload::Event(bytes)
}
