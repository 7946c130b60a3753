"""Cold start, first and warm invocation, and memory over many invocations of the release bootstrap,
against a minimal lambda_runtime function built with the same profile, in the same run, with the
harness of examples/lambda_harness.rs and moto's SNS on loopback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

import moto_launcher as moto_server

ROOT = Path(__file__).resolve().parents[1]
RELEASE = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
RUNS = os.environ.get("RUNS", "21")
WARM = os.environ.get("WARM", "20")
SOAK = os.environ.get("SOAK", "10000")
EVENT = ROOT / "events" / "batch-job-state-failed.json"


def main():
    moto, url = moto_server.start()
    try:
        sns = boto3.client("sns", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                           aws_secret_access_key="bench")
        topic = sns.create_topic(Name="bench")["TopicArn"]
        env = {**os.environ, "TOPIC_ARN": topic, "AWS_ENDPOINT_URL_SNS": url, "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
        harness = str(RELEASE / "examples" / "lambda_harness")

        def measure(bootstrap, soak):
            done = subprocess.run([harness, str(bootstrap), str(EVENT), RUNS, WARM, soak], env=env,
                                  capture_output=True, text=True, check=True)
            return json.loads(done.stdout)

        ours = measure(RELEASE / "batch-notifier", SOAK)
        minimal = measure(RELEASE / "examples" / "minimal_lambda", "0")
        ours["cold_start_ratio_to_minimal"] = round(ours["cold_start_ms"] / minimal["cold_start_ms"], 2)
        ours["first_to_warm_ratio"] = round(ours["first_invocation_ms"] / ours["warm_invocation_ms"], 2)
        ours["bootstrap_bytes"] = (RELEASE / "batch-notifier").stat().st_size
        print(json.dumps({"batch-notifier": ours, "minimal": minimal}, indent=1))
    finally:
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
