//! The invocation's clock: now, its deadline, and how long a claim's lease lasts.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::domain::fingerprint::digest;

/// What the runtime says of one invocation: its deadline (epoch ms) and whose it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub deadline_ms: i64,
    /// A digest of the request id: the owner of the claims the invocation makes.
    pub owner: u64,
}

impl Invocation {
    /// The owner digests the request id with this process's count of invocations and its id:
    /// local runtime emulators may repeat a request id, and two invocations must never share an
    /// owner (each would read the other's claim as its own).
    pub fn new(deadline_ms: i64, request_id: &str) -> Invocation {
        static INVOCATIONS: AtomicU64 = AtomicU64::new(0);
        let count = INVOCATIONS.fetch_add(1, Ordering::Relaxed);
        let process = format!("{}-{}", std::process::id(), started_ms());
        Invocation {
            deadline_ms,
            owner: digest(&[request_id, &process, &count.to_string()]),
        }
    }

    /// The owner of the claim one SQS record makes: two records of one batch that carry the same
    /// event are not each other's claim.
    pub fn owner_of(&self, message_id: &str) -> u64 {
        digest(&[&format!("{:016x}", self.owner), message_id])
    }
}

/// The time a sweep reads overdue jobs by: the real clock's, or in `preview` the schedule's own
/// time, held still, so that a preview of given job events says the same on any day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SweepClock {
    #[default]
    Real,
    At(i64),
}

impl SweepClock {
    pub fn now_ms(self) -> i64 {
        match self {
            SweepClock::Real => now_ms(),
            SweepClock::At(at_ms) => at_ms,
        }
    }
}

/// A claim's lease ends at the invocation's deadline, or after `STATE_LEASE_SECONDS` when that is
/// sooner. Local runtime emulators give the timeout's length in place of the deadline
/// (`cargo lambda watch` sends 600000): a deadline that is not after now is taken as a length,
/// within Lambda's longest timeout.
pub fn lease_until(deadline_ms: i64, now_ms: i64, lease_seconds: Option<u32>) -> i64 {
    let deadline = deadline_at(deadline_ms, now_ms);
    lease_seconds.map_or(deadline, |s| deadline.min(now_ms + i64::from(s) * 1000))
}

/// The invocation's deadline, a length taken as one from now (see [`lease_until`]).
pub fn deadline_at(deadline_ms: i64, now_ms: i64) -> i64 {
    if deadline_ms > now_ms {
        deadline_ms
    } else {
        now_ms + deadline_ms.clamp(1_000, 900_000)
    }
}

/// When this process first asked, so that a restarted process with the same id differs.
fn started_ms() -> i64 {
    static STARTED: OnceLock<i64> = OnceLock::new();
    *STARTED.get_or_init(now_ms)
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::{Invocation, lease_until};

    #[test]
    fn a_lease_ends_at_the_deadline_or_a_timeout_length_from_now() {
        let now = 1_700_000_000_000;
        assert_eq!(lease_until(now + 20_000, now, None), now + 20_000);
        assert_eq!(lease_until(600_000, now, None), now + 600_000);
        assert_eq!(lease_until(0, now, None), now + 1_000);
        assert_eq!(lease_until(i64::MIN, now, None), now + 1_000);
        assert_eq!(lease_until(600_000, now, Some(15)), now + 15_000);
        assert_eq!(lease_until(now + 5_000, now, Some(15)), now + 5_000);
    }

    #[test]
    fn invocations_with_one_request_id_are_owned_apart() {
        let first = Invocation::new(0, "same-id");
        let second = Invocation::new(0, "same-id");
        assert_ne!(first.owner, second.owner);
        assert_ne!(first.owner_of("m-1"), second.owner_of("m-1"));
        assert_ne!(first.owner_of("m-1"), first.owner_of("m-2"));
    }
}
