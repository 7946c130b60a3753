//! `preview --batch`: the inputs as one SQS batch, through the handler's own batch path
//! ([`run_batch`]), with a publisher that writes each Publish request instead of sending it and
//! lines that say how each record ended.

use std::io::{self, Write};
use std::sync::{Mutex, MutexGuard};

use super::{Line, Previewer};
use crate::domain::decision::Decision;
use crate::entry::Services;
use crate::entry::batch::run_batch;
use crate::entry::clock::{Invocation, now_ms};
use crate::entry::report::{Tell, Told};
use crate::pipeline::ingest::Record;
use crate::ports::lookups::Enricher;
use crate::ports::publisher::{PublishError, PublishRequest, Publisher};
use crate::ports::state::StateStore;

/// One input, held until every input is read.
pub(super) struct Input {
    pub source: String,
    pub bytes: Vec<u8>,
}

/// What the batch wrote, in the order it happened: a request's line before its records' lines.
#[derive(Default)]
struct Written {
    out: Vec<u8>,
    requests: usize,
    publish_batches: usize,
    published: usize,
    skipped: usize,
    errors: usize,
}

/// The batch's publisher and its lines in one: a request gets the next preview message id.
#[derive(Default)]
struct Lines(Mutex<Written>);

impl Lines {
    fn lock(&self) -> MutexGuard<'_, Written> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn write_line(out: &mut Vec<u8>, line: &Line<'_>) {
    // Writing to memory fails only on a value serde cannot write, which a line never holds.
    if serde_json::to_writer(&mut *out, line).is_ok() {
        out.push(b'\n');
    }
}

impl Publisher for Lines {
    async fn publish(&self, request: &PublishRequest) -> Result<String, PublishError> {
        let mut written = self.lock();
        written.requests += 1;
        let message_id = format!("preview-message-{}", written.requests);
        let line = Line {
            message_id: Some(&message_id),
            publish_batch: Some(written.publish_batches),
            publish: Some(request),
            ..Line::default()
        };
        write_line(&mut written.out, &line);
        Ok(message_id)
    }

    async fn publish_batch(
        &self,
        requests: &[&PublishRequest],
    ) -> Vec<Result<String, PublishError>> {
        self.lock().publish_batches += 1;
        let mut results = Vec::with_capacity(requests.len());
        for request in requests {
            results.push(self.publish(request).await);
        }
        results
    }
}

impl Tell for Lines {
    fn tell(&self, told: Told<'_>) {
        let mut written = self.lock();
        let mut line = Line {
            source: told.record,
            ..Line::default()
        };
        let error;
        match told.ended {
            Ok(Decision::Publish(message_id)) => {
                written.published += 1;
                line.published = Some(message_id);
            }
            Ok(Decision::Skip(skip)) => {
                written.skipped += 1;
                line.skip = Some(&skip.reason);
            }
            Err(failure) => {
                written.errors += 1;
                error = failure.to_string();
                line.error = Some(&error);
            }
        }
        write_line(&mut written.out, &line);
    }
}

impl<W: Write, S: StateStore, E: Enricher> Previewer<'_, W, S, E> {
    /// Runs the held inputs as one SQS batch, each named by its source, and writes what it did.
    pub(super) fn run_batch(&mut self, inputs: Vec<Input>) -> io::Result<()> {
        let mut records = Vec::with_capacity(inputs.len());
        for input in inputs {
            match String::from_utf8(input.bytes) {
                Ok(body) => records.push(Record {
                    message_id: input.source,
                    body,
                }),
                Err(_) => self.error(&input.source, "not UTF-8: an SQS message body is text")?,
            }
        }
        let lines = Lines::default();
        let services = Services {
            core: self.core,
            publisher: &lines,
        };
        // No deadline: a preview has all the time it needs.
        self.runtime.block_on(run_batch(
            records,
            services,
            Invocation::new(i64::MAX, "preview"),
            now_ms,
            &lines,
        ));
        let written = lines.0.into_inner().unwrap_or_else(|p| p.into_inner());
        self.tally.published += written.published;
        self.tally.skipped += written.skipped;
        self.tally.errors += written.errors;
        self.tally.requests += written.requests;
        self.out.write_all(&written.out)
    }
}
