"""Local stand-ins for the model providers, reproducing their request validation and their
success and error bodies as documented:

- OpenAI chat completions (and OpenRouter's variant): bearer key check (401 `invalid_api_key`),
  body validation (messages, roles, `response_format`), strict `json_schema` rules (every property
  required, `additionalProperties: false`), a server *without* json_schema support answering 400
  on `response_format`, OpenRouter's attribution headers, `usage.include` → `usage.cost`, 402.
- Bedrock Converse: `/model/{modelId}/converse` with the model id percent-encoded, the SigV4
  signature recomputed with botocore (the reference implementation) from the request as received,
  AWS's error bodies (`InvalidSignatureException`, `UnrecognizedClientException`,
  `ValidationException`, `ThrottlingException`) and a forced-tool-call answer.
- The ECS container credentials endpoint.

Each server answers from a script: a list of steps consumed in order (the last one repeats). A
step is a callable (request -> answer) or a ready `Reply`.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


@dataclass
class Reply:
    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: dict
    at: float


class StubServer:
    """An HTTP server on 127.0.0.1:<ephemeral> running `handle(path, headers, raw_body) -> Reply`."""

    def __init__(self):
        self.requests: list[Seen] = []
        self.script: list = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                reply = server.handle(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _serve
            do_POST = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_step(self, request):
        step = self.script.pop(0) if len(self.script) > 1 else (self.script[0] if self.script else None)
        if step is None:
            return Reply(500, {"error": "no script"})
        return step(request) if callable(step) else step

    def handle(self, method, path, headers, raw) -> Reply:  # overridden
        raise NotImplementedError


# --- OpenAI-compatible ------------------------------------------------------------------------

def openai_error(status: int, message: str, type_: str, code=None, param=None, headers=None) -> Reply:
    return Reply(status, {"error": {"message": message, "type": type_, "param": param, "code": code}}, headers or {})


def chat_completion(content: str, model: str = "gpt-4o-mini", prompt_tokens: int = 900, completion_tokens: int = 120,
                    cost: float | None = None, finish_reason: str = "stop") -> Reply:
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}
    if cost is not None:
        usage["cost"] = cost
    return Reply(200, {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                     "logprobs": None, "finish_reason": finish_reason}],
        "usage": usage,
    })


def strict_schema_problem(schema, path="schema"):
    """OpenAI's strict-mode rules: objects list every property as required and forbid others."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "object" or (isinstance(schema.get("type"), list) and "object" in schema["type"]):
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            return f"Invalid schema for response_format: In context={path}, 'additionalProperties' is required to be supplied and to be false."
        missing = [k for k in props if k not in schema.get("required", [])]
        if missing:
            return f"Invalid schema for response_format: In context={path}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{missing[0]}'."
        for key, sub in props.items():
            problem = strict_schema_problem(sub, f"{path}.properties.{key}")
            if problem:
                return problem
    if "items" in schema:
        return strict_schema_problem(schema["items"], f"{path}.items")
    return None


class OpenAIServer(StubServer):
    def __init__(self, api_key="sk-test-0123456789", supports_json_schema=True, openrouter=False):
        super().__init__()
        self.api_key = api_key
        self.supports_json_schema = supports_json_schema
        self.openrouter = openrouter

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/api/v1" if self.openrouter else f"http://127.0.0.1:{self.port}/v1"

    def handle(self, method, path, headers, raw) -> Reply:
        prefix = "/api/v1" if self.openrouter else "/v1"
        if method == "GET" and path == f"{prefix}/models":
            if headers.get("authorization") != f"Bearer {self.api_key}":
                return openai_error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key")
            return Reply(200, {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]})
        if method == "GET" and self.openrouter and path == f"{prefix}/key":
            if headers.get("authorization") != f"Bearer {self.api_key}":
                return Reply(401, {"error": {"message": "No auth credentials found", "code": 401}})
            return Reply(200, {"data": {"label": "sk-or-v1-test", "usage": 1.25, "limit": None, "is_free_tier": False}})
        if method != "POST" or path != f"{prefix}/chat/completions":
            return openai_error(404, f"Unknown request URL: {method} {path}", "invalid_request_error", "unknown_url")
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return openai_error(401, "Incorrect API key provided: sk-wr***ng.", "invalid_request_error", "invalid_api_key")
        try:
            body = json.loads(raw)
        except ValueError:
            return openai_error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
        self.requests.append(Seen(path, headers, body, time.monotonic()))
        if not isinstance(body.get("model"), str):
            return openai_error(400, "you must provide a model parameter", "invalid_request_error")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return openai_error(400, "[] is too short - 'messages'", "invalid_request_error", param="messages")
        for index, message in enumerate(messages):
            if message.get("role") not in ("system", "user", "assistant") or not isinstance(message.get("content"), str):
                return openai_error(400, f"Invalid value for 'messages[{index}]'", "invalid_request_error", param=f"messages[{index}]")
        if self.openrouter and ("x-title" not in headers or "http-referer" not in headers):
            # OpenRouter accepts calls without attribution; this stand-in insists, to test we send it.
            return openai_error(400, "missing attribution headers (test server)", "invalid_request_error")
        response_format = body.get("response_format") or {}
        kind = response_format.get("type")
        if kind == "json_schema":
            if not self.supports_json_schema:
                return openai_error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                                    "invalid_request_error", param="response_format")
            spec = response_format.get("json_schema") or {}
            if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", spec.get("name") or ""):
                return openai_error(400, "Invalid 'response_format.json_schema.name'", "invalid_request_error", param="response_format")
            if spec.get("strict"):
                problem = strict_schema_problem(spec.get("schema"))
                if problem:
                    return openai_error(400, problem, "invalid_request_error", param="response_format")
        elif kind == "json_object":
            if not any("json" in m["content"].lower() for m in messages):
                return openai_error(400, "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                                    "invalid_request_error", param="messages")
        elif kind is not None and kind != "text":
            return openai_error(400, f"Invalid value: '{kind}'. Supported values are: 'json_object', 'json_schema', and 'text'.",
                                "invalid_request_error", param="response_format.type")
        reply = self.next_step(body)
        if isinstance(reply, str):
            cost = 0.000321 if self.openrouter and (body.get("usage") or {}).get("include") else None
            reply = chat_completion(reply, model=body["model"], cost=cost)
        return reply


# --- Bedrock Converse -------------------------------------------------------------------------

def aws_error(status: int, type_: str, message: str, headers=None) -> Reply:
    h = {"x-amzn-ErrorType": f"{type_}:http://internal.amazon.com/coral/com.amazon.bedrock/", "x-amzn-RequestId": "test"}
    h.update(headers or {})
    return Reply(status, {"message": message}, h)


def converse_tool_answer(tool_name: str, payload: dict, input_tokens=1000, output_tokens=150) -> Reply:
    return Reply(200, {
        "output": {"message": {"role": "assistant", "content": [
            {"toolUse": {"toolUseId": "tooluse_test", "name": tool_name, "input": payload}}]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens, "totalTokens": input_tokens + output_tokens},
        "metrics": {"latencyMs": 420},
    })


class BedrockServer(StubServer):
    def __init__(self, credentials: dict[str, tuple[str, str | None]], region="eu-west-1",
                 models=("anthropic.claude-3-5-haiku-20241022-v1:0",)):
        """credentials: access key id -> (secret, session token or None)."""
        super().__init__()
        self.credentials = credentials
        self.region = region
        self.models = set(models)
        self.signature_checks = 0

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def verify_signature(self, method, path, headers, raw):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        authorization = headers.get("authorization", "")
        match = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                             r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", authorization)
        if not match:
            return aws_error(403, "IncompleteSignatureException", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'.")
        key_id, date, region, service, signed, signature = match.groups()
        if key_id not in self.credentials:
            return aws_error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        if region != self.region or service != "bedrock":
            return aws_error(403, "InvalidSignatureException", f"Credential should be scoped to a valid region and service 'bedrock'.")
        secret, token = self.credentials[key_id]
        if token is not None and headers.get("x-amz-security-token") != token:
            return aws_error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        amz_date = headers.get("x-amz-date", "")
        signed_names = signed.split(";")
        if "host" not in signed_names or "x-amz-date" not in signed_names:
            return aws_error(403, "InvalidSignatureException", "host and x-amz-date must be signed.")
        # Rebuild the request exactly as received (the raw, still percent-encoded path) and let
        # botocore compute what AWS would.
        request = AWSRequest(method=method, url=f"http://{headers['host']}{path}", data=raw,
                             headers={name: headers[name] for name in signed_names if name in headers})
        request.context["timestamp"] = amz_date
        auth = SigV4Auth(Credentials(key_id, secret, token), "bedrock", region)
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        self.signature_checks += 1
        if expected != signature:
            return aws_error(403, "InvalidSignatureException",
                             "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
                             "Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String "
                             f"for this request should have been\n'{canonical}'")
        return None

    def handle(self, method, path, headers, raw) -> Reply:
        match = re.fullmatch(r"/model/([^/]+)/converse", urlsplit(path).path)
        if method != "POST" or not match:
            return aws_error(404, "UnknownOperationException", f"no route for {method} {path}")
        problem = self.verify_signature(method, path, headers, raw)
        if problem:
            return problem
        model = unquote(match.group(1))
        if model not in self.models:
            return aws_error(400, "ValidationException", "The provided model identifier is invalid.")
        body = json.loads(raw)
        self.requests.append(Seen(path, headers, body, time.monotonic()))
        messages = body.get("messages") or []
        roles = [m.get("role") for m in messages]
        if not roles or roles[0] != "user" or any(a == b for a, b in zip(roles, roles[1:])):
            return aws_error(400, "ValidationException", "A conversation must start with a user message and alternate roles.")
        tools = [t["toolSpec"]["name"] for t in (body.get("toolConfig") or {}).get("tools", [])]
        forced = (((body.get("toolConfig") or {}).get("toolChoice") or {}).get("tool") or {}).get("name")
        if forced and forced not in tools:
            return aws_error(400, "ValidationException", "The tool in toolChoice is not in tools.")
        reply = self.next_step(body)
        if isinstance(reply, dict):
            reply = converse_tool_answer(forced or "answer", reply)
        return reply


class ECSCredentialsServer(StubServer):
    def __init__(self, key_id, secret, token, authorization):
        super().__init__()
        self.answer = {"AccessKeyId": key_id, "SecretAccessKey": secret, "Token": token,
                       "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600)), "RoleArn": "arn:aws:iam::1:role/test"}
        self.authorization = authorization
        self.calls = 0

    def handle(self, method, path, headers, raw) -> Reply:
        self.calls += 1
        if headers.get("authorization") != self.authorization:
            return Reply(401, {"Code": "AccessDenied", "Message": "Authorization token is invalid"})
        return Reply(200, self.answer)
