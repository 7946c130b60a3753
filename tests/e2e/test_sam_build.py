"""`sam build` with cargo-lambda, as `sam deploy` would build it, and the bootstrap it produces
serving events through a Lambda runtime API."""

import json

import pytest

from conftest import NATIVE, OTHER, RUST_TARGET, invoke_every_event, preview

ELF_MACHINE = {"x86_64": 62, "arm64": 183}


def elf_machine(path):
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


@pytest.fixture(scope="module")
def native_bootstrap(native_sam_build):
    return native_sam_build / "BatchNotifierFunction" / "bootstrap"


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


def test_the_other_architecture_builds_when_its_rust_target_is_installed(sam_builds):
    if OTHER not in sam_builds.architectures:
        # Rust targets come from the toolchain's distribution server, not from a package registry:
        # where it cannot be reached, only the native architecture is built (see README).
        pytest.skip(f"the {RUST_TARGET[OTHER]} Rust target is not installed")
    bootstrap = sam_builds.result(OTHER) / "BatchNotifierFunction" / "bootstrap"
    assert elf_machine(bootstrap) == ELF_MACHINE[OTHER]
