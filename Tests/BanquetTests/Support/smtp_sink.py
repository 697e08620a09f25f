"""A real SMTP server for tests (aiosmtpd), spooling every accepted message to a directory.

usage: python3 smtp_sink.py SPOOL_DIR [--auth USER:PASSWORD] [--reject-rcpt ADDRESS]

Prints "READY <port>" on stdout once listening on 127.0.0.1 (ephemeral port), then serves until
stdin closes or it is terminated. Each message is written as <n>.eml with the envelope
(MAIL FROM / RCPT TO) in X-Envelope-* headers so tests can assert on them.
"""
import argparse
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Spool:
    def __init__(self, directory, reject):
        self.directory = directory
        self.reject = reject
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.directory, f"{self.count:05d}.eml")
        header = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        with open(path + ".tmp", "wb") as f:
            f.write(header.encode() + envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("spool")
    parser.add_argument("--auth")
    parser.add_argument("--reject-rcpt", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.spool, exist_ok=True)

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok)

        kwargs = dict(authenticator=authenticator, auth_require_tls=False, auth_required=True)

    port = free_port()
    controller = Controller(Spool(args.spool, set(args.reject_rcpt)), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"READY {port}", flush=True)
    try:
        while sys.stdin.read(1):
            pass
        while True:  # stdin closed early (e.g. /dev/null): serve until terminated
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
