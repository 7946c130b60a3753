"""End to end: every example event through the Lambda runtime API (`cargo lambda watch`) into a real
SNS (moto's server), read back from SQS subscriptions."""

import json

from conftest import EVENTS, invoke_every_event, preview


def sqs_attributes(message):
    return {name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()}


def test_every_event_arrives_as_preview_shows_it(aws, start_function):
    topic = aws.topic("batch-alerts")
    raw_queue = aws.subscribe(topic, "raw", raw=True)
    envelope_queue = aws.subscribe(topic, "envelope", raw=False)
    settings = dict(TOPIC_ARN=topic, INCLUDE_READ_ONLY="false")
    expected = preview(**settings)
    function = start_function(**settings)

    published = invoke_every_event(function, expected)
    assert len(published) >= 15

    for message in aws.drain(envelope_queue, at_least=len(published)):
        envelope = json.loads(message["Body"])
        request = published[envelope["MessageId"]]
        assert envelope["TopicArn"] == topic
        assert envelope["Subject"] == request["Subject"]
        assert envelope["Message"] == request["Message"]
        attributes = {name: value["Value"] for name, value in envelope["MessageAttributes"].items()}
        assert attributes == {name: a["StringValue"] for name, a in request["MessageAttributes"].items()}
        del published[envelope["MessageId"]]
    assert published == {}, "every published event arrives exactly once"

    raw = aws.drain(raw_queue, at_least=len(expected))
    bodies = sorted(m["Body"] for m in raw)
    assert bodies == sorted(line["publish"]["Message"] for line in expected.values() if "publish" in line)
    for message in raw:
        assert sqs_attributes(message)["source"] in ("aws.batch", "aws.s3")


def test_a_filter_policy_on_severity_receives_only_critical_events(aws, start_function):
    topic = aws.topic("batch-alerts")
    critical = aws.subscribe(topic, "critical-only", filter_policy={"severity": ["critical"]})
    everything = aws.subscribe(topic, "everything")
    function = start_function(TOPIC_ARN=topic)
    expected = preview(TOPIC_ARN=topic)
    for event in EVENTS:
        assert function.invoke(event)[0]

    critical_bodies = sorted(m["Body"] for m in aws.drain(critical, at_least=1))
    expected_critical = sorted(
        line["publish"]["Message"] for line in expected.values()
        if "publish" in line and line["publish"]["MessageAttributes"]["severity"]["StringValue"] == "critical"
    )
    assert len(expected_critical) >= 5
    assert critical_bodies == expected_critical
    assert len(aws.drain(everything, at_least=1)) > len(critical_bodies)


def test_a_fifo_topic_keeps_groups_and_collapses_a_duplicate_delivery(aws, start_function):
    topic = aws.topic("batch-alerts.fifo", fifo=True)
    queue = aws.subscribe(topic, "alerts.fifo", fifo=True)
    function = start_function(TOPIC_ARN=topic)
    expected = preview(TOPIC_ARN=topic)
    failed, terminated = "batch-job-state-failed.json", "batch-api-terminate-job.json"
    for name in (failed, failed, terminated):
        ok, result = function.invoke(next(e for e in EVENTS if e.name == name))
        assert ok and "published" in result, result

    messages = aws.drain(queue, at_least=2)
    assert len(messages) == 2, "the second delivery of the same event collapses"
    seen = {(m["Attributes"]["MessageGroupId"], m["Attributes"]["MessageDeduplicationId"]) for m in messages}
    wanted = {
        (expected[name]["publish"]["MessageGroupId"], expected[name]["publish"]["MessageDeduplicationId"])
        for name in (failed, terminated)
    }
    assert seen == wanted


def test_multi_sends_the_json_document_to_sqs(aws, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "programs", raw=True)
    function = start_function(TOPIC_ARN=topic, MESSAGE_FORMAT="multi")
    ok, result = function.invoke(next(e for e in EVENTS if e.name == "batch-job-state-failed.json"))
    assert ok, result
    [message] = aws.drain(queue, at_least=1)
    document = json.loads(message["Body"])
    assert document["schema_version"] == 1
    assert document["severity"] == "critical"
    assert document["status"]["value"] == "FAILED"


def test_chat_sends_the_chat_notification_schema(aws, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "chat", raw=True)
    function = start_function(TOPIC_ARN=topic, MESSAGE_FORMAT="chat")
    for name in ("s3-batch-job-active.json", "s3-batch-job-failed.json"):
        assert function.invoke(next(e for e in EVENTS if e.name == name))[0]
    messages = [json.loads(m["Body"]) for m in aws.drain(queue, at_least=2)]
    assert len(messages) == 2
    for chat in messages:
        assert chat["version"] == "1.0" and chat["source"] == "custom"
        assert chat["content"]["description"]
    assert messages[0]["metadata"]["threadId"] == messages[1]["metadata"]["threadId"]


def test_a_missing_topic_fails_the_invocation_with_snss_error_code(aws, start_function):
    function = start_function(TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:no-such-topic")
    ok, error = function.invoke(next(e for e in EVENTS if e.name == "batch-job-state-failed.json"))
    assert not ok
    assert "PublishFailed" in error and "NotFound" in error, error


def test_an_unparseable_event_fails_the_invocation_and_publishes_nothing(aws, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all")
    function = start_function(TOPIC_ARN=topic)
    ok, error = function.invoke(data='{"source": "aws.batch", "detail-type": "Batch Job State Change", "detail": {}}')
    assert not ok
    assert "InvalidEvent" in error and "`status` is missing" in error, error
    assert aws.drain(queue, timeout=1) == []
    logs = function.logs()
    assert '"Failed":1' in logs and '"FailureKind":"invalid_event"' in logs
