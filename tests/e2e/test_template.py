"""The SAM template: linted by cfn-lint and SAM, and its EventBridge rules checked against every
example event by moto's EventBridge pattern engine."""

import json
import subprocess

from cfnlint.decode import decode

from conftest import EVENTS, ROOT, preview, tool_env

TEMPLATE = ROOT / "template.yaml"

# The rule meant for each family; events of no family (foreign ones) must match no rule.
RULE_OF_FAMILY = {
    "batch_api_call": "BatchApiCallsRule",
    "s3_batch_job": "S3BatchJobsRule",
    "batch_job_state": "BatchJobStateRule",
    "batch_queue_blocked": "BatchQueueBlockedRule",
    "batch_service_job_state": "BatchServiceJobStateRule",
}


def rule_patterns():
    template, problems = decode(str(TEMPLATE))
    assert not problems, problems
    return {
        name: json.loads(json.dumps(resource["Properties"]["EventPattern"]))
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]
    }


def test_cfn_lint_finds_no_error_and_no_warning():
    done = subprocess.run(["cfn-lint", str(TEMPLATE)], env=tool_env(), capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_sam_validates_the_template_with_its_linter():
    done = subprocess.run(["sam", "validate", "--lint", "--template", str(TEMPLATE)],
                          env=tool_env(SAM_CLI_TELEMETRY="0"), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid SAM Template" in done.stdout + done.stderr


def test_each_event_is_routed_by_exactly_the_rule_meant_for_it(aws):
    patterns = rule_patterns()
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
            assert resource.get("Condition") == "Direct", f"{name}: EventBridge invokes only in direct mode"
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
    assert sorted(a["Fn::GetAtt"][0] for a in statement["Condition"]["ArnEquals"]["aws:SourceArn"]) == rules
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
