"""A fault-injecting HTTP proxy on loopback, in front of a local AWS service (moto's SNS, a DynamoDB):
passes requests on, or answers them with the fault its `mode` names. Tests switch the mode while the
function runs."""

import http.client
import http.server
import threading
import urllib.parse

# Error answers in each protocol's own shape, so that the SDK reads the code it would get from AWS.
DYNAMODB_ERROR = '{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"injected {code}"}}'
QUERY_ERROR = ("<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>injected {code}"
               "</Message></Error><RequestId>fault</RequestId></ErrorResponse>")
FAULTS = {
    "throttle": (400, "ThrottlingException", "Throttling"),
    "error": (500, "InternalServerError", "InternalError"),
}


class FaultProxy:
    """`mode`: "pass", "throttle", "error", or "hang" (holds each request until `release()`, then
    closes it unanswered). `requests` counts what arrived. `one_at_a_time` passes requests on one
    after another."""

    def __init__(self, upstream, one_at_a_time=False):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.passing = threading.Lock() if one_at_a_time else None
        self.mode = "pass"
        self.requests = 0
        self.held = threading.Event()
        self.released = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                proxy.requests += 1
                mode = proxy.mode
                if mode == "hang":
                    proxy.held.set()
                    proxy.released.wait()
                    self.close_connection = True
                    return
                if mode in FAULTS:
                    status, json_code, query_code = FAULTS[mode]
                    json_protocol = "x-amz-target" in {k.lower() for k in self.headers}
                    answer = (DYNAMODB_ERROR.format(code=json_code) if json_protocol
                              else QUERY_ERROR.format(code=query_code)).encode()
                    kind = "application/x-amz-json-1.0" if json_protocol else "text/xml"
                    return self.answer(status, {"content-type": kind}, answer)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "host")}
                headers["host"] = proxy.upstream.netloc
                if proxy.passing:
                    with proxy.passing:
                        response, data = proxy.forward(self.path, body, headers)
                else:
                    response, data = proxy.forward(self.path, body, headers)
                kept = {k: v for k, v in response.getheaders()
                        if k.lower() not in ("connection", "transfer-encoding", "content-length")}
                self.answer(response.status, kept, data)

            def answer(self, status, headers, body):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, path, body, headers):
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def release(self):
        self.released.set()

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()
