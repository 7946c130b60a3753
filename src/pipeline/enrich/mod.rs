//! Context for the cases people act on, looked up after the gate and before rendering: an S3 Batch
//! Operations job's task counts and report, a failed Batch job's last log lines, the job behind an
//! API call, in the event's own account and region ([`reach`]). What to look up ([`wanted`]) and what the answers add ([`apply`]) are pure; the lookups
//! are ports (`ports::lookups`) whose SDK adapters live at the edge (`adapters::lookups`).

mod apply;
mod log_lines;
mod reach;
mod wanted;

pub use apply::apply;
pub use log_lines::{MAX_LINE, MAX_LOG_TEXT, log_lines};
pub use reach::reach;
pub use wanted::wanted;
