//! Array and multi-node parallel jobs: whether an AWS Batch job event is about a single job, an
//! array job or one of its children (`<array job id>:<index>`), a multi-node job or one of its nodes
//! (`<job id>#<node index>`).

use serde_json::Value;

use super::job_detail::JobDetail;
use crate::domain::limits::{MAX_NAME, bounded, thousands};
use crate::domain::model::{ArrayJob, NodeJob};

/// The array job or child the event is about: from `arrayProperties` (`index` for a child, `size`
/// and `statusSummary` for the array job) and the `:<index>` suffix of a child's id.
pub(super) fn array_job(detail: &JobDetail, job_id: Option<&str>) -> Option<ArrayJob> {
    let properties = detail.array_properties.filter(|p| p.is_object());
    let suffixed = job_id.and_then(|id| split_index(id, ':'));
    let index = properties
        .and_then(|p| p.get("index"))
        .and_then(Value::as_u64)
        .or(suffixed.map(|(_, index)| index));
    if properties.is_none() && index.is_none() {
        return None;
    }
    let parent_id = suffixed.map(|(parent, _)| parent).or(job_id)?;
    let status_summary = properties
        .filter(|_| index.is_none())
        .and_then(|p| p.get("statusSummary"))
        .and_then(Value::as_object)
        .map(|counts| {
            counts
                .iter()
                .filter_map(|(status, count)| {
                    Some((bounded(status.clone(), MAX_NAME), count.as_u64()?))
                })
                .collect::<std::collections::BTreeMap<_, _>>()
        })
        .filter(|counts| !counts.is_empty());
    Some(ArrayJob {
        parent_id: bounded(parent_id.to_owned(), MAX_NAME),
        index,
        size: properties
            .and_then(|p| p.get("size"))
            .and_then(Value::as_u64),
        status_summary,
    })
}

/// The multi-node job or node the event is about: from `nodeDetails` (a node), `nodeProperties`
/// (the job) and the `#<node index>` suffix of a node's id.
pub(super) fn node_job(detail: &JobDetail, job_id: Option<&str>) -> Option<NodeJob> {
    let details = detail.node_details.filter(|d| d.is_object());
    let properties = detail.node_properties.filter(|p| p.is_object());
    let suffixed = job_id.and_then(|id| split_index(id, '#'));
    let index = details
        .and_then(|d| d.get("nodeIndex"))
        .and_then(Value::as_u64)
        .or(suffixed.map(|(_, index)| index));
    if details.is_none() && properties.is_none() && index.is_none() {
        return None;
    }
    let job_id = suffixed.map(|(job, _)| job).or(job_id)?;
    Some(NodeJob {
        job_id: bounded(job_id.to_owned(), MAX_NAME),
        index,
        is_main: details
            .and_then(|d| d.get("isMainNode"))
            .and_then(Value::as_bool),
        num_nodes: properties
            .and_then(|p| p.get("numNodes"))
            .and_then(Value::as_u64),
    })
}

/// `("abc", 12)` from `"abc:12"` when `mark` is `:`.
fn split_index(id: &str, mark: char) -> Option<(&str, u64)> {
    let (job, index) = id.rsplit_once(mark)?;
    Some((job, index.parse().ok()?)).filter(|(job, _)| !job.is_empty())
}

/// The children's counts as a person reads them: `9,983 succeeded, 17 failed of 10,000`.
pub(super) fn children_counts(array: &ArrayJob) -> Option<String> {
    let counts = array.status_summary.as_ref()?;
    // Finished first, then the rest in the order a job moves through them.
    const ORDER: [&str; 7] = [
        "SUCCEEDED",
        "FAILED",
        "RUNNING",
        "STARTING",
        "RUNNABLE",
        "PENDING",
        "SUBMITTED",
    ];
    let known = ORDER.iter().filter_map(|s| Some((*s, *counts.get(*s)?)));
    let other = counts
        .iter()
        .filter(|(s, _)| !ORDER.contains(&s.as_str()))
        .map(|(s, c)| (s.as_str(), *c));
    let parts: Vec<String> = known
        .chain(other)
        .filter(|(_, count)| *count > 0)
        .map(|(status, count)| format!("{} {}", thousands(count), status.to_ascii_lowercase()))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let of = array.size.map(|size| format!(" of {}", thousands(size)));
    Some(format!("{}{}", parts.join(", "), of.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_child_is_known_by_its_index_or_its_id() {
        let child = array_job(
            &JobDetail::read(&json!({"arrayProperties": {"index": 12, "statusSummary": {}}})),
            Some("4c75:12"),
        )
        .unwrap();
        assert_eq!((child.parent_id.as_str(), child.index), ("4c75", Some(12)));
        let by_id = array_job(&JobDetail::read(&json!({})), Some("4c75:7")).unwrap();
        assert_eq!(by_id.index, Some(7));
        assert_eq!(array_job(&JobDetail::read(&json!({})), Some("4c75")), None);
    }

    #[test]
    fn an_array_job_reports_its_childrens_counts() {
        let parent = array_job(
            &JobDetail::read(
                &json!({"arrayProperties": {"size": 10000, "statusSummary": {
                "SUCCEEDED": 9983, "FAILED": 17, "RUNNING": 0, "PENDING": 0}}}),
            ),
            Some("4c75"),
        )
        .unwrap();
        assert_eq!(parent.index, None);
        assert_eq!(
            children_counts(&parent).unwrap(),
            "9,983 succeeded, 17 failed of 10,000"
        );
    }

    #[test]
    fn a_node_is_known_by_its_details_or_its_id() {
        let node = node_job(
            &JobDetail::read(&json!({"nodeDetails": {"nodeIndex": 2, "isMainNode": false}})),
            Some("ab12#2"),
        )
        .unwrap();
        assert_eq!(
            (node.job_id.as_str(), node.index, node.is_main),
            ("ab12", Some(2), Some(false))
        );
        let job = node_job(
            &JobDetail::read(&json!({"nodeProperties": {"numNodes": 4, "mainNode": 0}})),
            Some("ab12"),
        )
        .unwrap();
        assert_eq!((job.index, job.num_nodes), (None, Some(4)));
        assert_eq!(node_job(&JobDetail::read(&json!({})), Some("ab12")), None);
    }
}
