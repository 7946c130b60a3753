//! What the table holds for one item, and the one rule that decides whether an event may claim it.
//! The in-memory store applies the rule as it is; the DynamoDB store writes it as a condition
//! expression and, when the condition fails, reads the item and applies it to say why.

use std::collections::BTreeSet;

/// One job transition: the order in which a job's events are told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub status: String,
    /// The event's time as the event gives it, for people.
    pub time: String,
    /// The event's time, for comparing.
    pub time_ms: i64,
    /// Breaks ties between events of the same second: a job's statuses in the order of its life,
    /// final ones last.
    pub rank: u32,
}

impl Transition {
    /// Whether `self` happened after `other`.
    pub fn is_after(&self, other: &Transition) -> bool {
        (self.time_ms, self.rank) > (other.time_ms, other.rank)
    }

    pub fn is_same(&self, other: &Transition) -> bool {
        (self.time_ms, self.rank) == (other.time_ms, other.rank)
    }

    /// The waiting state whose first entry this transition records on the job's item.
    pub fn entered(&self) -> Option<Waiting> {
        [Waiting::Runnable, Waiting::Starting]
            .into_iter()
            .find(|w| self.status.eq_ignore_ascii_case(w.status()))
    }
}

/// The states a job waits in before its first attempt runs, whose first entry its item records:
/// no field of the job says when it entered them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    Runnable,
    Starting,
}

impl Waiting {
    pub fn status(self) -> &'static str {
        match self {
            Waiting::Runnable => "RUNNABLE",
            Waiting::Starting => "STARTING",
        }
    }
}

/// When a job first entered RUNNABLE and STARTING (its events' times, epoch ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Entered {
    pub runnable_ms: Option<i64>,
    pub starting_ms: Option<i64>,
}

impl Entered {
    /// Keeps the first entry into the state `transition` records.
    pub fn note(&mut self, transition: &Transition) {
        let slot = match transition.entered() {
            Some(Waiting::Runnable) => &mut self.runnable_ms,
            Some(Waiting::Starting) => &mut self.starting_ms,
            None => return,
        };
        slot.get_or_insert(transition.time_ms);
    }
}

/// How far the telling of one thing that happened has got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Claimed by an invocation that is publishing it, until the lease ends.
    InProgress { lease_until_ms: i64 },
    /// Published as this SNS message.
    Published { message_id: String },
    /// Decided not to publish, for this reason (a failed child over the cap).
    Skipped { reason: String },
}

/// The claim on an item: which thing that happened, and how far its telling has got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub key: String,
    pub progress: Progress,
    /// The invocation that made the claim (a digest of its request id; 0 when unknown): a claim
    /// whose write succeeded but whose answer was lost is its own, not someone else's.
    pub owner: u64,
}

/// One item of the table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    /// The latest transition of a job whose events are ordered.
    pub latest: Option<Transition>,
    /// `None` when nothing is claimed, or the claim was released after a failed publish.
    pub claim: Option<Claim>,
    /// On an array or multi-node job's item: how many of its children failed and were counted.
    pub failed_children: u64,
    /// On an array or multi-node job's item: the indexes of the failed children told one by one
    /// (at most `CHILD_FAILURES_MAX`). A set, so that a count written twice (a retried request
    /// whose first answer was lost) still tells each child once and no fewer than the cap.
    pub told_children: BTreeSet<u64>,
    /// On a failed child's item: where its parent's count put it, kept when its publish failed so
    /// that the retry does not count it twice.
    pub counted: Option<Counted>,
    /// When the table may forget the item (epoch seconds; the table's TTL attribute).
    pub expires_at: i64,
    /// On a job's item: when it first entered RUNNABLE and STARTING.
    pub entered: Entered,
    /// On a job's item, while the job is in a watched state and not told stuck: when it is due.
    pub watch: Option<Watched>,
    /// A sweep that is telling the job stuck, until its lease ends.
    pub sweep: Option<SweepClaim>,
    /// The stay that was told stuck, until the notification of the job's next transition says
    /// how long it lasted.
    pub stuck: Option<Stuck>,
}

/// A failed child or node to count on its parent's item against `CHILD_FAILURES_MAX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedChild {
    /// The parent's item.
    pub parent: String,
    /// The child's index in its array job, or the node's index.
    pub index: u64,
    /// `CHILD_FAILURES_MAX`.
    pub cap: u32,
    /// The parent item's expiry (epoch seconds).
    pub expires_at: i64,
}

/// Where its parent's count put a failed child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// Among the first `CHILD_FAILURES_MAX`: told one by one.
    Told,
    /// Past the cap: only counted, for its parent's final notification.
    OverCap,
}

impl Counted {
    /// The name the table keeps it by.
    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Told => "told",
            Counted::OverCap => "over_cap",
        }
    }

    pub fn named(name: &str) -> Option<Self> {
        [Counted::Told, Counted::OverCap]
            .into_iter()
            .find(|counted| counted.as_str() == name)
    }
}

/// What a job's item keeps of the job for a stuck notice: its facts at its latest transition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobFacts {
    pub name: Option<String>,
    pub queue: Option<String>,
    pub definition: Option<String>,
    /// The last blocked-queue reason code seen for the job in this stay.
    pub blocked: Option<String>,
    /// An array job, watched through its children: how many it has, when its event said.
    pub array: Option<ArrayFacts>,
}

/// An array job's watch: while it is PENDING its children wait (RUNNABLE) until the first one
/// starts, and start (STARTING) until the first one runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArrayFacts {
    pub size: Option<u64>,
}

/// The status an array job keeps while its children run: its watch is of them.
pub const ARRAY_WAITING: &str = "PENDING";

/// The states an array job's children pass through on its watch, in order: a child's move ends
/// the stays before its own state.
pub const CHILD_STAYS: [&str; 3] = ["RUNNABLE", "STARTING", "RUNNING"];

/// The state of a job waiting in its queue's line: only such a job can be blocked by its queue
/// (its item keeps the reason) or be at the queue's head.
pub const IN_LINE: &str = "RUNNABLE";

/// A job in a watched state: since when, and when it is overdue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    pub status: String,
    pub since_ms: i64,
    pub due_ms: i64,
    pub job: JobFacts,
}

/// A stay in a state that a sweep told stuck, and the facts its notice named (an array job's
/// next stay, which its children open, names them again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stuck {
    pub status: String,
    pub since_ms: i64,
    pub job: JobFacts,
}

/// A sweep's claim on telling one job stuck.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepClaim {
    pub owner: u64,
    pub lease_until_ms: i64,
}

/// What a job's transition asks of the watch: the state it watches (the job's own, or for an
/// array job its children's) and when the job is overdue in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchAsk {
    pub status: String,
    pub due_ms: i64,
    pub job: JobFacts,
}

/// An array job's child that started (STARTING) or ran (RUNNING) at `time_ms`: the array job's
/// watch moves on from its children's earlier state to the child's, when that stay is kept, or
/// out of the watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildMove {
    /// The array job's item.
    pub parent: String,
    /// The child's new status: the stays it ends are the children's states before it.
    pub status: String,
    pub time_ms: i64,
    pub now_ms: i64,
    /// When the stay the array job enters (its children's new state) is due, if it is kept.
    pub next_due_ms: Option<i64>,
    /// The array job's facts as the child tells them (its name, queue and definition), for an
    /// item that no longer keeps its own.
    pub job: JobFacts,
}

impl ChildMove {
    /// The children's states this move ends: RUNNABLE for a child STARTING; RUNNABLE and STARTING
    /// for one RUNNING.
    pub fn ends(&self, stay: &str) -> bool {
        let place = |s: &str| CHILD_STAYS.iter().position(|o| o.eq_ignore_ascii_case(s));
        matches!((place(stay), place(&self.status)), (Some(a), Some(b)) if a < b)
    }

    /// The move as a transition, for the stay told stuck that it ends.
    pub fn transition(&self) -> Transition {
        Transition {
            status: self.status.clone(),
            time: String::new(),
            time_ms: self.time_ms,
            rank: 0,
        }
    }
}

impl Item {
    /// Whether `child` is told one by one, by this parent item: it was told already (a count
    /// written again), or fewer than the cap were told.
    pub fn tells(&self, child: &FailedChild) -> bool {
        self.told_children.contains(&child.index)
            || (self.told_children.len() as u64) < u64::from(child.cap)
    }

    /// The stay told stuck that `order` ends, read on the item as it was before `order` was
    /// written: a stay of an earlier transition that was told stuck, or that a sweep is telling
    /// now (its notice is on its way, and could not mark the stay told once the job moved on).
    pub fn stuck_before(&self, order: &Transition, now_ms: i64) -> Option<Stuck> {
        if self.expires_at * 1000 <= now_ms {
            return None;
        }
        let told = self.stuck.clone();
        let telling = || {
            self.sweep.filter(|claim| claim.lease_until_ms > now_ms)?;
            let watch = self.watch.as_ref()?;
            Some(Stuck {
                status: watch.status.clone(),
                since_ms: watch.since_ms,
                job: watch.job.clone(),
            })
        };
        told.or_else(telling)
            .filter(|stuck| stuck.since_ms < order.time_ms)
    }

    /// Whether a sweep at `now_ms` may tell this item's job stuck in `watched`: the job is still
    /// in that stay, the item live, and no other sweep is telling it.
    pub fn may_tell_stuck(&self, watched: &Watched, owner: u64, now_ms: i64) -> bool {
        let same_stay = self.watch.as_ref().is_some_and(|w| {
            w.status == watched.status && w.since_ms == watched.since_ms && w.due_ms <= now_ms
        });
        let free = self
            .sweep
            .is_none_or(|claim| claim.lease_until_ms <= now_ms || claim.owner == owner);
        same_stay && free && self.expires_at * 1000 > now_ms
    }

    /// The array job's stay that `move_` ends: its watch (or the stay told stuck) while it is
    /// PENDING, in an earlier state of its children, entered no later than the child moved, on a
    /// live item.
    pub fn moved_by(&self, move_: &ChildMove) -> bool {
        let pending = (self.latest.as_ref()).is_some_and(|l| l.status == ARRAY_WAITING);
        let stay = (self.watch.as_ref().map(|w| (w.status.as_str(), w.since_ms)))
            .or(self.stuck.as_ref().map(|s| (s.status.as_str(), s.since_ms)));
        pending
            && self.expires_at * 1000 > move_.now_ms
            && stay.is_some_and(|(status, since)| move_.ends(status) && since <= move_.time_ms)
    }

    /// The item after `move_`: in the children's next watched state, or out of the watch; a
    /// sweep's claim and the stay told stuck end with the stay.
    pub fn take_move(&mut self, move_: &ChildMove) {
        let told = self.stuck.take().map(|s| s.job);
        let kept = self.watch.take().map(|w| w.job).or(told);
        self.watch = move_.next_due_ms.map(|due_ms| Watched {
            status: move_.status.clone(),
            since_ms: move_.time_ms,
            due_ms,
            // A new stay starts without the last one's blocked reason.
            job: JobFacts {
                blocked: None,
                ..kept.unwrap_or_else(|| move_.job.clone())
            },
        });
        self.sweep = None;
    }

    /// The item after `ask`'s newer transition is written: the latest, the entries into waiting
    /// states, and the watch of the state it is in (none when it is not watched).
    pub fn take(&mut self, ask: &Ask) {
        let Some(order) = &ask.order else {
            return;
        };
        self.latest = Some(order.clone());
        self.entered.note(order);
        self.watch = ask.watch.as_ref().map(|w| Watched {
            status: w.status.clone(),
            since_ms: order.time_ms,
            due_ms: w.due_ms,
            job: w.job.clone(),
        });
        self.sweep = None;
        self.expires_at = ask.expires_at;
    }
}

/// What an event asks of an item, with the times that bound its claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    pub item: String,
    pub key: String,
    pub order: Option<Transition>,
    /// The claim's lease: the invocation's deadline.
    pub lease_until_ms: i64,
    pub expires_at: i64,
    pub now_ms: i64,
    /// The asking invocation (a digest of its request id).
    pub owner: u64,
    /// A job's transition into a watched state: when it is overdue.
    pub watch: Option<Box<WatchAsk>>,
    /// The notification says how long the job was stuck: its publish ends that stay's record.
    pub ends_stuck: bool,
}

/// Why an event cannot claim its item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lost {
    Published {
        message_id: String,
    },
    Skipped {
        reason: String,
    },
    /// Another invocation is publishing it; its lease ends then.
    InProgress {
        lease_until_ms: i64,
    },
    /// A later transition of the same job was told already: the sentence says which.
    Stale {
        reason: String,
    },
}

/// Whether a transition that is not told may be recorded as `item`'s latest: when it is newer
/// (or the item is absent or expired). A stale one records nothing.
pub fn may_record(item: Option<&Item>, ask: &Ask) -> bool {
    let live = item.filter(|item| item.expires_at * 1000 > ask.now_ms);
    match (live.and_then(|item| item.latest.as_ref()), &ask.order) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(latest), Some(new)) => new.is_after(latest),
    }
}

/// Whether `ask` may claim `item`: `Ok` if it may, or why not. An expired item counts as absent
/// (DynamoDB deletes expired items lazily, days later).
pub fn judge(item: Option<&Item>, ask: &Ask) -> Result<(), Lost> {
    let Some(item) = item.filter(|item| item.expires_at * 1000 > ask.now_ms) else {
        return Ok(());
    };
    if let (Some(new), Some(latest)) = (&ask.order, &item.latest) {
        if new.is_after(latest) {
            return Ok(());
        }
        if !new.is_same(latest) {
            return Err(Lost::Stale {
                reason: stale_reason(new, latest),
            });
        }
    }
    match &item.claim {
        None => Ok(()),
        // The claim of an earlier transition, left when a later one was recorded untold.
        Some(claim) if ask.order.is_some() && claim.key != ask.key => Ok(()),
        Some(claim) => match &claim.progress {
            Progress::InProgress { lease_until_ms } if *lease_until_ms <= ask.now_ms => Ok(()),
            // This invocation's own claim, whose answer was lost and whose write is retried.
            Progress::InProgress { .. } if claim.owner == ask.owner && claim.key == ask.key => {
                Ok(())
            }
            Progress::InProgress { lease_until_ms } => Err(Lost::InProgress {
                lease_until_ms: *lease_until_ms,
            }),
            Progress::Published { message_id } => Err(Lost::Published {
                message_id: message_id.clone(),
            }),
            Progress::Skipped { reason } => Err(Lost::Skipped {
                reason: reason.clone(),
            }),
        },
    }
}

/// "RUNNING at 10:01:07 arrived after SUCCEEDED at 10:10:00": times of day when both are on the
/// same day, whole otherwise.
fn stale_reason(new: &Transition, latest: &Transition) -> String {
    let same_day = new.time.get(..10).is_some() && new.time.get(..10) == latest.time.get(..10);
    let show = |time: &str| {
        if same_day {
            time.get(11..19).unwrap_or(time).to_owned()
        } else {
            time.to_owned()
        }
    };
    format!(
        "{} at {} arrived after {} at {}",
        new.status,
        show(&new.time),
        latest.status,
        show(&latest.time)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transition(status: &str, time: &str, rank: u32) -> Transition {
        let time_ms = chrono::DateTime::parse_from_rfc3339(time)
            .unwrap()
            .timestamp_millis();
        Transition {
            status: status.into(),
            time: time.into(),
            time_ms,
            rank,
        }
    }

    const NOW: i64 = 1_700_000_000_000;

    fn ask(order: Option<Transition>) -> Ask {
        Ask {
            item: "job#1".into(),
            key: "k".into(),
            order,
            lease_until_ms: NOW + 30_000,
            expires_at: NOW / 1000 + 86_400,
            now_ms: NOW,
            owner: 7,
            watch: None,
            ends_stuck: false,
        }
    }

    fn item(latest: Option<Transition>, progress: Option<Progress>) -> Item {
        Item {
            latest,
            claim: progress.map(|progress| Claim {
                key: "k".into(),
                progress,
                owner: 1,
            }),
            failed_children: 0,
            counted: None,
            expires_at: NOW / 1000 + 3600,
            entered: Entered::default(),
            ..Item::default()
        }
    }

    #[test]
    fn an_absent_or_expired_item_is_claimed() {
        assert_eq!(judge(None, &ask(None)), Ok(()));
        let mut expired = item(
            None,
            Some(Progress::Published {
                message_id: "m".into(),
            }),
        );
        expired.expires_at = NOW / 1000;
        assert_eq!(judge(Some(&expired), &ask(None)), Ok(()));
    }

    #[test]
    fn a_published_or_decided_key_is_not_told_again() {
        let done = item(
            None,
            Some(Progress::Published {
                message_id: "m-1".into(),
            }),
        );
        assert_eq!(
            judge(Some(&done), &ask(None)),
            Err(Lost::Published {
                message_id: "m-1".into()
            })
        );
        let skipped = item(None, Some(Progress::Skipped { reason: "r".into() }));
        assert!(matches!(
            judge(Some(&skipped), &ask(None)),
            Err(Lost::Skipped { .. })
        ));
    }

    #[test]
    fn a_live_lease_holds_and_an_expired_one_is_claimed_again() {
        let live = item(
            None,
            Some(Progress::InProgress {
                lease_until_ms: NOW + 1,
            }),
        );
        assert_eq!(
            judge(Some(&live), &ask(None)),
            Err(Lost::InProgress {
                lease_until_ms: NOW + 1
            })
        );
        let ended = item(
            None,
            Some(Progress::InProgress {
                lease_until_ms: NOW,
            }),
        );
        assert_eq!(judge(Some(&ended), &ask(None)), Ok(()));
        assert_eq!(
            judge(Some(&item(None, None)), &ask(None)),
            Ok(()),
            "released"
        );
    }

    #[test]
    fn an_invocation_reads_its_own_live_claim_as_its_own() {
        let mut mine = item(
            None,
            Some(Progress::InProgress {
                lease_until_ms: NOW + 1,
            }),
        );
        mine.claim.as_mut().unwrap().owner = ask(None).owner;
        assert_eq!(judge(Some(&mine), &ask(None)), Ok(()));
        let other_key = Ask {
            key: "other".into(),
            ..ask(None)
        };
        assert!(matches!(
            judge(Some(&mine), &other_key),
            Err(Lost::InProgress { .. })
        ));
    }

    #[test]
    fn an_older_transition_is_stale_and_says_why() {
        let succeeded = transition("SUCCEEDED", "2024-05-01T10:10:00Z", 14);
        let running = transition("RUNNING", "2024-05-01T10:01:00Z", 6);
        let done = item(
            Some(succeeded.clone()),
            Some(Progress::Published {
                message_id: "m".into(),
            }),
        );
        assert_eq!(
            judge(Some(&done), &ask(Some(running))),
            Err(Lost::Stale {
                reason: "RUNNING at 10:01:00 arrived after SUCCEEDED at 10:10:00".into()
            })
        );
        let retried = transition("RUNNABLE", "2024-05-01T10:12:00Z", 3);
        assert_eq!(
            judge(Some(&done), &ask(Some(retried))),
            Ok(()),
            "a retry is later"
        );
        let next_day = transition("RUNNING", "2024-04-30T23:59:00Z", 6);
        let Err(Lost::Stale { reason }) = judge(Some(&done), &ask(Some(next_day))) else {
            panic!()
        };
        assert_eq!(
            reason,
            "RUNNING at 2024-04-30T23:59:00Z arrived after SUCCEEDED at 2024-05-01T10:10:00Z"
        );
    }

    #[test]
    fn the_same_transition_again_is_judged_by_its_claim() {
        let succeeded = transition("SUCCEEDED", "2024-05-01T10:10:00Z", 14);
        let done = item(
            Some(succeeded.clone()),
            Some(Progress::Published {
                message_id: "m".into(),
            }),
        );
        assert!(matches!(
            judge(Some(&done), &ask(Some(succeeded.clone()))),
            Err(Lost::Published { .. })
        ));
        let counter_only = Item {
            failed_children: 3,
            ..item(None, None)
        };
        assert_eq!(judge(Some(&counter_only), &ask(Some(succeeded))), Ok(()));
    }

    #[test]
    fn a_transition_ends_a_stay_told_stuck_or_one_a_sweep_is_telling() {
        let runnable = transition("RUNNABLE", "2024-05-01T10:00:00Z", 3);
        let starting = transition("STARTING", "2024-05-01T12:00:00Z", 4);
        let watched = Watched {
            status: "RUNNABLE".into(),
            since_ms: runnable.time_ms,
            due_ms: runnable.time_ms + 3_600_000,
            job: JobFacts::default(),
        };
        let waiting = Item {
            watch: Some(watched),
            expires_at: NOW / 1000 + 86_400,
            ..item(Some(runnable.clone()), None)
        };
        assert_eq!(waiting.stuck_before(&starting, NOW), None);
        let stay = Some(Stuck {
            status: "RUNNABLE".into(),
            since_ms: runnable.time_ms,
            job: JobFacts::default(),
        });
        let told = Item {
            stuck: stay.clone(),
            ..waiting.clone()
        };
        assert_eq!(told.stuck_before(&starting, NOW), stay);
        assert_eq!(told.stuck_before(&runnable, NOW), None, "not by itself");
        // A sweep is publishing the notice: the transition is its follow-up.
        let telling = |lease_until_ms| Item {
            sweep: Some(SweepClaim {
                owner: 9,
                lease_until_ms,
            }),
            ..waiting.clone()
        };
        assert_eq!(telling(NOW + 1).stuck_before(&starting, NOW), stay);
        assert_eq!(
            telling(NOW).stuck_before(&starting, NOW),
            None,
            "a lapsed sweep"
        );
        let expired = Item {
            expires_at: NOW / 1000,
            ..told
        };
        assert_eq!(expired.stuck_before(&starting, NOW), None);
    }

    fn child_move(status: &str, time_ms: i64, next_due_ms: Option<i64>) -> ChildMove {
        ChildMove {
            parent: "job#arr".into(),
            status: status.into(),
            time_ms,
            now_ms: NOW,
            next_due_ms,
            job: JobFacts {
                name: Some("from-the-child".into()),
                ..JobFacts::default()
            },
        }
    }

    #[test]
    fn a_child_moves_its_array_job_on_from_an_earlier_stay_only() {
        let starting = child_move("STARTING", 5_000, Some(905_000));
        let running = child_move("RUNNING", 5_000, None);
        assert!(starting.ends("RUNNABLE") && !starting.ends("STARTING"));
        assert!(running.ends("RUNNABLE") && running.ends("STARTING") && !running.ends("RUNNING"));
        let pending = transition("PENDING", "2023-11-14T22:13:20Z", 2);
        let waiting = |status: &str, since_ms: i64| Item {
            watch: Some(Watched {
                status: status.into(),
                since_ms,
                due_ms: since_ms + 60_000,
                job: JobFacts {
                    name: Some("array".into()),
                    blocked: Some("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY".into()),
                    array: Some(ArrayFacts { size: Some(40) }),
                    ..JobFacts::default()
                },
            }),
            ..item(Some(pending.clone()), None)
        };
        assert!(waiting("RUNNABLE", 1_000).moved_by(&starting));
        assert!(!waiting("STARTING", 1_000).moved_by(&starting));
        assert!(waiting("STARTING", 1_000).moved_by(&running));
        // A child's move from before the stay began, or on an array job that ended or expired.
        assert!(!waiting("RUNNABLE", 5_001).moved_by(&starting));
        let mut ended = waiting("RUNNABLE", 1_000);
        ended.latest = Some(transition("SUCCEEDED", "2023-11-14T22:30:00Z", 20));
        assert!(!ended.moved_by(&starting));
        let mut expired = waiting("RUNNABLE", 1_000);
        expired.expires_at = NOW / 1000;
        assert!(!expired.moved_by(&starting));
        // The next stay keeps the array job's facts but not the last stay's blocked reason.
        let mut moved = waiting("RUNNABLE", 1_000);
        moved.take_move(&starting);
        let watch = moved.watch.clone().unwrap();
        assert_eq!(
            (watch.status.as_str(), watch.since_ms, watch.due_ms),
            ("STARTING", 5_000, 905_000)
        );
        assert_eq!(watch.job.name.as_deref(), Some("array"));
        assert_eq!(
            (watch.job.blocked, watch.job.array),
            (None, Some(ArrayFacts { size: Some(40) }))
        );
        moved.take_move(&running);
        assert_eq!(moved.watch, None);
        // A stay told stuck is moved on too, and ends.
        let mut told = waiting("RUNNABLE", 1_000);
        let job = told.watch.take().unwrap().job;
        told.stuck = Some(Stuck {
            status: "RUNNABLE".into(),
            since_ms: 1_000,
            job,
        });
        assert!(told.moved_by(&starting));
        told.take_move(&starting);
        assert_eq!(told.stuck, None);
        assert_eq!(told.watch.unwrap().job.name.as_deref(), Some("array"));
    }
}
