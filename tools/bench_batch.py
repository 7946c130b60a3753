"""SQS batches through the release bootstrap, with the harness of examples/lambda_harness.rs and
moto's SNS on loopback behind a proxy that counts requests: the function's CPU time per event one
event per invocation and in batches of 100 (`each` and `digest`), SNS requests per event, and peak
memory for a 6 MB batch."""

import json
import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import boto3

import moto_launcher as moto_server
from fault_proxy import FaultProxy

ROOT = Path(__file__).resolve().parents[1]
RELEASE = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
WORK = ROOT / "target" / "bench"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EXAMPLES = [p.read_text() for p in sorted((ROOT / "events").glob("*.json"))]
BATCHES = int(os.environ.get("BATCHES", "50"))
BATCH = 100
CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


def fresh(i):
    mapping = {}
    text = UUID.sub(lambda m: mapping.setdefault(m.group(0), str(uuid.uuid4())), EXAMPLES[i % len(EXAMPLES)])
    return json.dumps(json.loads(text), separators=(",", ":"))


def sqs_event(bodies):
    return {"Records": [{
        "messageId": str(uuid.uuid4()), "receiptHandle": "handle", "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:events", "awsRegion": "us-east-1",
    } for body in bodies]}


def write_lines(path, values):
    with open(path, "w") as out:
        for value in values:
            out.write((value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))) + "\n")


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    singles, batches = WORK / "singles.jsonl", WORK / "batches.jsonl"
    events = BATCHES * BATCH
    write_lines(singles, (fresh(i) for i in range(events)))
    write_lines(batches, (sqs_event([fresh(b * BATCH + i) for i in range(BATCH)]) for b in range(BATCHES)))
    big, bodies, size = WORK / "batch-6mb.json", [], 0
    while size < 5_900_000:
        bodies.append(fresh(len(bodies)))
        size += len(bodies[-1]) + 400
    big.write_text(json.dumps(sqs_event(bodies)))

    moto, url = moto_server.start()
    proxy = FaultProxy(url)
    try:
        topic = boto3.client("sns", endpoint_url=url, **CREDENTIALS).create_topic(Name="bench")["TopicArn"]
        env = {**os.environ, "TOPIC_ARN": topic, "AWS_ENDPOINT_URL_SNS": proxy.url, "AWS_REGION": "us-east-1", "ENRICH": "",
               "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "INCLUDE_READ_ONLY": "true"}

        def run(event_file, invocations, records_each, **settings):
            proxy.operations = Counter()
            done = subprocess.run(
                [str(RELEASE / "examples" / "lambda_harness"), str(RELEASE / "batch-notifier"), str(event_file),
                 "0", "0", str(invocations)], env={**env, **settings}, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout)
            first, last = result["memory"][0], result["memory"][-1]
            counted = (last["invocations"] - first["invocations"]) * records_each
            return {
                "events": invocations * records_each,
                "invocations": invocations,
                "cpu_us_per_event": round((last["cpu_ms"] - first["cpu_ms"]) * 1000 / counted, 1),
                "sns_requests": dict(proxy.operations),
                "sns_requests_per_event": round(sum(proxy.operations.values()) / (invocations * records_each), 4),
                "peak_kib": last["peak_kib"],
            }

        report = {
            "one event per invocation": run(singles, events, 1),
            "batches of 100, each": run(batches, BATCHES, BATCH),
            "batches of 100, digest": run(batches, BATCHES, BATCH, DELIVERY="digest"),
        }
        six = run(big, 3, len(bodies))
        report["6 MB batch"] = {"records": len(bodies), "bytes": big.stat().st_size, "peak_kib": six["peak_kib"],
                                "cpu_us_per_event": six["cpu_us_per_event"]}
        single = report["one event per invocation"]["cpu_us_per_event"]
        for name in ("batches of 100, each", "batches of 100, digest"):
            report[name]["cpu_ratio_to_one_event_per_invocation"] = round(
                report[name]["cpu_us_per_event"] / single, 2)
        print(json.dumps(report, indent=1))
    finally:
        proxy.stop()
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
