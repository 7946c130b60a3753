"""A fault-injecting HTTP proxy on loopback, in front of a local AWS service (moto's SNS, a DynamoDB,
the lookups' services):
passes requests on, or answers them with the fault its `mode` names. Tests switch the mode while the
function runs."""

import collections
import http.client
import json
import random
import re
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
    "denied": (403, "AccessDeniedException", "AccessDenied"),
}


class FaultProxy:
    """`mode`: "pass", "throttle", "error", "denied", "hang" (holds each request until `release()`, then
    closes it unanswered), "flaky": a share `fault_rate` of requests fails with a 500, and as
    many `PublishBatch` requests pass with some entries failed (those entries are not published:
    they are taken out of the request moto sees, and named in its answer's `Failed`), or
    "answer-lost": a request whose body holds `lose_answer_of` is passed on (and so takes effect)
    the first time it arrives, and answered with a 500 as if its answer were lost; other requests,
    and that call again (the client's retry: the same invocation id and body), pass.
    `requests` counts what arrived, `operations` by JSON operation (its `x-amz-target`), SNS
    action, or else path; `items_read` the DynamoDB items read. `one_at_a_time` passes requests on one after another."""

    def __init__(self, upstream, one_at_a_time=False):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.passing = threading.Lock() if one_at_a_time else None
        self.mode = "pass"
        self.fault_rate = 0.3
        self.lose_answer_of = b""
        self.answers_lost = set()
        self.random = random.Random(14)
        self.faults = collections.Counter()
        self.requests = 0
        self.operations = collections.Counter()
        self.items_read = 0
        self.held = threading.Event()
        self.released = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.do_POST()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                proxy.requests += 1
                target = self.headers.get("x-amz-target", "")
                action = urllib.parse.parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
                proxy.operations[target.rsplit(".", 1)[-1] or action or self.path.split("?")[0]] += 1
                mode = proxy.mode
                failed_entries = []
                if mode == "flaky":
                    draw = proxy.random.random()
                    if draw < proxy.fault_rate:
                        mode = "error"
                    elif draw < 2 * proxy.fault_rate and action == "PublishBatch":
                        body, failed_entries = fail_some_entries(body, proxy.random)
                    if mode == "error" or failed_entries:
                        proxy.faults["request" if mode == "error" else "entries"] += 1
                if mode == "answer-lost":
                    # The SDK names each call, and keeps the name on its retries.
                    call = self.headers.get("amz-sdk-invocation-id", "") + body.decode(errors="replace")
                    lose = proxy.lose_answer_of in body and call not in proxy.answers_lost
                    mode = "lose" if lose else "pass"
                    if lose:
                        proxy.answers_lost.add(call)
                        proxy.faults["answer lost"] += 1
                if mode == "hang":
                    proxy.held.set()
                    proxy.released.wait()
                    self.close_connection = True
                    return
                if mode in FAULTS:
                    status, json_code, query_code = FAULTS[mode]
                    # JSON for the JSON protocols (DynamoDB, CloudWatch Logs, Batch), XML for the
                    # query and REST-XML ones (SNS, S3 Control).
                    json_protocol = "json" in self.headers.get("content-type", "")
                    answer = (DYNAMODB_ERROR.format(code=json_code) if json_protocol
                              else QUERY_ERROR.format(code=query_code)).encode()
                    kind = "application/x-amz-json-1.0" if json_protocol else "text/xml"
                    headers = {"content-type": kind}
                    if json_protocol:
                        headers["x-amzn-errortype"] = json_code
                    return self.answer(status, headers, answer)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "host", "content-length")}
                headers["host"] = proxy.upstream.netloc
                headers["content-length"] = str(len(body))
                if proxy.passing:
                    with proxy.passing:
                        response, data = proxy.forward(self.command, self.path, body, headers)
                else:
                    response, data = proxy.forward(self.command, self.path, body, headers)
                kept = {k: v for k, v in response.getheaders()
                        if k.lower() not in ("connection", "transfer-encoding", "content-length")}
                if failed_entries:
                    data = add_failed_entries(data, failed_entries)
                if mode == "lose":
                    status, json_code, _ = FAULTS["error"]
                    answer = DYNAMODB_ERROR.format(code=json_code).encode()
                    return self.answer(status, {"content-type": "application/x-amz-json-1.0",
                                                "x-amzn-errortype": json_code}, answer)
                proxy.count_items(target, data)
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

    def forward(self, method, path, body, headers):
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def count_items(self, target, data):
        """DynamoDB's items read: what each Query and Scan evaluated, and each item GetItem found."""
        operation = target.rsplit(".", 1)[-1]
        if operation not in ("Query", "Scan", "GetItem"):
            return
        try:
            answer = json.loads(data)
        except ValueError:
            return
        self.items_read += answer.get("ScannedCount", 0) if operation != "GetItem" else int("Item" in answer)

    def release(self):
        self.released.set()

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


ENTRY = re.compile(r"^PublishBatchRequestEntries\.member\.(\d+)\.(.*)$")


def fail_some_entries(body, rng):
    """A PublishBatch body without some of its entries (at least one, never all when there are
    several), and the ids of those taken out."""
    fields = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
    members = collections.defaultdict(list)
    rest = []
    for name, value in fields:
        match = ENTRY.match(name)
        if match:
            members[int(match.group(1))].append((match.group(2), value))
        else:
            rest.append((name, value))
    indexes = sorted(members)
    failing = set(rng.sample(indexes, max(1, len(indexes) // 3)))
    kept = [i for i in indexes if i not in failing]
    if not kept:
        return body, []
    out = list(rest)
    for number, i in enumerate(kept, start=1):
        out.extend((f"PublishBatchRequestEntries.member.{number}.{key}", value) for key, value in members[i])
    ids = [dict(members[i])["Id"] for i in sorted(failing)]
    return urllib.parse.urlencode(out).encode(), ids


def add_failed_entries(data, ids):
    failed = "".join(f"<member><Id>{i}</Id><Code>InternalError</Code><Message>injected entry failure"
                     f"</Message><SenderFault>false</SenderFault></member>" for i in ids)
    text = data.decode()
    if "<Failed/>" in text:
        text = text.replace("<Failed/>", f"<Failed>{failed}</Failed>", 1)
    elif "<Failed>" in text:
        text = text.replace("<Failed>", f"<Failed>{failed}", 1)
    else:
        text = text.replace("</PublishBatchResult>", f"<Failed>{failed}</Failed></PublishBatchResult>", 1)
    return text.encode()
