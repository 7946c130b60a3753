"""Writes the AWS Batch job state events of one array job, one per line, as EventBridge delivers
them: the array job PENDING, then each child RUNNABLE, STARTING, RUNNING and SUCCEEDED or FAILED,
then the array job's final event with its children's counts; some events twice, as at-least-once
delivery does.

    tools/array_stream.py [--children 1000] [--failed-every 50] [--duplicate-every 100] > stream.jsonl
"""

import argparse
import json
import sys
import uuid

ACCOUNT, REGION = "123456789012", "us-east-1"
QUEUE = f"arn:aws:batch:{REGION}:{ACCOUNT}:job-queue/genomics"
DEFINITION = f"arn:aws:batch:{REGION}:{ACCOUNT}:job-definition/align-reads:3"
CHILD_STATES = ["RUNNABLE", "STARTING", "RUNNING"]


def event(seq, detail):
    return {
        "version": "0",
        "id": str(uuid.UUID(int=seq)),
        "detail-type": "Batch Job State Change",
        "source": "aws.batch",
        "account": ACCOUNT,
        "time": f"2026-11-20T10:{seq // 3600 % 60:02d}:{seq % 60:02d}Z",
        "region": REGION,
        "resources": [f"arn:aws:batch:{REGION}:{ACCOUNT}:job/{detail['jobId']}"],
        "detail": detail,
    }


def job(job_id, status, **extra):
    return {
        "jobArn": f"arn:aws:batch:{REGION}:{ACCOUNT}:job/{job_id}",
        "jobName": "align-reads",
        "jobId": job_id,
        "jobQueue": QUEUE,
        "status": status,
        "attempts": [],
        "jobDefinition": DEFINITION,
        "parameters": {},
        "container": {"image": "align:1", "command": ["align", "--sample", "Ref::sample"], "environment": []},
        **extra,
    }


def stream(children, failed_every, duplicate_every):
    parent = "6d2c0f9e-0c4b-4f3a-9a51-2f1e8c7b5a40"
    events = [job(parent, "PENDING", arrayProperties={"size": children, "statusSummary": {}})]
    failed = 0
    for index in range(children):
        child = f"{parent}:{index}"
        for status in CHILD_STATES:
            events.append(job(child, status, arrayProperties={"index": index, "statusSummary": {}}))
        fails = failed_every and index % failed_every == failed_every - 1
        failed += bool(fails)
        final = job(child, "FAILED" if fails else "SUCCEEDED", arrayProperties={"index": index, "statusSummary": {}},
                    statusReason="Essential container in task exited")
        final["attempts"] = [{"container": {"exitCode": 1 if fails else 0, "logStreamName": f"align-reads/default/{index:08x}"},
                              "statusReason": "Essential container in task exited"}]
        events.append(final)
    summary = {"SUCCEEDED": children - failed, "FAILED": failed, "RUNNING": 0, "RUNNABLE": 0, "STARTING": 0,
               "PENDING": 0, "SUBMITTED": 0}
    events.append(job(parent, "FAILED" if failed else "SUCCEEDED",
                      arrayProperties={"size": children, "statusSummary": summary}))
    for seq, detail in enumerate(events):
        line = json.dumps(event(seq, detail), separators=(",", ":"))
        print(line)
        if duplicate_every and seq % duplicate_every == duplicate_every - 1:
            print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--failed-every", type=int, default=50, help="every n-th child fails (0: none)")
    parser.add_argument("--duplicate-every", type=int, default=100, help="every n-th event arrives twice (0: none)")
    args = parser.parse_args()
    stream(args.children, args.failed_every, args.duplicate_every)


if __name__ == "__main__":
    sys.exit(main())
