"""Polite, stubborn HTTP for arXiv: one session, spacing between requests, retries that honour the server.

Every request to arXiv (API pages and listing feeds alike) goes through one ``PoliteHttp``:

* at least ``delay_seconds`` between the end of one request and the start of the next (arXiv: 3 s);
* a descriptive User-Agent with a contact, and connect/read timeouts (``requests`` has none by default);
* HTTP 429 and 503 wait as long as ``Retry-After`` says (up to a cap), other 5xx and timeouts back off
  exponentially (capped); a 4xx other than 429 is the caller's fault and is not retried;
* a host that cannot be resolved, or refuses the very first connection, is reported as unreachable at
  once: retrying a machine that is offline only makes ``make site`` slow.

The sleeping and the clock are injectable so tests can run the real logic quickly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

from tracker.errors import ArxivError, ArxivUnreachableError
from tracker.fetch.config import TrackerConfig

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ArxivRequestError(ArxivError):
    """arXiv answered, but with a client error (bad query): retrying would not help."""

    def __init__(self, message: str, status: int, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass
class HttpLog:
    """What the run asked of arXiv: for the manifest and for the weekly cost estimate."""

    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    events: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"requests": self.requests, "retries": self.retries, "waited_s": round(self.waited_seconds, 1),
                "events": list(self.events)}


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _is_name_resolution_failure(error: BaseException) -> bool:
    text = repr(error)
    return any(marker in text for marker in ("NameResolutionError", "Name or service not known",
                                              "nodename nor servname", "getaddrinfo failed",
                                              "Temporary failure in name resolution"))


class PoliteHttp:
    """GET with arXiv's manners. One instance per run, shared by the API client and the feed reader."""

    def __init__(self, config: TrackerConfig, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = config.user_agent()
        self.sleep = sleep
        self.clock = clock
        self.log = HttpLog()
        self._last_request_end: float | None = None
        self._hosts_answered: set[str] = set()

    def _wait(self, seconds: float, why: str) -> None:
        if seconds <= 0:
            return
        self.log.waited_seconds += seconds
        log.info("waiting %.1f s: %s", seconds, why)
        self.sleep(seconds)

    def _keep_spacing(self) -> None:
        if self._last_request_end is None:
            return
        remaining = self.config.delay_seconds - (self.clock() - self._last_request_end)
        if remaining > 0:
            # not counted in waited_seconds: spacing is the normal cost of asking, not a fault
            self.sleep(remaining)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based): base * 2**(attempt-1), capped."""
        return min(self.config.backoff_cap_seconds, self.config.backoff_base_seconds * 2 ** (attempt - 1))

    def _event(self, message: str) -> None:
        self.log.events.append(message)
        log.warning("%s", message)

    def get(self, url: str, accept_empty: Callable[[requests.Response], str | None] | None = None) -> requests.Response:
        """The response to ``url`` (status 200), after as many polite retries as the config allows.

        ``accept_empty``: given a 200 response, returns a reason to retry it (e.g. "empty page") or None.
        """
        last_problem = "no attempt made"
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                self.log.retries += 1
            self._keep_spacing()
            try:
                self.log.requests += 1
                response = self.session.get(
                    url, timeout=(self.config.connect_timeout_seconds, self.config.read_timeout_seconds))
            except requests.exceptions.Timeout as error:
                last_problem = f"timed out ({type(error).__name__})"
            except requests.exceptions.ConnectionError as error:
                # Offline (no DNS) or nothing listening: say so at once. Once arXiv has answered in this
                # run, a failed connection is a hiccup and is retried like any other.
                if _host(url) not in self._hosts_answered:
                    if _is_name_resolution_failure(error):
                        raise ArxivUnreachableError(f"cannot resolve {_host(url)} (no network?)") from None
                    raise ArxivUnreachableError(f"cannot connect to {_host(url)} ({_reason(error)})") from None
                last_problem = f"connection failed ({_reason(error)})"
            else:
                self._hosts_answered.add(_host(url))
                status = response.status_code
                if status == 200:
                    problem = accept_empty(response) if accept_empty else None
                    if problem is None:
                        return response
                    last_problem = problem
                elif status in RETRY_STATUSES:
                    last_problem = f"HTTP {status}"
                    asked = retry_after_seconds(response.headers.get("Retry-After"))
                    if asked is not None:
                        if asked > self.config.max_retry_after_seconds:
                            raise ArxivError(f"arXiv answered HTTP {status} and asked to wait {asked:.0f} s, "
                                             f"more than max_retry_after_seconds ({url})")
                        if attempt < self.config.max_retries:
                            self._event(f"HTTP {status}, Retry-After {asked:g} s: {_short(url)}")
                            self._wait(asked, f"Retry-After from HTTP {status}")
                            self._last_request_end = self.clock()
                            continue
                else:
                    raise ArxivRequestError(f"arXiv answered HTTP {status} ({_short(url)})", status, response.content)
            finally:
                self._last_request_end = self.clock()
            if attempt < self.config.max_retries:
                delay = self.backoff(attempt + 1)
                self._event(f"{last_problem}; retry {attempt + 1} in {delay:g} s: {_short(url)}")
                self._wait(delay, last_problem)
                self._last_request_end = self.clock()
        raise ArxivError(f"arXiv request failed after {self.config.max_retries + 1} tries: {last_problem} "
                         f"({_short(url)})")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _short(url: str) -> str:
    return url if len(url) <= 160 else url[:157] + "..."


def _reason(error: BaseException) -> str:
    text = str(error)
    for marker in ("Connection refused", "Connection reset", "Network is unreachable", "No route to host"):
        if marker in text:
            return marker.lower()
    return type(error).__name__
