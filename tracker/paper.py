"""The ``Paper`` record: one arXiv paper as stored in ``data/papers/YYYY/MM.jsonl``."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from tracker.artifacts import Artifact, extract_artifacts

# New-style ids (0704.0001 onwards) and old-style ids (hep-th/9901001, math.GT/0309136).
ARXIV_ID_RE = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})$")
_VERSIONED_ID_RE = re.compile(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$")


def split_arxiv_id(raw: str) -> tuple[str, int | None]:
    """Split ``2401.01234v3`` (or an abs URL) into ``("2401.01234", 3)``; no version gives ``None``."""
    text = raw.strip()
    for prefix in ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "arxiv.org/abs/", "arXiv:", "arxiv:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    match = _VERSIONED_ID_RE.match(text)
    assert match is not None  # the pattern matches any string
    version = match.group("version")
    return match.group("id"), int(version) if version else None


# The validation context of a record read back from the store (``PaperStore``): its artifacts are taken as stored.
# Every other record (the API's, a feed's, an imported line) has them extracted from its abstract and comment.
# Reading the store does not run the extractor again (it would double the time every command takes to load
# it); scripts/backfill_artifacts.py does, after the extractor changes, and tests/test_artifacts.py checks the
# bundled store agrees with it.
STORED: dict[str, bool] = {"stored": True}


def clean_text(text: str) -> str:
    """Collapse the hard line wraps and runs of spaces arXiv metadata carries."""
    return " ".join(text.split())


class VersionRecord(BaseModel):
    """One entry of a paper's version history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    date: date


class Paper(BaseModel):
    """An arXiv paper. ``published`` is the first version's date, ``updated`` the stored version's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    abstract: str
    authors: list[str]
    categories: list[str] = Field(min_length=1)
    published: date
    updated: date
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    versions: list[VersionRecord] = Field(default_factory=list)
    # The code, weights, data and project pages the abstract and comment name (tracker.artifacts). Derived from
    # those two texts whenever a record is made (never taken from the input but in the store's own lines, see
    # STORED), so it agrees with them; stored (when not empty) so the store's diff shows what each paper released.
    artifacts: list[Artifact] = Field(default_factory=list)
    # Known only from a listing feed so far (its date is the announcement's, not the submission's): the API's
    # record replaces it when the API returns the paper. Stored only when true.
    provisional: bool = False

    @model_validator(mode="before")
    @classmethod
    def _derive_artifacts(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, dict) and not (info.context and info.context.get("stored")):
            abstract, comment = data.get("abstract"), data.get("comment")
            found = extract_artifacts(abstract if isinstance(abstract, str) else "",
                                      comment if isinstance(comment, str) else None)
            data = {**data, "artifacts": found}
        return data

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not ARXIV_ID_RE.match(value):
            raise ValueError(f"not an arXiv id without version: {value!r}")
        return value

    @field_validator("title", "abstract")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_text(value)

    @property
    def primary_category(self) -> str:
        return self.categories[0]

    @property
    def month(self) -> str:
        """``YYYY-MM`` of first submission: the store shard this paper lives in."""
        return self.published.strftime("%Y-%m")

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"

    @property
    def text(self) -> str:
        """What gets embedded and searched: title and abstract."""
        return f"{self.title}. {self.abstract}"

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def to_json_line(self) -> str:
        """The store's one-line form: fixed key order, no defaults, UTF-8 kept readable for diffs."""
        data = self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        # exclude_defaults would drop required fields equal to nothing; keep the contract's minimum
        for key in ("id", "version", "title", "abstract", "authors", "categories", "published", "updated"):
            if key not in data:
                data[key] = self.model_dump(mode="json")[key]
        ordered = {name: data[name] for name in type(self).model_fields if name in data}
        return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))
