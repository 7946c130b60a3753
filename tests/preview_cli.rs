//! The `preview` command as a person runs it.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn preview(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> (Output, Vec<Value>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_batch-notifier"));
    command
        .arg("preview")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    let lines = String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (output, lines)
}

#[test]
fn previewing_events_prints_one_publish_or_skip_line_per_file() {
    let (output, lines) = preview(&["events/"], b"", &[]);
    assert!(output.status.success());
    let files = common::example_events();
    assert_eq!(lines.len(), files.len());
    for (line, (name, _)) in lines.iter().zip(&files) {
        assert_eq!(line["source"], format!("events/{name}"));
        assert!(line.get("error").is_none(), "{line}");
        let request = match line.get("publish") {
            Some(request) => request,
            None => {
                assert!(line["skip"].is_string());
                continue;
            }
        };
        assert_eq!(
            request["TopicArn"],
            batch_notifier::config::PREVIEW_TOPIC_ARN
        );
        for key in request.as_object().unwrap().keys() {
            assert!(
                [
                    "TopicArn",
                    "Subject",
                    "Message",
                    "MessageStructure",
                    "MessageAttributes",
                    "MessageGroupId",
                    "MessageDeduplicationId"
                ]
                .contains(&key.as_str()),
                "{key}"
            );
        }
        assert!(
            request.get("MessageGroupId").is_none(),
            "absent unless the topic is FIFO"
        );
        let severity = &request["MessageAttributes"]["severity"];
        assert_eq!(severity["DataType"], "String");
        assert!(severity["StringValue"].is_string());
    }
}

#[test]
fn standard_input_takes_one_event_per_line() {
    let mut input = Vec::new();
    for name in ["batch-job-state-failed.json", "s3-batch-job-failed.json"] {
        let v: Value = serde_json::from_slice(&common::example(name)).unwrap();
        input.extend(serde_json::to_vec(&v).unwrap());
        input.extend(b"\n\n");
    }
    input.extend(b"{broken\n");
    let (output, lines) = preview(&["-"], &input, &[("MESSAGE_FORMAT", "json")]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an invalid line makes the exit code 1"
    );
    let sources: Vec<_> = lines
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["-:1", "-:3", "-:5"]);
    assert!(
        lines[0]["publish"]["Message"]
            .as_str()
            .unwrap()
            .contains("\"schema_version\":1")
    );
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("input is not valid JSON")
    );
}

#[test]
fn a_pretty_printed_file_is_one_event_and_missing_files_are_errors() {
    let (output, lines) = preview(
        &["events/batch-job-state-failed.json", "events/none.json"],
        b"",
        &[("TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:ops.fifo")],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(lines[0]["source"], "events/batch-job-state-failed.json");
    assert_eq!(
        lines[0]["publish"]["TopicArn"],
        "arn:aws:sns:eu-west-1:123456789012:ops.fifo"
    );
    assert!(lines[0]["publish"]["MessageGroupId"].is_string());
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot read file")
    );
}

#[test]
fn a_bad_setting_stops_preview_and_names_the_variable() {
    let (output, lines) = preview(&["events/"], b"", &[("MESSAGE_FORMAT", "html")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(lines.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("MESSAGE_FORMAT=\"html\" is not valid"),
        "{stderr}"
    );
    assert!(stderr.contains("text, json, multi, chat"), "{stderr}");
}

#[test]
fn a_byte_order_mark_at_the_start_is_ignored_in_either_layout() {
    let pretty = common::example("batch-job-state-failed.json");
    let v: Value = serde_json::from_slice(&pretty).unwrap();
    let one_line = [serde_json::to_vec(&v).unwrap(), b"\n".to_vec()].concat();
    for event in [pretty, one_line] {
        let input = [b"\xEF\xBB\xBF".to_vec(), event].concat();
        let (output, lines) = preview(&["-"], &input, &[]);
        assert_eq!(output.status.code(), Some(0), "{lines:?}");
        assert!(lines[0]["publish"].is_object(), "{lines:?}");
    }
}

/// The Publish requests and the records' lines of a `preview --batch`.
fn batch_preview(env: &[(&str, &str)]) -> (Vec<Value>, Vec<Value>, String) {
    let (output, lines) = preview(&["--batch", "events/"], b"", env);
    assert!(output.status.success(), "{output:?}");
    let (requests, records): (Vec<Value>, Vec<Value>) =
        lines.into_iter().partition(|l| l.get("publish").is_some());
    (requests, records, String::from_utf8(output.stderr).unwrap())
}

#[test]
fn a_batch_preview_shows_the_digests_and_what_goes_out_alone() {
    let files = common::example_events();
    let (each, each_records, _) = batch_preview(&[]);
    let (digest, records, stderr) = batch_preview(&[("DELIVERY", "digest")]);
    assert_eq!(records.len(), files.len(), "one line per record");
    assert_eq!(each_records.len(), files.len());
    let published: Vec<&str> = records
        .iter()
        .filter_map(|r| r["published"].as_str())
        .collect();
    let skipped = records.iter().filter(|r| r["skip"].is_string()).count();
    assert_eq!(published.len() + skipped, files.len(), "{records:?}");
    // Each record is published alone under DELIVERY=each; under digest, the ones below critical
    // share the digest's message, so there are fewer requests than records published.
    assert_eq!(each.len(), published.len());
    assert!(digest.len() < published.len(), "{}", digest.len());
    let digests: Vec<&Value> = digest
        .iter()
        .filter(|r| r["publish"]["Subject"].as_str().unwrap().contains("Digest"))
        .collect();
    assert_eq!(digests.len(), 1, "the examples fit one digest");
    let digest_id = digests[0]["message_id"].as_str().unwrap();
    let in_digest = published.iter().filter(|id| **id == digest_id).count();
    assert_eq!(in_digest + digest.len() - 1, published.len());
    // Ten entries to a PublishBatch request, as the handler sends them.
    for request in &digest {
        let batch = request["publish_batch"].as_u64().unwrap();
        let same = digest
            .iter()
            .filter(|r| r["publish_batch"] == batch)
            .count();
        assert!((1..=10).contains(&same));
    }
    assert!(
        stderr.contains(&format!(
            "{} to publish (in {} Publish requests)",
            published.len(),
            digest.len()
        )),
        "{stderr}"
    );
}

#[test]
fn a_scheduled_event_previews_the_sweep_over_the_job_events_before_it() {
    let watch = [
        ("STATE_TABLE", "preview"),
        ("SKIP_TRANSITIONAL_STATUSES", "true"),
    ];
    let (output, lines) = preview(&["events/watch/"], b"", &watch);
    assert!(output.status.success(), "{output:?}");
    let at = |n: usize| format!("events/watch/jobs-then-sweeps.json:{n}");
    let subjects: Vec<(String, String)> = (lines.iter())
        .map(|l| {
            let said = l["publish"]["Subject"].as_str().or(l["skip"].as_str());
            (
                l["source"].as_str().unwrap().to_owned(),
                said.unwrap().to_owned(),
            )
        })
        .collect();
    let sweep: Vec<&str> = (subjects.iter())
        .filter(|(source, _)| *source == at(7))
        .map(|(_, subject)| subject.as_str())
        .collect();
    assert_eq!(
        sweep,
        [
            "[WARNING] Batch job train-large stuck in STARTING for 25 min 00 s in gpu-queue in us-east-1",
            "[WARNING] Batch job nightly-etl stuck in RUNNABLE for 1 h 04 min in high-priority in us-east-1",
        ],
        "{subjects:?}"
    );
    // The blocked queue's event before it named the reason: the notice says it and what it means.
    let notice = (lines.iter())
        .find(|l| {
            l["publish"]["Subject"]
                .as_str()
                .is_some_and(|s| s.contains("nightly-etl stuck"))
        })
        .unwrap();
    let text = notice["publish"]["Message"].as_str().unwrap();
    assert!(
        text.contains("Last blocked reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT\n  What it means: no instance type"),
        "{text}"
    );
    // Told once: the next sweep finds nothing; the job's next transition says how long it was stuck.
    let next = &subjects.iter().find(|(s, _)| *s == at(8)).unwrap().1;
    assert_eq!(
        next,
        "a scheduled event: the sweep finds no job overdue then"
    );
    let moved = lines
        .iter()
        .find(|l| l["source"] == at(9).as_str())
        .unwrap();
    let message = moved["publish"]["Message"].as_str().unwrap();
    assert!(
        message.starts_with("Job nightly-etl is now STARTING, after 2 h 04 min in RUNNABLE."),
        "{message}"
    );
    assert_eq!(lines.len(), 10, "one line per event and per notice");

    let (_, stateless) = preview(&["events/watch/"], b"", &[]);
    let sweep = stateless
        .iter()
        .find(|l| l["source"] == at(7).as_str())
        .unwrap();
    assert!(
        sweep["skip"]
            .as_str()
            .unwrap()
            .contains("no stuck-job watch is on"),
        "{sweep}"
    );
}

#[test]
fn an_array_jobs_sweep_previews_one_notice_and_its_first_childs_follow_up() {
    let watch = [
        ("STATE_TABLE", "preview"),
        ("SKIP_TRANSITIONAL_STATUSES", "true"),
    ];
    let (output, lines) = preview(&["events/watch-array/"], b"", &watch);
    assert!(output.status.success(), "{output:?}");
    let told: Vec<(&str, &str)> = (lines.iter())
        .filter_map(|l| {
            let request = l.get("publish")?;
            let line = l["source"].as_str()?.rsplit(':').next()?;
            Some((line, request["Message"].as_str()?.lines().next()?))
        })
        .collect();
    assert_eq!(
        told,
        [
            (
                "5",
                "Array job render-frames has been RUNNABLE for 1 h 12 min in gpu-queue: none of its 40 children has started."
            ),
            (
                "6",
                "Child 7 of array job render-frames is now STARTING, after 1 h 20 min in RUNNABLE."
            ),
        ],
        "{lines:?}"
    );
    let subject = lines[4]["publish"]["Subject"].as_str().unwrap();
    assert_eq!(
        subject,
        "[WARNING] Batch array job render-frames stuck in RUNNABLE for 1 h 12 min in gpu-queue in us-east-1"
    );
    assert_eq!(
        lines.last().unwrap()["skip"],
        "a scheduled event: the sweep finds no job overdue then"
    );
}

#[test]
fn the_stuck_notice_and_its_follow_up_in_every_format() {
    for format in ["text", "json", "multi", "chat"] {
        let watch = [
            ("STATE_TABLE", "preview"),
            ("SKIP_TRANSITIONAL_STATUSES", "true"),
            ("MESSAGE_FORMAT", format),
        ];
        let (output, lines) = preview(&["events/watch/"], b"", &watch);
        assert!(output.status.success(), "{output:?}");
        let told: Vec<String> = (lines.iter())
            .filter_map(|l| l.get("publish"))
            .filter(|p| {
                p["Subject"]
                    .as_str()
                    .is_some_and(|s| s.contains("nightly-etl"))
            })
            .map(|p| {
                let mut attributes: Vec<String> = (p["MessageAttributes"].as_object().unwrap())
                    .iter()
                    .map(|(name, v)| format!("{name}={}", v["StringValue"].as_str().unwrap()))
                    .collect();
                attributes.sort();
                let message = p["Message"].as_str().unwrap();
                let message = serde_json::from_str::<Value>(message)
                    .map_or(message.to_owned(), |v| {
                        serde_json::to_string_pretty(&v).unwrap()
                    });
                format!(
                    "Subject: {}\n{}\n\n{message}\n",
                    p["Subject"].as_str().unwrap(),
                    attributes.join("\n")
                )
            })
            .collect();
        assert_eq!(told.len(), 2, "the notice and the follow-up");
        insta::assert_snapshot!(
            format!("stuck-notice-and-follow-up__{format}"),
            told.join("\n----\n")
        );
    }
}
