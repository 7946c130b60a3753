//! What the pipeline's bench and `prepare_loop` share: one event through the one path as the
//! function without a state table and lookups takes it, the settings they run under, and the
//! example events on one line, by family.

use std::collections::BTreeMap;
use std::path::Path;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use batch_notifier::config::{self, Delivery, MessageFormat, Mode, Settings};
use batch_notifier::pipeline::gate::Clock;
use batch_notifier::pipeline::parse::EventError;
use batch_notifier::pipeline::{Core, Prepared};
use batch_notifier::ports::lookups::Offline;
use batch_notifier::ports::state::Stateless;

/// One event through the one path. The stateless store and the offline lookups answer at once,
/// so one poll finishes it.
pub fn prepare(input: &[u8], settings: &Settings) -> Result<Prepared, EventError> {
    let core = Core {
        settings,
        store: &Stateless,
        enricher: &Offline,
    };
    let clock = Clock {
        now_ms: 1_700_000_000_000,
        lease_until_ms: 1_700_000_030_000,
        owner: 1,
    };
    let mut future = pin!(batch_notifier::pipeline::prepare(
        input,
        core,
        clock,
        Delivery::Each
    ));
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(prepared) => prepared,
        Poll::Pending => unreachable!("the stateless store and offline lookups answer at once"),
    }
}

/// The default settings, read-only calls included, in `format`.
pub fn settings(format: MessageFormat) -> Settings {
    let mut settings = config::from_lookup(|_| None, Mode::Preview).unwrap();
    settings.filter.include_read_only = true;
    settings.render.message_format = format;
    settings
}

/// The examples under `events/` on one line each, by the family the pipeline gives them
/// (`foreign` for those that are not ours).
pub fn events_by_family() -> BTreeMap<String, Vec<Vec<u8>>> {
    let settings = settings(MessageFormat::Text);
    let mut families: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("events");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        let bytes = one_line(&std::fs::read(&file).unwrap());
        let family = prepare(&bytes, &settings)
            .unwrap()
            .summary
            .map_or("foreign".to_owned(), |s| s.family.as_str().to_owned());
        families.entry(family).or_default().push(bytes);
    }
    families
}

/// The event on one line with its keys in their order, as EventBridge delivers it (a round trip
/// through `Value` would sort the keys).
pub fn one_line(pretty: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pretty.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in pretty {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !b.is_ascii_whitespace() {
            in_string = b == b'"';
            out.push(b);
        }
    }
    assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok());
    out
}
