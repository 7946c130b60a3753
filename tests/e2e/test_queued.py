"""Queued delivery end to end: events put on moto's EventBridge, routed by the template's own rules
into moto's SQS queue (with a redrive policy to a dead-letter queue); a harness that does what
Lambda's event source mapping does; the function under `cargo lambda watch`; SNS on moto, read back
through an SQS subscription."""

import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import FaultProxy, REGION, ROOT
from test_state import fresh_ids
from test_template import rule_patterns

# 1,000 events keep the suite's time; QUEUED_EVENTS=10000 runs the full flood, about 16
# minutes on 2 cores (BENCHMARKS.md).
N = int(os.environ.get("QUEUED_EVENTS", "1000"))
BATCH_SIZE = 100
CONCURRENCY = 4
MAX_RECEIVES = 3
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CRITICAL = (ROOT / "events" / "batch-job-state-failed.json").read_text()
ROUTINE = (ROOT / "events" / "s3-batch-job-complete.json").read_text()


def generate(n):
    """`n` events, one in ten a failed job (critical), the rest completed S3 Batch Operations jobs
    (info), each with ids of its own: (events, the id each is known by, the critical ids)."""
    events, tokens, critical = [], [], set()
    for i in range(n):
        event = json.loads(fresh_ids(CRITICAL if i % 10 == 0 else ROUTINE))
        detail = event["detail"]
        token = detail.get("jobId") or detail["serviceEventDetails"]["jobId"]
        if i % 10 == 0:
            critical.add(token)
        events.append(event)
        tokens.append(token)
    return events, tokens, critical


class Pipeline:
    """The template's rules on moto's EventBridge, sending to one queue with a dead-letter queue."""

    def __init__(self, aws, visibility_timeout=60, max_receives=MAX_RECEIVES):
        self.aws = aws
        self.dlq_url, dlq_arn = aws.queue("events-dlq")
        self.url = aws.sqs.create_queue(QueueName="events", Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives}),
        })["QueueUrl"]
        self.arn = aws.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        for name, pattern in rule_patterns().items():
            aws.events.put_rule(Name=name, EventPattern=json.dumps(pattern), State="ENABLED")
            aws.events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": self.arn}])

    def put(self, events):
        entries = [{"Source": e["source"], "DetailType": e["detail-type"], "Detail": json.dumps(e["detail"]),
                    "Resources": e.get("resources", [])} for e in events]
        for start in range(0, len(entries), 10):
            result = self.aws.events.put_events(Entries=entries[start:start + 10])
            assert result["FailedEntryCount"] == 0, result

    def waiting(self):
        attributes = self.aws.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages",
                                               "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return sum(int(v) for v in attributes.values())


class EventSourceMapping:
    """What Lambda's event source mapping does: receives up to the batch size, builds the SQS event
    as Lambda does, invokes the function, deletes the records its answer does not report, and leaves
    the reported ones (and all of a failed invocation's) to return after the visibility timeout."""

    def __init__(self, aws, pipeline, function, batch_size=BATCH_SIZE):
        self.aws, self.pipeline, self.function, self.batch_size = aws, pipeline, function, batch_size
        self.invocations, self.batch_sizes, self.reported, self.failed_invocations = 0, [], 0, 0
        self.lock = threading.Lock()
        # moto's queues are not safe for concurrent calls (two receives can hand out one message,
        # or fail): the pollers take turns at the queue; the invocations run concurrently.
        self.queue_lock = threading.Lock()

    def receive(self):
        with self.queue_lock:
            return self.receive_alone()

    def receive_alone(self):
        messages = []
        while len(messages) < self.batch_size:
            got = self.aws.sqs.receive_message(
                QueueUrl=self.pipeline.url, MaxNumberOfMessages=min(10, self.batch_size - len(messages)),
                AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0).get("Messages", [])
            if not got:
                break
            messages.extend(got)
        return messages

    def record(self, message):
        attributes = message.get("Attributes", {})
        return {
            "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
            "attributes": {k: attributes[k] for k in ("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                                       "ApproximateFirstReceiveTimestamp") if k in attributes},
            "messageAttributes": {}, "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs", "eventSourceARN": self.pipeline.arn, "awsRegion": REGION,
        }

    def invoke(self, messages):
        ok, answer = self.function.send({"Records": [self.record(m) for m in messages]}, timeout=300)
        with self.lock:
            self.invocations += 1
            self.batch_sizes.append(len(messages))
        if not ok:
            with self.lock:
                self.failed_invocations += 1
            return
        retry = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
        with self.lock:
            self.reported += len(retry)
        done = [m for m in messages if m["MessageId"] not in retry]
        with self.queue_lock:
            for start in range(0, len(done), 10):
                self.aws.sqs.delete_message_batch(QueueUrl=self.pipeline.url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start:start + 10])])

    def waiting(self):
        with self.queue_lock:
            return self.pipeline.waiting()

    def run(self, timeout=max(900, N // 5)):
        """Until the queue is empty: `CONCURRENCY` pollers, as the mapping's concurrency."""
        deadline = time.monotonic() + timeout

        def poller():
            idle = 0
            while time.monotonic() < deadline:
                messages = self.receive()
                if messages:
                    idle = 0
                    self.invoke(messages)
                elif self.waiting() == 0:
                    idle += 1
                    if idle >= 3:
                        return
                    time.sleep(0.5)
                else:
                    time.sleep(0.5)

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for future in [pool.submit(poller) for _ in range(CONCURRENCY)]:
                future.result()
        assert self.pipeline.waiting() == 0, "the queue did not empty in time"


def drain_all(aws, queue_url, at_least, timeout=max(120, N // 20)):
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                      MessageAttributeNames=["All"]).get("Messages", [])
        if got:
            aws.sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
            messages.extend(got)
        elif len(messages) >= at_least:
            got = aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            if not got.get("Messages"):
                return messages
        else:
            time.sleep(0.2)
    return messages


def tokens_in(messages, tokens):
    """How many messages each known id appears in."""
    wanted = set(tokens)
    seen = {}
    for message in messages:
        for token in set(UUID.findall(message["Body"])) & wanted:
            seen[token] = seen.get(token, 0) + 1
    return seen


@pytest.fixture
def state(dynalite_url):
    """The function's settings for a fresh state table on dynalite. SQS delivers at least once (and
    moto's queue, slow to receive from when long, hands messages out again often): the table is what
    makes each event told once."""
    from conftest import Table
    table = Table(dynalite_url, f"state-{uuid.uuid4().hex[:8]}")
    # cargo lambda watch gives a ten-minute deadline; a claim whose holder dies lasts five minutes.
    # The lease must outlast the batch that holds it: a batch of 500 on dynalite takes 45-95 s on two
    # cores (the longer while the background `sam build` runs), and a lease that ran out first let
    # a redelivered record be claimed and digested again (a minute's lease did, in CI).
    return {"STATE_TABLE": table.name, "AWS_ENDPOINT_URL_DYNAMODB": table.url, "STATE_FAILURE": "fail",
            "STATE_LEASE_SECONDS": "300"}


def queued_function(start_function, topic, state, sns_url=None, **settings):
    if sns_url:
        settings["AWS_ENDPOINT_URL_SNS"] = sns_url
    return start_function(concurrency=CONCURRENCY, TOPIC_ARN=topic, **state, **settings)


def test_a_flood_of_events_each_told_once_at_a_tenth_of_the_requests(aws, state, start_function):
    topic = aws.topic("batch-alerts")
    subscriber = aws.subscribe(topic, "all", raw=True)
    sns = FaultProxy(aws.url)
    try:
        pipeline = Pipeline(aws)
        events, tokens, _ = generate(N)
        pipeline.put(events)
        function = queued_function(start_function, topic, state, sns.url)
        mapping = EventSourceMapping(aws, pipeline, function)
        mapping.run()
        messages = drain_all(aws, subscriber, at_least=N)
        seen = tokens_in(messages, tokens)
        assert len(messages) == N
        assert set(seen.values()) == {1} and len(seen) == N, "every event told exactly once"
        requests = sns.operations["PublishBatch"] + sns.operations["Publish"]
        assert requests <= sum(math.ceil(size / 10) for size in mapping.batch_sizes)
        assert requests <= math.ceil(N / 10) + len(mapping.batch_sizes), (requests, mapping.batch_sizes[:5])
        # A message can still come twice, as SQS may (at least once): the second finds the first's
        # claim and is reported, and is skipped as a repeat when it comes back. Nothing else is.
        assert mapping.failed_invocations == 0 and mapping.reported <= N // 100, mapping.reported
        print(f"\nqueued each: {N} events, {mapping.invocations} invocations, {requests} SNS requests, "
              f"{mapping.reported} records reported, {sns.operations}")
    finally:
        sns.stop()


def test_a_flood_as_digests_holds_the_routine_and_sends_the_critical_alone(aws, state, start_function):
    topic = aws.topic("batch-alerts")
    subscriber = aws.subscribe(topic, "all", raw=True)
    sns = FaultProxy(aws.url)
    try:
        pipeline = Pipeline(aws)
        events, tokens, critical = generate(N)
        pipeline.put(events)
        function = queued_function(start_function, topic, state, sns.url, DELIVERY="digest")
        # 500 records (about 1 MB): cargo lambda watch takes invocations of up to 2 MB, Lambda 6 MB.
        mapping = EventSourceMapping(aws, pipeline, function, batch_size=500)
        mapping.run()
        messages = drain_all(aws, subscriber, at_least=len(critical) + 1)
        digests = [m for m in messages if m["MessageAttributes"].get("kind", {}).get("StringValue") == "digest"]
        alone = [m for m in messages if m not in digests]
        assert len(alone) == len(critical)
        assert tokens_in(alone, critical) == {token: 1 for token in critical}
        routine = set(tokens) - critical
        assert tokens_in(digests, routine) == {token: 1 for token in routine}, "each in exactly one digest"
        assert 1 <= len(digests) <= mapping.invocations * 2, "a digest or two per batch"
        requests = sns.operations["PublishBatch"] + sns.operations["Publish"]
        print(f"\ndigest: {N} events, {mapping.invocations} invocations, {len(digests)} digests, "
              f"{len(alone)} alone, {requests} SNS requests")
    finally:
        sns.stop()


def test_an_invalid_record_reaches_the_dead_letter_queue_and_its_batch_is_delivered(aws, state, start_function):
    topic = aws.topic("batch-alerts")
    subscriber = aws.subscribe(topic, "all", raw=True)
    pipeline = Pipeline(aws, visibility_timeout=5)
    events, tokens, _ = generate(30)
    invalid = {"source": "aws.batch", "detail-type": "Batch Job State Change", "detail": {"status": 42}}
    pipeline.put(events[:15] + [invalid] + events[15:])
    function = queued_function(start_function, topic, state)
    mapping = EventSourceMapping(aws, pipeline, function)
    mapping.run(timeout=300)
    messages = drain_all(aws, subscriber, at_least=30)
    assert tokens_in(messages, tokens) == {token: 1 for token in tokens}
    assert mapping.reported >= MAX_RECEIVES, "reported on each receive until the redrive"
    [dead] = aws.drain(pipeline.dlq_url, at_least=1)
    assert json.loads(dead["Body"])["detail"] == {"status": 42}


def test_with_30_percent_of_sns_requests_faulted_only_the_affected_records_come_back_and_none_is_lost(
        aws, state, start_function):
    """15% of requests fail whole (the SDK retries them), 15% of PublishBatch requests fail some
    entries (not retried by the SDK: the records come back)."""
    topic = aws.topic("batch-alerts")
    subscriber = aws.subscribe(topic, "all", raw=True)
    sns = FaultProxy(aws.url)
    sns.mode, sns.fault_rate = "flaky", 0.15
    try:
        # Enough receives that no record fails them all by chance.
        pipeline = Pipeline(aws, visibility_timeout=2, max_receives=20)
        events, tokens, _ = generate(500)
        pipeline.put(events)
        function = queued_function(start_function, topic, state, sns.url)
        mapping = EventSourceMapping(aws, pipeline, function)
        mapping.run(timeout=600)
        messages = drain_all(aws, subscriber, at_least=500)
        assert tokens_in(messages, tokens) == {token: 1 for token in tokens}, "all delivered, none twice"
        assert sns.faults["request"] > 0 and sns.faults["entries"] > 0, sns.faults
        assert 0 < mapping.reported < 500, "only the affected records came back"
        assert aws.drain(pipeline.dlq_url, timeout=0) == []
    finally:
        sns.stop()
