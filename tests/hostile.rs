//! Hostile input: the example events mutated every way proptest can think of — fields removed,
//! wrong types, huge strings, deep nesting, control and non-ASCII characters, unknown operations
//! and statuses — and raw bytes cut or corrupted. Whatever comes in: no panic, and either a valid
//! publish request, a skip or an error that says something.

mod common;

use common::prepare_gated;

use batch_notifier::config::{MessageFormat, Settings};
use batch_notifier::domain::decision::Decision;
use batch_notifier::ports::publisher::MAX_PUBLISH_BYTES;
use proptest::prelude::*;
use serde_json::{Value, json};

/// JSON pointers of every node of `value`.
fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let pointer = format!("{prefix}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(pointer.clone());
                pointers(child, pointer, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let pointer = format!("{prefix}/{i}");
                out.push(pointer.clone());
                pointers(child, pointer, out);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Remove,
    Replace(Value),
    HugeString(usize, char),
    Nest(usize),
}

/// Values of every JSON type, with strings that are hard on subjects, attributes and escaping.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        "[\\x00-\\x1f\\x7f\"\\\\é中\u{202e}\u{feff}]{0,40}".prop_map(Value::from),
        prop::sample::select(vec![
            "FAILED",
            "Failed",
            "Rehydrating",
            "SUCCEEDED",
            "",
            "AccessDenied",
            "FrobnicateJobQueue",
            "DeleteComputeEnvironment",
            "Root",
            "AssumedRole",
            "arn:aws:batch:us-east-1:1:job/x",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Remove),
        4 => any_value().prop_map(Mutation::Replace),
        1 => (1usize..300_000, prop::sample::select(vec!['a', '\u{1}', '"', 'é', '中']))
            .prop_map(|(n, c)| Mutation::HugeString(n, c)),
        1 => (1usize..200).prop_map(Mutation::Nest),
    ]
}

fn apply(event: &mut Value, pointer: &str, mutation: &Mutation) {
    if let Mutation::Remove = mutation {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let key = key.replace("~1", "/").replace("~0", "~");
        match event.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(&key);
            }
            Some(Value::Array(items)) => {
                if let Ok(i) = key.parse::<usize>()
                    && i < items.len()
                {
                    items.remove(i);
                }
            }
            _ => {}
        }
        return;
    }
    let Some(target) = event.pointer_mut(pointer) else {
        return;
    };
    *target = match mutation {
        Mutation::Replace(value) => value.clone(),
        Mutation::HugeString(n, c) => Value::String(std::iter::repeat_n(*c, *n).collect()),
        Mutation::Nest(depth) => {
            (0..*depth).fold(json!("deep"), |inner, _| json!({ "n": [inner] }))
        }
        Mutation::Remove => unreachable!(),
    };
}

fn all_settings() -> Vec<Settings> {
    let mut all = Vec::new();
    for format in common::FORMATS {
        let mut settings = common::settings(format);
        all.push(settings.clone());
        settings.deliver.topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts.fifo".into();
        all.push(settings);
    }
    all
}

/// The properties every input must satisfy under every setting.
fn check(input: &[u8], settings: &[Settings]) -> Result<(), TestCaseError> {
    for settings in settings {
        match prepare_gated(input, settings) {
            Ok(prepared) => match prepared.decision {
                Decision::Publish(request) => {
                    let subject = &request.subject;
                    prop_assert!(
                        !subject.is_empty() && subject.len() < 100,
                        "subject {subject:?}"
                    );
                    prop_assert!(
                        subject.bytes().all(|b| (0x20..0x7f).contains(&b)),
                        "subject {subject:?}"
                    );
                    prop_assert!(
                        request.size() <= MAX_PUBLISH_BYTES,
                        "size {}",
                        request.size()
                    );
                    prop_assert!(request.message_attributes.len() <= 10);
                    for value in request.message_attributes.values() {
                        prop_assert!(!value.string_value.is_empty());
                        prop_assert!(!value.string_value.chars().any(char::is_control));
                    }
                    if settings.fifo() {
                        let group = request.message_group_id.as_deref().unwrap_or("");
                        prop_assert!(!group.is_empty() && group.len() <= 128);
                        prop_assert!(group.bytes().all(|b| b.is_ascii_graphic()));
                    }
                    if settings.render.message_format != MessageFormat::Text {
                        prop_assert!(serde_json::from_str::<Value>(&request.message).is_ok());
                    } else {
                        prop_assert!(!request.message.chars().any(|c| c.is_control() && c != '\n'));
                    }
                }
                Decision::Skip(skip) => prop_assert!(!skip.reason.is_empty()),
            },
            Err(error) => prop_assert!(error.to_string().len() > 20, "vague error: {error}"),
        }
    }
    Ok(())
}

fn examples() -> Vec<Value> {
    common::example_events()
        .into_iter()
        .map(|(_, bytes)| serde_json::from_slice(&bytes).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_events_never_break_the_pipeline(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..5),
    ) {
        let examples = examples();
        let mut event = which.get(&examples).clone();
        for (at, mutation) in &mutations {
            let mut all = Vec::new();
            pointers(&event, String::new(), &mut all);
            if all.is_empty() {
                break;
            }
            let pointer = at.get(&all).clone();
            apply(&mut event, &pointer, mutation);
        }
        check(&serde_json::to_vec(&event).unwrap(), &all_settings())?;
    }

    #[test]
    fn cut_and_corrupted_bytes_never_break_the_pipeline(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let examples = common::example_events();
        let mut bytes = which.get(&examples).1.clone();
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(1));
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        check(&bytes, &all_settings())?;
    }
}

/// Nested nearly as deep as a JSON reader accepts (128 levels), anywhere in the detail: the JSON
/// document around it must still be readable (found by the property test above).
#[test]
fn details_nested_almost_too_deep_still_give_readable_documents() {
    let settings = all_settings();
    for event in examples() {
        let keys: Vec<String> = event["detail"]
            .as_object()
            .map(|detail| detail.keys().cloned().collect())
            .unwrap_or_default();
        for key in keys {
            let mut nested = event.clone();
            apply(&mut nested, &format!("/detail/{key}"), &Mutation::Nest(63));
            check(&serde_json::to_vec(&nested).unwrap(), &settings).unwrap();
        }
    }
}
