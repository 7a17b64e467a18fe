"""A reader's library from a file: BibTeX (Zotero, Mendeley, Google Scholar, the site's own export) or arXiv ids.

Each entry becomes a ``LibraryEntry``: its arXiv id (no version) when one can be found, and its title and
abstract when the file has them (a paper missing from the store is then embedded from them). Where the id is:

- BibTeX: ``eprint`` (with ``archiveprefix = {arXiv}`` or none; Better BibTeX, Mendeley, the site's export),
  ``arxivid`` (Mendeley), ``url`` (``arxiv.org/abs/…``, ``/pdf/…``), ``doi`` (``10.48550/arXiv.…``, Zotero), then
  ``journal``/``note``/``number``/``howpublished`` holding ``arXiv:…`` (Google Scholar's ``arXiv preprint
  arXiv:2401.01234``);
- a text file: one id or URL per line (``2401.01234v2``, ``hep-th/9901001``, ``arXiv:2401.01234``, any arXiv,
  alphaXiv or Hugging Face papers URL); blank lines and lines starting with ``#`` or ``%`` are skipped, and
  anything after the id on its line is ignored (a title, a note).

Bad input is one clear line naming the file (and the line where there is one): an empty file, a binary file,
a file with no entry at all. Entries that cannot be used are reported as warnings and left out; whether any
usable paper is left is decided later, against the store (``tracker.library.recommend.resolve``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from tracker.errors import InputError
from tracker.paper import clean_text

# New-style ids (0704.0001 onwards) and old-style ids (hep-th/9901001, math.GT/0309136), optional version.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?"
# An id alone (a line of a text file, an eprint field), possibly written arXiv:ID.
_BARE_RE = re.compile(rf"^(?:arxiv:\s*)?{_ID}(?:\.pdf)?$", re.IGNORECASE)
# An id inside a URL (arxiv.org/abs|pdf|html, alphaxiv.org/abs, huggingface.co/papers, doi.org/10.48550/arXiv.ID)
_URL_RE = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html|format)/|alphaxiv\.org/(?:abs|overview)/|huggingface\.co/papers/"
    rf"|10\.48550/arxiv\.){_ID}", re.IGNORECASE)
# "arXiv:2401.01234" or "arXiv 2401.01234" in free text (journal = {arXiv preprint arXiv:2401.01234})
_TEXT_RE = re.compile(rf"\barxiv[:\s]\s*{_ID}", re.IGNORECASE)
_BIBTEX_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
# Fields that may carry an id in free text, after the dedicated ones.
_TEXT_FIELDS = ("journal", "note", "number", "howpublished", "eprinttype", "annote", "annotation")
# \"{u}, \'e: the letter without its accent (the search model reads text without accents anyway)
_LATEX_ACCENT = re.compile(r"\\[\"'^`~=.uvHc]\s*\{?([A-Za-z])\}?")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*|\\.")
BINARY_SNIFF = 8192  # bytes looked at for NUL bytes


@dataclass(frozen=True)
class LibraryEntry:
    """One paper of a library file: its arXiv id and/or its text, and where it was in the file."""

    id: str | None
    line: int
    title: str = ""
    abstract: str = ""
    key: str = ""  # the BibTeX key, when there is one

    @property
    def name(self) -> str:
        """How a message names the entry: its id, else its BibTeX key."""
        return self.id or self.key or f"line {self.line}"

    @property
    def has_text(self) -> bool:
        return bool(self.title and self.abstract)

    @property
    def text(self) -> str:
        """The text embedded for a paper the store lacks: the same shape as ``Paper.text``."""
        return f"{self.title}. {self.abstract}"


@dataclass
class Library:
    path: Path
    kind: str  # "bibtex" or "ids"
    entries: list[LibraryEntry]
    warnings: list[str] = field(default_factory=list)  # one line each, naming the file and line

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.entries if e.id]

    def __len__(self) -> int:
        return len(self.entries)


def arxiv_id_in(text: str, bare: bool = True) -> str | None:
    """The arXiv id (no version) in an id, a URL or a DOI, else None; ``bare=False`` also searches free text."""
    value = text.strip().strip("<>\"'")
    match = _BARE_RE.match(value) or _URL_RE.search(value)
    if match is None and not bare:
        match = _TEXT_RE.search(value)
    return match.group("id") if match else None


def read_library(path: Path) -> Library:
    """The entries of a library file; raises ``InputError`` (file and line) when the file has none at all."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read the library: {error.strerror or error}") from None
    text = _text(path, raw)
    if not text.strip():
        raise InputError(path, "the library file is empty")
    library = read_bibtex(path, text) if _BIBTEX_START.search(text) else read_id_list(path, text)
    if not library.entries:
        detail = f" ({library.warnings[0].split(': ', 1)[1]})" if library.warnings else ""
        what = "BibTeX entries" if library.kind == "bibtex" else "lines"
        raise InputError(path, f"no paper in the library: none of its {what} names an arXiv paper{detail}")
    return library


def _text(path: Path, raw: bytes) -> str:
    if b"\0" in raw[:BINARY_SNIFF]:
        raise InputError(path, "not a text file (binary data); give a BibTeX file or a list of arXiv ids")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text (a binary file?); give a BibTeX file or a list of arXiv ids",
                         line) from None


def read_id_list(path: Path, text: str) -> Library:
    entries: list[LibraryEntry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "%", "//")):
            continue
        first = stripped.split()[0].rstrip(",;")
        found = arxiv_id_in(first)
        if found is None:
            warnings.append(f"{path}:{number}: not an arXiv id or URL, left out: {_shorten(stripped)!r}")
        elif found not in seen:
            seen.add(found)
            entries.append(LibraryEntry(found, number))
    return Library(path, "ids", entries, warnings)


def read_bibtex(path: Path, text: str) -> Library:
    import bibtexparser

    # bibtexparser logs each block it cannot parse as a warning; they are reported here, one line each
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        parsed = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    entries: list[LibraryEntry] = []
    warnings = [f"{path}:{(block.start_line or 0) + 1}: a BibTeX block that does not parse, left out"
                for block in parsed.failed_blocks]
    seen: set[str] = set()
    for entry in parsed.entries:
        fields = {name.lower(): str(value.value) for name, value in entry.fields_dict.items()}
        line = (entry.start_line or 0) + 1  # bibtexparser counts lines from 0
        found = bibtex_arxiv_id(fields)
        title, abstract = latex_text(fields.get("title", "")), latex_text(fields.get("abstract", ""))
        if found is None and not (title and abstract):
            warnings.append(f"{path}:{line}: entry {entry.key} has no arXiv id and no abstract, left out")
            continue
        if found is not None:
            if found in seen:
                continue
            seen.add(found)
        entries.append(LibraryEntry(found, line, title, abstract, entry.key))
    warnings.sort(key=lambda w: int(w[len(str(path)) + 1 :].split(":", 1)[0]))  # in the file's order
    return Library(path, "bibtex", entries, warnings)


def bibtex_arxiv_id(fields: dict[str, str]) -> str | None:
    """The arXiv id of a BibTeX entry (field names lower-cased), else None."""
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "arxiv")).strip().lower()
    for name in ("eprint", "arxivid", "arxiv"):
        if name in fields and (prefix == "arxiv" or name != "eprint"):
            found = arxiv_id_in(fields[name])
            if found:
                return found
    for name in ("url", "doi"):
        found = arxiv_id_in(fields.get(name, ""))
        if found:
            return found
    for name in _TEXT_FIELDS:
        found = arxiv_id_in(fields.get(name, ""), bare=False)
        if found:
            return found
    return None


def latex_text(value: str) -> str:
    """A BibTeX field as plain text: LaTeX commands and braces dropped, white space collapsed."""
    value = _LATEX_ACCENT.sub(r"\1", value)
    value = _LATEX_COMMAND.sub(lambda m: m.group(0)[1:] if len(m.group(0)) == 2 else "", value)
    return clean_text(value.replace("{", "").replace("}", "").replace("~", " "))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
