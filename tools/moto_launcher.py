"""moto's own ThreadedMotoServer on loopback, for the project's scripts (the end-to-end tests start
theirs in tests/e2e/conftest.py)."""

import logging
import threading

from moto.server import ThreadedMotoServer


def start(port=0, timeout=30):
    """moto's server on 127.0.0.1:`port` (0: a free port) in this process; returns (server, url).
    `server.stop()` stops it."""
    # The server's request log would print a line per request into the caller's output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    # start() waits for the server without a limit, and forever if it cannot bind: bounded here.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(timeout)
    if starter.is_alive():
        raise RuntimeError(f"moto's server did not start on 127.0.0.1:{port} within {timeout}s")
    host, bound = server.get_host_and_port()
    return server, f"http://{host}:{bound}"
