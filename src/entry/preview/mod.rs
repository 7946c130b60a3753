//! `batch-notifier preview`: shows, for each input event, the exact SNS Publish request the function
//! would send, or why it would skip it, without AWS (with `--enrich`, the lookups go to AWS). With
//! `STATE_TABLE` set, the state table is one in memory that starts empty.
//!
//! A file holds one event (pretty-printed or not) or one event per line; it is streamed line by line,
//! so memory does not grow with its length.
//!
//! With `--batch`, the inputs are one SQS batch: they go through the handler's batch path
//! ([`batch`]), and the output is the Publish requests that batch makes under the settings
//! (`DELIVERY=digest`: the digests and what goes out alone) and how each record ended.
//!
//! A schedule's event (the stuck-job watch's) sweeps the table in memory as of its `time`
//! ([`sweep`]): after job events in the same run, it shows the stuck notices a sweep would publish.

mod batch;
mod sweep;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::clock::now_ms;
use crate::config::Settings;
use crate::domain::decision::Decision;
use crate::domain::vocabulary::Delivery;
use crate::pipeline::gate::{Clock, settle};
use crate::pipeline::ingest::{Payload, payload};
use crate::pipeline::parse::EventError;
use crate::pipeline::{Core, prepare};
use crate::ports::lookups::Enricher;
use crate::ports::publisher::PublishRequest;
use crate::ports::state::{MemoryStore, StateStore, Stateless};

/// How long a claim made in `preview` lasts: longer than any preview takes.
const PREVIEW_LEASE_MS: i64 = 15 * 60 * 1000;

/// One line of preview output: an input's source and one of the three; with `--batch`, also a
/// Publish request the batch makes (its message id and `PublishBatch` request), and the message
/// id a record was published under.
#[derive(Default, Serialize)]
struct Line<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publish_batch: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publish: Option<&'a PublishRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many inputs ended each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub published: usize,
    pub skipped: usize,
    pub errors: usize,
    /// With `--batch`: how many Publish requests the batch made (a digest is one).
    pub requests: usize,
}

struct Previewer<'s, W: Write, S, E> {
    /// With `STATE_TABLE` set, the store is a table in memory that starts empty, so that a stream
    /// shows what the function would publish, duplicates and stale events skipped.
    core: Core<'s, S, E>,
    out: W,
    tally: Tally,
    runtime: &'s tokio::runtime::Runtime,
    /// With `--batch`: the inputs, held until all are read, as the batch's records.
    batch: Option<Vec<batch::Input>>,
}

impl<'s, W: Write, S: StateStore, E: Enricher> Previewer<'s, W, S, E> {
    fn new(
        core: Core<'s, S, E>,
        out: W,
        runtime: &'s tokio::runtime::Runtime,
        batch: Option<Vec<batch::Input>>,
    ) -> Self {
        Previewer {
            core,
            out,
            tally: Tally::default(),
            runtime,
            batch,
        }
    }

    fn emit(&mut self, source: &str, input: &[u8]) -> io::Result<()> {
        if let Some(held) = &mut self.batch {
            held.push(batch::Input {
                source: source.to_owned(),
                bytes: input.to_vec(),
            });
            return Ok(());
        }
        if let Ok(Payload::Schedule(schedule)) = payload(input) {
            return self.sweep(source, schedule);
        }
        let now_ms = now_ms();
        let clock = Clock {
            now_ms,
            lease_until_ms: now_ms + PREVIEW_LEASE_MS,
            // Each event is its own invocation.
            owner: (self.tally.published + self.tally.skipped + self.tally.errors + 1) as u64,
        };
        let core = self.core;
        let published_before = self.tally.published;
        let ready = self.runtime.block_on(async {
            // One event at a time, so each is published on its own.
            let mut ready = prepare(input, core, clock, Delivery::Each).await?;
            if let (Some(ticket), Ok(Decision::Publish(_))) = (ready.ticket.take(), &ready.decision)
            {
                let message_id = format!("preview-message-{}", published_before + 1);
                // The in-memory store cannot fail.
                let _ = settle(core.store, ticket, Some(&message_id)).await;
            }
            Ok::<_, EventError>(ready)
        });
        let ready = match ready {
            Ok(ready) => ready,
            Err(error) => return self.error(source, &error.to_string()),
        };
        let mut line = Line {
            source,
            ..Line::default()
        };
        let refusal;
        match &ready.decision {
            Ok(Decision::Publish(outgoing)) => {
                self.tally.published += 1;
                line.publish = outgoing.alone();
            }
            Ok(Decision::Skip(skip)) => {
                self.tally.skipped += 1;
                line.skip = Some(&skip.reason);
            }
            Err(error) => {
                self.tally.errors += 1;
                refusal = error.to_string();
                line.error = Some(&refusal);
            }
        }
        self.write(line)
    }

    fn error(&mut self, source: &str, message: &str) -> io::Result<()> {
        self.tally.errors += 1;
        self.write(Line {
            source,
            error: Some(message),
            ..Line::default()
        })
    }

    fn write(&mut self, line: Line<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
    }

    /// One input stream: a single (possibly pretty-printed) event, or one event per line.
    fn stream(&mut self, name: &str, mut reader: impl BufRead) -> io::Result<()> {
        let mut line = Vec::new();
        let mut line_no = 0;
        // Skip leading blank lines; the first real line tells which layout the stream has.
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return self.error(name, "input is empty: expected an event");
            }
            line_no += 1;
            // Editors on some systems start a UTF-8 file with a byte-order mark.
            if line_no == 1 && line.starts_with(BOM) {
                line.drain(..BOM.len());
            }
            if !line.trim_ascii().is_empty() {
                break;
            }
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(&line).is_err() {
            // Not a complete value on its own line: the whole stream is one event.
            reader.read_to_end(&mut line)?;
            return self.emit(name, &line);
        }
        // One event per line. The first is labelled with the bare name if it turns out to be alone.
        let mut pending = Some((line_no, std::mem::take(&mut line)));
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            line_no += 1;
            if read == 0 {
                break;
            }
            if line.trim_ascii().is_empty() {
                continue;
            }
            if let Some((number, first)) = pending.take() {
                self.emit(&format!("{name}:{number}"), &first)?;
            }
            self.emit(&format!("{name}:{line_no}"), &line)?;
        }
        if let Some((_, only)) = pending {
            self.emit(name, &only)?;
        }
        Ok(())
    }

    fn path(&mut self, path: &Path) -> io::Result<()> {
        let name = path.display().to_string();
        if path.is_dir() {
            let files = match json_files(path) {
                Ok(files) => files,
                Err(e) => return self.error(&name, &format!("cannot read directory: {e}")),
            };
            if files.is_empty() {
                return self.error(&name, "directory holds no *.json file");
            }
            for file in files {
                self.path(&file)?;
            }
            return Ok(());
        }
        match File::open(path) {
            Ok(file) => self.stream(&name, BufReader::with_capacity(64 * 1024, file)),
            Err(e) => self.error(&name, &format!("cannot read file: {e}")),
        }
    }
}

/// The `*.json` files directly in `dir`, in name order so output is stable.
fn json_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// How `preview` runs: its lookups made by `enricher` on `runtime`, and with `batch` the inputs
/// taken as one SQS batch.
pub struct Run<'a, E> {
    pub settings: &'a Settings,
    pub enricher: &'a E,
    pub runtime: &'a tokio::runtime::Runtime,
    pub batch: bool,
}

/// Previews every input (`-` is standard input) and writes one JSON line per event (with
/// `--batch`, per Publish request and per record) to `out`.
pub fn run<E: Enricher>(
    inputs: &[String],
    how: Run<'_, E>,
    stdin: impl BufRead,
    out: impl Write,
) -> io::Result<Tally> {
    let Run {
        settings,
        enricher,
        runtime,
        batch,
    } = how;
    let held = batch.then(Vec::new);
    match settings.state.table {
        Some(_) => {
            let store = MemoryStore::default();
            let core = Core {
                settings,
                store: &store,
                enricher,
            };
            run_with(inputs, Previewer::new(core, out, runtime, held), stdin)
        }
        None => {
            let core = Core {
                settings,
                store: &Stateless,
                enricher,
            };
            run_with(inputs, Previewer::new(core, out, runtime, held), stdin)
        }
    }
}

fn run_with<W: Write, S: StateStore, E: Enricher>(
    inputs: &[String],
    mut previewer: Previewer<'_, W, S, E>,
    stdin: impl BufRead,
) -> io::Result<Tally> {
    let mut stdin = Some(stdin);
    for input in inputs {
        if input == "-" {
            match stdin.take() {
                Some(reader) => previewer.stream("-", reader)?,
                None => previewer.error("-", "standard input was already read")?,
            }
        } else {
            previewer.path(Path::new(input))?;
        }
    }
    if let Some(inputs) = previewer.batch.take() {
        previewer.run_batch(inputs)?;
    }
    previewer.out.flush()?;
    Ok(previewer.tally)
}
