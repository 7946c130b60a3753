"""S3 Control `DescribeJob` on loopback, which moto does not implement: `GET /v20180820/jobs/{id}`
with the `x-amz-account-id` header, answered in the XML shape of AWS's API reference
(`DescribeJobResult` → `Job`), errors in S3 Control's wrapped shape (`ErrorResponse` → `Error`)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

PREFIX = "/v20180820/jobs/"
NAMESPACE = "http://awss3control.amazonaws.com/doc/2018-08-20/"


def element(name, value):
    """One XML element: a dict is nested elements, a list repeats `member`, anything else is text."""
    if isinstance(value, dict):
        inner = "".join(element(k, v) for k, v in value.items() if v is not None)
    elif isinstance(value, list):
        inner = "".join(element("member", v) for v in value)
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


def job(job_id, status="Complete", total=12000, failed=25, **extra):
    """A job as `DescribeJob` describes it; `extra` adds or replaces members."""
    described = {
        "JobId": job_id,
        "ConfirmationRequired": False,
        "Description": "nightly copy",
        "JobArn": f"arn:aws:s3:us-east-1:123456789012:job/{job_id}",
        "Status": status,
        "Operation": {"S3PutObjectCopy": {"TargetResource": "arn:aws:s3:::target-bucket"}},
        "Priority": 10,
        "ProgressSummary": {
            "TotalNumberOfTasks": total,
            "NumberOfTasksSucceeded": total - failed,
            "NumberOfTasksFailed": failed,
            "Timers": {"ElapsedTimeInActiveSeconds": 7500},
        },
        "FailureReasons": [],
        "Report": {"Bucket": "arn:aws:s3:::reports-bucket", "Format": "Report_CSV_20180820",
                   "Enabled": True, "Prefix": "batch/reports", "ReportScope": "FailedTasksOnly"},
        "RoleArn": "arn:aws:iam::123456789012:role/S3BatchJobRole",
    }
    described.update(extra)
    return described


class S3ControlServer:
    """Answers `DescribeJob` for `jobs` (job id → `job(...)`); `error` (code, HTTP status) answers
    every request with that error instead. Records each request's path and account header."""

    def __init__(self):
        self.jobs, self.error, self.requests = {}, None, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("x-amz-account-id")))
                job_id = self.path.split("?")[0][len(PREFIX):] if self.path.startswith(PREFIX) else None
                if server.error:
                    code, status = server.error
                    self.answer(status, element("ErrorResponse", {
                        "Error": {"Code": code, "Message": f"{code} (from the local S3 Control)"},
                        "RequestId": "local"}))
                elif job_id in server.jobs:
                    body = element("Job", server.jobs[job_id])
                    self.answer(200, f'<DescribeJobResult xmlns="{NAMESPACE}">{body}</DescribeJobResult>')
                else:
                    self.answer(404, element("ErrorResponse", {
                        "Error": {"Code": "NoSuchJob", "Message": "The specified job does not exist"},
                        "RequestId": "local"}))

            def answer(self, status, xml):
                body = f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}'.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
