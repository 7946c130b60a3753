//! `preview` of a schedule's event: the sweep the function would make then, through the handler's
//! own sweep ([`sweep`]) on preview's table in memory, as of the event's `time` (so that
//! given job events preview the same on any day); each stuck notice's Publish request is written
//! instead of sent.

use std::io::{self, Write};
use std::sync::Mutex;

use super::{Line, Previewer};
use crate::entry::Services;
use crate::entry::clock::{Invocation, SweepClock};
use crate::entry::sweep::sweep;
use crate::pipeline::ingest::Schedule;
use crate::ports::lookups::Enricher;
use crate::ports::publisher::{PublishError, PublishRequest, Publisher};
use crate::ports::state::StateStore;

/// The sweep's publisher: keeps each request, in order.
#[derive(Default)]
struct Notices(Mutex<Vec<PublishRequest>>);

impl Publisher for Notices {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        let mut notices = self.0.lock().unwrap_or_else(|p| p.into_inner());
        notices.push(request.clone());
        Ok(format!("preview-stuck-{}", notices.len()))
    }
}

impl<W: Write, S: StateStore, E: Enricher> Previewer<'_, W, S, E> {
    /// Sweeps the table as of the schedule's time and writes a line per notice, or why there is
    /// none.
    pub(super) fn sweep(&mut self, source: &str, schedule: Schedule) -> io::Result<()> {
        let at = schedule.time.as_deref().and_then(time_ms);
        let clock = at.map_or(SweepClock::Real, SweepClock::At);
        let notices = Notices::default();
        let services = Services {
            core: self.core,
            publisher: &notices,
        };
        // No deadline: a preview has all the time it needs.
        let swept = self.runtime.block_on(sweep(
            schedule,
            services,
            Invocation::new(i64::MAX, source),
            clock,
        ));
        let report = match swept {
            Ok(report) => report,
            Err(error) => return self.error(source, &error.to_string()),
        };
        let notices = notices.0.into_inner().unwrap_or_else(|p| p.into_inner());
        if notices.is_empty() {
            self.tally.skipped += 1;
            let reason = if report.watching {
                "a scheduled event: the sweep finds no job overdue then"
            } else {
                "a scheduled event: no stuck-job watch is on (it needs STATE_TABLE and a STUCK_*_MINUTES above 0)"
            };
            return self.write(Line {
                source,
                skip: Some(reason),
                ..Line::default()
            });
        }
        for request in &notices {
            self.tally.published += 1;
            self.write(Line {
                source,
                publish: Some(request),
                ..Line::default()
            })?;
        }
        Ok(())
    }
}

fn time_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}
