//! Context for the cases people act on, looked up after the gate and before rendering: an S3 Batch
//! Operations job's task counts and report, a failed Batch job's last log lines, the job behind an
//! API call. What to look up ([`wanted`]) and what the answers add ([`apply`]) are pure; the lookups
//! are ports ([`port`]) whose SDK adapters live at the edge (`lookup/`).

mod apply;
mod found;
mod log_lines;
mod port;
mod wanted;

pub use apply::apply;
pub use found::{Found, JobReport, LookupError, Missing, ReportLocation, S3JobReport, TaskFailure};
pub use log_lines::{MAX_LINE, MAX_LOG_TEXT, log_lines};
pub use port::{Enricher, JobLogSource, JobSource, Offline, S3JobSource};
pub use wanted::{JobLogRef, S3JobRef, Wanted, wanted};
