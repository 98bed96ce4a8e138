#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd), on 127.0.0.1, storing what it accepts in a
Maildir.

    smtp-server.py MAILDIR [--tls DIR]

Prints its port on the first line of stdout once it listens, then serves until stdin closes
(its parent test ended). Recipients whose address starts with `bounce` are refused (550), so
that a test sees a per-recipient failure. With --tls it makes a certificate authority and a
certificate for 127.0.0.1 in DIR (`ca.pem`: what the client trusts) with openssl, and requires
STARTTLS before any mail.
"""

import os
import socket
import ssl
import subprocess
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox


class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def certificates(folder: str) -> tuple[str, str]:
    """A CA and a server certificate for 127.0.0.1 signed by it, in `folder`."""
    p = lambda name: os.path.join(folder, name)  # noqa: E731
    steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=crm test CA",
         "-keyout", p("ca.key"), "-out", p("ca.pem")],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", p("server.key"), "-out", p("server.csr")],
        ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-days", "2", "-extfile", p("san.ext"), "-out", p("server.pem")],
    ]
    with open(p("san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for step in steps:
        subprocess.run(["openssl", *step], check=True, capture_output=True)
    return p("server.pem"), p("server.key")


def main() -> None:
    maildir = sys.argv[1]
    tls = None
    if len(sys.argv) == 4 and sys.argv[2] == "--tls":
        cert, key = certificates(sys.argv[3])
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
    port = free_port()
    controller = Controller(
        Handler(maildir),
        hostname="127.0.0.1",
        port=port,
        tls_context=tls,
        require_starttls=tls is not None,
    )
    controller.start()
    print(port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
