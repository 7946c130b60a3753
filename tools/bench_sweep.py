"""The stuck-job watch's costs, through the release bootstrap under tools' Lambda harness, with moto's
SNS and the state table (the template's own definition, its watch-due index included) on dynalite
behind a proxy that counts requests and items read:

- per sweep, with 1,000, 10,000 and 100,000 open jobs (all RUNNABLE, so all in the index) of which
  0.1% are overdue: table requests and items read by the sweep that tells them, then by the next
  one (budget: items read <= 2 x overdue + 10, whatever the open jobs);
- per job event, with the watch on (the defaults) and off (STUCK_*_MINUTES=0): table requests
  (budget: at most one more write with it on).

OPEN="1000 10000" measures fewer tables. See BENCHMARKS.md."""

import json
import os
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

import moto_launcher as moto_server
from bench_lambda import CREDENTIALS, RELEASE, ROOT, start_dynalite
from fault_proxy import FaultProxy
from state_table import state_table_definition

OPEN = [int(n) for n in os.environ.get("OPEN", "1000 10000 100000").split()]
EVENTS_PER_KIND = int(os.environ.get("EVENTS_PER_KIND", "200"))
BENCH = ROOT / "target" / "bench"
HARNESS = RELEASE / "examples" / "lambda_harness"
BOOTSTRAP = RELEASE / "batch-notifier"
RUNNABLE = json.loads((ROOT / "events" / "batch-job-state-runnable.json").read_text())
HOUR_MS = 3_600_000


def job_event(status="RUNNABLE", at=None):
    event = json.loads(json.dumps(RUNNABLE))
    job_id = str(uuid.uuid4())
    event["id"], event["detail"]["jobId"], event["detail"]["status"] = str(uuid.uuid4()), job_id, status
    event["detail"]["jobArn"] = f"arn:aws:batch:us-east-1:123456789012:job/{job_id}"
    if at is not None:
        event["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at / 1000))
    return event


def schedule():
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/watch"], "detail": {}}


def invoke(env, events, name):
    """Each of `events` an invocation of one warm bootstrap, in turn."""
    path = BENCH / f"{name}.jsonl"
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events))
    done = subprocess.run([str(HARNESS), str(BOOTSTRAP), str(path), "1", str(len(events) - 1), "0"], env=env,
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert result["invocations"] == len(events), result
    return result


class Counted:
    """A fresh table of the template's definition on dynalite, reached by the function through the
    counting proxy."""

    def __init__(self, dynalite_url, proxy):
        self.name = f"state-{uuid.uuid4().hex[:8]}"
        self.client = boto3.client("dynamodb", endpoint_url=dynalite_url, **CREDENTIALS)
        self.client.create_table(TableName=self.name, **state_table_definition())
        self.proxy = proxy

    def env(self, env, **settings):
        return {**env, "STATE_TABLE": self.name, "AWS_ENDPOINT_URL_DYNAMODB": self.proxy.url,
                "STATE_FAILURE": "fail", **settings}

    def counted(self, run):
        self.proxy.requests, self.proxy.items_read = 0, 0
        self.proxy.operations.clear()
        result = run()
        return result, {"requests": self.proxy.requests, "items_read": self.proxy.items_read,
                        "by_operation": dict(self.proxy.operations)}

    def fill(self, model, open_jobs, overdue, now_ms):
        """`open_jobs` copies of the item the function wrote for one RUNNABLE job, each its own job:
        `overdue` of them due before now, the rest an hour after."""
        def item(i):
            copy = dict(model)
            copy["pk"] = {"S": f"job#{uuid.uuid4()}"}
            due = now_ms - 60_000 - i if i < overdue else now_ms + HOUR_MS + i
            copy["due_ms"] = {"N": str(due)}
            copy["watch_since"] = {"N": str(due - HOUR_MS)}
            return {"PutRequest": {"Item": copy}}

        def write(start):
            requests = [item(i) for i in range(start, min(start + 25, open_jobs))]
            while requests:
                left = self.client.batch_write_item(RequestItems={self.name: requests})["UnprocessedItems"]
                requests = left.get(self.name, [])

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(write, range(0, open_jobs, 25)))


def sweeps(env, dynalite_url, proxy):
    results = {}
    for open_jobs in OPEN:
        table = Counted(dynalite_url, proxy)
        run_env = table.env(env)
        # The item a RUNNABLE job's event writes, as the model of every open job.
        invoke(run_env, [job_event()], "model")
        [model] = table.client.scan(TableName=table.name)["Items"]
        assert "due_ms" in model and "watch_pk" in model, model
        table.client.delete_item(TableName=table.name, Key={"pk": model["pk"]})
        overdue = max(1, open_jobs // 1000)
        started = time.monotonic()
        table.fill(model, open_jobs, overdue, int(time.time() * 1000))
        filled = round(time.monotonic() - started, 1)
        first, counted_first = table.counted(lambda: invoke(run_env, [schedule()], "sweep"))
        second, counted_second = table.counted(lambda: invoke(run_env, [schedule()], "sweep"))
        budget = 2 * overdue + 10
        assert counted_first["items_read"] <= budget and counted_second["items_read"] <= 10, (
            counted_first, counted_second)
        results[f"{open_jobs} open, {overdue} overdue"] = {
            "the sweep that tells them": {**counted_first, "ms": first["first_invocation_ms"]},
            "the next sweep": {**counted_second, "ms": second["first_invocation_ms"]},
            "items_read_budget": budget,
            "fill_seconds": filled,
        }
    return results


def array_children(status, count):
    """An array job's PENDING, then `count` of its children's `status` events."""
    parent = job_event("PENDING", at=time.time() * 1000)
    parent["detail"]["arrayProperties"] = {"size": count}
    children = []
    for index in range(count):
        child = json.loads(json.dumps(parent))
        child["id"], child["detail"]["status"] = str(uuid.uuid4()), status
        child["detail"]["jobId"] += f":{index}"
        child["detail"]["jobArn"] += f":{index}"
        child["detail"]["arrayProperties"] = {"index": index, "statusSummary": {}}
        children.append(child)
    return parent, children


# Each kind: (status, settings); an "array child" kind counts only the children's events.
KINDS = {
    "job transition skipped by the settings (RUNNABLE, SKIP_TRANSITIONAL_STATUSES=true)":
        ("RUNNABLE", {"SKIP_TRANSITIONAL_STATUSES": "true"}),
    "job transition published (RUNNABLE)": ("RUNNABLE", {}),
    "job transition published (STARTING)": ("STARTING", {}),
    "final job event published (SUCCEEDED, after no other)": ("SUCCEEDED", {}),
    "array child RUNNABLE (skipped, CHILD_JOB_EVENTS=failed)": ("child RUNNABLE", {}),
    "array child STARTING (skipped; the first moves its array job's watch)": ("child STARTING", {}),
    "array child RUNNING (skipped)": ("child RUNNING", {}),
}
WATCH_OFF = {"STUCK_RUNNABLE_MINUTES": "0", "STUCK_STARTING_MINUTES": "0", "STUCK_RUNNING_MINUTES": "0"}


def per_event(env, dynalite_url, proxy):
    results = {}
    for kind, (status, settings) in KINDS.items():
        row = {}
        for watch, extra in (("watch on", {}), ("watch off", WATCH_OFF)):
            table = Counted(dynalite_url, proxy)
            run_env = table.env(env, **settings, **extra)
            if status.startswith("child "):
                parent, events = array_children(status.split()[1], EVENTS_PER_KIND)
                # Sent twice: the harness times a first and a warm invocation; the repeat changes nothing.
                invoke(run_env, [parent, parent], "parent")
            else:
                events = [job_event(status) for _ in range(EVENTS_PER_KIND)]
            _, counted = table.counted(lambda: invoke(run_env, events, "kind"))
            row[watch] = {"table_requests_per_event": round(counted["requests"] / len(events), 3),
                          "by_operation": counted["by_operation"]}
        extra_writes = row["watch on"]["table_requests_per_event"] - row["watch off"]["table_requests_per_event"]
        assert extra_writes <= 1, row
        results[kind] = row
    return results


def main():
    BENCH.mkdir(parents=True, exist_ok=True)
    moto, moto_url = moto_server.start()
    dynalite, _, dynalite_url = start_dynalite()
    proxy = FaultProxy(dynalite_url)
    try:
        sns = boto3.client("sns", endpoint_url=moto_url, **CREDENTIALS)
        topic = sns.create_topic(Name="bench")["TopicArn"]
        env = {**os.environ, "TOPIC_ARN": topic, "AWS_ENDPOINT_URL_SNS": moto_url, "AWS_REGION": "us-east-1",
               "ENRICH": "", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        print(json.dumps({"per sweep": sweeps(env, dynalite_url, proxy),
                          "per job event": per_event(env, dynalite_url, proxy)}, indent=1))
    finally:
        proxy.stop()
        dynalite.kill()
        moto.stop()


if __name__ == "__main__":
    main()
