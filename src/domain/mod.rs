//! The vocabulary every layer speaks, importing nothing of theirs: the notification and its parts
//! (`model`), what becomes of an event (`decision`), the settings' choices (`vocabulary`), bounded
//! text (`limits`), durations as people write them (`duration`), fingerprints, account ids
//! (`account`), partitions, secrets (`redact`), finding short texts (`search`), and `wire_enum!`.

pub mod account;
pub mod decision;
pub mod duration;
pub mod fingerprint;
pub mod limits;
pub mod model;
pub mod partition;
pub mod redact;
pub mod search;
pub mod vocabulary;
mod wire;
