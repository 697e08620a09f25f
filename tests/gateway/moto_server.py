"""moto's S3 server mode for the tests that run the daemon's S3 object store: the storage suite
(tests/gateway/test_storage.py) and the WhatsApp media test (tests/connectors). IAM auth is on,
so a request the daemon signs wrongly fails there as it would at S3."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import boto3
from botocore.config import Config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Moto:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    process: subprocess.Popen

    def client(self, secret_key: str | None = None):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=self.access_key, aws_secret_access_key=secret_key or self.secret_key,
                            config=Config(s3={"addressing_style": "path"}))

    def get(self, key: str) -> bytes | None:
        try:
            return self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client().exceptions.NoSuchKey:
            return None


def start_moto() -> Moto:
    """moto's server with IAM authentication on after the first three calls, which create the
    user and key the daemon signs with; from then on every request must carry a valid SigV4."""
    port = free_port()
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("moto did not start")
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="banquet")
    key = iam.create_access_key(UserName="banquet")["AccessKey"]
    iam.put_user_policy(UserName="banquet", PolicyName="all",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    moto = Moto(endpoint, key["AccessKeyId"], key["SecretAccessKey"], f"banquet-{uuid.uuid4().hex[:8]}", process)
    moto.client().create_bucket(Bucket=moto.bucket)
    return moto


def s3_env(moto: Moto, secret_key: str | None = None) -> dict[str, str]:
    return {"BANQUET_STORAGE_BACKEND": "s3", "BANQUET_S3_ENDPOINT": moto.endpoint, "BANQUET_S3_BUCKET": moto.bucket,
            "BANQUET_S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": moto.access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key or moto.secret_key}
