"""A 1,000-child array job, with duplicate deliveries, through `preview`: by default only the failed
children and the array job's own events are published, grouped under the array job, and the array
job's final message counts its children; with CHILD_JOB_EVENTS=all every event is published."""

import json
import subprocess
import sys

from conftest import BINARY, ROOT, tool_env

FIFO_TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts.fifo"


def stream(tmp_path):
    path = tmp_path / "stream.jsonl"
    with open(path, "w") as out:
        subprocess.run([sys.executable, str(ROOT / "tools" / "array_stream.py"), "--children", "1000",
                        "--failed-every", "50", "--duplicate-every", "97"], stdout=out, check=True)
    return path, [json.loads(line) for line in path.read_text().splitlines()]


def preview(path, **settings):
    done = subprocess.run([str(BINARY), "preview", str(path)], cwd=ROOT, env=tool_env(**settings),
                          capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_only_failed_children_and_the_array_job_are_published_by_default(tmp_path):
    path, events = stream(tmp_path)
    lines = preview(path, TOPIC_ARN=FIFO_TOPIC)
    assert len(lines) == len(events) > 4000
    parent_id = events[0]["detail"]["jobId"]
    expected = [e for e in events
                if e["detail"]["jobId"] == parent_id or e["detail"]["status"] == "FAILED"]
    published = [line["publish"] for line in lines if "publish" in line]
    assert len(published) == len(expected)
    assert 22 <= len(published) < 40
    assert all(line["skip"].endswith("(CHILD_JOB_EVENTS=failed)") for line in lines if "skip" in line)
    assert {p["MessageGroupId"] for p in published} == {parent_id}
    final = published[-1]
    assert final["Subject"].startswith("[CRITICAL] Batch job align-reads FAILED")
    assert final["Message"].startswith("Array job align-reads is now FAILED: 980 succeeded, 20 failed of 1,000.")
    children = [p for p in published if " child " in p["Subject"]]
    assert len(children) >= 20
    assert all(p["Message"].startswith("Child ") and "of array job align-reads" in p["Message"] for p in children)


def test_every_event_is_published_with_child_job_events_all(tmp_path):
    path, events = stream(tmp_path)
    lines = preview(path, CHILD_JOB_EVENTS="all")
    assert sum("publish" in line for line in lines) == len(events)
