"""Run an ASGI app on a free 127.0.0.1 port in a background thread, so tests speak real HTTP; serve a folder of
static pages (a Sở's site that embeds the widget); or wait for a `hoidap serve` process a test started."""
from __future__ import annotations

import functools
import http.server
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn


@contextmanager
def serve_folder(folder):
    """Yield the base URL ("http://127.0.0.1:<port>/") of the files in `folder`, served as they are."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: a free one, no race
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()


@contextmanager
def serve(app):
    """Yield the base URL of `app` running under uvicorn (lifespan included)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started or not thread.is_alive())
    assert server.started, "test server did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def wait_until(predicate, timeout: float = 10.0):
    """Poll `predicate` until it returns something truthy; that value, or None at the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    return None


def settled(read, quiet: float = 0.4, timeout: float = 10.0) -> list:
    """Wait until `read()` is non-empty and has stopped growing (every part of a reply has arrived)."""
    deadline = time.monotonic() + timeout
    last, since = read(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = read()
        if len(now) != len(last):
            last, since = now, time.monotonic()
        elif last and time.monotonic() - since >= quiet:
            break
    return last


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Until `url`/healthz answers 200; fails with the process's output if it exits first, or at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, process.stdout.read()
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{url} did not start within {seconds:.0f} s"
        time.sleep(0.3)
