//! Metrics as CloudWatch Embedded Metric Format log lines: CloudWatch turns each line into metric
//! data points with no API call and no extra latency.

use serde_json::{Map, Value, json};

use super::Ended;
use crate::config::EnrichSource;
use crate::domain::decision::Decision;
use crate::domain::model::Severity;

/// One EMF line: a count of 1 under `Published`, `Skipped` or `Failed`, with the severity (when the
/// event was classified) and the skip reason's kind or the failure's kind as dimensions; and a
/// count of 1 under `StateUnavailable` when the state table could not be reached.
pub fn emf_line<P>(
    namespace: &str,
    ended: &Ended<P>,
    severity: Option<Severity>,
    state_unavailable: bool,
    timestamp_ms: u128,
) -> String {
    let (metric, dimension) = match ended {
        Ok(Decision::Publish(_)) => ("Published", None),
        Ok(Decision::Skip(skip)) => ("Skipped", Some(("SkipReason", skip.kind.as_str()))),
        Err(failure) => ("Failed", Some(("FailureKind", failure.kind()))),
    };
    let mut dimension_sets = vec![Value::Array(vec![])];
    let mut fields = Map::new();
    if let Some(severity) = severity {
        dimension_sets.push(json!(["Severity"]));
        fields.insert("Severity".into(), json!(severity.as_str()));
    }
    if let Some((name, value)) = dimension {
        dimension_sets.push(json!([name]));
        fields.insert(name.into(), json!(value));
    }
    fields.insert(metric.into(), json!(1));
    let mut metrics = vec![json!({"Name": metric, "Unit": "Count"})];
    if state_unavailable {
        fields.insert("StateUnavailable".into(), json!(1));
        metrics.push(json!({"Name": "StateUnavailable", "Unit": "Count"}));
    }
    fields.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms as u64,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": dimension_sets,
                "Metrics": metrics,
            }],
        }),
    );
    Value::Object(fields).to_string()
}

/// One EMF line counting a lookup that failed or ran late, by its source.
pub fn enrichment_failed_line(namespace: &str, source: EnrichSource, timestamp_ms: u128) -> String {
    json!({
        "Source": source.as_str(),
        "EnrichmentFailed": 1,
        "_aws": {
            "Timestamp": timestamp_ms as u64,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Source"]],
                "Metrics": [{"Name": "EnrichmentFailed", "Unit": "Count"}],
            }],
        },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::{Skip, SkipKind};
    use crate::entry::Failure;
    use crate::pipeline::parse::EventError;

    #[test]
    fn a_skipped_event_counts_under_its_reason() {
        let skipped: Ended<()> = Ok(Decision::Skip(Skip {
            kind: SkipKind::ReadOnly,
            reason: "read-only call".into(),
        }));
        let line: Value = serde_json::from_str(&emf_line(
            "BatchNotifier",
            &skipped,
            Some(Severity::Info),
            false,
            1_700_000_000_000,
        ))
        .unwrap();
        assert_eq!(line["Skipped"], 1);
        assert_eq!(line["SkipReason"], "read_only");
        assert_eq!(line["Severity"], "info");
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "BatchNotifier");
        assert_eq!(directive["Metrics"][0]["Name"], "Skipped");
        assert_eq!(
            directive["Dimensions"],
            json!([[], ["Severity"], ["SkipReason"]])
        );
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000u64);
    }

    #[test]
    fn a_failure_without_classification_has_no_severity() {
        let failed: Ended<()> = Err(Failure::InvalidEvent(EventError::Syntax("x".into())));
        let line: Value = serde_json::from_str(&emf_line("N", &failed, None, false, 0)).unwrap();
        assert_eq!(line["FailureKind"], "invalid_event");
        assert_eq!(line["Failed"], 1);
        assert!(line.get("Severity").is_none());
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[], ["FailureKind"]])
        );
        assert!(line.get("StateUnavailable").is_none());
    }

    #[test]
    fn an_unreachable_state_table_counts_beside_the_outcome() {
        let published: Ended<()> = Ok(Decision::Publish(()));
        let line: Value = serde_json::from_str(&emf_line(
            "N",
            &published,
            Some(Severity::Critical),
            true,
            0,
        ))
        .unwrap();
        assert_eq!(
            (line["Published"].clone(), line["StateUnavailable"].clone()),
            (json!(1), json!(1))
        );
        let names: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Published", "StateUnavailable"]);
    }
}
