//! One notifier for an organization: events forwarded from member accounts and regions are named
//! as theirs, their lookups go to their own account and region (through the role assumed there),
//! accounts can be named from AWS Organizations, and the state keys of two accounts never meet.

mod common;

use std::sync::Mutex;

use batch_notifier::config::Settings;
use batch_notifier::domain::decision::Decision;
use batch_notifier::ports::lookups::{Enricher, Found, Reach, RoleRef, Wanted};
use batch_notifier::ports::state::MemoryStore;
use common::{example, prepare_with, settings_with};

const HOME: &str = "999999999999";
const MEMBER: &str = "111111111111";

/// An example event, as if from `account` and `region`.
fn from(name: &str, account: &str, region: &str) -> Vec<u8> {
    let mut event: serde_json::Value = serde_json::from_slice(&example(name)).unwrap();
    event["account"] = account.into();
    event["region"] = region.into();
    serde_json::to_vec(&event).unwrap()
}

/// The central function's settings, in `us-east-1` of account `HOME`.
fn central(extra: &[(&str, &str)]) -> Settings {
    let mut vars = vec![("HOME_ACCOUNT", HOME), ("AWS_REGION", "us-east-1")];
    vars.extend_from_slice(extra);
    settings_with(&vars)
}

/// Records what it is asked, and answers what it is told to.
#[derive(Default)]
struct Recording {
    asked: Mutex<Vec<Wanted>>,
    names: Vec<(&'static str, &'static str)>,
}

impl Enricher for Recording {
    async fn look_up(&self, wanted: &Wanted) -> Found {
        self.asked.lock().unwrap().push(wanted.clone());
        Found::default()
    }

    async fn account_name(&self, account: &str) -> Option<String> {
        (self.names.iter())
            .find(|(id, _)| *id == account)
            .map(|(_, name)| (*name).to_owned())
    }
}

fn published(input: &[u8], settings: &Settings, enricher: &Recording) -> (String, String) {
    match prepare_with(input, settings, &MemoryStore::default(), enricher)
        .unwrap()
        .decision
    {
        Decision::Publish(request) => (request.subject, request.message),
        Decision::Skip(skip) => panic!("skipped: {}", skip.reason),
    }
}

#[test]
fn another_accounts_event_names_its_account_and_region_first_and_the_functions_own_does_not() {
    let settings = central(&[]);
    let none = Recording::default();
    let (subject, text) = published(
        &from("batch-job-state-failed.json", MEMBER, "eu-west-1"),
        &settings,
        &none,
    );
    assert!(
        subject.ends_with(&format!(" in {MEMBER} eu-west-1")),
        "{subject}"
    );
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("Account {MEMBER}, eu-west-1: ")),
        "{first}"
    );

    let (subject, text) = published(
        &from("batch-job-state-failed.json", HOME, "us-east-1"),
        &settings,
        &none,
    );
    assert!(
        subject.ends_with(" in us-east-1") && !subject.contains(HOME),
        "{subject}"
    );
    assert!(
        !text.lines().next().unwrap().starts_with("Account"),
        "{text}"
    );

    // The function's own account in another region: the region is elsewhere, so it is said.
    let (_, text) = published(
        &from("batch-job-state-failed.json", HOME, "ap-south-1"),
        &settings,
        &none,
    );
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("Account {HOME}, ap-south-1: ")),
        "{first}"
    );

    // Without HOME_ACCOUNT nothing is elsewhere: today's notifications, unchanged.
    let plain = settings_with(&[]);
    let (subject, text) = published(
        &from("batch-job-state-failed.json", MEMBER, "eu-west-1"),
        &plain,
        &none,
    );
    assert!(
        !subject.contains(MEMBER) && !text.starts_with("Account"),
        "{subject}"
    );
}

#[test]
fn account_names_come_from_the_organization_when_asked_and_a_name_reads_beside_the_id() {
    let directory = Recording {
        names: vec![(MEMBER, "genomics-prod")],
        ..Recording::default()
    };
    let event = from("batch-job-state-failed.json", MEMBER, "eu-west-1");
    let (subject, text) = published(
        &event,
        &central(&[("ACCOUNT_NAMES", "organizations")]),
        &directory,
    );
    assert!(
        subject.ends_with(" in genomics-prod eu-west-1"),
        "{subject}"
    );
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("Account genomics-prod ({MEMBER}), eu-west-1: ")),
        "{first}"
    );
    // The explicit list is not replaced, and the directory is not read without being asked.
    let (subject, _) = published(
        &event,
        &central(&[("ACCOUNT_NAMES", &format!("{MEMBER}=listed"))]),
        &directory,
    );
    assert!(subject.ends_with(" in listed eu-west-1"), "{subject}");
    let (subject, _) = published(&event, &central(&[]), &directory);
    assert!(
        subject.ends_with(&format!(" in {MEMBER} eu-west-1")),
        "{subject}"
    );
}

#[test]
fn lookups_reach_into_the_events_own_account_and_region_through_the_role() {
    let settings = central(&[
        ("ENRICH", "job_logs"),
        ("LOG_LINES", "5"),
        ("LOOKUP_ROLE_NAME", "batch-notifier-lookups"),
    ]);
    let reach_of = |account: &str, region: &str| {
        let recording = Recording::default();
        published(
            &from("batch-job-state-failed.json", account, region),
            &settings,
            &recording,
        );
        let asked = recording.asked.lock().unwrap();
        assert!(asked[0].job_log.is_some(), "{asked:?}");
        asked[0].reach.clone()
    };
    let role = |partition: &str| RoleRef {
        arn: format!("arn:{partition}:iam::{MEMBER}:role/batch-notifier-lookups"),
        name: "batch-notifier-lookups".into(),
        account: MEMBER.into(),
    };
    assert_eq!(
        reach_of(MEMBER, "eu-west-1"),
        Reach {
            region: Some("eu-west-1".into()),
            role: Some(role("aws")),
        }
    );
    assert_eq!(
        reach_of(MEMBER, "us-east-1"),
        Reach {
            region: None,
            role: Some(role("aws")),
        }
    );
    assert_eq!(
        reach_of(MEMBER, "cn-north-1").role,
        Some(role("aws-cn")),
        "the role's partition is the event's"
    );
    assert_eq!(
        reach_of(HOME, "eu-west-1"),
        Reach {
            region: Some("eu-west-1".into()),
            role: None,
        },
        "the function's own account: its own credentials, in the event's region"
    );
    assert_eq!(reach_of(HOME, "us-east-1"), Reach::default());
    // An event's region or account is used only when it is shaped like one: it chooses a host
    // and an ARN.
    assert_eq!(reach_of(MEMBER, "evil.example.net#").region, None);
    assert_eq!(reach_of("1111-evil", "eu-west-1").role, None);
}

#[test]
fn a_role_without_the_functions_account_is_a_start_up_error_that_names_both_variables() {
    let error = batch_notifier::config::from_lookup(
        |name| (name == "LOOKUP_ROLE_NAME").then(|| "batch-notifier-lookups".to_owned()),
        batch_notifier::config::Mode::Preview,
    )
    .unwrap_err();
    assert_eq!(error.variable, "LOOKUP_ROLE_NAME");
    assert!(error.to_string().contains("HOME_ACCOUNT"), "{error}");
    for (variable, bad) in [
        ("LOOKUP_ROLE_NAME", "role/with/path"),
        ("HOME_ACCOUNT", "12345"),
    ] {
        let error = batch_notifier::config::from_lookup(
            |name| match name {
                "HOME_ACCOUNT" if variable != "HOME_ACCOUNT" => Some(HOME.to_owned()),
                name if name == variable => Some(bad.to_owned()),
                _ => None,
            },
            batch_notifier::config::Mode::Preview,
        )
        .unwrap_err();
        assert_eq!(error.variable, variable);
    }
}

#[test]
fn the_same_hand_made_event_from_two_accounts_or_regions_has_two_state_keys() {
    use batch_notifier::pipeline::{classify::classify, gate::plan, parse};
    let settings = central(&[]);
    let item = |account: &str, region: &str| {
        let mut event: serde_json::Value =
            serde_json::from_slice(&from("batch-job-queue-blocked.json", account, region)).unwrap();
        event.as_object_mut().unwrap().remove("id");
        let bytes = serde_json::to_vec(&event).unwrap();
        let parse::Parsed::Ours(event) = parse::parse(&bytes).unwrap() else {
            panic!("not ours")
        };
        plan(&classify(event).unwrap(), &settings).item
    };
    let first = item(MEMBER, "eu-west-1");
    assert!(first.starts_with("event#content-"), "{first}");
    assert_eq!(first, item(MEMBER, "eu-west-1"));
    assert_ne!(first, item("222222222222", "eu-west-1"));
    assert_ne!(first, item(MEMBER, "eu-west-2"));
}

#[test]
fn a_digest_line_of_another_accounts_event_opens_with_where_it_comes_from() {
    use batch_notifier::config::Delivery;
    use batch_notifier::pipeline::{Core, Outgoing, prepare};
    let settings = central(&[]);
    let none = Recording::default();
    let item = |account: &str, region: &str| {
        let core = Core {
            settings: &settings,
            store: &MemoryStore::default(),
            enricher: &none,
        };
        let input = from("s3-batch-job-complete.json", account, region);
        let prepared = common::now(prepare(&input, core, common::CLOCK, Delivery::Digest)).unwrap();
        match prepared.decision {
            Ok(Decision::Publish(Outgoing::Digest(item))) => item.summary,
            other => panic!("not held for the digest: {other:?}"),
        }
    };
    let member = item(MEMBER, "eu-west-1");
    assert!(
        member.starts_with(&format!("Account {MEMBER}, eu-west-1: ")),
        "{member}"
    );
    let home = item(HOME, "us-east-1");
    assert!(home.starts_with("S3 Batch Operations job"), "{home}");
}
