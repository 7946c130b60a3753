"""One notifier for an organization, on moto: a member account's failed job in another region gets
its log lines from that account's CloudWatch Logs, through the role the function assumes there
(moto's STS serves an assumed role's credentials as that account), with one AssumeRole for the
account's events; a role that cannot be assumed leaves the notification whole with the missing
part named; account names come from moto's AWS Organizations, read once."""

import json

import boto3
import pytest

from conftest import FaultProxy
from local_lookups import LOG_STREAM, write_job_log
from test_enrich import example, publish_each

HOME = "123456789012"  # moto's default account: the function's own
MEMBER, MEMBER_REGION = "111111111111", "eu-west-1"
ROLE = "batch-notifier-lookups"
HOME_LINES = ["home: step 1", "home: step 2", "home: done"]
MEMBER_LINES = ["member: step 1", "member: step 2", "member: Killed: out of memory"]
# A stream of this file's own: moto's server, and the failed example job's stream, are shared.
STREAM = "etl-job/default/organization"


def failed_job():
    return example("batch-job-state-failed", **{LOG_STREAM: STREAM})


def member_credentials(url):
    """Credentials of the member account, from moto's STS."""
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    return sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/setup", RoleSessionName="setup")["Credentials"]


def from_account(event, account, region):
    event.update(account=account, region=region)
    return event


@pytest.fixture
def sts(aws):
    proxy = FaultProxy(aws.url)
    yield proxy
    proxy.stop()


def central(start_function, aws, topic, sts, **extra):
    return start_function(TOPIC_ARN=topic, MESSAGE_FORMAT="json", ENRICH="job_logs", LOG_LINES="3",
                          ENRICH_TIMEOUT_MS="5000", HOME_ACCOUNT=HOME, LOOKUP_ROLE_NAME=ROLE,
                          AWS_ENDPOINT_URL_STS=sts.url, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=aws.url, **extra)


def test_a_member_accounts_failed_job_gets_its_log_lines_from_that_account_and_region(aws, start_function, sts):
    topic = aws.topic("organization")
    queue = aws.subscribe(topic, "organization-reader")
    write_job_log(aws.url, HOME_LINES, stream=STREAM)
    write_job_log(aws.url, MEMBER_LINES, stream=STREAM, region=MEMBER_REGION, credentials=member_credentials(aws.url))
    function = central(start_function, aws, topic, sts)
    events = [from_account(failed_job(), MEMBER, MEMBER_REGION), from_account(failed_job(), HOME, "us-east-1"),
              from_account(failed_job(), MEMBER, MEMBER_REGION)]
    documents, raw = publish_each(aws, function, events, queue)
    assert documents[0].get("log_lines") == MEMBER_LINES, [d.get("log_lines") for d in documents]
    assert documents[1]["log_lines"] == HOME_LINES, documents[1]
    assert documents[2]["log_lines"] == MEMBER_LINES, documents[2]
    assert sts.operations["AssumeRole"] == 1, "one AssumeRole for the member account's events"
    assert all("unavailable" not in d for d in documents), documents
    subjects = [m["MessageAttributes"] and json.loads(m["Body"])["account"] for m in raw]
    assert subjects == [MEMBER, HOME, MEMBER]


def test_a_role_that_cannot_be_assumed_leaves_the_notification_whole_with_the_missing_part_named(
        aws, start_function, sts):
    topic = aws.topic("organization-denied")
    queue = aws.subscribe(topic, "organization-denied-reader")
    sts.mode = "denied"
    function = central(start_function, aws, topic, sts)
    [document], _ = publish_each(aws, function, [from_account(failed_job(), MEMBER, MEMBER_REGION)], queue)
    assert document["unavailable"] == [{"source": "job_logs", "what": "log lines",
                                        "reason": f"AccessDenied assuming {ROLE} in {MEMBER}"}], document
    assert document["severity"] == "critical" and document["status"]["value"] == "FAILED", document
    assert "log_lines" not in document
    assert sts.operations["AssumeRole"] >= 1


def test_account_names_come_from_the_organization_once_and_name_the_member_first(aws, start_function):
    organizations = boto3.client("organizations", endpoint_url=aws.url, region_name="us-east-1",
                                 aws_access_key_id="test", aws_secret_access_key="test")
    try:
        organizations.create_organization(FeatureSet="ALL")
    except organizations.exceptions.AlreadyInOrganizationException:
        pass
    created = organizations.create_account(Email="prod@example.com", AccountName="genomics-prod")
    member = organizations.describe_create_account_status(
        CreateAccountRequestId=created["CreateAccountStatus"]["Id"])["CreateAccountStatus"]["AccountId"]
    proxy = FaultProxy(aws.url)
    try:
        topic = aws.topic("organization-names")
        queue = aws.subscribe(topic, "organization-names-reader")
        function = start_function(TOPIC_ARN=topic, MESSAGE_FORMAT="text", HOME_ACCOUNT=HOME,
                                  ACCOUNT_NAMES="organizations", AWS_ENDPOINT_URL_ORGANIZATIONS=proxy.url)
        for number in range(2):
            event = from_account(failed_job(), member, MEMBER_REGION)
            event["id"] = f"{event['id'][:-2]}{number:02}"
            ok, result = function.send(event)
            assert ok and set(result) == {"published"}, result
        messages = aws.drain(queue, at_least=2, timeout=30)
    finally:
        proxy.stop()
    assert len(messages) == 2
    for message in messages:
        first = message["Body"].splitlines()[0]
        assert first.startswith(f"Account genomics-prod ({member}), {MEMBER_REGION}: "), first
    assert proxy.operations["AWSOrganizationsV20161128.ListAccounts"] + proxy.operations["ListAccounts"] == 1, \
        proxy.operations
