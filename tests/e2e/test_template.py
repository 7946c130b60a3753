"""The SAM template and the member accounts' template: linted by cfn-lint and SAM, and their
EventBridge rules checked against every example event by moto's EventBridge pattern engine."""

import json
import subprocess

import boto3
import pytest
from cfnlint.decode import decode

from conftest import EVENTS, ROOT, preview, tool_env

TEMPLATE = ROOT / "template.yaml"
MEMBER_TEMPLATE = ROOT / "template-member.yaml"
TEMPLATES = [TEMPLATE, MEMBER_TEMPLATE]
# The bus each template's rules are on: the central stack's own (default) bus, its organization's
# bus, and the member stack's default bus (no EventBusName).
DEFAULT_BUS, ORGANIZATION_BUS, MEMBER_BUS = {"Ref": "EventBusName"}, {"Ref": "OrganizationBus"}, None

# The rule meant for each family; events of no family (foreign ones) must match no rule.
RULE_OF_FAMILY = {
    "batch_api_call": "BatchApiCallsRule",
    "s3_batch_job": "S3BatchJobsRule",
    "batch_job_state": "BatchJobStateRule",
    "batch_queue_blocked": "BatchQueueBlockedRule",
    "batch_service_job_state": "BatchServiceJobStateRule",
}


def load(path):
    template, problems = decode(str(path))
    assert not problems, problems
    return template


def rule_patterns(path=TEMPLATE, bus=DEFAULT_BUS):
    """The event patterns of the template's rules on `bus`, by logical name."""
    return {
        name.removeprefix("Organization"): json.loads(json.dumps(resource["Properties"]["EventPattern"]))
        for name, resource in load(path)["Resources"].items()
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]
        and resource["Properties"].get("EventBusName") == bus
    }


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_finds_no_error_and_no_warning(path):
    done = subprocess.run(["cfn-lint", str(path)], env=tool_env(), capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_sam_validates_the_template_with_its_linter(path):
    done = subprocess.run(["sam", "validate", "--lint", "--template", str(path)],
                          env=tool_env(SAM_CLI_TELEMETRY="0"), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid SAM Template" in done.stdout + done.stderr


def test_the_organizations_rules_and_the_member_rules_take_exactly_the_central_rules_events():
    central = rule_patterns()
    assert set(central) == set(RULE_OF_FAMILY.values())
    assert rule_patterns(TEMPLATE, ORGANIZATION_BUS) == central
    assert rule_patterns(MEMBER_TEMPLATE, MEMBER_BUS) == central
    # Read-only calls are forwarded as the central stack takes them for its own account.
    for path in TEMPLATES:
        state = load(path)["Resources"]["BatchApiCallsRule"]["Properties"]["State"]
        assert state == {"Fn::If": ["IncludeReadOnlyCalls", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                                    "ENABLED"]}, path.name


@pytest.mark.parametrize("path, bus", [(TEMPLATE, DEFAULT_BUS), (TEMPLATE, ORGANIZATION_BUS),
                                       (MEMBER_TEMPLATE, MEMBER_BUS)],
                         ids=["central", "organization", "member"])
def test_each_event_is_routed_by_exactly_the_rule_meant_for_it(aws, path, bus):
    patterns = rule_patterns(path, bus)
    assert set(patterns) == set(RULE_OF_FAMILY.values())
    queues = {}
    for name, pattern in patterns.items():
        aws.events.put_rule(Name=name, EventPattern=json.dumps(pattern), State="ENABLED")
        url, arn = aws.queue(name)
        aws.events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": arn}])
        queues[name] = url

    families = {}
    for file_name, line in preview(INCLUDE_READ_ONLY="true", CHILD_JOB_EVENTS="all").items():
        publish = line.get("publish")
        families[file_name] = publish["MessageAttributes"]["family"]["StringValue"] if publish else None
    assert sum(f is None for f in families.values()) >= 2, "foreign events are among the examples"

    for event_file in EVENTS:
        event = json.loads(event_file.read_text())
        entry = {"Source": event["source"], "DetailType": event["detail-type"],
                 "Detail": json.dumps(event["detail"]), "Resources": event.get("resources", [])}
        result = aws.events.put_events(Entries=[entry])
        assert result["FailedEntryCount"] == 0, result

        routed = sorted(name for name, url in queues.items() if aws.drain(url, timeout=0))
        family = families[event_file.name]
        expected = [RULE_OF_FAMILY[family]] if family else []
        assert routed == expected, f"{event_file.name} ({family}) was routed by {routed}"


def test_queued_modes_send_the_rules_to_a_queue_read_in_batches_with_partial_responses():
    template, problems = decode(str(TEMPLATE))
    assert not problems, problems
    resources = template["Resources"]
    assert template["Parameters"]["DeliveryMode"]["AllowedValues"] == ["direct", "queued", "digest"]
    # The stuck-job watch's schedule invokes the function itself in every mode: a queue would hand
    # the sweep on as a record.
    watch, watch_permission = resources.pop("WatchScheduleRule"), resources.pop("WatchSchedulePermission")
    assert watch["Condition"] == watch_permission["Condition"] == "WatchOn"
    assert watch["Properties"]["ScheduleExpression"] == {"Ref": "WatchSchedule"}
    [target] = watch["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["BatchNotifierFunction", "Arn"]}
    assert watch_permission["Properties"]["SourceArn"] == {"Fn::GetAtt": ["WatchScheduleRule", "Arn"]}
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Events::Rule":
            [target] = resource["Properties"]["Targets"]
            assert target["Arn"] == {"Fn::If": ["Queued", {"Fn::GetAtt": ["EventQueue", "Arn"]},
                                                {"Fn::GetAtt": ["BatchNotifierFunction", "Arn"]}]}, name
        if resource["Type"] == "AWS::Lambda::Permission":
            assert resource.get("Condition") in ("Direct", "DirectForOrganization"), \
                f"{name}: EventBridge invokes only in direct mode"
    queue, mapping = resources["EventQueue"], resources["EventQueueMapping"]
    assert queue["Condition"] == mapping["Condition"] == resources["EventQueuePolicy"]["Condition"] == "Queued"
    timeout = resources["BatchNotifierFunction"]["Properties"]["Timeout"]
    assert timeout == {"Fn::If": ["Direct", 20, 120]}
    assert queue["Properties"]["VisibilityTimeout"] >= 6 * 120
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["FailureQueue", "Arn"]}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for setting in ("BatchSize", "MaximumBatchingWindowInSeconds"):
        assert setting in mapping["Properties"]
    assert "MaximumConcurrency" in mapping["Properties"]["ScalingConfig"]
    rules = sorted(n for n, r in resources.items() if r["Type"] == "AWS::Events::Rule")
    [statement] = resources["EventQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    sources = [a["Fn::GetAtt"][0] if "Fn::GetAtt" in a else a["Fn::If"][1]["Fn::GetAtt"][0]
               for a in statement["Condition"]["ArnEquals"]["aws:SourceArn"]]
    assert sorted(sources) == rules
    policies = resources["FunctionRole"]["Properties"]["Policies"]
    [consumer] = [p["Fn::If"][1] for p in policies if isinstance(p, dict) and "Fn::If" in p
                  and p["Fn::If"][0] == "Queued"]
    [grant] = consumer["PolicyDocument"]["Statement"]
    assert grant["Resource"] == {"Fn::GetAtt": ["EventQueue", "Arn"]}
    assert sorted(grant["Action"]) == ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                       "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert resources["EventQueueAgeAlarm"]["Properties"]["MetricName"] == "ApproximateAgeOfOldestMessage"
    env = resources["BatchNotifierFunction"]["Properties"]["Environment"]["Variables"]
    assert env["DELIVERY"] == {"Fn::If": ["DigestMode", "digest", "each"]}


def evaluate(node, parameters, conditions):
    """A template condition's value under `parameters`: the intrinsic functions the template's
    conditions use."""
    if not isinstance(node, dict):
        return node
    [(function, arguments)] = node.items()
    value = lambda n: evaluate(n, parameters, conditions)  # noqa: E731
    if function == "Ref":
        return parameters[arguments]
    if function == "Condition":
        return evaluate(conditions[arguments], parameters, conditions)
    if function == "Fn::Not":
        return not value(arguments[0])
    if function == "Fn::And":
        return all(value(item) for item in arguments)
    if function == "Fn::Equals":
        return value(arguments[0]) == value(arguments[1])
    if function == "Fn::Join":
        return arguments[0].join(value(item) for item in value(arguments[1]))
    if function == "Fn::Split":
        return value(arguments[1]).split(arguments[0])
    if isinstance(arguments, list):
        return [value(item) for item in arguments]
    raise AssertionError(f"not evaluated: {function}")


def test_each_lookup_is_granted_only_when_enrich_names_it():
    template, problems = decode(str(TEMPLATE))
    assert not problems, problems
    conditions = template["Conditions"]
    policies = template["Resources"]["FunctionRole"]["Properties"]["Policies"]
    granted = {p["Fn::If"][0]: p["Fn::If"][1]["PolicyDocument"]["Statement"][0]
               for p in policies if isinstance(p, dict) and "Fn::If" in p}
    assert granted["EnrichS3Jobs"]["Action"] == "s3:DescribeJob"
    assert granted["EnrichJobLogs"]["Action"] == "logs:GetLogEvents"
    assert granted["EnrichJobs"] == {"Effect": "Allow", "Action": "batch:DescribeJobs", "Resource": "*"}
    assert "${BatchLogGroup}:log-stream:*" in granted["EnrichJobLogs"]["Resource"]["Fn::Sub"]
    assert granted["EnrichQueues"]["Action"] == "batch:GetJobQueueSnapshot"
    assert granted["EnrichQueues"]["Resource"]["Fn::Sub"].endswith(":job-queue/*")
    names = ("EnrichS3Jobs", "EnrichJobLogs", "EnrichJobs", "EnrichQueues")
    for enrich, enabled in [("s3_jobs,jobs", {"EnrichS3Jobs", "EnrichJobs"}), ("", set()),
                            ("job_logs", {"EnrichJobLogs"}), ("s3_jobs", {"EnrichS3Jobs"}),
                            ("queues", {"EnrichQueues"}), ("jobs,queues", {"EnrichJobs", "EnrichQueues"}),
                            ("jobs,job_logs,s3_jobs", {"EnrichS3Jobs", "EnrichJobLogs", "EnrichJobs"})]:
        found = {name for name in names if evaluate(conditions[name], {"Enrich": enrich}, conditions)}
        assert found == enabled, enrich
    assert template["Parameters"]["Enrich"]["Default"] == "s3_jobs,jobs"
    env = template["Resources"]["BatchNotifierFunction"]["Properties"]["Environment"]["Variables"]
    assert env["ENRICH"] == {"Ref": "Enrich"} and env["LOG_LINES"] == {"Ref": "LogLines"}


def test_the_organizations_bus_admits_only_its_accounts_and_the_events_the_rules_take():
    template = load(TEMPLATE)
    resources, conditions = template["Resources"], template["Conditions"]
    for name in ("OrganizationBus", "OrganizationBusPolicy"):
        assert resources[name]["Condition"] == "Organization", name
    assert not evaluate(conditions["Organization"], {"OrganizationId": ""}, conditions)
    assert evaluate(conditions["Organization"], {"OrganizationId": "o-abcdefghij"}, conditions)
    statement = resources["OrganizationBusPolicy"]["Properties"]["Statement"]
    assert statement["Action"] == "events:PutEvents" and statement["Principal"] == "*"
    assert statement["Resource"] == {"Fn::GetAtt": ["OrganizationBus", "Arn"]}
    allowed = statement["Condition"]["StringEquals"]
    assert allowed["aws:PrincipalOrgID"] == {"Ref": "OrganizationId"}
    patterns = rule_patterns().values()
    assert sorted(allowed["events:source"]) == sorted({s for p in patterns for s in p["source"]})
    assert sorted(allowed["events:detail-type"]) == sorted({t for p in patterns for t in p["detail-type"]})
    outputs = template["Outputs"]
    assert outputs["OrganizationEventBusArn"]["Value"] == {"Fn::GetAtt": ["OrganizationBus", "Arn"]}
    assert outputs["OrganizationEventBusName"]["Condition"] == "Organization"
    permission = resources["OrganizationRulesPermission"]["Properties"]
    assert permission["SourceArn"]["Fn::Sub"].endswith(":rule/${OrganizationBus}/*")


def test_roles_are_assumed_in_the_organizations_accounts_only_and_names_read_when_asked():
    template = load(TEMPLATE)
    conditions = template["Conditions"]
    policies = template["Resources"]["FunctionRole"]["Properties"]["Policies"]
    granted = {p["Fn::If"][0]: p["Fn::If"][1]["PolicyDocument"]["Statement"][0]
               for p in policies if isinstance(p, dict) and "Fn::If" in p}
    assume = granted["AssumeLookupRoles"]
    assert assume["Action"] == "sts:AssumeRole"
    assert assume["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${LookupRoleName}"}
    assert assume["Condition"] == {"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}}
    for organization, role, expected in [("", "", False), ("", "lookups", False),
                                         ("o-abcdefghij", "", False), ("o-abcdefghij", "lookups", True)]:
        parameters = {"OrganizationId": organization, "LookupRoleName": role}
        assert evaluate(conditions["AssumeLookupRoles"], parameters, conditions) == expected, parameters
    assert granted["NamesFromOrganizations"]["Action"] == "organizations:ListAccounts"
    assert evaluate(conditions["NamesFromOrganizations"], {"AccountNames": "organizations"}, conditions)
    env = template["Resources"]["BatchNotifierFunction"]["Properties"]["Environment"]["Variables"]
    assert env["HOME_ACCOUNT"] == {"Ref": "AWS::AccountId"}
    assert env["LOOKUP_ROLE_NAME"] == {"Fn::If": ["AssumeLookupRoles", {"Ref": "LookupRoleName"}, ""]}


def test_the_member_stack_forwards_through_a_role_that_may_only_put_to_the_central_bus():
    template = load(MEMBER_TEMPLATE)
    resources, conditions = template["Resources"], template["Conditions"]
    role = resources["ForwardRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    [policy] = role["Policies"]
    assert policy["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": {"Ref": "CentralEventBusArn"}}]
    for name in rule_patterns(MEMBER_TEMPLATE, MEMBER_BUS):
        [target] = resources[name]["Properties"]["Targets"]
        assert target["Arn"] == {"Ref": "CentralEventBusArn"}, name
        assert target["RoleArn"] == {"Fn::GetAtt": ["ForwardRole", "Arn"]}, name
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ForwardDeadLetterQueue", "Arn"]}}, name
        assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 86400, name
    [dead_letters] = resources["ForwardDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert sorted(a["Fn::GetAtt"][0] for a in dead_letters["Condition"]["ArnEquals"]["aws:SourceArn"]) == \
        sorted(rule_patterns(MEMBER_TEMPLATE, MEMBER_BUS))
    # The lookup role: the central account only, the lookups Enrich names only, one region only
    # (IAM is global to the account).
    lookup = resources["LookupRole"]
    assert lookup["Condition"] == "CreateLookupRole"
    [trust] = lookup["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:root"}}
    statements = {s["Fn::If"][0]: s["Fn::If"][1]
                  for s in lookup["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert {k: v["Action"] for k, v in statements.items()} == {
        "EnrichS3Jobs": "s3:DescribeJob", "EnrichJobLogs": "logs:GetLogEvents",
        "EnrichJobs": "batch:DescribeJobs", "EnrichQueues": "batch:GetJobQueueSnapshot"}
    assert "${BatchLogGroup}:log-stream:*" in statements["EnrichJobLogs"]["Resource"]["Fn::Sub"]
    base = {"LookupRoleName": "lookups", "CentralAccountId": "999999999999", "Enrich": "jobs",
            "LookupRoleRegion": "us-east-1", "AWS::Region": "us-east-1"}
    create = lambda **change: evaluate(conditions["CreateLookupRole"], {**base, **change}, conditions)  # noqa: E731
    assert create()
    assert not create(LookupRoleName="") and not create(CentralAccountId="") and not create(Enrich="")
    assert not create(**{"AWS::Region": "eu-west-1"})
    central = load(TEMPLATE)["Conditions"]
    for enrich in ("s3_jobs,jobs", "job_logs", "queues,jobs", ""):
        for name in statements:
            assert evaluate(conditions[name], {"Enrich": enrich}, conditions) == \
                evaluate(central[name], {"Enrich": enrich}, central), (name, enrich)


def test_an_event_of_a_member_account_reaches_the_central_queue_through_the_member_rules(aws):
    """Cross-account on moto's EventBridge: the member template's rules on the member account's
    default bus, targeting the central bus; the central template's organization rules on it."""
    central_bus = aws.events.create_event_bus(Name="batch-notifier-organization")["EventBusArn"]
    url, arn = aws.queue("organization-central")
    for name, pattern in rule_patterns(TEMPLATE, ORGANIZATION_BUS).items():
        aws.events.put_rule(Name=name, EventBusName="batch-notifier-organization",
                            EventPattern=json.dumps(pattern), State="ENABLED")
        aws.events.put_targets(Rule=name, EventBusName="batch-notifier-organization",
                               Targets=[{"Id": "queue", "Arn": arn}])
    sts = boto3.client("sts", endpoint_url=aws.url, region_name="eu-west-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    given = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/stackset-execution",
                            RoleSessionName="member")["Credentials"]
    member = boto3.client("events", endpoint_url=aws.url, region_name="eu-west-1",
                          aws_access_key_id=given["AccessKeyId"], aws_secret_access_key=given["SecretAccessKey"],
                          aws_session_token=given["SessionToken"])
    for name, pattern in rule_patterns(MEMBER_TEMPLATE, MEMBER_BUS).items():
        member.put_rule(Name=name, EventPattern=json.dumps(pattern), State="ENABLED")
        member.put_targets(Rule=name, Targets=[{"Id": "central-notifier", "Arn": central_bus,
                                                "RoleArn": "arn:aws:iam::111111111111:role/forward"}])
    for event_file in ("batch-job-state-failed.json", "s3-batch-job-complete.json", "other-ec2-instance-state-change.json"):
        event = json.loads((ROOT / "events" / event_file).read_text())
        result = member.put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"],
                                             "Detail": json.dumps(event["detail"])}])
        assert result["FailedEntryCount"] == 0, result
    arrived = [json.loads(m["Body"]) for m in aws.drain(url, at_least=2, timeout=10)]
    assert sorted(e["detail-type"] for e in arrived) == ["AWS Service Event via CloudTrail", "Batch Job State Change"]
