//! The AWS Batch API operation catalog: one row per operation.
//!
//! An operation that is not listed here (AWS adds some every year) is classified from its name by
//! [`classify_operation`], never rejected.

use crate::domain::model::{Access, Action, ResourceKind, Verb};

use Access::{Mutating, ReadOnly};
use ResourceKind as K;
use Verb as V;

/// One Batch API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    pub name: &'static str,
    pub kind: ResourceKind,
    pub verb: Verb,
    pub access: Access,
    /// Whether the call removes or stops something that cannot be brought back as it was.
    pub destructive: bool,
}

const fn op(
    name: &'static str,
    kind: ResourceKind,
    verb: Verb,
    access: Access,
    destructive: bool,
) -> Operation {
    Operation {
        name,
        kind,
        verb,
        access,
        destructive,
    }
}

#[rustfmt::skip]
pub const OPERATIONS: &[Operation] = &[
    //  name                              resource                  verb            access     destructive
    op("SubmitJob",                       K::Job,                   V::Submit,      Mutating,  false),
    op("CancelJob",                       K::Job,                   V::Cancel,      Mutating,  true),
    op("CancelJobs",                      K::Job,                   V::Cancel,      Mutating,  true),
    op("TerminateJob",                    K::Job,                   V::Terminate,   Mutating,  true),
    op("TerminateJobs",                   K::Job,                   V::Terminate,   Mutating,  true),
    op("DescribeJobs",                    K::Job,                   V::Describe,    ReadOnly,  false),
    op("ListJobs",                        K::Job,                   V::List,        ReadOnly,  false),
    op("SubmitServiceJob",                K::ServiceJob,            V::Submit,      Mutating,  false),
    op("TerminateServiceJob",             K::ServiceJob,            V::Terminate,   Mutating,  true),
    op("TerminateServiceJobs",            K::ServiceJob,            V::Terminate,   Mutating,  true),
    op("UpdateServiceJob",                K::ServiceJob,            V::Update,      Mutating,  false),
    op("DescribeServiceJob",              K::ServiceJob,            V::Describe,    ReadOnly,  false),
    op("ListServiceJobs",                 K::ServiceJob,            V::List,        ReadOnly,  false),
    op("CreateComputeEnvironment",        K::ComputeEnvironment,    V::Create,      Mutating,  false),
    op("UpdateComputeEnvironment",        K::ComputeEnvironment,    V::Update,      Mutating,  false),
    op("DeleteComputeEnvironment",        K::ComputeEnvironment,    V::Delete,      Mutating,  true),
    op("DescribeComputeEnvironments",     K::ComputeEnvironment,    V::Describe,    ReadOnly,  false),
    op("CreateJobQueue",                  K::JobQueue,              V::Create,      Mutating,  false),
    op("UpdateJobQueue",                  K::JobQueue,              V::Update,      Mutating,  false),
    op("DeleteJobQueue",                  K::JobQueue,              V::Delete,      Mutating,  true),
    op("DescribeJobQueues",               K::JobQueue,              V::Describe,    ReadOnly,  false),
    op("GetJobQueueSnapshot",             K::JobQueue,              V::Get,         ReadOnly,  false),
    op("RegisterJobDefinition",           K::JobDefinition,         V::Register,    Mutating,  false),
    op("DeregisterJobDefinition",         K::JobDefinition,         V::Deregister,  Mutating,  true),
    op("DescribeJobDefinitions",          K::JobDefinition,         V::Describe,    ReadOnly,  false),
    op("CreateSchedulingPolicy",          K::SchedulingPolicy,      V::Create,      Mutating,  false),
    op("UpdateSchedulingPolicy",          K::SchedulingPolicy,      V::Update,      Mutating,  false),
    op("DeleteSchedulingPolicy",          K::SchedulingPolicy,      V::Delete,      Mutating,  true),
    op("DescribeSchedulingPolicies",      K::SchedulingPolicy,      V::Describe,    ReadOnly,  false),
    op("ListSchedulingPolicies",          K::SchedulingPolicy,      V::List,        ReadOnly,  false),
    op("CreateConsumableResource",        K::ConsumableResource,    V::Create,      Mutating,  false),
    op("UpdateConsumableResource",        K::ConsumableResource,    V::Update,      Mutating,  false),
    op("DeleteConsumableResource",        K::ConsumableResource,    V::Delete,      Mutating,  true),
    op("DescribeConsumableResource",      K::ConsumableResource,    V::Describe,    ReadOnly,  false),
    op("ListConsumableResources",         K::ConsumableResource,    V::List,        ReadOnly,  false),
    op("ListJobsByConsumableResource",    K::ConsumableResource,    V::List,        ReadOnly,  false),
    op("CreateServiceEnvironment",        K::ServiceEnvironment,    V::Create,      Mutating,  false),
    op("UpdateServiceEnvironment",        K::ServiceEnvironment,    V::Update,      Mutating,  false),
    op("DeleteServiceEnvironment",        K::ServiceEnvironment,    V::Delete,      Mutating,  true),
    op("DescribeServiceEnvironments",     K::ServiceEnvironment,    V::Describe,    ReadOnly,  false),
    op("CreateQuotaShare",                K::QuotaShare,            V::Create,      Mutating,  false),
    op("UpdateQuotaShare",                K::QuotaShare,            V::Update,      Mutating,  false),
    op("DeleteQuotaShare",                K::QuotaShare,            V::Delete,      Mutating,  true),
    op("DescribeQuotaShare",              K::QuotaShare,            V::Describe,    ReadOnly,  false),
    op("ListQuotaShares",                 K::QuotaShare,            V::List,        ReadOnly,  false),
    op("TagResource",                     K::Tags,                  V::Tag,         Mutating,  false),
    op("UntagResource",                   K::Tags,                  V::Untag,       Mutating,  false),
    op("ListTagsForResource",             K::Tags,                  V::List,        ReadOnly,  false),
];

/// Verb prefixes for operations missing from the catalog, longest first so `Deregister` wins over `De...`.
#[rustfmt::skip]
const VERB_PREFIXES: &[(&str, Verb, Access, bool)] = &[
    ("Deregister", V::Deregister, Mutating, true),
    ("Terminate",  V::Terminate,  Mutating, true),
    ("Describe",   V::Describe,   ReadOnly, false),
    ("Register",   V::Register,   Mutating, false),
    ("Create",     V::Create,     Mutating, false),
    ("Update",     V::Update,     Mutating, false),
    ("Delete",     V::Delete,     Mutating, true),
    ("Submit",     V::Submit,     Mutating, false),
    ("Cancel",     V::Cancel,     Mutating, true),
    ("Untag",      V::Untag,      Mutating, false),
    ("List",       V::List,       ReadOnly, false),
    ("Get",        V::Get,        ReadOnly, false),
    ("Tag",        V::Tag,        Mutating, false),
];

/// Resource words for operations missing from the catalog, most specific first.
#[rustfmt::skip]
const RESOURCE_WORDS: &[(&str, ResourceKind)] = &[
    ("ServiceJob",          K::ServiceJob),
    ("ServiceEnvironment",  K::ServiceEnvironment),
    ("ComputeEnvironment",  K::ComputeEnvironment),
    ("JobQueue",            K::JobQueue),
    ("JobDefinition",       K::JobDefinition),
    ("SchedulingPolic",     K::SchedulingPolicy),
    ("ConsumableResource",  K::ConsumableResource),
    ("QuotaShare",          K::QuotaShare),
    ("Tag",                 K::Tags),
    ("Job",                 K::Job),
];

pub fn lookup(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// The resource kind and action of an operation, from the catalog or, failing that, from its name.
///
/// `read_only_hint` is CloudTrail's own `readOnly` flag; it decides the access of an operation whose
/// name has no known verb.
pub fn classify_operation(name: &str, read_only_hint: Option<bool>) -> (ResourceKind, Action) {
    if let Some(op) = lookup(name) {
        return (
            op.kind,
            Action {
                verb: op.verb,
                access: op.access,
                destructive: op.destructive,
                cataloged: true,
            },
        );
    }
    let (verb, access, destructive, rest) = VERB_PREFIXES
        .iter()
        .find_map(|&(prefix, verb, access, destructive)| {
            name.strip_prefix(prefix)
                .map(|rest| (verb, access, destructive, rest))
        })
        .unwrap_or_else(|| {
            let access = match read_only_hint {
                Some(true) => ReadOnly,
                _ => Mutating,
            };
            (V::Other, access, false, name)
        });
    let kind = RESOURCE_WORDS
        .iter()
        .find(|(word, _)| rest.contains(word))
        .map_or(K::Unknown, |&(_, kind)| kind);
    (
        kind,
        Action {
            verb,
            access,
            destructive,
            cataloged: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_48_documented_operations_once_each() {
        assert_eq!(OPERATIONS.len(), 48);
        let mut names: Vec<_> = OPERATIONS.iter().map(|op| op.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 48);
    }

    #[test]
    fn catalog_verbs_agree_with_the_name_rules() {
        for op in OPERATIONS {
            let (_, inferred) = classify_operation_by_name_only(op.name);
            assert_eq!(inferred.verb, op.verb, "{}", op.name);
            assert_eq!(inferred.access, op.access, "{}", op.name);
        }
    }

    fn classify_operation_by_name_only(name: &str) -> (ResourceKind, Action) {
        // Same rules as for an unknown operation, applied to a known name.
        let unknown = format!("{name}\u{0}");
        classify_operation(&unknown, None)
    }

    #[test]
    fn unknown_operations_are_classified_from_their_name() {
        let (kind, action) = classify_operation("DeleteQuotaSharePolicy", None);
        assert_eq!(kind, K::QuotaShare);
        assert_eq!(action.verb, V::Delete);
        assert!(action.destructive);
        assert!(!action.cataloged);

        let (kind, action) = classify_operation("ListServiceJobAttempts", None);
        assert_eq!(kind, K::ServiceJob);
        assert_eq!(action.access, ReadOnly);

        let (kind, action) = classify_operation("DeregisterJobTemplate", None);
        assert_eq!(kind, K::Job);
        assert_eq!(action.verb, V::Deregister);
    }

    #[test]
    fn a_name_without_a_known_verb_trusts_cloudtrails_read_only_flag() {
        let (kind, action) = classify_operation("PauseComputeEnvironment", Some(false));
        assert_eq!(kind, K::ComputeEnvironment);
        assert_eq!((action.verb, action.access), (V::Other, Mutating));
        let (_, action) = classify_operation("PeekJobs", Some(true));
        assert_eq!(action.access, ReadOnly);
        let (kind, _) = classify_operation("", None);
        assert_eq!(kind, K::Unknown);
    }
}
