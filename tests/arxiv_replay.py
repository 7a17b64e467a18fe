"""A local arXiv: replays recorded real responses from tests/fixtures/arxiv over HTTP on 127.0.0.1.

API requests (``/api/query``) are answered from ``pages`` keyed by the ``start`` parameter; listing-feed
requests (``/rss/...``) from ``feed``. ``faults`` is a queue of scripted answers (status, headers, body)
served to the next API requests before the recorded pages (status -1: a 1 s stall); ``stall_at`` makes
one page wait until ``release`` is set (for kill tests). Every request is logged with its time and headers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tracker.site.serve import serve_locally

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv"
EMPTY_PAGE = FIXTURES / "api" / "id_0000.0000_s0_m100_8b51d9633a68.json"


def recorded(name: str) -> tuple[int, bytes]:
    """(status, body) of a recorded arxiv.py response (``{url, status_code, body}``) or a raw XML file."""
    path = FIXTURES / name
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["status_code"]), data["body"].encode("utf-8")
    return 200, path.read_bytes()


def with_total(body: bytes, total: int) -> bytes:
    """The page with ``opensearch:totalResults`` set to ``total`` (a replayed query of finite size)."""
    return re.sub(rb"<opensearch:totalResults>\d+</opensearch:totalResults>",
                  b"<opensearch:totalResults>%d</opensearch:totalResults>" % total, body)


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


@dataclass
class Replay:
    pages: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    feed: tuple[int, bytes] | None = None
    faults: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    stall_at: int | None = None
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    @property
    def feed_url(self) -> str:
        return f"{self.url}/rss"

    def api_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.startswith("/api/")]

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/rss"):
            if self.feed is None:
                return 404, {}, b"no feed"
            return self.feed[0], {"Content-Type": "application/rss+xml; charset=utf-8"}, self.feed[1]
        if self.faults:
            fault = self.faults.pop(0)
            if fault[0] != -1:
                return fault
            time.sleep(1.0)  # -1: stall past the client's read timeout, then answer (to a closed socket)
        start = int(query.get("start", ["0"])[0])
        if self.stall_at is not None and start == self.stall_at:
            self.release.wait(60)
        status, body = self.pages.get(start, recorded("api/" + EMPTY_PAGE.name))
        return status, {"Content-Type": "application/atom+xml; charset=utf-8"}, body


def respond(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    """Send one whole answer; a client that hung up (a timed-out request) is no error of the server's."""
    try:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


@contextmanager
def serve(replay: Replay) -> Iterator[Replay]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            replay.requests.append(Request(parts.path, query, dict(self.headers.items()), time.monotonic()))
            respond(self, *replay.answer(parts.path, query))

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

    with serve_locally(Handler) as url:
        replay.url = url
        try:
            yield replay
        finally:
            replay.release.set()  # let a stalled request finish before the server shuts down

