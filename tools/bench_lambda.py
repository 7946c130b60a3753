"""With the harness of examples/lambda_harness.rs and moto's SNS on loopback: first the cold starts,
in turns, of a minimal lambda_runtime function built with the same profile and of the release
bootstrap as it is, with the state table's client and with every lookup source enabled. Then the
first and warm invocation, and memory over many invocations, of the bootstrap; with the state table
(dynalite on loopback, behind a proxy that counts its requests), table requests per event for the
examples, each told once, then all repeated; and with every lookup against local servers (moto's
CloudWatch Logs and AWS Batch, tools/s3control_server.py), the first and warm invocations of an
event that looks something up, with and without its lookup. `STATE_ONLY=1` measures only the state
table: the examples' mix, then the requests per event by kind (`measure_state_by_kind`).
`ORGANIZATION_ONLY=1` measures only the cold starts with `LOOKUP_ROLE_NAME` set, and the lookups of
a member account's event (`measure_member_lookups`): AssumeRole requests per environment, and
its first and warm invocations against the function's own account's."""

import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import boto3

import moto_launcher as moto_server
from fault_proxy import FaultProxy
from local_lookups import submit_batch_job, write_job_log
from s3control_server import S3ControlServer, job

ROOT = Path(__file__).resolve().parents[1]
RELEASE = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
RUNS = os.environ.get("RUNS", "21")
WARM = os.environ.get("WARM", "20")
SOAK = os.environ.get("SOAK", "10000")
ROUNDS = int(os.environ.get("ROUNDS", "15"))
EVENT = ROOT / "events" / "batch-job-state-failed.json"
# Skipped before the table or any lookup: the cold starts' one invocation reaches nothing.
FOREIGN = ROOT / "events" / "other-ec2-instance-state-change.json"
NOWHERE = "http://127.0.0.1:9"
DYNALITE = ROOT / "tools" / "dynalite" / "node_modules" / "dynalite" / "cli.js"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


def fresh_mix(path, count):
    """`count` events, the examples in turn, each with fresh UUIDs (event, job and request ids), so
    that each is its own happening for the state table."""
    examples = [p.read_text() for p in sorted((ROOT / "events").glob("*.json"))]
    with open(path, "w") as out:
        for i in range(count):
            mapping = {}
            text = UUID.sub(lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4())),
                            examples[i % len(examples)])
            out.write(json.dumps(json.loads(text), separators=(",", ":")) + "\n")


def start_dynalite():
    port = 8000 + os.getpid() % 1000
    process = subprocess.Popen(["node", str(DYNALITE), "--host", "127.0.0.1", "--port", str(port),
                                "--createTableMs", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("dynamodb", endpoint_url=url, **CREDENTIALS)
    for _ in range(100):
        try:
            client.list_tables()
            return process, client, url
        except Exception:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"dynalite did not start ({DYNALITE}; run scripts/setup-tools)")


def harnessed(url):
    """The function's environment on moto's SNS at `url`, and `measure(bootstrap, soak, env, event)`,
    which runs the harness on it."""
    sns = boto3.client("sns", endpoint_url=url, **CREDENTIALS)
    topic = sns.create_topic(Name="bench")["TopicArn"]
    env = {**os.environ, "TOPIC_ARN": topic, "AWS_ENDPOINT_URL_SNS": url, "AWS_REGION": "us-east-1", "ENRICH": "",
           "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    harness = str(RELEASE / "examples" / "lambda_harness")

    def measure(bootstrap, soak, env=env, event=EVENT):
        done = subprocess.run([harness, str(bootstrap), str(event), RUNS, WARM, soak], env=env,
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    return env, harness, measure


def main():
    moto, url = moto_server.start()
    try:
        env, harness, measure = harnessed(url)
        if os.environ.get("STATE_ONLY"):
            print(json.dumps(measure_state(env, measure), indent=1))
            return
        if os.environ.get("ORGANIZATION_ONLY"):
            cold = cold_starts(harness, {
                "minimal": (RELEASE / "examples" / "minimal_lambda", env),
                "with every lookup": (RELEASE / "batch-notifier", {**env, **every_lookup(NOWHERE, NOWHERE)}),
                "with every lookup, LOOKUP_ROLE_NAME and ACCOUNT_NAMES=organizations": (
                    RELEASE / "batch-notifier", {**env, **every_lookup(NOWHERE, NOWHERE), **organization(NOWHERE)}),
            })
            print(json.dumps({"cold starts, in turns": cold,
                              "member lookups": measure_member_lookups(env, measure, url)}, indent=1))
            return
        cold = cold_starts(harness, {
            "minimal": (RELEASE / "examples" / "minimal_lambda", env),
            "batch-notifier": (RELEASE / "batch-notifier", env),
            "with state table": (RELEASE / "batch-notifier",
                                 {**env, "STATE_TABLE": "state", "AWS_ENDPOINT_URL_DYNAMODB": NOWHERE}),
            "with every lookup": (RELEASE / "batch-notifier", {**env, **every_lookup(NOWHERE, NOWHERE)}),
        })
        ours = measure(RELEASE / "batch-notifier", SOAK)
        minimal = measure(RELEASE / "examples" / "minimal_lambda", "0")
        ours["first_to_warm_ratio"] = round(ours["first_invocation_ms"] / ours["warm_invocation_ms"], 2)
        ours["bootstrap_bytes"] = (RELEASE / "batch-notifier").stat().st_size
        state = measure_state(env, measure)
        lookups = measure_lookups(env, measure, url)
        print(json.dumps({"cold starts, in turns": cold, "batch-notifier": ours, "minimal": minimal,
                          "with state table": state, "with every lookup": lookups}, indent=1))
    finally:
        moto.stop()


def cold_starts(harness, candidates):
    """The median cold start of each candidate (name: (bootstrap, environment)) and its ratio to
    the first's, measured in turns: three cold starts of each in every round, so that the machine's
    drift over the run weighs on all alike."""
    samples = {name: [] for name in candidates}
    for _ in range(ROUNDS):
        for name, (bootstrap, env) in candidates.items():
            done = subprocess.run([harness, str(bootstrap), str(FOREIGN), "3", "1", "0"], env=env,
                                  capture_output=True, text=True, check=True)
            samples[name].append(json.loads(done.stdout)["cold_start_ms"])
    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor = next(iter(medians.values()))
    return {name: {"cold_start_ms": round(ms, 3), "ratio": round(ms / floor, 2)} for name, ms in medians.items()}


def every_lookup(s3_control, url):
    return {"ENRICH": "s3_jobs,job_logs,jobs", "LOG_LINES": "20", "AWS_ENDPOINT_URL_S3_CONTROL": s3_control,
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": url, "AWS_ENDPOINT_URL_BATCH": url}


def organization(sts):
    return {"HOME_ACCOUNT": "123456789012", "LOOKUP_ROLE_NAME": "batch-notifier-lookups",
            "ACCOUNT_NAMES": "organizations", "AWS_ENDPOINT_URL_STS": sts, "AWS_ENDPOINT_URL_ORGANIZATIONS": NOWHERE}


MEMBER, MEMBER_REGION = "111111111111", "eu-west-1"


def measure_member_lookups(env, measure, url):
    """The failed example job's log lines (`job_logs`), for the function's own account and for a
    member account in another region (moto's STS and CloudWatch Logs, STS behind a counting proxy):
    RUNS environments, each a first invocation and WARM more of the same event."""
    sts = FaultProxy(url)
    try:
        write_job_log(url, [f"line {i} of the job's output" for i in range(100)])
        given = boto3.client("sts", endpoint_url=url, **CREDENTIALS).assume_role(
            RoleArn=f"arn:aws:iam::{MEMBER}:role/setup", RoleSessionName="setup")["Credentials"]
        write_job_log(url, [f"line {i} of the member job's output" for i in range(100)], region=MEMBER_REGION,
                      credentials=given)
        event = json.loads(EVENT.read_text())
        event.update(account=MEMBER, region=MEMBER_REGION)
        member_event = ROOT / "target" / "bench" / "member-job-failed.json"
        member_event.parent.mkdir(parents=True, exist_ok=True)
        member_event.write_text(json.dumps(event))
        lookups = {**env, "ENRICH": "job_logs", "LOG_LINES": "20", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": url,
                   **organization(sts.url), "ACCOUNT_NAMES": ""}
        own = measure(RELEASE / "batch-notifier", "0", env=lookups, event=EVENT)
        before = sts.operations["AssumeRole"]
        member = measure(RELEASE / "batch-notifier", "0", env=lookups, event=member_event)
        assumed = sts.operations["AssumeRole"] - before
        return {"environments": int(RUNS), "invocations_each": 1 + int(WARM), "assume_role_requests": assumed,
                "assume_role_per_environment": round(assumed / int(RUNS), 2),
                **{f"{which}_ms_{name}": run[f"{which}_ms"] for name, run in (("own", own), ("member", member))
                   for which in ("first_invocation", "warm_invocation")}}
    finally:
        sts.stop()


def measure_state(env, measure):
    dynalite, client, url = start_dynalite()
    proxy = FaultProxy(url)
    try:
        client.create_table(TableName="state", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        mix = ROOT / "target" / "bench" / "state-mix.jsonl"
        mix.parent.mkdir(parents=True, exist_ok=True)
        invocations = int(RUNS) * (1 + int(WARM))
        fresh_mix(mix, invocations)
        env = {**env, "STATE_TABLE": "state", "AWS_ENDPOINT_URL_DYNAMODB": proxy.url, "STATE_FAILURE": "fail"}
        result = {}
        for run in ("each told once", "all repeated"):
            proxy.requests, proxy.operations = 0, Counter()
            done = measure(RELEASE / "batch-notifier", "0", env=env, event=mix)
            assert done["invocations"] == invocations, done
            result[run] = {
                "warm_invocation_ms": done["warm_invocation_ms"],
                "table_requests_per_event": round(proxy.requests / invocations, 3),
                "table_requests": dict(proxy.operations),
                "events": invocations,
            }
        result["by kind"] = measure_state_by_kind(env, measure, proxy)
        return result
    finally:
        proxy.stop()
        dynalite.kill()


# Each kind: (example, settings, whether each invocation gets fresh ids).
KINDS = {
    "job transition skipped by the settings (RUNNABLE, SKIP_TRANSITIONAL_STATUSES=true)":
        ("batch-job-state-runnable.json", {"SKIP_TRANSITIONAL_STATUSES": "true"}, True),
    "job transition published (RUNNABLE)": ("batch-job-state-runnable.json", {}, True),
    "final job event published (SUCCEEDED, after no other)": ("batch-job-state-succeeded.json", {}, True),
    "API call published (SubmitJob)": ("batch-api-submit-job.json", {}, True),
    "array child skipped (SUCCEEDED, CHILD_JOB_EVENTS=failed)":
        ("real-2025-array-child-succeeded-from-describe-jobs.json", {}, True),
    "the same job event again and again (one publish, then repeats)": ("batch-job-state-succeeded.json", {}, False),
}


def measure_state_by_kind(env, measure, proxy):
    """Table requests per invocation for one kind of event at a time, through the counting proxy."""
    invocations = int(RUNS) * (1 + int(WARM))
    result = {}
    for kind, (example, settings, fresh) in KINDS.items():
        text = (ROOT / "events" / example).read_text()
        path = ROOT / "target" / "bench" / "state-kind.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as out:
            for _ in range(invocations):
                mapping = {}
                one = UUID.sub(lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4())), text) if fresh else text
                out.write(json.dumps(json.loads(one), separators=(",", ":")) + "\n")
        run_env = {**env, **settings}
        proxy.requests, proxy.operations = 0, Counter()
        done = measure(RELEASE / "batch-notifier", "0", env=run_env, event=path)
        assert done["invocations"] == invocations, done
        result[kind] = {"table_requests_per_event": round(proxy.requests / invocations, 3),
                        "table_requests": dict(proxy.operations), "events": invocations}
    return result


def measure_lookups(env, measure, url):
    s3control = S3ControlServer()
    try:
        bench = ROOT / "target" / "bench"
        bench.mkdir(parents=True, exist_ok=True)
        s3_event = ROOT / "events" / "s3-batch-job-complete.json"
        s3_job = json.loads(s3_event.read_text())["detail"]["serviceEventDetails"]["jobId"]
        s3control.jobs[s3_job] = job(s3_job)
        write_job_log(url, [f"line {i} of the job's output" for i in range(100)])
        job_id = submit_batch_job(url)
        terminate = bench / "terminate-job.json"
        example = ROOT / "events" / "batch-api-terminate-job.json"
        terminate.write_text(example.read_text().replace("8f2d7a6e-3b1c-4e5d-9a8b-7c6d5e4f3a21", job_id))
        lookups = {**env, **every_lookup(s3control.url, url)}
        result = {}
        for source, event in (("s3_jobs", s3_event), ("job_logs", EVENT), ("jobs", terminate)):
            without = measure(RELEASE / "batch-notifier", "0", env=env, event=event)
            with_lookup = measure(RELEASE / "batch-notifier", "0", env=lookups, event=event)
            result[source] = {"event": event.name, **{
                f"{which}_ms_{name}": run[f"{which}_ms"] for name, run in (("without", without), ("with", with_lookup))
                for which in ("first_invocation", "warm_invocation")},
                "added_ms": round(with_lookup["warm_invocation_ms"] - without["warm_invocation_ms"], 2),
                # The first lookup of a kind also builds its client.
                "added_first_ms": round(with_lookup["first_invocation_ms"] - without["first_invocation_ms"], 2)}
        assert len(s3control.requests) >= int(RUNS) * (1 + int(WARM)), "the S3 lookups did not happen"
        return result
    finally:
        s3control.stop()


if __name__ == "__main__":
    sys.exit(main())
