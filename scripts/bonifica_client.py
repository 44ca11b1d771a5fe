"""A small client for Bonifica's API and a handle on a `bonifica serve` process, shared by
the scripts that drive a real server (durability, bench-reports). Standard library only."""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def fail(message):
    print(f"{sys.argv[0]}: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """A tiny JSON client over urllib: bearer token or session cookie with CSRF."""

    def __init__(self, base):
        self.base = base
        self.token = None
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, timeout=30, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        if self.cookie:
            req.add_header("Cookie", self.cookie)
            if self.csrf:
                req.add_header("X-CSRF-Token", self.csrf)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, r.headers, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")
            return e.code, e.headers, payload

    def sign_in(self, username, password):
        status, headers, body = self.request(
            "POST", "/api/session", {"username": username, "password": password}
        )
        if status != 200 and status != 201:
            fail(f"sign-in of {username}: HTTP {status}: {body}")
        self.cookie = headers.get("Set-Cookie", "").split(";")[0]
        self.csrf = body["csrf_token"]
        status, _, body = self.request("POST", "/api/tokens", {"name": "durability"})
        if status != 201:
            fail(f"token for {username}: HTTP {status}: {body}")
        self.token, self.cookie, self.csrf = body["token"], None, None


class Server:
    def __init__(self, binary, region, port, log):
        self.binary, self.region, self.port, self.log = binary, region, port, log
        self.proc = None

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen(
            [self.binary, "serve", self.region, "--port", str(self.port)],
            stdout=logf,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail(f"the server stopped on start; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        fail("the server did not start within 120 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
