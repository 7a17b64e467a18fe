"""The weekly "For you" as Markdown: what ``scripts/weekly`` writes for a library kept in the repository, and what
the workflow posts as a GitHub issue (GitHub's own notification e-mail then carries it: no mail server).

Everything a reader needs is in the text (titles linked to arXiv, first authors, dates, the library papers each
one is close to), so the e-mail stands on its own; nothing is fetched to read it.
"""

from __future__ import annotations

import re

from tracker.library.reader import arxiv_id_in
from tracker.library.recommend import RecommendResult, plural

AUTHORS_SHOWN = 3
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def escape(text: str) -> str:
    """Text safe in a Markdown line: the characters that would start emphasis, links, HTML or tables escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def title_line(result: RecommendResult) -> str:
    """The report's first line (the issue's title): how many papers, from which window."""
    return f"For you: {plural(len(result.items), 'new paper')}, {result.window.describe()}"


def markdown_report(result: RecommendResult, library_name: str | None = None) -> str:
    name = library_name or result.library.path.name
    lines = [f"# {title_line(result)}", "",
             f"The papers closest by meaning to the {plural(len(result.papers), 'paper')} of `{name}`, from the "
             f"{plural(result.candidates, 'paper')} first listed in {result.window.describe()} (ranked by "
             f"`{result.method}`; see the README's \"For you\").", ""]
    for rank, item in enumerate(result.items, start=1):
        paper = item.paper
        authors = ", ".join(paper.authors[:AUTHORS_SHOWN]) + (" et al." if len(paper.authors) > AUTHORS_SHOWN else "")
        lines.append(f"{rank}. **[{escape(paper.title)}]({paper.abs_url})**  ")
        lines.append(f"   {escape(authors)} · {paper.published.isoformat()} · {paper.primary_category}  ")
        reasons = "; ".join(_reason(result, library_id) for library_id in item.because)
        lines.append(f"   Close to your: {reasons}")
    if not result.items:
        lines.append("No new papers in this window.")
    notes = []
    if result.papers.missing:
        shown = ", ".join(result.papers.missing[:20]) + (" …" if len(result.papers.missing) > 20 else "")
        notes.append(f"{plural(len(result.papers.missing), 'library paper')} not in the store and without an abstract "
                     f"in the file, so left out: {shown}.")
    if result.papers.embedded:
        notes.append(f"{plural(len(result.papers.embedded), 'library paper')} not in the store, read from the file's "
                     "title and abstract.")
    lines += ["", *(f"> {note}" for note in notes), *([""] if notes else []),
              "<sub>Written by scripts/weekly with `llm-atlas recommend`.</sub>", ""]
    return "\n".join(lines)


def _reason(result: RecommendResult, library_id: str) -> str:
    title = result.titles.get(library_id, "")
    label = f"*{escape(title)}*" if title else ""
    if arxiv_id_in(library_id) == library_id:  # else a BibTeX key: a paper only the library file knows
        return f"{label} ([{library_id}](https://arxiv.org/abs/{library_id}))".strip()
    return f"{label} ({escape(library_id)})".strip()
