"""An account's own web application for the proxy backend tests: a tiny HTTP server that the
account runs (setpriv with its uid and gid, no groups), on a Unix socket or a loopback port."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

import stack

from tests.agent.support import as_account

# The TCP ports the agent under test allows proxy backends (its proxy_ports).
PROXY_PORTS = (20000, 29999)

# Answers every GET with who it runs as, what it saw and for which host. On a socket it makes
# the socket connectable by nginx (the folder keeps everyone else out), as docs/web.md asks.
APP = r"""
import os, socketserver, sys
from http.server import BaseHTTPRequestHandler

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"app of uid {os.getuid()} saw {self.path} for {self.headers['Host']}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

    def address_string(self):
        return "socket"

target = sys.argv[1]
if target.startswith("/"):
    with __import__("contextlib").suppress(FileNotFoundError):
        os.unlink(target)
    server = socketserver.ThreadingUnixStreamServer(target, Handler)
    os.chmod(target, 0o666)
else:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", int(target)), Handler)
print("ready", flush=True)
server.serve_forever()
"""


@contextlib.contextmanager
def account_app(account: str, target: str) -> Iterator[subprocess.Popen[str]]:
    """The app, running as the account on `target` (a socket path or a port), once it listens."""
    process = subprocess.Popen(
        as_account(account, ["/usr/bin/python3", "-c", APP, target]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line != "ready\n":
            process.kill()
            raise AssertionError(f"the app did not start: {process.communicate()[1]}")
        yield process
    finally:
        process.kill()
        process.wait()


def free_port_in(first: int, last: int) -> int:
    """A loopback port in first..last that nothing listens on now, held for this run."""
    return stack.free_port(first, last)


def run_as(account: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """A command as the account; its result, whatever its exit code."""
    return subprocess.run(
        as_account(account, argv), capture_output=True, text=True, check=False, timeout=30
    )
