//! Metrics as CloudWatch Embedded Metric Format log lines: CloudWatch turns each line into metric
//! data points with no API call and no extra latency.

use serde_json::{Map, Value, json};

use crate::model::Severity;

/// How one invocation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended<'a> {
    Published,
    /// Skipped, with the reason's kind (`read_only`, `below_min_severity` ...).
    Skipped(&'a str),
    /// Failed: `invalid_event` or `publish`.
    Failed(&'a str),
}

/// One EMF line: a count of 1 under `Published`, `Skipped` or `Failed`, with the severity (when the
/// event was classified) and the skip reason or failure kind as dimensions.
pub fn emf_line(
    namespace: &str,
    ended: Ended<'_>,
    severity: Option<Severity>,
    timestamp_ms: u128,
) -> String {
    let (metric, dimension) = match ended {
        Ended::Published => ("Published", None),
        Ended::Skipped(reason) => ("Skipped", Some(("SkipReason", reason))),
        Ended::Failed(kind) => ("Failed", Some(("FailureKind", kind))),
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
    fields.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms as u64,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": dimension_sets,
                "Metrics": [{"Name": metric, "Unit": "Count"}],
            }],
        }),
    );
    Value::Object(fields).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_event_counts_under_its_reason() {
        let line: Value = serde_json::from_str(&emf_line(
            "BatchNotifier",
            Ended::Skipped("read_only"),
            Some(Severity::Info),
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
        let line: Value =
            serde_json::from_str(&emf_line("N", Ended::Failed("invalid_event"), None, 0)).unwrap();
        assert_eq!(line["Failed"], 1);
        assert!(line.get("Severity").is_none());
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[], ["FailureKind"]])
        );
    }
}
