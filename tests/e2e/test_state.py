"""The state store end to end: the function under `cargo lambda watch`, SNS and SQS on moto's server, and
the state table on moto's server and on dynalite (every test runs on both). Deliveries are
concurrent, duplicated, out of order, faulted and interrupted; each thing that happened is told once."""

import json
import random
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import EVENTS, ROOT, FaultProxy, preview_files, stop

IN_FLIGHT = 16
SEND_TIMEOUT = 30
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FAILED = next(e for e in EVENTS if e.name == "batch-job-state-failed.json")
CHILD_FAILED = next(e for e in EVENTS if e.name == "batch-job-state-array-child-failed.json")
ECS_SUCCEEDED = next(e for e in EVENTS if e.name == "real-2025-aws-samples-ecs-properties-job-succeeded.json")


def fresh_ids(text):
    """The event with every UUID in it (event ids, job ids, request ids) replaced by a new one,
    consistently: the examples reuse ids across files, and here each file is its own happening."""
    mapping = {}
    return UUID.sub(lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4())), text)


def with_time(event, status, time_text):
    event = json.loads(json.dumps(event))
    event["detail"]["status"] = status
    event["time"] = time_text
    event["id"] = str(uuid.uuid4())
    return event


def deliver(function, events, retries=120):
    """Sends each event as Lambda's asynchronous invocations would: concurrently, and again after a
    failure (Lambda retries a failed event), for up to a minute: longer than a lease. Returns
    (results per event, failures seen)."""
    failures = []

    def one(event):
        for _ in range(retries):
            try:
                ok, result = function.send(event, timeout=SEND_TIMEOUT)
            except TimeoutError:
                # An invocation that never answers is one Lambda times out and retries.
                ok, result = False, "timed out"
            if ok:
                return result
            failures.append(result)
            time.sleep(0.5)
        raise AssertionError(f"still failing after {retries} tries: {failures[-1]}")

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        return list(pool.map(one, events)), failures


def state_function(start_function, topic, table, **settings):
    """The function on the state table. `STATE_FAILURE=fail` unless a test says otherwise: with 32
    invocations in flight, a table served one request at a time can outrun the 2 s bound, and
    `publish` then tells the event without the table, a repeat by design that these tests, which
    count repeats, must not mistake for a broken claim."""
    settings = {"TOPIC_ARN": topic, "STATE_TABLE": table.name, "AWS_ENDPOINT_URL_DYNAMODB": table.url,
                "STATE_LEASE_SECONDS": "15", "STATE_FAILURE": "fail", **settings}
    return start_function(concurrency=IN_FLIGHT, **settings)


def test_every_event_delivered_three_times_concurrently_is_published_once(aws, table, start_function, tmp_path):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    events = [json.loads(fresh_ids(path.read_text())) for path in EVENTS]
    expected = preview_files(tmp_path, events, TOPIC_ARN=topic, STATE_TABLE="preview")
    publishable = [i for i, line in enumerate(expected) if "publish" in line]
    assert len(publishable) >= 30

    function = state_function(start_function, topic, table)
    deliveries = [i for i in range(len(events)) for _ in range(3)]
    random.Random(13).shuffle(deliveries)
    results, failures = deliver(function, [events[i] for i in deliveries])

    by_event = {}
    for i, result in zip(deliveries, results):
        by_event.setdefault(i, []).append(result)
    for i, outcomes in by_event.items():
        if i in publishable:
            published = [r["published"] for r in outcomes if "published" in r]
            assert len(published) == 1, (EVENTS[i].name, outcomes)
            [published] = published
            assert sorted(r.get("skipped", "") for r in outcomes if "skipped" in r) == [
                f"already published as {published}"] * 2, EVENTS[i].name
        else:
            assert all(r == {"skipped": expected[i]["skip"]} for r in outcomes), EVENTS[i].name
    assert all(f.startswith(("InProgress: another invocation is publishing", "StateUnavailable: ", "timed out"))
               for f in failures), failures[:3]

    bodies = sorted(m["Body"] for m in aws.drain(queue, at_least=len(publishable)))
    assert bodies == sorted(expected[i]["publish"]["Message"] for i in publishable)
    assert len(aws.drain(queue, timeout=1)) == 0


def test_a_jobs_late_transitions_are_skipped_as_stale_and_a_retry_is_not(aws, table, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    job = json.loads(fresh_ids(FAILED.read_text()))
    arrivals = [
        ("RUNNABLE", "2026-11-20T10:00:00Z", "published"),
        ("SUCCEEDED", "2026-11-20T10:10:00Z", "published"),
        ("RUNNING", "2026-11-20T10:01:00Z", "RUNNING at 10:01:00 arrived after SUCCEEDED at 10:10:00"),
        ("STARTING", "2026-11-20T10:00:30Z", "STARTING at 10:00:30 arrived after SUCCEEDED at 10:10:00"),
        # Retried by its retry strategy: back to RUNNABLE, later.
        ("RUNNABLE", "2026-11-20T10:12:00Z", "published"),
        ("SUCCEEDED", "2026-11-20T10:10:00Z", "SUCCEEDED at 10:10:00 arrived after RUNNABLE at 10:12:00"),
        ("FAILED", "2026-11-20T10:20:00Z", "published"),
    ]
    function = state_function(start_function, topic, table)
    published = 0
    for status, at, wanted in arrivals:
        ok, result = function.send(with_time(job, status, at))
        assert ok, result
        if wanted == "published":
            assert "published" in result, (status, at, result)
            published += 1
        else:
            assert result == {"skipped": wanted}
    messages = aws.drain(queue, at_least=published)
    assert len(messages) == published == 4
    [item] = [v for k, v in table.items().items() if k.startswith("job#")]
    assert (item["latest_status"], item["claim_state"]) == ("FAILED", "published")


def test_skipped_transitions_are_recorded_on_the_jobs_item_and_split_its_final_wait(aws, table, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    job = json.loads(fresh_ids(ECS_SUCCEEDED.read_text()))
    waiting = json.loads(json.dumps(job))
    waiting["detail"]["attempts"] = []
    function = state_function(start_function, topic, table, SKIP_TRANSITIONAL_STATUSES="true",
                              MESSAGE_FORMAT="json")
    # createdAt 13:21:34.698; the first attempt started 13:23:50.919.
    for status, at in [("STARTING", "2025-10-17T13:23:10Z"), ("RUNNABLE", "2025-10-17T13:21:40Z"),
                       ("RUNNABLE", "2025-10-17T13:21:40Z")]:
        ok, result = function.send(with_time(waiting, status, at))
        assert ok and "skipped" in result, (status, result)
    [item] = [v for k, v in table.items().items() if k.startswith("job#")]
    # The RUNNABLE arrived after the STARTING it came before: stale, so not recorded.
    assert (item["latest_status"], "claim_state" in item) == ("STARTING", False), item
    assert "runnable_ms" not in item and int(item["starting_ms"]) == 1760707390000, item

    job2 = json.loads(fresh_ids(ECS_SUCCEEDED.read_text()))
    waiting2 = json.loads(json.dumps(job2))
    waiting2["detail"]["attempts"] = []
    for status, at in [("RUNNABLE", "2025-10-17T13:21:40Z"), ("STARTING", "2025-10-17T13:23:10Z")]:
        ok, result = function.send(with_time(waiting2, status, at))
        assert ok and "skipped" in result, (status, result)
    ok, result = function.send(job2)
    assert ok and "published" in result, result
    [message] = aws.drain(queue, at_least=1)
    timing = json.loads(message["Body"])["timing"]
    assert (timing["runnable_seconds"], timing["starting_seconds"], timing["waited_seconds"]) == (90, 40, 136)
    item = table.items()[f"job#{job2['detail']['jobId']}"]
    assert (item["latest_status"], item["claim_state"]) == ("SUCCEEDED", "published")
    assert int(item["runnable_ms"]) == 1760707300000, item


def test_a_failed_publish_gives_the_claim_up_and_the_retry_publishes_once(aws, table, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    sns = FaultProxy(aws.url)
    try:
        function = state_function(start_function, topic, table, AWS_ENDPOINT_URL_SNS=sns.url)
        event = json.loads(fresh_ids(FAILED.read_text()))
        sns.mode = "error"
        ok, error = function.send(event)
        assert not ok and error.startswith("PublishFailed: SNS Publish failed: InternalError"), error
        assert all("claim_state" not in item for item in table.items().values()), table.items()
        sns.mode = "pass"
        ok, result = function.send(event)
        assert ok and "published" in result, result
        ok, again = function.send(event)
        assert again == {"skipped": f"already published as {result['published']}"}
        assert len(aws.drain(queue, at_least=1)) == 1
        assert len(aws.drain(queue, timeout=1)) == 0
    finally:
        sns.stop()


def test_a_function_killed_between_claim_and_publish_publishes_after_its_lease(aws, table, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    sns = FaultProxy(aws.url)
    try:
        sns.mode = "hang"
        first = state_function(start_function, topic, table, AWS_ENDPOINT_URL_SNS=sns.url)
        event = json.loads(fresh_ids(FAILED.read_text()))
        threading.Thread(target=first.send, args=(event, 60), daemon=True).start()
        assert sns.held.wait(60), "the publish never reached SNS"
        [claimed] = table.items().values()
        assert claimed["claim_state"] == "in_progress"
        stop(first.process)
        sns.stop()

        second = state_function(start_function, topic, table)
        # Its first invocation starts the function's process, which under load can outlast what is
        # left of the lease: a foreign event, skipped before the table, starts it first.
        ok, skipped = second.send(json.loads((ROOT / "events" / "other-ec2-instance-state-change.json").read_text()))
        assert ok and "skipped" in skipped, skipped
        deadline = int(claimed["lease_until"]) / 1000
        if time.time() < deadline - 1:
            ok, error = second.send(event)
            assert not ok and error.startswith("InProgress:"), error
        time.sleep(max(0, deadline - time.time()) + 0.5)
        ok, result = second.send(event)
        assert ok and "published" in result, result
        assert len(aws.drain(queue, at_least=1)) == 1
    finally:
        sns.stop()


@pytest.mark.parametrize("fault", ["throttle", "error", "refused"])
@pytest.mark.parametrize("state_failure", ["publish", "fail"])
def test_an_unavailable_table_publishes_or_fails_as_configured_and_loses_nothing(
        aws, table, start_function, fault, state_failure):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    dynamodb = FaultProxy(table.url)
    try:
        endpoint = dynamodb.url
        if fault == "refused":
            dynamodb.stop()
        else:
            dynamodb.mode = fault
        function = state_function(start_function, topic, table, STATE_FAILURE=state_failure,
                                  AWS_ENDPOINT_URL_DYNAMODB=endpoint)
        event = json.loads(fresh_ids(FAILED.read_text()))
        ok, result = function.send(event)
        if state_failure == "publish":
            assert ok and "published" in result, result
            assert len(aws.drain(queue, at_least=1)) == 1
        else:
            assert not ok and result.startswith("StateUnavailable: state table"), result
            assert aws.drain(queue, timeout=1) == []
            dynamodb.mode = "pass"
            retry = state_function(start_function, topic, table, STATE_FAILURE=state_failure)
            ok, result = retry.send(event)
            assert ok and "published" in result, result
            assert len(aws.drain(queue, at_least=1)) == 1
        assert '"StateUnavailable":1' in function.logs()
        if fault != "refused":
            # The table's bounds held: the claim was tried at most the client's three attempts
            # (dynamodb::MAX_ATTEMPTS), and then the event went on without the table.
            assert 1 <= dynamodb.requests <= 3, dynamodb.requests
    finally:
        dynamodb.stop()


def test_a_count_whose_answer_is_lost_still_tells_as_many_failed_children_as_the_cap(
        aws, table, start_function):
    # Each child's count reaches the table, but its answer is lost: the client sends it again.
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    dynamodb = FaultProxy(table.url)
    dynamodb.mode, dynamodb.lose_answer_of = "answer-lost", b"ADD failed_children"
    try:
        child = json.loads(fresh_ids(CHILD_FAILED.read_text()))
        parent = child["detail"]["jobId"].split(":")[0]
        children = []
        for index in range(6):
            event = with_time(child, "FAILED", child["time"])
            event["detail"]["jobId"] = f"{parent}:{index}"
            event["detail"]["arrayProperties"]["index"] = index
            children.append(event)
        function = state_function(start_function, topic, table, CHILD_FAILURES_MAX="3",
                                  AWS_ENDPOINT_URL_DYNAMODB=dynamodb.url)
        results = deliver(function, children)[0]
        assert dynamodb.faults["answer lost"] == 6
        told = [m for m in aws.drain(queue, at_least=3) if m["Body"].startswith("Child ")]
        assert len(told) == 3, [r for r in results]
        capped = [r["skipped"] for r in results if "(CHILD_FAILURES_MAX=3)" in r.get("skipped", "")]
        assert len(capped) == 3, results
    finally:
        dynamodb.stop()


def test_a_thousand_child_array_job_with_duplicates_tells_the_capped_failures_and_the_job_once(
        aws, table, start_function, tmp_path):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    from test_array_jobs import stream
    _, events = stream(tmp_path)
    parent = events[0]["detail"]["jobId"]
    failed_children = {e["detail"]["jobId"] for e in events if e["detail"]["status"] == "FAILED"} - {parent}
    assert len(failed_children) == 20 and len(events) > 4000

    # Batch sends the array job's final state after its children's. Delivered concurrently with
    # them, the final would count only the failures recorded by then (a child refused while the
    # table is busy is retried later), so it goes once the children's events are in.
    is_final = [e["detail"]["jobId"] == parent and e["detail"]["status"] == "FAILED" for e in events]
    children_events = [e for e, final in zip(events, is_final) if not final]
    final_events = [e for e, final in zip(events, is_final) if final]
    assert len(final_events) >= 1

    function = state_function(start_function, topic, table)
    results = deliver(function, children_events)[0] + deliver(function, final_events)[0]
    published = [r["published"] for r in results if "published" in r]
    messages = aws.drain(queue, at_least=len(published))
    assert len(messages) == len(published) == len(set(published)), "no event told twice"
    children = [m for m in messages if m["Body"].startswith("Child ")]
    assert len(children) == 10, "CHILD_FAILURES_MAX"
    skipped = [r["skipped"] for r in results if "skipped" in r]
    capped = [s for s in skipped if s.startswith("child ") and "(CHILD_FAILURES_MAX=10)" in s]
    assert len(capped) == 10
    finals = [m["Body"] for m in messages if m["Body"].startswith("Array job align-reads is now FAILED")]
    assert len(finals) == 1
    assert "Failed children notified: 10 of 20" in finals[0], finals[0]
