//! Snapshots of what every example event becomes, in every message format. Review changes with
//! `cargo insta review`.

mod common;

use batch_notifier::config::MessageFormat;
use batch_notifier::decide::Decision;
use batch_notifier::pipeline::prepare;
use batch_notifier::render::PublishRequest;
use common::{FORMATS, example_events, settings};

/// A reviewable view of a publish request: headers, then the message (JSON pretty-printed).
fn readable(request: &PublishRequest) -> String {
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
    settings.topic_arn = "arn:aws:sns:us-east-1:123456789012:batch.fifo".into();
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
