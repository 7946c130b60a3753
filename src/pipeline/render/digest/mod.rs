//! Digests: one message for many notifications, most severe first, with counts at the top and one
//! line per notification with its console link; split into as many messages as SNS's size limit
//! needs, never dropping an item.

mod formats;
mod tally;

use serde::Serialize;

use crate::config::Settings;
use crate::domain::limits::{bounded, single_line};
use crate::domain::model::{Family, Notification, Severity};
use crate::ports::publisher::{MAX_PUBLISH_BYTES, PublishRequest};

use super::origin;
pub use tally::{Count, counts};

/// Longest summary and link an item keeps, so that any one item fits a message with room to spare.
const MAX_ITEM_TEXT: usize = 512;
const MAX_ITEM_LINK: usize = 2048;

/// One notification as a digest shows it: what its line says and what its JSON item holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DigestItem {
    pub severity: Severity,
    pub family: Family,
    pub event_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub outcome: &'static str,
    pub resource_kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// What the item counts as in the digest's first line.
    #[serde(skip)]
    pub count: Count,
    #[serde(skip)]
    pub source: String,
}

impl DigestItem {
    /// The item of `n`; one from another account or region than the function's opens its line
    /// with where, as a notification's first line does.
    pub fn new(n: &Notification, settings: &Settings) -> DigestItem {
        let summary = if origin::is_elsewhere(n, settings) {
            format!("{}{}", origin::opening(n), n.summary)
        } else {
            n.summary.clone()
        };
        DigestItem {
            severity: n.severity,
            family: n.family,
            event_name: n.event_name.clone(),
            event_id: n.event_id.clone(),
            time: n.time.clone(),
            status: n.status.as_ref().map(|s| s.value.clone()),
            outcome: n.outcome.as_str(),
            resource_kind: n.resource.kind.as_str(),
            resource_name: n.resource.name.clone(),
            account: n.account.clone(),
            region: n.region.clone(),
            summary: bounded(single_line(&summary).into_owned(), MAX_ITEM_TEXT),
            link: n
                .links
                .first()
                .map(|l| bounded(l.url.clone(), MAX_ITEM_LINK)),
            count: Count::of(n),
            source: n.source.clone(),
        }
    }
}

/// One digest message and the items it carries (indexes into the items given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub request: PublishRequest,
    pub items: Vec<usize>,
}

/// The digests for `items`: most severe first (arrival order within a severity), as few messages
/// as SNS's size limit allows, every item in exactly one.
pub fn digests(items: &[DigestItem], settings: &Settings) -> Vec<Digest> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(items[i].severity));
    let all_counts = counts(items.iter());
    // First cut by an estimate of each item's share of a message, then render; a part that still
    // does not fit is halved until it does.
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let (mut part, mut estimate) = (Vec::new(), 0);
    for i in order {
        let cost = formats::estimate(&items[i], settings.render.message_format);
        if !part.is_empty() && estimate + cost > PART_BUDGET {
            parts.push(std::mem::take(&mut part));
            estimate = 0;
        }
        part.push(i);
        estimate += cost;
    }
    parts.push(part);
    loop {
        let total = parts.len();
        let rendered: Vec<PublishRequest> = parts
            .iter()
            .enumerate()
            .map(|(k, part)| formats::render(items, part, &all_counts, (k + 1, total), settings))
            .collect();
        let Some(too_big) =
            (0..total).find(|&k| rendered[k].size() > MAX_PUBLISH_BYTES && parts[k].len() > 1)
        else {
            return parts
                .into_iter()
                .zip(rendered)
                .map(|(items, request)| Digest { request, items })
                .collect();
        };
        let keep = parts[too_big].len().div_ceil(2);
        let half = parts[too_big].split_off(keep);
        parts.insert(too_big + 1, half);
    }
}

/// What the items of one part may add up to, by estimate: the rest of the limit is the header,
/// the attributes and the estimate's error.
const PART_BUDGET: usize = MAX_PUBLISH_BYTES * 3 / 4;
