#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the email connector tests.

Writes each accepted message to DIR/<n>.json as {"mail_from", "rcpt_tos", "data", "login"}.
Prints "READY <port>" once listening; stops when stdin closes or on SIGTERM.

  smtp_sink.py --dir DIR [--user U --password P] [--only-login] [--reject ADDR ...]
               [--tls-cert CERT --tls-key KEY]
"""
import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, rejected):
        self.directory = directory
        self.rejected = set(rejected)
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rejected:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = f"{self.count:04d}.json"
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", errors="replace"),
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "tls": session.ssl is not None,
        }
        temporary = os.path.join(self.directory, "." + name)
        with open(temporary, "w") as handle:
            json.dump(record, handle)
        os.rename(temporary, os.path.join(self.directory, name))
        return "250 2.0.0 Ok: queued as %04d" % self.count


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    warnings.simplefilter("ignore")  # aiosmtpd warns about AUTH without TLS, which a test sink wants
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--only-login", action="store_true")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == (args.user or "").encode()
              and auth_data.password == (args.password or "").encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    options = {}
    if args.user:
        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls_cert))
        if args.only_login:
            options["auth_exclude_mechanism"] = ["PLAIN"]
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options.update(tls_context=context, require_starttls=True)

    port = free_port()
    controller = Controller(Sink(args.dir, args.reject), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print(f"READY {port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
