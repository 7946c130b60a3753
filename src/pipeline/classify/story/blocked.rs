//! Why a queue is blocked: the reason code AWS Batch puts at the head of `statusReason`
//! (`CODE - text`, one code with an en dash), and a table of what each code means, what usually
//! fixes it and whether a queue's time limit (`jobStateTimeLimitActions`) can cancel such jobs.

use crate::domain::model::BlockedReason;
use crate::domain::search::find;

#[derive(Clone, Copy, Debug)]
pub struct BlockedCode {
    pub code: &'static str,
    pub meaning: &'static str,
    pub fix: &'static str,
    /// Whether `jobStateTimeLimitActions` accepts the code as its `reason`.
    pub time_limit_can_cancel: bool,
}

const fn code(
    code: &'static str,
    meaning: &'static str,
    fix: &'static str,
    time_limit_can_cancel: bool,
) -> BlockedCode {
    BlockedCode {
        code,
        meaning,
        fix,
        time_limit_can_cancel,
    }
}

#[rustfmt::skip]
pub const BLOCKED_CODES: &[BlockedCode] = &[
    code("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
         "EC2 has no capacity for the instance types the queue's compute environments allow",
         "allow more instance types or Availability Zones (subnets) in the compute environments, or wait for capacity",
         true),
    code("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
         "the compute environments' maximum vCPUs is below what the job asks for",
         "raise maxvCpus of the queue's compute environments, or ask the job for fewer vCPUs",
         true),
    code("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
         "no instance type in the queue's compute environments fits the job's vCPU, memory or GPU",
         "allow a larger instance type in the compute environments, or ask the job for less vCPU, memory or GPU",
         true),
    code("MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS",
         "the AWS Batch service role lacks a permission it needs",
         "give the service role the permissions of AWSBatchServiceRolePolicy, or use the service-linked role",
         false),
    code("MISCONFIGURATION:EC2_INSTANCE_CONFIGURATION_UNSUPPORTED",
         "the compute environment's EC2 configuration (AMI, launch template or instance type) is not supported",
         "check the compute environment's AMI, launch template and instance types",
         false),
    code("ACTION_REQUIRED",
         "a compute environment of the queue is INVALID",
         "read the compute environment's status reason, fix it and enable it again",
         false),
    code("UNDETERMINED",
         "AWS Batch could not tell why the job is not scheduled",
         "check the compute environments' status and their Auto Scaling activities",
         false),
    code("MISCONFIGURATION:SERVICE_ENVIRONMENT_MAX_RESOURCE",
         "the service environment's capacity limit is below what the service job asks for",
         "raise the service environment's capacity limit, or ask the service job for less",
         false),
    code("MISCONFIGURATION:QUOTA_MANAGEMENT_LIMIT_EXCEEDED",
         "a quota share's limit is reached",
         "raise the quota share's limit, or wait for its running jobs to end",
         false),
];

/// What the queue's time limit writes before the code it cancelled for.
const TIME_LIMIT_PREFIX: &str = "due to reason: ";

/// The reason code of a status reason, with what the table says of it: `None` when the reason
/// does not start with a code (or name one after the time limit's `due to reason:`).
pub fn reason(status_reason: &str) -> Option<BlockedReason> {
    let code = code_of(status_reason)?;
    let known = BLOCKED_CODES.iter().find(|row| row.code == code);
    Some(BlockedReason {
        code: code.to_owned(),
        meaning: known.map(|row| row.meaning),
        fix: known.map(|row| row.fix),
        time_limit_can_cancel: known.map(|row| row.time_limit_can_cancel),
    })
}

fn code_of(status_reason: &str) -> Option<&str> {
    let reason = match find(status_reason, TIME_LIMIT_PREFIX) {
        Some(at) => &status_reason[at + TIME_LIMIT_PREFIX.len()..],
        None => status_reason,
    };
    // Most reasons are prose: a code's characters must run from the start to a space or the end.
    // (A dash begins with a space, so a character that is neither ends the head as no code.)
    let start = reason.trim_start();
    let run = start.bytes().take_while(|&b| is_code_byte(b)).count();
    if start[run..].starts_with(|c: char| !c.is_whitespace()) || run == 0 {
        return None;
    }
    let first_dash = [" - ", " \u{2013} "]
        .iter()
        .filter_map(|dash| find(reason, dash))
        .min();
    let head = first_dash.map_or(reason, |at| &reason[..at]).trim();
    let is_code = head.len() >= 3
        && head.contains(|c: char| c.is_ascii_uppercase())
        && head.bytes().all(is_code_byte);
    is_code.then_some(head)
}

fn is_code_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b == b'_' || b == b':'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The code as the head before the first dash, trimmed, read whole: what `code_of` finds.
    fn code_by_head(status_reason: &str) -> Option<&str> {
        let reason = match status_reason.split_once(TIME_LIMIT_PREFIX) {
            Some((_, after)) => after,
            None => status_reason,
        };
        let first_dash = [" - ", " \u{2013} "]
            .iter()
            .filter_map(|d| reason.find(d))
            .min();
        let head = first_dash.map_or(reason, |at| &reason[..at]).trim();
        let is_code = head.len() >= 3
            && head.contains(|c: char| c.is_ascii_uppercase())
            && (head.chars()).all(|c| c.is_ascii_uppercase() || c == '_' || c == ':');
        is_code.then_some(head)
    }

    proptest! {
        #[test]
        fn the_quick_refusal_refuses_only_what_is_no_code(
            reason in "[ \t]{0,2}[A-Za-z_:]{0,6}[ \t\u{2013}-]{0,4}[A-Za-z_: -]{0,6}",
        ) {
            prop_assert_eq!(code_of(&reason), code_by_head(&reason));
        }
    }

    #[test]
    fn the_code_is_parsed_out_with_either_dash() {
        let hyphen = reason("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue.").unwrap();
        assert_eq!(hyphen.code, "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");
        assert_eq!(hyphen.time_limit_can_cancel, Some(true));
        assert!(hyphen.meaning.unwrap().contains("no instance type"));
        let en_dash = reason("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY \u{2013} There is no Amazon EC2 instance capacity").unwrap();
        assert_eq!(en_dash.code, "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
        let role = reason(
            "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS – AWS Batch service role lacks permissions",
        )
        .unwrap();
        assert_eq!(role.time_limit_can_cancel, Some(false));
    }

    #[test]
    fn a_new_code_is_kept_without_a_meaning_and_prose_is_not_a_code() {
        let new = reason("CAPACITY:SOMETHING_NEW - text").unwrap();
        assert_eq!(
            (new.code.as_str(), new.meaning),
            ("CAPACITY:SOMETHING_NEW", None)
        );
        assert_eq!(reason("Essential container in task exited"), None);
        assert_eq!(reason("Host EC2 (instance i-1) terminated."), None);
        assert_eq!(reason("OK - fine"), None, "too short");
        assert_eq!(reason(""), None);
        assert_eq!(reason("UNDETERMINED").unwrap().code, "UNDETERMINED");
    }

    #[test]
    fn the_time_limit_names_the_code_it_cancelled_for() {
        let cancelled = reason("Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT").unwrap();
        assert_eq!(cancelled.code, "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");
    }
}
