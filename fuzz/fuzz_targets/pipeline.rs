//! The whole pure path — parse, classify, decide, render — on arbitrary bytes, under every message
//! format and a FIFO topic. Crashes are panics; the properties of tests/hostile.rs are asserted too.
#![no_main]

use batch_notifier::config::{self, MessageFormat, Mode, Settings};
use batch_notifier::decide::Decision;
use batch_notifier::pipeline::prepare;
use batch_notifier::render::MAX_PUBLISH_BYTES;
use libfuzzer_sys::fuzz_target;

fn all_settings() -> Vec<Settings> {
    let mut all = Vec::new();
    for format in [MessageFormat::Text, MessageFormat::Json, MessageFormat::Multi, MessageFormat::Chat] {
        let mut settings = config::from_lookup(|_| None, Mode::Preview).unwrap();
        settings.include_read_only = true;
        settings.message_format = format;
        all.push(settings.clone());
        settings.topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts.fifo".into();
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
            match prepare(input, settings) {
                Ok(prepared) => {
                    if let Decision::Publish(request) = prepared.decision {
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
