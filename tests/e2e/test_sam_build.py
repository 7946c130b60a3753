"""`sam build` with cargo-lambda, as `sam deploy` would build it, and the bootstrap it produces
serving events through a Lambda runtime API."""

import json
import platform
import subprocess

import pytest

from conftest import ROOT, invoke_every_event, preview, tool_env

BUILD_TIMEOUT = 45 * 60
NATIVE = {"x86_64": "x86_64", "aarch64": "arm64"}[platform.machine()]
RUST_TARGET = {"x86_64": "x86_64-unknown-linux-gnu", "arm64": "aarch64-unknown-linux-gnu"}
ELF_MACHINE = {"x86_64": 62, "arm64": 183}


def installed_targets():
    done = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True, text=True)
    return set(done.stdout.split())


def sam_build(architecture, build_dir):
    done = subprocess.run(
        ["sam", "build", "--template", str(ROOT / "template.yaml"), "--build-dir", str(build_dir),
         "--parameter-overrides", f"Architecture={architecture}"],
        cwd=ROOT, env=tool_env(SAM_CLI_TELEMETRY="0"), capture_output=True, text=True, timeout=BUILD_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    bootstrap = build_dir / "BatchNotifierFunction" / "bootstrap"
    assert bootstrap.is_file()
    return bootstrap


def elf_machine(path):
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


@pytest.fixture(scope="module")
def native_bootstrap(tmp_path_factory):
    return sam_build(NATIVE, tmp_path_factory.mktemp("sam-build"))


def test_the_built_bootstrap_serves_every_event_through_the_runtime_api(aws, start_bootstrap, native_bootstrap):
    assert elf_machine(native_bootstrap) == ELF_MACHINE[NATIVE]
    topic = aws.topic("batch-alerts")
    queue = aws.subscribe(topic, "all", raw=False)
    expected = preview(TOPIC_ARN=topic)
    function = start_bootstrap(native_bootstrap, TOPIC_ARN=topic)
    published = invoke_every_event(function, expected)
    bodies = sorted(json.loads(m["Body"])["Message"] for m in aws.drain(queue, at_least=len(published)))
    assert bodies == sorted(line["publish"]["Message"] for line in expected.values() if "publish" in line)
    # Lambda's JSON log format: one JSON object per log line.
    logs = [json.loads(line) for line in function.logs().splitlines() if line.startswith("{")]
    assert any(entry.get("fields", {}).get("decision") == "published" for entry in logs)


def test_the_other_architecture_builds_when_its_rust_target_is_installed(tmp_path):
    other = next(a for a in RUST_TARGET if a != NATIVE)
    if RUST_TARGET[other] not in installed_targets():
        # Rust targets come from the toolchain's distribution server, not from a package registry:
        # where it cannot be reached, only the native architecture is built (see README).
        pytest.skip(f"the {RUST_TARGET[other]} Rust target is not installed")
    bootstrap = sam_build(other, tmp_path / "sam-build")
    assert elf_machine(bootstrap) == ELF_MACHINE[other]
