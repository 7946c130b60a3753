"""moto's own ThreadedMotoServer, for the project's scripts and end-to-end tests: on loopback, or,
for functions that `sam local` runs in containers, on the containers' bridge."""

import logging
import threading
import time

from moto.server import ThreadedMotoServer
from moto.sqs import models as sqs_models


def keep_sqs_receives_short():
    """moto's SQS (5.2.5) reads all of a queue's attributes, three scans of the whole queue with two
    datetime conversions per message, for each message it hands out, so a receive from a queue of
    3,000 messages takes 5 s and a flood of 10,000 events cannot be read back. These replacements
    compute the same values with less work: a message's retention from the queue's own setting,
    without the scans, and the current time in milliseconds from the clock that moto's conversions
    read, without them (a send still reads all the attributes, and so still scans the queue)."""
    def within_retention(backend, queue_name, message):
        retention = int(backend.get_queue(queue_name).message_retention_period)
        return retention + message.sent_timestamp / 1000 > time.time()

    now_millis = sqs_models.unix_time_millis

    def unix_time_millis(dt=None):
        return time.time() * 1000.0 if dt is None else now_millis(dt)

    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = within_retention
    sqs_models.unix_time_millis = unix_time_millis


def start(port=0, timeout=30, host="127.0.0.1"):
    """moto's server on `host`:`port` (0: a free port) in this process; returns (server, url).
    `server.stop()` stops it."""
    # The server's request log would print a line per request into the caller's output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    keep_sqs_receives_short()
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    # start() waits for the server without a limit, and forever if it cannot bind: bounded here.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(timeout)
    if starter.is_alive():
        raise RuntimeError(f"moto's server did not start on {host}:{port} within {timeout}s")
    host, bound = server.get_host_and_port()
    return server, f"http://{host}:{bound}"
