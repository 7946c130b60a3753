"""Preview throughput on a large file (one event per line, generated from events/) against a program
that only reads the same file and parses each line into a serde_json::Value. Same run, same file;
medians of several runs; peak memory for two file lengths to show it does not grow with the file."""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
RUNS = int(os.environ.get("RUNS", "5"))


def generate(path, count):
    events = [json.loads(p.read_text()) for p in sorted((ROOT / "events").glob("*.json"))]
    with open(path, "w") as out:
        for i in range(count):
            event = dict(events[i % len(events)])
            # Fresh ids, as EventBridge gives; a trimmed example has none of its own.
            event["id"] = f"{event.get('id', 'event')}-{i}"
            out.write(json.dumps(event, separators=(",", ":")) + "\n")


def run(command):
    """Wall time and peak resident memory (KiB) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    with open(os.devnull, "w") as sink:
        subprocess.run(command, stdout=sink, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, "INCLUDE_READ_ONLY": "true"})
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak if peak > before else None


def peak_memory(command):
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=True)
    return int(done.stderr.strip().splitlines()[-1])


def main():
    work = ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    big, small = work / "events-100k.jsonl", work / "events-10k.jsonl"
    generate(big, 100_000)
    generate(small, 10_000)
    preview = [str(RELEASE / "batch-notifier"), "preview"]
    floor = [str(RELEASE / "examples" / "parse_lines")]

    times = {"preview": [], "floor": []}
    for _ in range(RUNS):  # interleaved, so both see the same machine
        times["floor"].append(run([*floor, str(big)])[0])
        times["preview"].append(run([*preview, str(big)])[0])
    preview_s, floor_s = statistics.median(times["preview"]), statistics.median(times["floor"])
    result = {
        "events": 100_000,
        "runs": RUNS,
        "preview_s": round(preview_s, 3),
        "floor_s": round(floor_s, 3),
        "ratio": round(preview_s / floor_s, 2),
        "preview_events_per_s": round(100_000 / preview_s),
        "floor_events_per_s": round(100_000 / floor_s),
        "peak_kib_10k": peak_memory([*preview, str(small)]),
        "peak_kib_100k": peak_memory([*preview, str(big)]),
        "file_mib_100k": round(big.stat().st_size / 2**20, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
