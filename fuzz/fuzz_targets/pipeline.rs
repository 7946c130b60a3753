//! The one path — parse, classify, decide, the state gate (a table in memory), enrichment
//! (offline), render — on arbitrary bytes, under every message format and a FIFO topic. Crashes are
//! panics; the properties of tests/hostile.rs are asserted too.
#![no_main]

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use batch_notifier::config::{self, Delivery, MessageFormat, Mode, Settings};
use batch_notifier::domain::decision::Decision;
use batch_notifier::pipeline::gate::Clock;
use batch_notifier::pipeline::{Core, Outgoing, prepare};
use batch_notifier::ports::lookups::Offline;
use batch_notifier::ports::publisher::MAX_PUBLISH_BYTES;
use batch_notifier::ports::state::MemoryStore;
use libfuzzer_sys::fuzz_target;

const CLOCK: Clock = Clock {
    now_ms: 1_700_000_000_000,
    lease_until_ms: 1_700_000_030_000,
    owner: 1,
};

fn all_settings() -> Vec<Settings> {
    let mut all = Vec::new();
    for format in [MessageFormat::Text, MessageFormat::Json, MessageFormat::Multi, MessageFormat::Chat] {
        let mut settings = config::from_lookup(|_| None, Mode::Preview).unwrap();
        settings.filter.include_read_only = true;
        settings.render.message_format = format;
        all.push(settings.clone());
        settings.deliver.topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts.fifo".into();
        all.push(settings);
    }
    all
}

fuzz_target!(|input: &[u8]| {
    thread_local! {
        static SETTINGS: Vec<Settings> = all_settings();
    }
    SETTINGS.with(|all| {
        for settings in all {
            let store = MemoryStore::default();
            let core = Core { settings, store: &store, enricher: &Offline };
            let mut future = pin!(prepare(input, core, CLOCK, Delivery::Each));
            // The in-memory store and the offline lookups answer at once.
            let Poll::Ready(prepared) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) else {
                panic!("the in-memory store or the offline lookups waited");
            };
            match prepared {
                Ok(prepared) => {
                    if let Ok(Decision::Publish(Outgoing::Alone(request))) = prepared.decision {
                        assert!(!request.subject.is_empty() && request.subject.len() < 100);
                        assert!(request.subject.bytes().all(|b| (0x20..0x7f).contains(&b)));
                        assert!(request.size() <= MAX_PUBLISH_BYTES);
                        assert!(request.message_attributes.len() <= 10);
                    }
                }
                Err(error) => assert!(!error.to_string().is_empty()),
            }
        }
    });
});
