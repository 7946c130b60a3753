"""The stuck-job watch end to end: the function under `cargo lambda watch`, SNS and SQS on moto's
server, and the state table, its watch-due index included, from the template's own definition on
moto's server and on dynalite. Job events arrive with times in the past; then the schedule's events
sweep, concurrently and again."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from batch_queue_server import QueueServer
from conftest import ROOT, FaultProxy
from test_state import fresh_ids, state_function, with_time

STUCK = "batch_job_stuck"
BLOCKED = json.loads((ROOT / "events" / "batch-job-queue-blocked.json").read_text())
# A job that has not run yet: a RUNNABLE after a failed attempt would be a retry, told as one.
RUNNABLE = ROOT / "events" / "batch-job-state-runnable.json"


def ago(minutes):
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule():
    """The event the template's WatchScheduleRule sends."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": ago(0), "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/batch-notifier-WatchScheduleRule"],
            "detail": {}}


def blocked(job):
    """The example blocked queue's event, for `job`."""
    event = json.loads(json.dumps(BLOCKED))
    event["id"], event["time"] = str(uuid.uuid4()), ago(30)
    event["detail"].update(jobId=job["detail"]["jobId"], jobArn=job["detail"]["jobArn"])
    event["resources"][0] = job["detail"]["jobArn"]
    return event


def documents(messages):
    return [json.loads(m["Body"]) for m in messages]


def job_id(document):
    return document["resource"]["id"]


def test_sweeps_tell_exactly_the_overdue_jobs_once_and_then_how_long_they_were_stuck(aws, table, start_function):
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    function = state_function(start_function, topic, table, SKIP_TRANSITIONAL_STATUSES="true",
                              MESSAGE_FORMAT="json")
    jobs = {name: json.loads(fresh_ids(RUNNABLE.read_text()))
            for name in ("runnable", "starting", "fresh", "finished", "stale")}
    arrivals = [
        ("runnable", "RUNNABLE", 130),  # overdue after 60 minutes
        ("starting", "STARTING", 40),  # overdue after 15
        ("fresh", "RUNNABLE", 10),  # not yet
        ("finished", "RUNNABLE", 180),
        ("finished", "SUCCEEDED", 90),
        ("stale", "SUCCEEDED", 60),
        ("stale", "RUNNABLE", 200),  # stale: it never puts the finished job back in the watch
    ]
    for name, status, minutes in arrivals:
        ok, result = function.send(with_time(jobs[name], status, ago(minutes)))
        assert ok, (name, status, result)
    # Its queue is blocked: the RUNNABLE job's notice will say why; the STARTING one's keeps nothing.
    for name in ("runnable", "starting"):
        ok, result = function.send(blocked(jobs[name]))
        assert ok and "published" in result, result
    finals = [d for d in documents(aws.drain(queue, at_least=4)) if d["family"] == "batch_job_state"]
    assert sorted(d["status"]["value"] for d in finals) == ["SUCCEEDED", "SUCCEEDED"]

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: function.send(schedule()), range(4)))
    assert all(ok for ok, _ in answers), answers
    sweeps = [answer for _, answer in answers]
    assert sum(s["told"] for s in sweeps) == 2 and sum(s["left"] for s in sweeps) == 0, sweeps
    ok, again = function.send(schedule())
    assert ok and again == {"overdue": 0, "told": 0, "left": 0}, again

    told = documents(aws.drain(queue, at_least=2))
    assert [d["family"] for d in told] == [STUCK, STUCK], told
    by_job = {job_id(d): d for d in told}
    assert set(by_job) == {jobs["runnable"]["detail"]["jobId"], jobs["starting"]["detail"]["jobId"]}
    runnable = by_job[jobs["runnable"]["detail"]["jobId"]]
    assert runnable["severity"] == "warning" and runnable["event_name"] == "Batch Job Stuck", runnable
    assert runnable["status"]["value"] == "RUNNABLE" and runnable["facts"]["stuck_for"].startswith("2 h 1"), runnable
    assert runnable["facts"]["job_queue"] == jobs["runnable"]["detail"]["jobQueue"].split("/")[-1], runnable["facts"]
    assert runnable["blocked"]["code"] == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", runnable
    assert runnable["facts"]["reason_meaning"].startswith("no instance type"), runnable["facts"]
    starting = by_job[jobs["starting"]["detail"]["jobId"]]
    assert starting["status"]["value"] == "STARTING" and "blocked" not in starting, starting

    # Moving on: told although STARTING is skipped, with how long the stay lasted; a job never
    # told stuck is skipped as before.
    ok, moved = function.send(with_time(jobs["runnable"], "STARTING", ago(0)))
    assert ok and "published" in moved, moved
    ok, fresh = function.send(with_time(jobs["fresh"], "STARTING", ago(0)))
    assert ok and "skipped" in fresh, fresh
    [follow_up] = documents(aws.drain(queue, at_least=1))
    assert job_id(follow_up) == jobs["runnable"]["detail"]["jobId"]
    assert follow_up["status"]["value"] == "STARTING", follow_up
    assert follow_up["facts"]["stuck_before"].startswith("after 2 h 1"), follow_up["facts"]
    assert follow_up["facts"]["stuck_before"].endswith(" in RUNNABLE"), follow_up["facts"]
    ok, last = function.send(schedule())
    assert ok and last["told"] == 0, last
    assert aws.drain(queue) == []


def test_a_stuck_jobs_place_in_line_is_looked_up_and_a_failed_or_late_lookup_is_named(aws, table, start_function):
    """`ENRICH=queues` against tools/batch_queue_server.py (moto has no GetJobQueueSnapshot),
    through the fault proxy: answered, failing, then never answering."""
    server = QueueServer()
    proxy = FaultProxy(server.url)
    try:
        topic = aws.topic("batch-alerts")
        queue = aws.subscribe(topic, "all", raw=True)
        function = state_function(start_function, topic, table, SKIP_TRANSITIONAL_STATUSES="true",
                                  MESSAGE_FORMAT="json", ENRICH="queues", ENRICH_TIMEOUT_MS="1000",
                                  AWS_ENDPOINT_URL_BATCH=proxy.url)
        server.last_updated_ms = 1_793_675_900_000
        for mode in ("pass", "error", "hang"):
            proxy.mode = mode
            job = json.loads(fresh_ids(RUNNABLE.read_text()))
            server.heads["high-priority"] = [(job["detail"]["jobArn"], 1_793_671_805_000)]
            ok, result = function.send(with_time(job, "RUNNABLE", ago(90)))
            assert ok and "skipped" in result, result
            ok, swept = function.send(schedule())
            assert ok and swept["told"] == 1, (mode, swept)
            [notice] = documents(aws.drain(queue, at_least=1))
            assert notice["family"] == STUCK and notice["facts"]["stuck_for"].startswith("1 h 30 min"), notice
            if mode == "pass":
                assert notice["facts"]["queue_place"] == (
                    "first in line since 2026-11-03T02:10:05Z (as of 2026-11-03T03:18:20Z)"), notice["facts"]
                assert "unavailable" not in notice
                continue
            assert "queue_place" not in notice["facts"]
            [missing] = notice["unavailable"]
            assert (missing["source"], missing["what"]) == ("queues", "place in the queue"), missing
            reasons = ("InternalError", "InternalServerError") if mode == "error" else ("no answer within 1000 ms",)
            assert missing["reason"] in reasons, missing
        assert server.requests == ["high-priority"] and proxy.requests >= 3, (server.requests, proxy.requests)
    finally:
        proxy.stop()
        server.stop()


def test_a_job_moving_on_while_a_sweep_tells_it_stuck_gets_its_follow_up(aws, table, start_function):
    """A sweep claimed the job's stay and is publishing its notice when the job moves on: the
    transition finds the claim on the item as it was, and is the notice's follow-up."""
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    function = state_function(start_function, topic, table, SKIP_TRANSITIONAL_STATUSES="true",
                              MESSAGE_FORMAT="json")
    job = json.loads(fresh_ids(RUNNABLE.read_text()))
    ok, result = function.send(with_time(job, "RUNNABLE", ago(90)))
    assert ok and "skipped" in result, result
    lease = int(datetime.now(timezone.utc).timestamp() * 1000) + 60_000
    table.client.update_item(TableName=table.name, Key={"pk": {"S": f"job#{job['detail']['jobId']}"}},
                             UpdateExpression="SET sweep_owner = :owner, sweep_lease = :lease",
                             ExpressionAttributeValues={":owner": {"S": "00000000000000ff"},
                                                        ":lease": {"N": str(lease)}})
    ok, moved = function.send(with_time(job, "STARTING", ago(0)))
    assert ok and "published" in moved, moved
    [follow_up] = documents(aws.drain(queue, at_least=1))
    assert follow_up["facts"]["stuck_before"] == "after 1 h 30 min in RUNNABLE", follow_up["facts"]
    item = table.items()[f"job#{job['detail']['jobId']}"]
    assert "sweep_owner" not in item and item["watch_status"] == "STARTING", item


ARRAY = ROOT / "events" / "batch-job-state-array-job-counts.json"


def array_event(parent, status, minutes, child=None):
    """The example array job (40 children) as `status` `minutes` ago; with `child`, that child."""
    event = with_time(parent, status, ago(minutes))
    if child is not None:
        event["detail"]["jobId"] += f":{child}"
        event["detail"]["jobArn"] += f":{child}"
        event["detail"]["arrayProperties"] = {"index": child, "statusSummary": {}}
    else:
        event["detail"]["arrayProperties"] = {"size": 40}
    return event


def test_an_array_job_is_watched_as_one_through_its_childrens_moves(aws, table, start_function):
    """Its children waiting make one notice, the array job's; its first child starting ends the
    wait (told, with how long it lasted), and the table keeps the array job's next stay."""
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=True)
    function = state_function(start_function, topic, table, SKIP_TRANSITIONAL_STATUSES="true",
                              MESSAGE_FORMAT="json")
    parent = json.loads(fresh_ids(ARRAY.read_text()))
    parent_id = parent["detail"]["jobId"]
    for event in [array_event(parent, "PENDING", 90)] + [array_event(parent, "RUNNABLE", 89, i) for i in range(10)]:
        ok, result = function.send(event)
        assert ok and "skipped" in result, result

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: function.send(schedule()), range(3)))
    assert all(ok for ok, _ in answers) and sum(a["told"] for _, a in answers) == 1, answers
    [notice] = documents(aws.drain(queue, at_least=1))
    assert notice["family"] == STUCK and job_id(notice) == parent_id, notice
    assert notice["status"]["value"] == "RUNNABLE" and notice["facts"]["stuck_for"].startswith("1 h 30 min"), notice
    assert notice["facts"]["children"] == "none of its 40 children has started", notice["facts"]
    assert notice["summary"].startswith("Array job align-reads has been RUNNABLE for 1 h 30 min"), notice

    ok, moved = function.send(array_event(parent, "STARTING", 0, 4))
    assert ok and "published" in moved, moved
    ok, next_child = function.send(array_event(parent, "STARTING", 0, 5))
    assert ok and "skipped" in next_child, next_child
    [follow_up] = documents(aws.drain(queue, at_least=1))
    assert follow_up["resource"]["id"] == f"{parent_id}:4", follow_up
    assert follow_up["facts"]["stuck_before"] == "after 1 h 30 min in RUNNABLE", follow_up["facts"]
    item = table.items()[f"job#{parent_id}"]
    assert item["watch_status"] == "STARTING" and item["array_size"] == "40", item
    assert "stuck_status" not in item and "watch_pk" in item, item

    ok, running = function.send(array_event(parent, "RUNNING", 0, 5))
    assert ok and "skipped" in running, running
    item = table.items()[f"job#{parent_id}"]
    assert "watch_status" not in item and "watch_pk" not in item, item
    ok, last = function.send(schedule())
    assert ok and last["told"] == 0, last
    assert aws.drain(queue) == []
