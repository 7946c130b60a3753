"""Starts moto's server on loopback for the project's scripts."""

import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start(port, timeout=30):
    """moto_server on 127.0.0.1:`port`, once it answers; returns (process, url)."""
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"moto_server did not start on {url}")
