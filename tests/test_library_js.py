"""The reader's library in the browser (issue 23): its scripts run under Node against the Python they mirror.

- docs/assets/javascripts/library-page.js reads a library file as ``tracker.library.reader`` does (what
  ``llm-atlas recommend`` reads): the same arXiv ids from BibTeX (Zotero, Mendeley, Google Scholar, the site's
  own entries) and from lists of ids and links, the same lines reported as junk, nothing from an empty or
  binary file;
- its BibTeX export carries each paper's id in ``eprint`` (``archivePrefix = {arXiv}``), its title, authors and
  year; exported and imported again (by the page, and by the command line's reader) it gives the same papers;
- docs/assets/javascripts/library.js reads a stored library that is not valid JSON, of another shape, too big
  or partly junk without throwing: it keeps what is a paper, and says why the rest went.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from tracker.errors import InputError
from tracker.library.reader import latex_text, read_library
from tracker.paper import Paper
from tracker.site.pages.bibtex import bibtex_entry

HARNESS = Path(__file__).parent / "js" / "library.mjs"


def run_node(request: dict) -> object:
    completed = subprocess.run([shutil.which("node") or "node", str(HARNESS)], input=json.dumps(request),
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)


ZOTERO = r"""
@article{vaswani_attention_2017,
	title = {Attention {Is} {All} {You} {Need}},
	url = {http://arxiv.org/abs/1706.03762},
	doi = {10.48550/arXiv.1706.03762},
	urldate = {2024-01-01},
	publisher = {arXiv},
	author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
	month = dec,
	year = {2017},
	note = {arXiv:1706.03762 [cs]},
}

@misc{zotero_doi_only,
	title = {Only a {DOI}},
	doi = {10.48550/arXiv.2401.01234},
	year = {2024},
}

@inproceedings{no_arxiv_2020,
	title = {A Paper Without an {arXiv} Version},
	booktitle = {Proceedings},
	author = {Doe, Jane},
	year = {2020},
}
"""
MENDELEY = r"""
@article{Smith2023,
archivePrefix = {arXiv},
arxivId = {2305.10601},
author = {Smith, J. and M{\"{u}}ller, K.},
eprint = {2305.10601},
title = {{Tree of Thoughts: Deliberate Problem Solving}},
year = {2023}
}
@article{pubmed2021,
eprint = {33772245},
archivePrefix = {PubMed},
title = {Not arXiv},
year = {2021}
}
"""
SCHOLAR = r"""@string{arx = "arXiv preprint"}
@comment{exported from Google Scholar}
@article{wei2022chain,
  title="Chain-of-thought prompting elicits reasoning in large language models",
  author="Wei, Jason and Wang, Xuezhi and others",
  journal=arx # " arXiv:2201.11903",
  year=2022
}
@article{old2001,
  title={An Old-Style Identifier},
  journal={arXiv preprint arXiv:hep-th/0101001v2},
  year={2001}
}
@article{broken,
  title = {Never closed,
"""
ID_LIST = """\ufeff# my reading list
2601.01972
https://arxiv.org/abs/2603.00421v2
arXiv:2605.30400 a title written after the id

https://arxiv.org/pdf/2602.11111v1.pdf
http://export.arxiv.org/abs/hep-th/9901001v3
https://www.alphaxiv.org/abs/2604.22222
https://huggingface.co/papers/2606.33333
% a LaTeX comment
// another comment
hello world
1234.5
https://example.org/paper.pdf
2601.01972
2601.01972v3,
"""
CRLF_LIST = "2601.01972\r\nnot-an-id\r\n2603.00421\r\n"


def test_reading_files_finds_what_the_command_line_finds(tmp_path: Path) -> None:
    texts = {"zotero.bib": ZOTERO, "mendeley.bib": MENDELEY, "scholar.bib": SCHOLAR, "list.txt": ID_LIST,
             "crlf.txt": CRLF_LIST}
    ours = run_node({"task": "read", "texts": list(texts.values())})
    for (name, text), read in zip(texts.items(), ours, strict=True):  # type: ignore[call-overload]
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        theirs = read_library(path)
        assert [p["id"] for p in read["papers"]] == theirs.ids, name
        assert read["problem"] is None, name
        if theirs.kind == "ids":  # the same lines reported, with the same numbers
            reported = [int(w.split(":")[1]) for w in theirs.warnings]
            assert [j["line"] for j in read["junk"]] == reported, (name, read["junk"], theirs.warnings)
    zotero, mendeley, scholar, listed, _ = ours  # type: ignore[misc]
    assert [p["title"] for p in zotero["papers"]] == ["Attention Is All You Need", "Only a DOI"]
    assert zotero["papers"][0]["authors"] == "Ashish Vaswani, Noam Shazeer, Niki Parmar"
    assert [(j["line"], j["text"]) for j in zotero["junk"]] == [(20, "no_arxiv_2020")]
    assert mendeley["papers"] == [{"id": "2305.10601", "title": "Tree of Thoughts: Deliberate Problem Solving",
                                   "authors": "J. Smith, K. Muller"}]
    assert [j["text"] for j in mendeley["junk"]] == ["pubmed2021"]  # its eprint is PubMed's, not arXiv's
    assert [p["id"] for p in scholar["papers"]] == ["2201.11903", "hep-th/0101001"]
    assert scholar["papers"][0]["authors"] == "Jason Wei, Xuezhi Wang et al."
    assert [j["why"] for j in scholar["junk"]] == ["a BibTeX entry that does not parse"]
    assert [p["id"] for p in listed["papers"]] == ["2601.01972", "2603.00421", "2605.30400", "2602.11111",
                                                   "hep-th/9901001", "2604.22222", "2606.33333"]
    assert [j["text"] for j in listed["junk"]] == ["hello world", "1234.5", "https://example.org/paper.pdf"]


def test_bad_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    texts = ["", "   \n\n", "\0\x01\x02binary\0", "no ids here\nnor here\n", "@misc{x, title = {No id}}\n"]
    ours = run_node({"task": "read", "texts": texts})
    reasons = [read["problem"] for read in ours]  # type: ignore[attr-defined]
    assert reasons[:3] == ["it is empty", "it is empty",
                           "it is not a text file (binary data); give a BibTeX file or a list of arXiv ids"]
    assert reasons[3] == "none of its lines names an arXiv paper"
    assert reasons[4] == "none of its BibTeX entries names an arXiv paper"
    assert all(not read["papers"] for read in ours)  # type: ignore[attr-defined]
    for number, text in enumerate(texts):  # the command line refuses each of them too
        path = tmp_path / f"bad{number}.txt"
        path.write_bytes(text.encode("utf-8"))
        with pytest.raises(InputError):
            read_library(path)


def test_export_then_import_gives_the_same_papers(tmp_path: Path, corpus_papers: list[Paper]) -> None:
    """The page's BibTeX and id exports, read back by the page and by `llm-atlas recommend`'s reader."""
    import bibtexparser

    picked = [p for p in corpus_papers if any(c in p.title for c in "$\\{}&%_^~:")][:10] + corpus_papers[:30]
    picked = list({p.id: p for p in picked}.values())
    papers = [{"id": p.id, "title": " ".join(p.title.split()), "date": p.published.isoformat(),
               "authors": ", ".join(p.authors[:6]) + (" et al." if len(p.authors) > 6 else "")} for p in picked]
    papers.append({"id": "hep-th/9901001", "title": "", "date": "", "authors": ""})  # known by id alone
    exported = run_node({"task": "export", "papers": papers})
    bib = exported["bibtex"]  # type: ignore[index]
    assert bib.count("@misc{") == len(papers)
    assert bib.count("archivePrefix = {arXiv},") == len(papers)
    for paper in papers:
        assert f"eprint = {{{paper['id']}}}," in bib and f"url = {{https://arxiv.org/abs/{paper['id']}}}," in bib
    assert "year = {1999}," in bib  # the year of an id known alone
    parsed = bibtexparser.parse_string(bib)
    assert not parsed.failed_blocks and len(parsed.entries) == len(papers)
    # the page reads its own export back: the same ids, titles, dates and authors
    ids_text = exported["ids"]  # type: ignore[index]
    back, back_ids = run_node({"task": "read", "texts": [bib, ids_text]})  # type: ignore[misc]
    assert back["junk"] == [] and back_ids["junk"] == []
    assert [p["id"] for p in back["papers"]] == [p["id"] for p in papers] == [p["id"] for p in back_ids["papers"]]
    for mine, read in zip(papers, back["papers"], strict=True):
        assert read.get("title", "") == latex_text(bibtex_title(mine["title"])), mine["id"]
        assert read.get("date", "") == mine["date"] and read.get("authors", "") == mine["authors"], mine["id"]
    # the command line reads the page's files
    (tmp_path / "library.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "library.txt").write_text(ids_text, encoding="utf-8")
    assert read_library(tmp_path / "library.bib").ids == [p["id"] for p in papers]
    assert read_library(tmp_path / "library.txt").ids == [p["id"] for p in papers]
    titles = [e.title for e in read_library(tmp_path / "library.bib").entries]
    assert titles == [p["title"] and latex_text(bibtex_title(p["title"])) for p in papers]
    # the site's own entries (the month pages' BibTeX) import too
    site_bib = "\n".join(bibtex_entry(p) for p in picked)
    (site,) = run_node({"task": "read", "texts": [site_bib]})  # type: ignore[misc]
    assert [p["id"] for p in site["papers"]] == [p.id for p in picked]
    assert exported["link"] == "https://example.org/atlas/for-you/?papers=" + ",".join(  # type: ignore[index]
        p["id"] for p in papers)


def bibtex_title(title: str) -> str:
    """A title as the export writes it (the site's latex_escape inside double braces)."""
    from tracker.site.pages.bibtex import latex_escape

    return "{" + latex_escape(title) + "}"


def test_an_unreadable_stored_library_is_cut_to_what_can_be_read() -> None:
    good = {"id": "2601.01972", "title": "A <script>alert(1)</script> title", "date": "2026-01-05",
            "authors": "A. Author et al.", "added": "2026-01-06T10:00:00Z"}
    values = [
        None, "", "{not json", "42", '"a string"', "[]", '{"papers": 5}', '{"version": 1}',
        json.dumps({"version": 1, "papers": [good, {"id": "junk"}, "text", None, {"title": "no id"}, good]}),
        json.dumps({"version": 1, "papers": [{**good, "id": "https://arxiv.org/abs/2601.01972v2", "date": "soon",
                                              "title": 7}]}),
        json.dumps({"version": 2, "papers": [good]}),
        json.dumps({"version": 1, "papers": [good]}) + " " * 2_100_000,
        json.dumps({"version": 1, "papers": [{**good, "id": f"2601.{n:05d}"} for n in range(5_200)]}),
    ]
    out = run_node({"task": "parse", "values": values})
    problems = [read["problem"] for read in out]  # type: ignore[attr-defined]
    kept = [[p["id"] for p in read["papers"]] for read in out]  # type: ignore[attr-defined]
    assert problems[:2] == [None, None] and kept[:2] == [[], []]
    assert problems[2] == "it is not valid JSON"
    assert problems[3:5] == ["it is not a list of papers"] * 2
    assert problems[5] is None and kept[5] == []  # an empty list is a library with no paper, not junk
    assert problems[6] == "it is not a list of papers"
    assert problems[7] == "it is not a list of papers"
    assert problems[8] == "4 of its 6 entries were not papers" and kept[8] == ["2601.01972"]
    assert out[8]["papers"][0] == good  # type: ignore[index]  # kept as it was, its title a plain string
    assert problems[9] is None and out[9]["papers"] == [  # type: ignore[index]
        {"id": "2601.01972", "title": "", "date": "", "authors": "A. Author et al.", "added": good["added"]}]
    assert problems[10] == "it is of another version (2)" and kept[10] == ["2601.01972"]
    assert problems[11] is not None and problems[11].startswith("it is too big") and kept[11] == []
    assert problems[12] == "it held more than 5000 papers" and len(kept[12]) == 5000


def test_arxiv_ids_are_read_as_the_command_line_reads_them() -> None:
    from tracker.library.reader import arxiv_id_in

    texts = ["2601.01972", "2601.01972v12", "arXiv:2601.01972", "ARXIV: 2601.01972", "https://arxiv.org/abs/2601.01972",
             "arxiv.org/pdf/2601.01972v1.pdf", "<https://arxiv.org/abs/2601.01972>", "hep-th/9901001",
             "math.GT/0309136v2", "cond-mat/0101001", "10.48550/arXiv.2601.01972", "2601.1972", "26010.1972",
             "", "  ", "junk", "https://example.org/2601.01972", "2601.01972.pdf", "<script>", "2601.019721"]
    ours = run_node({"task": "ids", "texts": texts})
    assert ours == [arxiv_id_in(text) for text in texts]
    assert REPO.is_dir()
