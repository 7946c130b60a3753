//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use batch_notifier::config::{self, MessageFormat, Mode, Settings};
use batch_notifier::decide::Decision;
use batch_notifier::pipeline::prepare;
use batch_notifier::render::PublishRequest;

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
    s.message_format = format;
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
