"""Lookups against real parts: moto's CloudWatch Logs and AWS Batch, and S3 Control's `DescribeJob`
from tools/s3control_server.py (moto does not implement it), reached by the function's own SDK
clients; then the fault proxy in front of each, and endpoints where nothing listens."""

import json
import re

import pytest

from conftest import ROOT, FaultProxy, free_port, preview_files
from local_lookups import submit_batch_job, write_job_log
from s3control_server import S3ControlServer, job

LOOKUPS = "s3_jobs,job_logs,jobs"
S3_JOB = "e849b567-5232-44be-9a0c-40988f14e80c"
S3_UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"
LOG_SECRETS = ("CANARY-LOG-PASSWORD-1", "AKIACANARYCANARY0001")
LOG_MESSAGES = [f"step {i} of 8 done" for i in range(1, 6)] + [
    f"connecting to db with password={LOG_SECRETS[0]}",
    f"using key {LOG_SECRETS[1]}",
    "Killed: out of memory",
]


def example(name, **replace):
    """An example event, with some of its strings replaced."""
    text = (ROOT / "events" / f"{name}.json").read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return json.loads(text)


def s3_complete(job_id=S3_JOB):
    return example("s3-batch-job-complete", **{S3_JOB: job_id})


def failed_job():
    return example("batch-job-state-failed")


def terminate(job_id):
    return example("batch-api-terminate-job", **{"8f2d7a6e-3b1c-4e5d-9a8b-7c6d5e4f3a21": job_id})


def endpoints(s3_control, logs, batch):
    return dict(AWS_ENDPOINT_URL_S3_CONTROL=s3_control, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=logs,
                AWS_ENDPOINT_URL_BATCH=batch)


@pytest.fixture
def s3control():
    server = S3ControlServer()
    yield server
    server.stop()


def publish_each(aws, function, events, queue):
    """Invokes `function` with each event (each must succeed and publish) and returns the documents
    delivered, in the order of `events`, and the raw messages."""
    for number, event in enumerate(events):
        event["id"] = f"{event['id'][:-2]}{number:02}"
        ok, result = function.send(event)
        assert ok, result
        assert set(result) == {"published"}, result
    messages = {json.loads(m["Body"])["event_id"]: m for m in aws.drain(queue, at_least=len(events), timeout=30)}
    assert sorted(messages) == sorted(event["id"] for event in events)
    raw = [messages[event["id"]] for event in events]
    return [json.loads(m["Body"]) for m in raw], raw


def test_lookups_add_task_counts_log_lines_and_the_job_and_name_what_they_could_not_find(
        aws, start_function, s3control):
    topic = aws.topic("enriched")
    queue = aws.subscribe(topic, "enriched-reader")
    job_id = submit_batch_job(aws.url)
    write_job_log(aws.url, LOG_MESSAGES)
    s3control.jobs[S3_JOB] = job(S3_JOB, total=12000, failed=25)
    function = start_function(TOPIC_ARN=topic, MESSAGE_FORMAT="json", ENRICH=LOOKUPS, LOG_LINES="5",
                              ENRICH_TIMEOUT_MS="5000", **endpoints(s3control.url, aws.url, aws.url))
    events = [s3_complete(), failed_job(), terminate(job_id), s3_complete(S3_UNKNOWN_JOB),
              terminate("11111111-2222-4333-8444-555555555555")]

    (s3, failed, terminated, s3_unknown, terminated_unknown), raw = publish_each(aws, function, events, queue)

    account = events[0]["account"]
    assert s3control.requests == [(f"/v20180820/jobs/{S3_JOB}", account),
                                  (f"/v20180820/jobs/{S3_UNKNOWN_JOB}", account)]
    assert s3["facts"]["tasks"] == "12,000 total: 11,975 succeeded, 25 failed"
    assert s3["facts"]["operation"] == "Copy"
    assert s3["severity"] == "warning"
    assert raw[0]["MessageAttributes"]["severity"]["StringValue"] == "warning"
    assert any("reports-bucket" in link["url"] and S3_JOB in link["url"] for link in s3["links"])

    assert failed.get("log_lines") == LOG_MESSAGES[-5:-3] + [
        "connecting to db with password=[redacted]", "using key [redacted]", LOG_MESSAGES[-1]]
    for secret in LOG_SECRETS:
        assert all(secret not in json.dumps(message) for message in raw), secret

    assert terminated["resource"]["name"] == "nightly-etl"
    assert terminated["facts"]["job_queue"] == "etl-queue"
    assert terminated["facts"]["job_status"].startswith("SUCCEEDED")

    assert s3_unknown["unavailable"] == [{"source": "s3_jobs", "what": "task counts", "reason": "NoSuchJob"}]
    assert terminated_unknown["unavailable"] == [{"source": "jobs", "what": "job details", "reason": "JobNotFound"}]
    for document in (s3, failed, terminated):
        assert "unavailable" not in document


@pytest.mark.parametrize("fault", ["error", "hang", "refused"])
def test_a_lookup_that_fails_or_is_late_leaves_the_notification_whole_with_the_missing_part_named(
        aws, start_function, s3control, tmp_path, fault):
    """Every source answers with a 500, never answers, or is not there: each notification is
    published as it would have been without lookups, plus one line naming what is missing."""
    topic = aws.topic("enriched")
    queue = aws.subscribe(topic, "enriched-reader")
    job_id = submit_batch_job(aws.url)
    write_job_log(aws.url, LOG_MESSAGES)
    s3control.jobs[S3_JOB] = job(S3_JOB)
    proxies = []
    if fault == "refused":
        urls = [f"http://127.0.0.1:{free_port()}" for _ in range(3)]
    else:
        proxies = [FaultProxy(url) for url in (s3control.url, aws.url, aws.url)]
        for proxy in proxies:
            proxy.mode = fault
        urls = [proxy.url for proxy in proxies]
    deadline_ms = 1000 if fault == "hang" else 5000
    settings = dict(TOPIC_ARN=topic, MESSAGE_FORMAT="json")
    function = start_function(ENRICH=LOOKUPS, LOG_LINES="5", ENRICH_TIMEOUT_MS=str(deadline_ms),
                              **endpoints(*urls), **settings)
    events = [s3_complete(), failed_job(), terminate(job_id)]
    try:
        documents, _ = publish_each(aws, function, events, queue)
        # Held requests are answered only now: each publish went out without waiting for them.
        assert [proxy.held.is_set() for proxy in proxies] == [fault == "hang"] * len(proxies)
    finally:
        for proxy in proxies:
            proxy.stop()

    expected = preview_files(tmp_path, events, ENRICH="", **settings)
    for document, line, (source, what) in zip(documents, expected, [
            ("s3_jobs", "task counts"), ("job_logs", "log lines"), ("jobs", "job details")]):
        [missing] = document.pop("unavailable")
        assert (missing["source"], missing["what"]) == (source, what)
        if fault == "error":
            assert missing["reason"] in ("InternalError", "InternalServerError"), missing
        elif fault == "hang":
            assert missing["reason"] == f"no answer within {deadline_ms} ms"
        else:
            assert missing["reason"].startswith("could not reach "), missing
        assert document == json.loads(line["publish"]["Message"]), source

    metrics = [re.search(r'"Source":"(\w+)"', line).group(1) for line in function.logs().splitlines()
               if '"EnrichmentFailed":1' in line]
    assert sorted(metrics) == ["job_logs", "jobs", "s3_jobs"]
    assert all(proxy.requests >= 1 for proxy in proxies)
