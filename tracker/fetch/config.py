"""The tracker's settings: which categories and queries to follow, and how politely to ask arXiv.

They come from ``tracker.toml`` at the repository root (or ``--config PATH``, or ``$LLM_ATLAS_TRACKER_CONFIG``);
every key is optional and falls back to the defaults below. A bad file is one clear error line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker.errors import InputError

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_FEED_URL = "https://rss.arxiv.org/rss"
CONFIG_NAME = "tracker.toml"
# arXiv's terms of use: no more than one request every three seconds, from one connection at a time.
ARXIV_MIN_DELAY = 3.0
ARXIV_HOSTS = {"export.arxiv.org", "arxiv.org", "rss.arxiv.org", "www.arxiv.org"}


def _version() -> str:
    try:
        return metadata.version("llm-atlas")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


@dataclass(frozen=True)
class TrackerConfig:
    """Everything ``llm-atlas update`` needs to know besides the folders."""

    categories: list[str] = field(default_factory=lambda: ["cs.CL", "cs.LG", "cs.AI"])
    # Extra API queries (arXiv query syntax), each restricted to the same time window as the categories.
    queries: list[str] = field(default_factory=list)
    # lastUpdatedDate catches new versions of older papers too; submittedDate only first submissions.
    date_field: str = "lastUpdatedDate"
    api_url: str = DEFAULT_API_URL
    feed_url: str = DEFAULT_FEED_URL
    use_feed: bool = True
    contact: str = ""
    page_size: int = 500
    delay_seconds: float = ARXIV_MIN_DELAY
    max_retries: int = 5
    backoff_base_seconds: float = 5.0
    backoff_cap_seconds: float = 120.0
    # The longest Retry-After we are willing to honour; beyond it the run gives up on that request.
    max_retry_after_seconds: float = 600.0
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 90.0
    # Each run starts this many days before the end of the last successful window (arXiv's index lags).
    overlap_days: int = 3
    # The first run (no state yet) looks this far back.
    first_run_days: int = 7
    # How long the ledger of papers seen and rejected is kept (it only has to span the overlap).
    ledger_days: int = 14

    def user_agent(self) -> str:
        contact = os.environ.get("LLM_ATLAS_CONTACT") or self.contact
        who = f"mailto:{contact}" if contact and "@" in contact and "://" not in contact else contact
        return f"llm-atlas/{_version()} (LLM Atlas paper tracker; {who or 'no contact configured'})"

    def with_urls(self, api_url: str | None, feed_url: str | None) -> TrackerConfig:
        return replace(self, api_url=api_url or self.api_url, feed_url=feed_url or self.feed_url)

    def check(self, source: Path | str = "tracker config") -> TrackerConfig:
        """Refuse settings that would break arXiv's terms or make no sense."""
        if not self.categories and not self.queries:
            raise InputError(source, "categories: give at least one category or query")
        if self.date_field not in ("lastUpdatedDate", "submittedDate"):
            raise InputError(source, f"date_field: must be lastUpdatedDate or submittedDate, not {self.date_field!r}")
        for url in (self.api_url, self.feed_url) if self.use_feed else (self.api_url,):
            if urlsplit(url).hostname in ARXIV_HOSTS and self.delay_seconds < ARXIV_MIN_DELAY:
                raise InputError(source, f"delay_seconds: arXiv asks for at least {ARXIV_MIN_DELAY:g} s between "
                                         f"requests ({url}); smaller delays are only for mirrors and test servers")
        if not 1 <= self.page_size <= 2000:
            raise InputError(source, "page_size: must be between 1 and 2000 (the API's limit)")
        for name in ("max_retries", "overlap_days", "first_run_days", "ledger_days"):
            if getattr(self, name) < 0:
                raise InputError(source, f"{name}: must not be negative")
        if self.ledger_days < self.overlap_days:
            raise InputError(source, "ledger_days: must be at least overlap_days, or the overlap is re-assessed")
        return self


def _coerce(name: str, value: Any, default: Any, source: Path) -> Any:
    expected = type(default)
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise InputError(source, f"{name}: must be a list of non-empty strings")
        return [v.strip() for v in value]
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise InputError(source, f"{name}: must be {expected.__name__}, not {type(value).__name__} ({value!r})")
    return value


def load_tracker_config(path: Path | None = None, repo_root: Path | None = None, api_url: str | None = None,
                        feed_url: str | None = None) -> TrackerConfig:
    """``path``, else ``$LLM_ATLAS_TRACKER_CONFIG``, else ``<repo>/tracker.toml``, else the defaults.

    ``api_url``/``feed_url`` (the command-line options) override the file before it is checked.
    """
    if path is None and os.environ.get("LLM_ATLAS_TRACKER_CONFIG"):
        path = Path(os.environ["LLM_ATLAS_TRACKER_CONFIG"])
    if path is None and repo_root is not None and (repo_root / CONFIG_NAME).is_file():
        path = repo_root / CONFIG_NAME
    if path is None:
        return TrackerConfig().with_urls(api_url, feed_url).check()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(path, f"not valid TOML ({error})") from None
    # Keys may sit at the top level or in an [arxiv] table; [tracker] too.
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key in ("arxiv", "tracker", "http", "window"):
            flat.update(value)
        else:
            flat[key] = value
    defaults = TrackerConfig()
    known = {f.name for f in fields(TrackerConfig)}
    values: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in known:
            raise InputError(path, f"{key}: unknown setting (known: {', '.join(sorted(known))})")
        values[key] = _coerce(key, value, getattr(defaults, key), path)
    return TrackerConfig(**values).with_urls(api_url, feed_url).check(path)
