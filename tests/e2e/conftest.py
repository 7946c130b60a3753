"""Fixtures for the end-to-end tests: a real SNS/SQS (moto's server) on loopback and the function
served by `cargo lambda watch`. A server that cannot start fails the test run; nothing is skipped."""

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import moto_launcher  # noqa: E402  (the project's scripts start moto the same way)
from fault_proxy import FaultProxy  # noqa: E402
from state_table import state_table_definition  # noqa: E402
VENV_BIN = ROOT / ".venv" / "bin"
BINARY = ROOT / "target" / "debug" / "batch-notifier"
EVENTS = sorted((ROOT / "events").glob("*.json"))
REGION = "us-east-1"
ACCOUNT = "123456789012"
START_TIMEOUT = 60
INVOKE_TIMEOUT = 120
SAM_BUILD_TIMEOUT = 45 * 60
NATIVE = {"x86_64": "x86_64", "aarch64": "arm64"}[platform.machine()]

# Settings of the function that tests pass explicitly; nothing leaks in from the caller's shell.
FUNCTION_SETTINGS = {
    "TOPIC_ARN", "MIN_SEVERITY", "INCLUDE_READ_ONLY", "EVENT_NAMES_INCLUDE", "EVENT_NAMES_EXCLUDE",
    "SKIP_TRANSITIONAL_STATUSES", "MESSAGE_FORMAT", "METRICS_NAMESPACE", "CHILD_JOB_EVENTS",
    "ACCOUNT_NAMES", "STATE_TABLE", "STATE_FAILURE", "STATE_TTL_DAYS", "STATE_LEASE_SECONDS",
    "CHILD_FAILURES_MAX", "DELIVERY", "DIGEST_IMMEDIATE_SEVERITY", "ENRICH", "LOG_LINES",
    "ENRICH_TIMEOUT_MS",
}
DYNALITE = ROOT / "tools" / "dynalite" / "node_modules" / "dynalite" / "cli.js"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what, process, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{Path(log).read_text()[-4000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not start within {START_TIMEOUT}s:\n{Path(log).read_text()[-4000:]}")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def tool_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in FUNCTION_SETTINGS and not k.startswith("AWS_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def moto_url():
    """moto's ThreadedMotoServer (SNS, SQS, EventBridge), in this process on a free loopback port."""
    try:
        server, url = moto_launcher.start(timeout=START_TIMEOUT)
    except RuntimeError as error:
        pytest.fail(str(error))
    with urllib.request.urlopen(f"{url}/moto-api/", timeout=10) as answer:
        assert answer.status == 200, f"moto's server answers {answer.status}"
    yield url
    server.stop()


class Aws:
    """boto3 clients on the moto server, and helpers to wire topics to queues."""

    def __init__(self, url):
        self.url = url
        kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
        self.sns = boto3.client("sns", **kw)
        self.sqs = boto3.client("sqs", **kw)
        self.events = boto3.client("events", **kw)

    def topic(self, name, fifo=False):
        attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "false"} if fifo else {}
        return self.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]

    def queue(self, name, fifo=False):
        attributes = {"FifoQueue": "true"} if fifo else {}
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def subscribe(self, topic_arn, queue_name, raw=True, filter_policy=None, fifo=False):
        url, arn = self.queue(queue_name, fifo=fifo)
        attributes = {"RawMessageDelivery": "true" if raw else "false"}
        if filter_policy is not None:
            attributes["FilterPolicy"] = json.dumps(filter_policy)
        self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        return url

    def drain(self, queue_url, at_least=0, timeout=10):
        """Every message in the queue: waits for `at_least`, then takes what else is there."""
        messages = []
        deadline = time.monotonic() + timeout
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                MessageAttributeNames=["All"], AttributeNames=["All"],
            ).get("Messages", [])
            for message in batch:
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)
            if not batch and (len(messages) >= at_least or time.monotonic() > deadline):
                return messages
            if not batch:
                time.sleep(0.2)


@pytest.fixture
def aws(moto_url):
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10)
    return Aws(moto_url)


class Function:
    """The function behind `cargo lambda watch`'s Invoke API, invoked with `cargo lambda invoke` or
    over HTTP (`send`)."""

    def __init__(self, port, process, log, name="batch-notifier"):
        self.port, self.process, self.log, self.name = port, process, log, name

    def invoke(self, event_file=None, data=None):
        """(True, result) for a successful invocation, (False, error text) for a failed one."""
        source = ["--data-file", str(event_file)] if event_file else ["--data-ascii", data]
        done = subprocess.run(
            ["cargo", "lambda", "invoke", self.name, "--invoke-address", "127.0.0.1",
             "--invoke-port", str(self.port), "--output-format", "json", *source],
            cwd=ROOT, env=tool_env(), capture_output=True, text=True, timeout=INVOKE_TIMEOUT,
        )
        if done.returncode == 0:
            return True, json.loads(done.stdout)
        return False, done.stdout + done.stderr

    def logs(self):
        return Path(self.log).read_text()

    def send(self, event, timeout=INVOKE_TIMEOUT):
        """Invokes over the runtime emulator's Invoke API, as Lambda's own callers do, without a
        process per call: (True, result) or (False, the error's type and message)."""
        url = f"http://127.0.0.1:{self.port}/2015-03-31/functions/{self.name}/invocations"
        data = event if isinstance(event, bytes) else json.dumps(event).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                body = json.loads(answer.read() or b"null")
                failed = answer.headers.get("x-amz-function-error") or (
                    isinstance(body, dict) and "errorType" in body)
        except urllib.error.HTTPError as error:
            body, failed = json.loads(error.read() or b"null"), True
        if failed:
            return False, f"{body.get('errorType')}: {body.get('errorMessage')}"
        return True, body


def function_settings(moto_url, settings):
    """The function's environment on loopback. No lookups unless a test asks for them (`ENRICH`):
    they would go to AWS, and the notification would differ from `preview`'s, which is offline."""
    return {**dict(AWS_ENDPOINT_URL_SNS=moto_url, AWS_REGION=REGION, AWS_ACCESS_KEY_ID="test",
                   AWS_SECRET_ACCESS_KEY="test", ENRICH=""), **settings}


def listening(port):
    def check():
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    return check


def start_emulator(tmp_path, started):
    """`cargo lambda watch --only-lambda-apis`: the Lambda runtime API and Invoke API, serving
    whichever function processes poll it. Returns (port, process, log)."""
    port = free_port()
    log = tmp_path / f"function-{len(started)}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            ["cargo", "lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1",
             "--invoke-port", str(port)],
            # A process group of its own, in this session, that the function's processes join.
            cwd=ROOT, env=tool_env(), stdout=out, stderr=subprocess.STDOUT, process_group=0,
        )
    started.append(process)
    wait_for(listening(port), "cargo lambda watch", process, log)
    return port, process, log


@pytest.fixture(scope="session", autouse=True)
def built_binary():
    """The function's debug binary, as the Rust tests built it (`cargo test` builds the binary with
    the tests' dependency features; building it alone would compile every dependency again).
    Up to date after scripts/test's Rust step, so this costs a second there; every test's
    `preview` reads it too."""
    done = subprocess.run(["cargo", "test", "--locked", "--no-run", "--quiet"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30 * 60)
    assert done.returncode == 0, f"cargo test --no-run failed:\n{done.stderr[-4000:]}"
    return BINARY


@pytest.fixture
def start_bootstrap(moto_url, tmp_path):
    """Runs a built bootstrap as Lambda runs it: `concurrency` processes of it polling the runtime
    API of `cargo lambda watch --only-lambda-apis`, each taking one invocation at a time. Stopping
    the returned function's `process` (its process group) stops the emulator and every process."""
    started = []

    def start(bootstrap, command_prefix=(), concurrency=1, log_format="JSON", **settings):
        port, watch, log = start_emulator(tmp_path, started)
        env = function_settings(moto_url, settings)
        env.update(PATH=os.environ.get("PATH", ""), AWS_LAMBDA_RUNTIME_API=f"http://127.0.0.1:{port}/.rt",
                   AWS_LAMBDA_FUNCTION_NAME="batch-notifier", AWS_LAMBDA_FUNCTION_VERSION="1",
                   AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128", AWS_EC2_METADATA_DISABLED="true")
        if log_format:
            env["AWS_LAMBDA_LOG_FORMAT"] = log_format
        with open(log, "a") as out:
            for _ in range(concurrency):
                subprocess.Popen([*command_prefix, str(bootstrap)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                 process_group=watch.pid)
        # The emulator names a function it does not start `_`.
        return Function(port, watch, log, name="_")

    yield start
    for process in started:
        stop(process)


@pytest.fixture
def start_function(start_bootstrap, built_binary):
    """Serves the function's debug binary under the given settings, `concurrency` at a time."""

    def start(concurrency=1, **settings):
        return start_bootstrap(built_binary, concurrency=concurrency, log_format=None, **settings)

    return start


def start_dynalite(log):
    port = free_port()
    with open(log, "w") as out:
        process = subprocess.Popen(
            ["node", str(DYNALITE), "--host", "127.0.0.1", "--port", str(port), "--createTableMs", "0",
             "--deleteTableMs", "0", "--updateTableMs", "0"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    wait_for(listening(port), f"dynalite ({DYNALITE}; run scripts/setup-tools)", process, log)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def dynalite_url(tmp_path_factory):
    """dynalite, a DynamoDB implementation independent of moto's, on a free loopback port."""
    if not DYNALITE.exists():
        pytest.fail(f"{DYNALITE} is missing: run scripts/setup-tools")
    process, url = start_dynalite(tmp_path_factory.mktemp("dynalite") / "dynalite.log")
    yield url
    stop(process)


class Table:
    """A state table, as the template declares it, on one DynamoDB implementation: `url` is where
    the function reaches it."""

    def __init__(self, url, name, direct_url=None):
        self.url, self.name = url, name
        self.client = boto3.client("dynamodb", endpoint_url=direct_url or url, region_name=REGION,
                                   aws_access_key_id="test", aws_secret_access_key="test")
        self.client.create_table(TableName=name, **state_table_definition())
        self.client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})

    def items(self):
        """Every item, by key, with plain values."""
        found, start = {}, {}
        while True:
            page = self.client.scan(TableName=self.name, ConsistentRead=True, **start)
            for item in page["Items"]:
                plain = {k: next(iter(v.values())) for k, v in item.items()}
                found[plain.pop("pk")] = plain
            if "LastEvaluatedKey" not in page:
                return found
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


@pytest.fixture(params=["moto", "dynalite"])
def table(request, aws):
    """A fresh state table on moto's server, then on dynalite: every test that takes it runs on both.
    (After `aws`, which resets moto.)

    moto checks a write's condition and then writes, without a lock between, so two concurrent
    conditional writes to one item can both succeed, which DynamoDB never allows. The function
    reaches moto's table through a proxy that passes one request at a time; dynalite locks items
    itself and is reached directly."""
    name = f"state-{request.node.name.split('[')[0][-40:]}-{time.monotonic_ns()}"
    if request.param == "dynalite":
        yield Table(request.getfixturevalue("dynalite_url"), name)
        return
    serial = FaultProxy(aws.url, one_at_a_time=True)
    yield Table(serial.url, name, direct_url=aws.url)
    serial.stop()


def preview(**settings):
    """What `preview` says of every example event under `settings`, by file name."""
    env = tool_env(**settings)
    done = subprocess.run([str(BINARY), "preview", "events/"], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    return {Path(line["source"]).name: line for line in map(json.loads, done.stdout.splitlines())}


def preview_files(tmp_path, events, **settings):
    """What `preview` says of each of `events` (JSON values), in order."""
    path = tmp_path / f"preview-{time.monotonic_ns()}.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    done = subprocess.run([str(BINARY), "preview", str(path)], cwd=ROOT, env=tool_env(**settings),
                          capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def invoke_every_event(function, expected):
    """Sends every example event to `function` and checks each result against what `preview` said;
    returns the published requests by SNS message id."""
    published = {}
    for event in EVENTS:
        ok, result = function.invoke(event)
        assert ok, f"{event.name}: {result}"
        line = expected[event.name]
        if "publish" in line:
            assert set(result) == {"published"}, event.name
            published[result["published"]] = line["publish"]
        else:
            assert result == {"skipped": line["skip"]}, event.name
    return published


RUST_TARGET = {"x86_64": "x86_64-unknown-linux-gnu", "arm64": "aarch64-unknown-linux-gnu"}
OTHER = next(a for a in RUST_TARGET if a != NATIVE)
SAM_TESTS = ("test_sam_build.py", "test_sam_local.py")


def installed_targets():
    done = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True, text=True)
    return set(done.stdout.split())


class SamBuilds:
    """`sam build` of the template's function, as `sam deploy` would build it: the native
    architecture, then the other one where its Rust target is installed. Each is a release build of
    several minutes, so they run one after the other in the background from the session's start, at
    the lowest CPU priority and in a target directory of their own (cargo locks one per build), on
    the cores the other end-to-end tests leave idle; the tests that need them run last.

    The native build is the deployed one, profile and all: its bootstrap serves every event. The
    other architecture's proves that the code, the cross toolchain and SAM's build work for it, so
    it skips optimisation (no LTO, opt-level 0, parallel code generation), which is most of a
    release build's time and no part of what that test checks."""

    def __init__(self, root):
        self.root, self.done, self.results = root, {}, {}
        self.process, self.stopped = None, False
        self.architectures = [NATIVE] + ([OTHER] if RUST_TARGET[OTHER] in installed_targets() else [])
        for architecture in self.architectures:
            self.done[architecture] = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        env = tool_env(SAM_CLI_TELEMETRY="0", CARGO_TARGET_DIR=str(ROOT / "target" / "sam"))
        for architecture in self.architectures:
            if architecture != NATIVE:
                env = dict(env, CARGO_PROFILE_RELEASE_OPT_LEVEL="0", CARGO_PROFILE_RELEASE_LTO="off",
                           CARGO_PROFILE_RELEASE_CODEGEN_UNITS="16")
            build_dir, log = self.root / architecture, self.root / f"{architecture}.log"
            code = None
            with open(log, "w") as out:
                if not self.stopped:
                    self.process = subprocess.Popen(
                        ["nice", "-n", "19", "sam", "build", "--template", str(ROOT / "template.yaml"),
                         "--build-dir", str(build_dir), "--parameter-overrides", f"Architecture={architecture}"],
                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
                    try:
                        code = self.process.wait(SAM_BUILD_TIMEOUT)
                    except subprocess.TimeoutExpired:
                        stop(self.process)
            self.results[architecture] = (code, build_dir, log)
            self.done[architecture].set()

    def result(self, architecture):
        """The build folder (its `template.yaml` and `BatchNotifierFunction/bootstrap`), once built."""
        assert self.done[architecture].wait(SAM_BUILD_TIMEOUT), f"sam build {architecture} did not finish"
        code, build_dir, log = self.results[architecture]
        assert code == 0, f"sam build {architecture} exited with {code}:\n{log.read_text()[-6000:]}"
        assert (build_dir / "BatchNotifierFunction" / "bootstrap").is_file()
        return build_dir

    def stop(self):
        self.stopped = True
        if self.process is not None:
            stop(self.process)


NEEDS_SAM_BUILD = pytest.StashKey[bool]()
# Lines for the end of the run's output: what ran where it could have been something else.
REPORT = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in config.stash.get(REPORT, []):
        terminalreporter.write_line(line)


def uses_sam_build(item):
    return item.path.name in SAM_TESTS


def pytest_collection_modifyitems(session, config, items):
    """The tests that need `sam build` go last, so that the builds have the most time; the one that
    needs the other architecture's, built second, goes after them."""
    items.sort(key=lambda item: (uses_sam_build(item), "other_architecture" in item.name))
    config.stash[NEEDS_SAM_BUILD] = any(map(uses_sam_build, items))


@pytest.fixture(scope="session", autouse=True)
def sam_builds(request, built_binary, tmp_path_factory):
    """Starts the builds at the session's start when a collected test needs them, once the debug
    binary is up to date (so that a stale debug build never competes with them for the CPU)."""
    if not request.config.stash.get(NEEDS_SAM_BUILD, False):
        yield None
        return
    builds = SamBuilds(tmp_path_factory.mktemp("sam-build"))
    yield builds
    builds.stop()


@pytest.fixture(scope="session")
def native_sam_build(sam_builds):
    return sam_builds.result(NATIVE)
