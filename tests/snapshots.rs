//! Snapshots of what every example event becomes, in every message format. Review changes with
//! `cargo insta review`.

mod common;

use batch_notifier::config::MessageFormat;
use batch_notifier::domain::decision::Decision;
use common::{FORMATS, example_events, prepare, readable, settings};

#[test]
fn every_example_event_in_every_format() {
    let events = example_events();
    assert!(events.len() >= 15, "events/ holds {} files", events.len());
    for format in FORMATS {
        let settings = settings(format);
        for (name, bytes) in &events {
            let prepared = prepare(bytes, &settings)
                .unwrap_or_else(|e| panic!("{name} is not a valid event: {e}"));
            let shown = match &prepared.decision {
                Decision::Publish(request) => readable(request),
                Decision::Skip(skip) => format!("skip: {}", skip.reason),
            };
            let snapshot = format!("{}__{}", name.trim_end_matches(".json"), format.as_str());
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
                insta::assert_snapshot!(snapshot, shown);
            });
        }
    }
}

#[test]
fn fifo_topics_get_group_and_deduplication_ids() {
    let mut settings = settings(MessageFormat::Text);
    settings.deliver.topic_arn = "arn:aws:sns:us-east-1:123456789012:batch.fifo".into();
    let views: Vec<String> = example_events()
        .iter()
        .filter_map(
            |(name, bytes)| match prepare(bytes, &settings).unwrap().decision {
                Decision::Publish(r) => Some(format!(
                    "{name}: group={} dedup={}",
                    r.message_group_id.unwrap(),
                    r.message_deduplication_id.unwrap()
                )),
                Decision::Skip(_) => None,
            },
        )
        .collect();
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("fifo_ids", views.join("\n"));
    });
}
