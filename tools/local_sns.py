"""A local SNS for trying the function: starts moto's server on 127.0.0.1:5000, creates the topic
that local.env names with an SQS queue subscribed to it, and prints every notification delivered
to the queue until you press Ctrl-C."""

import argparse
import json
from pathlib import Path

import boto3

import moto_launcher as moto_server

ROOT = Path(__file__).resolve().parents[1]


def local_env():
    values = {}
    for line in (ROOT / "local.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    env = local_env()
    server, url = moto_server.start(args.port)
    try:
        kw = dict(endpoint_url=url, region_name=env["AWS_REGION"], aws_access_key_id="local",
                  aws_secret_access_key="local")
        sns, sqs = boto3.client("sns", **kw), boto3.client("sqs", **kw)
        topic = sns.create_topic(Name=env["TOPIC_ARN"].rsplit(":", 1)[1])["TopicArn"]
        queue = sqs.create_queue(QueueName="batch-notifier-local")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        print(f"SNS on {url}: topic {topic}, delivering to an SQS queue. Waiting for notifications (Ctrl-C stops).",
              flush=True)
        while True:
            for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1,
                                               MaxNumberOfMessages=10).get("Messages", []):
                envelope = json.loads(message["Body"])
                attributes = {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()}
                print(f"\n--- {envelope.get('Subject', '(no subject)')}\n{json.dumps(attributes)}\n{envelope['Message']}",
                      flush=True)
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
