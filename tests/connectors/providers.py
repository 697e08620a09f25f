"""Local stand-ins for the providers, each reproducing the real API's request checks and its
success and error bodies, and recording every request with its arrival time."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorded:
    def __init__(self, method, path, headers, body, at):
        self.method, self.path, self.headers, self.body, self.at = method, path, headers, body, at

    def json(self):
        return json.loads(self.body)

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode(), keep_blank_values=True))


class FakeServer:
    """A threaded HTTP server whose `route(handler, request)` answers (status, headers, body)."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                with outer.lock:
                    outer.requests.append(recorded)
                status, headers, payload = outer.route(recorded)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def matching(self, predicate) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if predicate(r)]

    def route(self, request: Recorded):
        raise NotImplementedError


def graph_error(code: int, message: str, details: str | None = None, subcode: int | None = None, kind: str = "OAuthException"):
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "A" + uuid.uuid4().hex[:10]}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


class FakeGraph(FakeServer):
    """The Graph API's messaging endpoints, as the Cloud API and Instagram answer them.

    Checks what Meta checks: `Authorization: Bearer <token>` (else 401 with code 190), a JSON body,
    `messaging_product: whatsapp`, a recipient, a supported type with its object. Per-recipient
    scripts (`script[to] = [(status, body, headers), ...]`) answer in order, then success.
    """

    def __init__(self, token: str, version: str = "v21.0"):
        self.token = token
        self.version = version
        self.script: dict[str, list] = {}
        self.templates: dict[str, list] = {}
        self.media: dict[str, tuple[str, bytes]] = {}
        self.down = False
        super().__init__()

    def sends(self, to: str | None = None) -> list[Recorded]:
        def is_send(r):
            if r.method != "POST" or not r.path.endswith("/messages"):
                return False
            if to is None:
                return True
            try:
                body = r.json()
            except ValueError:
                return False
            return body.get("to") == to or body.get("recipient", {}).get("id") == to or body.get("recipient", {}).get("comment_id") == to
        return self.matching(is_send)

    def route(self, r: Recorded):
        if self.down:
            return 503, {"Content-Type": "text/plain"}, b"upstream unavailable"
        if r.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"Content-Type": "application/json", "WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}, \
                graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        parts = r.path.split("?")[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "media-download" and r.method == "GET":
            mime, data = self.media[parts[1]]
            return 200, {"Content-Type": mime}, data
        if len(parts) == 2 and parts[0] == self.version and r.method == "GET":
            if parts[1] not in self.media:
                return 400, {"Content-Type": "application/json"}, graph_error(100, f"Unsupported get request. Object with ID '{parts[1]}' does not exist", kind="GraphMethodException")
            import hashlib
            mime, data = self.media[parts[1]]
            return 200, {"Content-Type": "application/json"}, {"messaging_product": "whatsapp", "url": f"{self.url}/media-download/{parts[1]}",
                                                              "mime_type": mime, "sha256": hashlib.sha256(data).hexdigest(), "file_size": len(data), "id": parts[1]}
        if len(parts) == 3 and parts[0] == self.version and parts[2] == "message_templates" and r.method == "GET":
            return self._templates(parts[1], dict(urllib.parse.parse_qsl(urllib.parse.urlparse(r.path).query)))
        if len(parts) != 3 or parts[0] != self.version or parts[2] != "messages" or r.method != "POST":
            return 400, {"Content-Type": "application/json"}, graph_error(100, f"Unknown path components: /{'/'.join(parts)}", kind="GraphMethodException")
        if not r.headers.get("content-type", "").startswith("application/json"):
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) Content-Type must be application/json")
        try:
            body = r.json()
        except ValueError:
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) Invalid JSON")
        if "recipient" in body:
            return self._instagram(body)
        if body.get("messaging_product") != "whatsapp":
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) The parameter messaging_product is required.")
        to = body.get("to")
        if not to:
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) The parameter to is required.")
        kind = body.get("type")
        if kind == "text" and not (body.get("text") or {}).get("body"):
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) The parameter text['body'] is required.")
        if kind == "template" and not ((body.get("template") or {}).get("name") and (body["template"].get("language") or {}).get("code")):
            return 400, {"Content-Type": "application/json"}, graph_error(132000, "(#132000) Number of parameters does not match the expected number of params")
        if kind not in ("text", "template"):
            return 400, {"Content-Type": "application/json"}, graph_error(131051, "Unsupported message type")
        context = body.get("context")
        if context is not None and not (isinstance(context, dict) and isinstance(context.get("message_id"), str) and context["message_id"]):
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) Param context['message_id'] must be a valid message id")
        scripted = self.script.get(to)
        if scripted:
            status, payload, headers = scripted.pop(0)
            return status, {"Content-Type": "application/json", **headers}, payload
        wamid = "wamid.HBgL" + uuid.uuid4().hex.upper()
        return 200, {"Content-Type": "application/json"}, {
            "messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to.lstrip("+")}], "messages": [{"id": wamid}]}

    def _templates(self, waba: str, query: dict):
        """The Business Management API's template list: `data` pages of `limit`, an `after` cursor."""
        templates = self.templates.get(waba)
        if templates is None:
            return 400, {"Content-Type": "application/json"}, graph_error(100, f"Unsupported get request. Object with ID '{waba}' does not exist", kind="GraphMethodException")
        if "fields" not in query:
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) fields is required for this test server")
        limit = int(query.get("limit", "25"))
        start = int(query.get("after", "0"))
        page = templates[start:start + limit]
        body = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
        if start + limit < len(templates):
            body["paging"]["next"] = f"https://graph.facebook.com/{self.version}/{waba}/message_templates?after={start + len(page)}"
        return 200, {"Content-Type": "application/json"}, body

    def _instagram(self, body):
        recipient = body.get("recipient") or {}
        if not (recipient.get("id") or recipient.get("comment_id")):
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) param recipient must be non-empty.")
        if not (body.get("message") or {}).get("text"):
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) param message must be non-empty.")
        if body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") != "HUMAN_AGENT":
            return 400, {"Content-Type": "application/json"}, graph_error(100, "(#100) Invalid tag")
        key = recipient.get("id") or recipient.get("comment_id")
        scripted = self.script.get(key)
        if scripted:
            status, payload, headers = scripted.pop(0)
            return status, {"Content-Type": "application/json", **headers}, payload
        return 200, {"Content-Type": "application/json"}, {"recipient_id": recipient.get("id") or "igsid-from-comment", "message_id": "m_" + uuid.uuid4().hex}


class FakeStripe(FakeServer):
    """`POST /v1/checkout/sessions` as Stripe answers it: bearer secret key (401 otherwise),
    form-encoded body with the required fields (400 parameter_missing otherwise), and
    `Idempotency-Key` replay returning the first session."""

    def __init__(self, secret_key: str):
        self.secret_key = secret_key
        self.sessions: dict[str, dict] = {}
        self.by_key: dict[str, dict] = {}
        super().__init__()

    def route(self, r: Recorded):
        json_headers = {"Content-Type": "application/json"}
        if r.headers.get("authorization") != f"Bearer {self.secret_key}":
            return 401, json_headers, {"error": {"message": "Invalid API Key provided: sk_***", "type": "invalid_request_error"}}
        if r.path != "/v1/checkout/sessions" or r.method != "POST":
            return 404, json_headers, {"error": {"message": f"Unrecognized request URL ({r.method}: {r.path}).", "type": "invalid_request_error"}}
        if r.headers.get("content-type") != "application/x-www-form-urlencoded":
            return 400, json_headers, {"error": {"message": "Invalid request (check that your POST content type is application/x-www-form-urlencoded).", "type": "invalid_request_error"}}
        form = r.form()
        key = r.headers.get("idempotency-key")
        if key and key in self.by_key:
            return 200, {**json_headers, "Idempotent-Replayed": "true"}, self.by_key[key]
        for required in ("mode", "success_url", "line_items[0][price_data][currency]", "line_items[0][price_data][unit_amount]", "line_items[0][quantity]"):
            if required not in form:
                return 400, json_headers, {"error": {"code": "parameter_missing", "message": f"Missing required param: {required}.", "param": required, "type": "invalid_request_error"}}
        session_id = "cs_test_" + uuid.uuid4().hex
        session = {
            "id": session_id, "object": "checkout.session", "mode": form["mode"],
            "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
            "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {k[len("metadata["):-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_status": "unpaid", "status": "open",
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "expires_at": int(time.time()) + 86400,
        }
        self.sessions[session_id] = session
        if key:
            self.by_key[key] = session
        return 200, json_headers, session


class StaticFiles(FakeServer):
    """Serves fixed documents by path (the ECB's XML files)."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        super().__init__()

    def route(self, r: Recorded):
        path = r.path.split("?")[0]
        if path in self.files:
            return 200, {"Content-Type": "text/xml"}, self.files[path]
        return 404, {"Content-Type": "text/html"}, b"<html>Not Found</html>"


class FakeResend(FakeServer):
    """`POST /emails` as Resend answers it: bearer API key (401 `missing_api_key`/403
    `invalid_api_key`), JSON with from/to/subject and text or html (422 `validation_error`),
    `Idempotency-Key` returning the first email's id; per-recipient scripted errors."""

    def __init__(self, api_key: str):
        self.api_key = api_key
        self.by_key: dict[str, str] = {}
        self.script: dict[str, list] = {}
        super().__init__()

    def route(self, r: Recorded):
        headers = {"Content-Type": "application/json"}
        auth = r.headers.get("authorization")
        if not auth:
            return 401, headers, {"statusCode": 401, "message": "Missing API key in the authorization header.", "name": "missing_api_key"}
        if auth != f"Bearer {self.api_key}":
            return 403, headers, {"statusCode": 403, "message": "API key is invalid", "name": "invalid_api_key"}
        if r.path != "/emails" or r.method != "POST":
            return 404, headers, {"statusCode": 404, "message": "The requested endpoint does not exist.", "name": "not_found"}
        try:
            body = r.json()
        except ValueError:
            return 400, headers, {"statusCode": 400, "message": "Invalid JSON", "name": "invalid_request"}
        for field in ("from", "to", "subject"):
            if not body.get(field):
                return 422, headers, {"statusCode": 422, "message": f"Missing `{field}` field.", "name": "missing_required_field"}
        if not (body.get("text") or body.get("html")):
            return 422, headers, {"statusCode": 422, "message": "Missing `html` or `text` field.", "name": "validation_error"}
        key = r.headers.get("idempotency-key")
        if key and key in self.by_key:
            return 200, headers, {"id": self.by_key[key]}
        scripted = self.script.get(body["to"][0] if isinstance(body["to"], list) else body["to"])
        if scripted:
            status, payload, extra = scripted.pop(0)
            return status, {**headers, **extra}, payload
        email_id = str(uuid.uuid4())
        if key:
            self.by_key[key] = email_id
        return 200, headers, {"id": email_id}
