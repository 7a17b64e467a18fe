"""BibTeX entries, one ``@misc`` per paper, escaped for LaTeX, with stable keys (published in the abstracts files).

Keys are ``<first author's surname><year>_<arXiv id>`` in ASCII (``hamed2026_2605.30400``): readable, and
unique and unchanging across every list a paper appears in, so a reader's citations stay valid.
"""

from __future__ import annotations

import re
import unicodedata

from tracker.paper import Paper

# LaTeX's special characters; a backslash first so the escapes added later are not escaped again.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def latex_escape(text: str) -> str:
    """Text safe inside a BibTeX field: LaTeX specials escaped, no line breaks, UTF-8 kept (biber reads it)."""
    return _LATEX_RE.sub(lambda m: _LATEX[m.group(0)], " ".join(text.split()))


def ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", folded.lower())


def surname(author: str) -> str:
    """The last word of a name, without suffixes (Jr., III)."""
    words = [w for w in re.split(r"\s+", author.strip()) if w]
    while len(words) > 1 and words[-1].rstrip(".").lower() in {"jr", "sr", "ii", "iii", "iv"}:
        words.pop()
    return words[-1] if words else ""


def bibtex_key(paper: Paper) -> str:
    name = ascii_word(surname(paper.authors[0])) if paper.authors else ""
    return f"{name or 'anon'}{paper.published.year}_{paper.id.replace('/', '_')}"


def bibtex_entry(paper: Paper) -> str:
    fields = [
        # double braces keep the title's capitals (LLM, BERT) as written
        ("title", "{" + latex_escape(paper.title) + "}"),
        ("author", " and ".join(latex_escape(a) for a in paper.authors) or "Anonymous"),
        ("year", str(paper.published.year)),
        ("month", _MONTHS[paper.published.month - 1]),
        ("eprint", paper.id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category),
        ("url", paper.abs_url),
    ]
    if paper.doi:
        fields.append(("doi", latex_escape(paper.doi)))
    if paper.journal_ref:
        fields.append(("note", latex_escape(paper.journal_ref)))
    lines = [f"  {name} = {{{value}}}," if name != "month" else f"  {name} = {value}," for name, value in fields]
    return "@misc{" + bibtex_key(paper) + ",\n" + "\n".join(lines) + "\n}\n"
