"""`sam local invoke` and `sam local start-lambda` through the template's own function, built by
`sam build`, in a container engine: Docker where one answers, otherwise the project's podman
(tools/container_engine.py), on the real Lambda base image where it can be pulled and otherwise on
the stand-in that scripts/setup-tools builds. The function in its container publishes to moto's
server on this machine, bound to the containers' bridge gateway, and what it published is read
back from an SQS subscription. Every SAM command runs with instance metadata disabled."""

import hashlib
import json
import re
import socket
import subprocess
import sys
import time
import uuid

import boto3
import botocore.config
import pytest

from conftest import (ACCOUNT, NATIVE, REGION, REPORT, ROOT, Aws, free_port, listening, preview, stop,
                      tool_env, wait_for)

sys.path.insert(0, str(ROOT / "tools"))
import container_engine  # noqa: E402
import moto_launcher  # noqa: E402
from samcli.yamlhelper import yaml_dump, yaml_parse  # noqa: E402  (SAM's own reader of its templates)

FUNCTION = "BatchNotifierFunction"
EXAMPLES = ["batch-api-terminate-job.json", "batch-job-state-failed.json", "s3-batch-job-failed.json"]
INVOKE_TIMEOUT = 180
# Amazon Linux 2023's C library: the bootstrap may need no symbol version newer than this.
AL2023_GLIBC = (2, 34)


@pytest.fixture(scope="module")
def engine(request, tmp_path_factory):
    log = tmp_path_factory.mktemp("engine") / "engine.log"
    try:
        with open(log, "w") as out:
            engine = container_engine.start(log=out)
    except container_engine.EngineMissing as missing:
        pytest.fail(f"sam local cannot run here: {missing}")
    request.config.stash.setdefault(REPORT, []).append(f"sam local ran on {engine.description}")
    yield engine
    engine.stop()


def bindable(address):
    with socket.socket() as s:
        try:
            s.bind((address, 0))
            return True
        except OSError:
            return False


@pytest.fixture(scope="module")
def bridge(engine):
    """The host's address on the engine's bridge, held while the module runs: podman removes its
    bridge when the last container stops, so a container that sleeps keeps it."""
    import docker

    gateway = container_engine.bridge_gateway(engine.host)
    client, keeper = docker.DockerClient(base_url=engine.host, timeout=60), None
    if not bindable(gateway):
        keeper = client.containers.run(engine.image, entrypoint=["sleep", "3600"], detach=True, remove=True)
        deadline = time.monotonic() + 30
        while not bindable(gateway):
            assert time.monotonic() < deadline, f"the engine's bridge {gateway} did not come up"
            time.sleep(0.2)
    yield gateway
    if keeper is not None:
        keeper.kill()
    client.close()


@pytest.fixture(scope="module")
def bridge_aws(bridge):
    """moto's SNS and SQS where the containers reach them."""
    server, url = moto_launcher.start(host=bridge)
    yield Aws(url)
    server.stop()


def parameter_defaults(template):
    return {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}


@pytest.fixture(scope="module")
def sam_template(native_sam_build, tmp_path_factory):
    """The built template, with the SNS endpoint declared among the function's variables: SAM
    passes `--env-vars` only for variables the template declares. Returns (path, the variables'
    values as deployed with the template's defaults and no state table, for those that are plain
    references or literals)."""
    template = yaml_parse((native_sam_build / "template.yaml").read_text())
    function = template["Resources"][FUNCTION]["Properties"]
    function["CodeUri"] = str(native_sam_build / FUNCTION)
    variables = function["Environment"]["Variables"]
    defaults = parameter_defaults(template)
    deployed = {name: defaults[value["Ref"]] for name, value in variables.items()
                if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in defaults}
    # Without the state table (it would be in AWS): what the template gives in its place.
    deployed.update({name: value["Fn::If"][2] for name, value in variables.items()
                     if isinstance(value, dict) and set(value) == {"Fn::If"}
                     and value["Fn::If"][0] == "UseStateStore" and isinstance(value["Fn::If"][2], str)})
    variables["AWS_ENDPOINT_URL_SNS"] = ""
    path = tmp_path_factory.mktemp("sam-template") / "template.yaml"
    path.write_text(yaml_dump(template))
    return path, deployed


def sam_env(engine):
    """SAM's own environment: no credentials (fake ones make it look the account up) and no
    instance metadata."""
    env = {k: v for k, v in tool_env().items() if not k.startswith("AWS_")}
    env.update(AWS_EC2_METADATA_DISABLED="true", SAM_CLI_TELEMETRY="0", DOCKER_HOST=engine.host)
    return env


@pytest.fixture
def local(engine, bridge_aws, sam_template, tmp_path):
    """Runs SAM's local commands on the built function, publishing to a fresh topic on the bridge's
    moto; `settings` are the function's, equal to what `preview` is given."""
    template, deployed = sam_template

    class Local:
        def __init__(self):
            self.aws = bridge_aws
            self.topic = bridge_aws.topic(f"alerts-{uuid.uuid4().hex[:8]}")
            # As deployed, on no state table and without lookups (both would go to AWS).
            self.settings = {**deployed, "TOPIC_ARN": self.topic, "DELIVERY": "each", "ENRICH": ""}
            self.env_vars = tmp_path / "env.json"
            self.env_vars.write_text(json.dumps(
                {FUNCTION: {**self.settings, "AWS_ENDPOINT_URL_SNS": bridge_aws.url}}))

        def args(self):
            return ["--template", str(template), "--env-vars", str(self.env_vars), "--region", REGION,
                    "--parameter-overrides", f"Architecture={NATIVE}", *engine.image_args]

        def invoke(self, event_file):
            done = subprocess.run(["sam", "local", "invoke", FUNCTION, "--event", str(event_file), *self.args()],
                                  cwd=tmp_path, env=sam_env(engine), capture_output=True, text=True,
                                  timeout=INVOKE_TIMEOUT)
            lines = done.stdout.strip().splitlines()
            assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
            return json.loads(lines[-1]), done.stderr

    return Local()


def glibc_versions(binary):
    done = subprocess.run(["objdump", "-T", str(binary)], capture_output=True, text=True, check=True)
    return {tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", done.stdout)}


def test_the_bootstrap_needs_no_glibc_newer_than_amazon_linux_2023s(native_sam_build):
    versions = glibc_versions(native_sam_build / FUNCTION / "bootstrap")
    assert versions, "the bootstrap links glibc dynamically"
    assert max(versions) <= AL2023_GLIBC, f"needs GLIBC_{'.'.join(map(str, max(versions)))}"


def test_sam_local_invoke_publishes_what_preview_shows(local):
    queue = local.aws.subscribe(local.topic, f"q-{uuid.uuid4().hex[:8]}", raw=False)
    expected = preview(**local.settings)
    published = {}
    for name in EXAMPLES:
        result, logs = local.invoke(ROOT / "events" / name)
        assert set(result) == {"published"}, f"{name}: {result}\n{logs[-3000:]}"
        published[result["published"]] = expected[name]["publish"]
    for message in local.aws.drain(queue, at_least=len(EXAMPLES), timeout=30):
        envelope = json.loads(message["Body"])
        request = published.pop(envelope["MessageId"])
        assert envelope["Subject"] == request["Subject"]
        assert envelope["Message"] == request["Message"]
        attributes = {name: value["Value"] for name, value in envelope["MessageAttributes"].items()}
        assert attributes == {name: a["StringValue"] for name, a in request["MessageAttributes"].items()}
    assert published == {}, "each invocation's message arrived once"


def test_an_invalid_event_ends_the_invocation_with_the_functions_error_type(local, tmp_path):
    event = tmp_path / "invalid.json"
    event.write_text('{"source": "aws.batch", "detail-type": "Batch Job State Change", "detail": {}}')
    result, logs = local.invoke(event)
    assert result["errorType"] == "InvalidEvent", f"{result}\n{logs[-3000:]}"
    assert "`status` is missing" in result["errorMessage"]


def sqs_record(body):
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "handle", "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764633600000",
                           "SenderId": "AROAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1764633600000"},
            "messageAttributes": {}, "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:batch-notifier-events",
            "awsRegion": REGION}


def test_sam_local_start_lambda_answers_an_sqs_batch_with_the_partial_batch_response(local, engine, tmp_path):
    queue = local.aws.subscribe(local.topic, f"q-{uuid.uuid4().hex[:8]}", raw=True)
    port = free_port()
    log = tmp_path / "start-lambda.log"
    with open(log, "w") as out:
        server = subprocess.Popen(["sam", "local", "start-lambda", "--host", "127.0.0.1", "--port", str(port),
                                   *local.args()], cwd=tmp_path, env=sam_env(engine), stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(listening(port), "sam local start-lambda", server, log)
        good = sqs_record((ROOT / "events" / "batch-job-state-failed.json").read_text())
        bad = sqs_record('{"source": "aws.batch", "detail-type": "Batch Job State Change", "detail": {"status": 7}}')
        client = boto3.client(
            "lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION, aws_access_key_id="test",
            aws_secret_access_key="test",
            config=botocore.config.Config(read_timeout=INVOKE_TIMEOUT, retries={"max_attempts": 0}))
        answer = client.invoke(FunctionName=FUNCTION, Payload=json.dumps({"Records": [good, bad]}).encode())
        payload = json.loads(answer["Payload"].read())
        assert "FunctionError" not in answer, payload
        assert payload == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}, log.read_text()[-3000:]
        expected = preview(**local.settings)["batch-job-state-failed.json"]["publish"]
        [message] = local.aws.drain(queue, at_least=1, timeout=30)
        assert message["Body"] == expected["Message"]
    finally:
        stop(server)



def test_without_an_engine_sam_local_fails_saying_what_is_missing(monkeypatch):
    monkeypatch.setattr(container_engine, "docker_host", lambda: None)
    monkeypatch.setattr(container_engine.shutil, "which", lambda name: None)
    with pytest.raises(container_engine.EngineMissing, match="no Docker engine answers and the project's podman"):
        container_engine.start()
    monkeypatch.setattr(container_engine.os, "geteuid", lambda: 1000)
    with pytest.raises(container_engine.EngineMissing, match="podman, runc, busybox cannot be installed here"):
        container_engine.install_podman()
