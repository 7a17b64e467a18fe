"""A local HTTP server: 127.0.0.1 only, a free port, served from a thread.

Serves a built site as a static host would (the search page's Web Worker refuses ``file://``) for the
browser tests and ``scripts/bench_site_search.py``; the tests also serve their arXiv stand-ins with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextmanager
def serve_locally(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread; yields the base URL (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class QuietStaticHandler(SimpleHTTPRequestHandler):
    """Static files, as GitHub Pages would serve them, without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve the files under ``folder`` (a built site) locally; yields the base URL (no trailing slash)."""
    with serve_locally(partial(QuietStaticHandler, directory=str(folder))) as url:
        yield url
