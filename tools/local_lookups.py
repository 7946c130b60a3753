"""What the lookups find, put in place on loopback: a job in moto's AWS Batch, a job's log stream
in moto's CloudWatch Logs. The end-to-end tests and the benchmarks share these."""

import json
import time
import urllib.request

import boto3

REGION = "us-east-1"
# The failed example job (events/batch-job-state-failed.json) names this group and stream.
LOG_GROUP = "/batch/etl"
LOG_STREAM = "etl-job/default/1a2b3c4d5e6f"


def clients(url, region=REGION, credentials=None):
    """boto3 clients on moto at `url`: its default account, or the account of `credentials` (an
    STS answer's `Credentials`)."""
    keys = dict(aws_access_key_id="test", aws_secret_access_key="test")
    if credentials:
        keys = dict(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"])
    kw = dict(endpoint_url=url, region_name=region, **keys)
    return boto3.client("batch", **kw), boto3.client("logs", **kw), boto3.client("iam", **kw)


def submit_batch_job(url, name="nightly-etl", queue="etl-queue"):
    """A job in moto's AWS Batch at `url` (jobs finish at once, without Docker): its id."""
    request = urllib.request.Request(f"{url}/moto-api/config", method="POST",
                                     data=json.dumps({"batch": {"use_docker": False}}).encode())
    urllib.request.urlopen(request, timeout=10)
    batch, _, iam = clients(url)
    role = iam.create_role(RoleName=f"{queue}-service", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    environment = batch.create_compute_environment(
        computeEnvironmentName=f"{queue}-ce", type="UNMANAGED", state="ENABLED", serviceRole=role,
    )["computeEnvironmentArn"]
    batch.create_job_queue(jobQueueName=queue, state="ENABLED", priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment}])
    batch.register_job_definition(jobDefinitionName=f"{queue}-job", type="container",
                                  containerProperties={"image": "busybox", "vcpus": 1, "memory": 128})
    return batch.submit_job(jobName=name, jobQueue=queue, jobDefinition=f"{queue}-job")["jobId"]


def write_job_log(url, messages, group=LOG_GROUP, stream=LOG_STREAM, region=REGION, credentials=None):
    """A log stream with `messages`, oldest first, in moto's CloudWatch Logs at `url` (in `region`,
    and the account of `credentials`)."""
    _, logs, _ = clients(url, region, credentials)
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": now + i, "message": message} for i, message in enumerate(messages)])
