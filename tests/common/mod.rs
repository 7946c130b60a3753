//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use batch_notifier::config::{self, Delivery, MessageFormat, Mode, Settings};
use batch_notifier::domain::decision::Decision;
use batch_notifier::entry::clock::Invocation;
use batch_notifier::pipeline::gate::Clock;
use batch_notifier::pipeline::parse::EventError;
use batch_notifier::pipeline::{Core, Outgoing, Summary};
use batch_notifier::ports::lookups::{Enricher, Offline};
use batch_notifier::ports::publisher::PublishRequest;
use batch_notifier::ports::state::{MemoryStore, StateStore, Stateless};

/// The clock the tests' events are prepared under.
pub const CLOCK: Clock = Clock {
    now_ms: 1_700_000_000_000,
    lease_until_ms: 1_700_000_030_000,
    owner: 1,
};

/// What the one path decided for an event that goes out alone, as the tests read it.
#[derive(Debug)]
pub struct Prepared {
    pub decision: Decision<Box<PublishRequest>>,
    pub summary: Option<Summary>,
}

/// The output of a future that needs no waiting: the in-memory and stateless stores and the
/// offline or fake lookups answer at once.
pub fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a port that the tests use waited"),
    }
}

/// `input` through the one path as a function without a state table and with nothing looked up.
pub fn prepare(input: &[u8], settings: &Settings) -> Result<Prepared, EventError> {
    prepare_with(input, settings, &Stateless, &Offline)
}

/// `input` through the one path, the state gate and enrichment included, with a state table in
/// memory that starts empty.
pub fn prepare_gated(input: &[u8], settings: &Settings) -> Result<Prepared, EventError> {
    prepare_with(input, settings, &MemoryStore::default(), &Offline)
}

/// `input` through the one path with `store` and `enricher`.
pub fn prepare_with<S: StateStore, E: Enricher>(
    input: &[u8],
    settings: &Settings,
    store: &S,
    enricher: &E,
) -> Result<Prepared, EventError> {
    let core = Core {
        settings,
        store,
        enricher,
    };
    let prepared = now(batch_notifier::pipeline::prepare(
        input,
        core,
        CLOCK,
        Delivery::Each,
    ))?;
    let decision = match prepared.decision {
        Ok(decision) => decision.map(|outgoing| match outgoing {
            Outgoing::Alone(request) => request,
            Outgoing::Digest(_) => panic!("held for a digest under DELIVERY=each"),
        }),
        Err(refusal) => panic!("refused: {refusal}"),
    };
    Ok(Prepared {
        decision,
        summary: prepared.summary,
    })
}

pub fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("events")
}

/// Every example event, as (file name, bytes), in name order.
pub fn example_events() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

pub fn example(name: &str) -> Vec<u8> {
    std::fs::read(events_dir().join(name)).unwrap()
}

pub fn settings_with(vars: &[(&str, &str)]) -> Settings {
    config::from_lookup(
        |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        },
        Mode::Preview,
    )
    .unwrap()
}

pub fn settings(format: MessageFormat) -> Settings {
    let mut s = settings_with(&[("INCLUDE_READ_ONLY", "true")]);
    s.render.message_format = format;
    s
}

pub const FORMATS: [MessageFormat; 4] = [
    MessageFormat::Text,
    MessageFormat::Json,
    MessageFormat::Multi,
    MessageFormat::Chat,
];

/// The publish request for `input`, panicking if it is skipped or invalid.
pub fn publish(input: &[u8], settings: &Settings) -> PublishRequest {
    match prepare(input, settings).unwrap().decision {
        Decision::Publish(request) => *request,
        Decision::Skip(skip) => panic!("skipped: {}", skip.reason),
    }
}

/// Every string that leaves in a request: subject, message, attribute names and values, ids.
pub fn published_text(request: &PublishRequest) -> String {
    let mut all = format!("{}\n{}\n", request.subject, request.message);
    for (name, value) in &request.message_attributes {
        all.push_str(&format!("{name}={}\n", value.string_value));
    }
    all.push_str(request.message_group_id.as_deref().unwrap_or(""));
    all.push_str(request.message_deduplication_id.as_deref().unwrap_or(""));
    all
}

/// A reviewable view of a publish request: headers, then the message (JSON pretty-printed).
pub fn readable(request: &PublishRequest) -> String {
    let mut out = format!("Subject: {}\n", request.subject);
    if let Some(structure) = request.message_structure {
        out.push_str(&format!("MessageStructure: {structure}\n"));
    }
    for (name, value) in &request.message_attributes {
        out.push_str(&format!("Attribute {name}: {}\n", value.string_value));
    }
    for (label, id) in [
        ("MessageGroupId", &request.message_group_id),
        ("MessageDeduplicationId", &request.message_deduplication_id),
    ] {
        if let Some(id) = id {
            out.push_str(&format!("{label}: {id}\n"));
        }
    }
    out.push('\n');
    match serde_json::from_str::<serde_json::Value>(&request.message) {
        Ok(mut json) if json.is_object() => {
            // Show the per-protocol documents of `multi` as JSON too.
            if let Some(map) = json
                .as_object_mut()
                .filter(|_| request.message_structure.is_some())
            {
                for value in map.values_mut() {
                    if let Some(inner) = value.as_str().and_then(|s| serde_json::from_str(s).ok()) {
                        *value = inner;
                    }
                }
            }
            out.push_str(&serde_json::to_string_pretty(&json).unwrap());
        }
        _ => out.push_str(&request.message),
    }
    out
}

/// One event through the handler's path as a function without a state table and with nothing
/// looked up.
pub async fn handle<P: batch_notifier::ports::publisher::Publisher>(
    bytes: &[u8],
    settings: &Settings,
    publisher: &P,
) -> batch_notifier::entry::Ended<String> {
    let services = batch_notifier::entry::Services {
        core: Core {
            settings,
            store: &Stateless,
            enricher: &Offline,
        },
        publisher,
    };
    batch_notifier::entry::event::handle_event(bytes, services, Invocation::new(0, "test")).await
}

/// The entry points' services: `settings`, `publisher`, `store`, and nothing looked up.
pub fn services<'a, P, S>(
    settings: &'a Settings,
    publisher: &'a P,
    store: &'a S,
) -> batch_notifier::entry::Services<'a, P, S, Offline> {
    batch_notifier::entry::Services {
        core: Core {
            settings,
            store,
            enricher: &Offline,
        },
        publisher,
    }
}
