"""AWS Batch `GetJobQueueSnapshot` on loopback, which moto does not implement:
`POST /v1/getjobqueuesnapshot` with `{"jobQueue": ...}`, answered in the JSON shape of AWS's API
reference (`frontOfQueue` → `jobs[]` with `jobArn` and `earliestTimeAtPosition`, `lastUpdatedAt`);
an unknown queue is AWS Batch's `ClientException`."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/v1/getjobqueuesnapshot"


class QueueServer:
    """Answers for `heads` (queue name → list of (job ARN, since ms)), as of `last_updated_ms`.
    Records the queue each request asked for."""

    def __init__(self):
        self.heads, self.requests, self.last_updated_ms = {}, [], 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                queue = body.get("jobQueue", "")
                server.requests.append(queue)
                if self.path != PATH or queue not in server.heads:
                    return self.answer(400, {"__type": "ClientException", "message": f"no job queue {queue}"},
                                       {"x-amzn-errortype": "ClientException"})
                jobs = [{"jobArn": arn, "earliestTimeAtPosition": since} for arn, since in server.heads[queue]]
                self.answer(200, {"frontOfQueue": {"jobs": jobs, "lastUpdatedAt": server.last_updated_ms}})

            def answer(self, status, document, headers=None):
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
