//! What becomes of an event: published (carrying what the next stage hands on) or skipped, and
//! why.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::wire::wire_enum;

wire_enum! {
    /// Why an event is not published, as a metric dimension.
    pub enum SkipKind {
        /// Another source or detail type.
        NotOurs = "not_ours",
        NotIncluded = "not_included",
        Excluded = "excluded",
        ReadOnly = "read_only",
        Transitional = "transitional",
        ChildJob = "child_job",
        BelowMinSeverity = "below_min_severity",
        /// Told already (the state table).
        Duplicate = "duplicate",
        /// A later transition of the job was told already (the state table).
        Stale = "stale",
        /// A failed child over `CHILD_FAILURES_MAX` (the state table).
        ChildFailuresCapped = "child_failures_capped",
    }
}

/// A skipped event: the kind for metrics, the sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub kind: SkipKind,
    pub reason: String,
}

/// What becomes of an event: published, or skipped and why. What `Publish` carries follows the
/// event down the pipeline: nothing yet, then its Publish request (what `preview` shows), then SNS's
/// message id (what the handler answers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<P> {
    Publish(P),
    Skip(Skip),
}

impl<P> Decision<P> {
    /// The same decision, with what is published turned into the next stage's form.
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Decision<Q> {
        match self {
            Decision::Publish(p) => Decision::Publish(f(p)),
            Decision::Skip(skip) => Decision::Skip(skip),
        }
    }
}

/// The handler's answer: `{"published": "<message id>"}` or `{"skipped": "<reason>"}`.
impl<P: Serialize> Serialize for Decision<P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Decision::Publish(published) => map.serialize_entry("published", published)?,
            Decision::Skip(skip) => map.serialize_entry("skipped", &skip.reason)?,
        }
        map.end()
    }
}
