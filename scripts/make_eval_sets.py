#!/usr/bin/env python3
"""Build the known-item evaluation sets (BEIR format) from the shared corpus of real arXiv papers.

    .venv/bin/python scripts/make_eval_sets.py [--corpus PATH] [--out .cache/llm-atlas/evalsets] [--docs 3000]

Writes one BEIR directory per query kind, each with ``corpus.jsonl``, ``queries.jsonl``, ``qrels/dev.tsv``
(for tuning) and ``qrels/test.tsv`` (held out: report only). Deterministic: same corpus file, same sets.

The corpus is a fixed sample of the corpus's papers about language models (a fixed pattern below, not the
project's relevance filter, so the sets do not move when the filter is retuned). A query is
one sentence taken *out* of a sample paper's abstract; that paper's document keeps its title and the rest
of its abstract, so the query's words are not in it verbatim and the only relevant document is the
paper it came from (known-item search with a paraphrase-like query):

* ``ki-first``: the abstract's first sentence, the problem the paper addresses (hard: often generic);
* ``ki-contrib``: the first later sentence saying what the paper proposes / introduces / presents;
* ``ki-long``: a researcher's question of 15-40 words, the paper's problem and its method together: the
  abstract's first sentence, then "Which paper <verb>s <what>?" where <what> is what its first contribution
  sentence says it proposes / introduces / presents / develops, without the paper's own name for it (a reader
  who knows the name types the name: that is ``ki-contrib``). Rules, in order: text in parentheses, LaTeX
  commands' braces and ``$...$`` are dropped from both sentences; the contribution sentence must read
  "we / this paper|work|study <verb> <what>"; a leading "NAME, a/an ..." (NAME: at most 80 characters with a
  capital letter or digit) loses "NAME, ", and "called / named / dubbed / termed / namely NAME" is dropped;
  otherwise <what> must start with "a" or "an" (no name to drop) or the paper is skipped; a question over 40
  words keeps <what>'s first clause only (up to the first ", ", ";", " which " or " that " after 20
  characters); one still over 40 words, or under 15, is skipped, as is an
  abstract of fewer than 5 sentences. *Both* sentences are removed from the paper's document (title and the
  rest of its abstract stay). The same 3,000 papers as the other two sets, so every document and query is
  outside the training data of the search adapter and of the static query encoder, which excluded them.

Queries are split into dev and test by a hash of the paper id (half each).

A third set, ``topics``, is judged by hand: 12 topic queries written for this project
(``scripts/eval_topics/queries.jsonl``) over the 2,620 papers the bundled store held on 2026-11-28
(``scripts/eval_topics/corpus_ids.txt``; texts from the shared corpus), with the top
10 of dense, BM25 and hybrid search pooled and every pooled paper graded 2 (on the topic), 1 (a related
aspect) or 0 from its title (``scripts/eval_topics/judgments.tsv``; unjudged papers count as not relevant,
as in TREC pooling). All its queries are held out (``qrels/test.tsv``): nothing was tuned on them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

from tracker.importer import read_papers
from tracker.paper import Paper

DEFAULT_CORPUS = Path("/work/shared/data/corpus/arxiv_ai_2025_2026/papers_dedup_2025-03-18_to_2026-07-01.jsonl.gz")
# A sentence ends at . ! ? followed by space and a capital, digit or bracket; "e.g." and "i.e." do not end one.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_ABOUT_LANGUAGE_MODELS = re.compile(r"\b(LLMs?|VLMs?|MLLMs?|(large |vision[- ])?language models?)\b", re.IGNORECASE)
_CONTRIBUTION = re.compile(r"\b(we|this (paper|work|study))\s+(propose|introduce|present|develop)", re.IGNORECASE)
# ki-long: what the contribution sentence proposes, and the pieces of text a question leaves out
_PROPOSES = re.compile(r"\b(?:we|this (?:paper|work|study))\s+(propose|introduce|present|develop)s?\s+(.*)$",
                       re.IGNORECASE | re.DOTALL)
_NAMED = re.compile(r"^(?:the\s+)?([^,;:]{1,80}?),\s+(?=(?:a|an)\s)", re.IGNORECASE)
_FIRST_CLAUSE = re.compile(r"^(.{20,}?)(?:,\s|;| which | that )")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_LATEX = re.compile(r"\\[a-zA-Z]+\{([^{}]*)\}")
_MATH = re.compile(r"\$[^$]*\$")
_CALLED = re.compile(r",?\s+(?:called|named|dubbed|termed|namely)\s+[^\s,;]+", re.IGNORECASE)
LONG_WORDS = (15, 40)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def rank_key(paper_id: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{paper_id}".encode()).hexdigest()


def pick_sentence(parts: list[str], kind: str) -> int | None:
    """Index of the query sentence in ``parts``, or None when the paper has no usable one."""
    if len(parts) < 4:  # too short an abstract: the rest would say too little
        return None
    candidates = [0] if kind == "ki-first" else [i for i in range(1, len(parts)) if _CONTRIBUTION.search(parts[i])]
    for i in candidates:
        words = len(parts[i].split())
        if 10 <= words <= 60:
            return i
    return None


def _plain(text: str) -> str:
    text = _MATH.sub("", _PARENTHESES.sub("", _LATEX.sub(r"\1", text)))
    return re.sub(r"\s+", " ", text).strip()


def long_question(problem: str, contribution: str) -> str | None:
    """The ``ki-long`` question from a paper's first sentence and its contribution sentence, or None."""
    found = _PROPOSES.search(contribution)
    if not found:
        return None
    verb, what = found.group(1).lower(), _plain(found.group(2)).rstrip(" .")
    named = _NAMED.match(what)
    if named:
        if not re.search(r"[A-Z0-9]", named.group(1)):
            return None
        what = what[named.end() :]
    elif not re.match(r"an?\s", what, re.IGNORECASE):
        return None
    what = _CALLED.sub("", what)
    lead = _plain(problem).rstrip(" .")
    question = f"{lead}. Which paper {verb}s {what}?"
    if len(question.split()) > LONG_WORDS[1]:
        clause = _FIRST_CLAUSE.match(what)
        if clause:
            question = f"{lead}. Which paper {verb}s {clause.group(1).strip()}?"
    return question if LONG_WORDS[0] <= len(question.split()) <= LONG_WORDS[1] else None


def pick_query(parts: list[str], kind: str) -> tuple[str, list[int]] | None:
    """The query of a paper of this kind and the sentences it takes out of the abstract, or None."""
    if kind != "ki-long":
        at = pick_sentence(parts, kind)
        return None if at is None else (parts[at], [at])
    if len(parts) < 5:
        return None
    contribution = next((i for i in range(1, len(parts)) if _CONTRIBUTION.search(parts[i])), None)
    if contribution is None:
        return None
    question = long_question(parts[0], parts[contribution])
    return None if question is None else (question, [0, contribution])


def build(papers: list[Paper], out: Path, kind: str, queries_wanted: int) -> dict[str, int]:
    folder = out / kind
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    order = sorted(papers, key=lambda p: rank_key(p.id, kind))
    chosen: dict[str, str] = {}  # paper id -> query sentence
    documents: dict[str, tuple[str, str]] = {p.id: (p.title, p.abstract) for p in papers}
    for paper in order:
        if len(chosen) == queries_wanted:
            break
        parts = sentences(paper.abstract)
        picked = pick_query(parts, kind)
        if picked is None:
            continue
        chosen[paper.id], removed = picked
        documents[paper.id] = (paper.title, " ".join(part for i, part in enumerate(parts) if i not in removed))
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id in sorted(documents):
            title, text = documents[doc_id]
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for paper_id in sorted(chosen):
            handle.write(json.dumps({"_id": f"q{paper_id}", "text": chosen[paper_id]}, ensure_ascii=False) + "\n")
    counts = {"dev": 0, "test": 0}
    for split in counts:
        with (folder / "qrels" / f"{split}.tsv").open("w", encoding="utf-8") as handle:
            handle.write("query-id\tcorpus-id\tscore\n")
            for paper_id in sorted(chosen):
                in_dev = int(rank_key(paper_id, "split")[:8], 16) % 2 == 0
                if in_dev == (split == "dev"):
                    handle.write(f"q{paper_id}\t{paper_id}\t1\n")
                    counts[split] += 1
    return {"documents": len(documents), **counts}


def subset(source: Path, out: Path, queries: int, docs: int) -> dict[str, int]:
    """A small held-out copy for tests: the first ``queries`` test queries (by id), their papers, and
    the other documents needed to reach ``docs`` (first by a hash of the id), as ``qrels/test.tsv``."""
    lines = (source / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]
    pairs = sorted(tuple(line.split("\t")[:2]) for line in lines)[:queries]
    wanted_queries = {q for q, _ in pairs}
    targets = {d for _, d in pairs}
    corpus = [json.loads(line) for line in (source / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    others = sorted((r for r in corpus if r["_id"] not in targets), key=lambda r: rank_key(r["_id"], "fixture"))
    keep = {r["_id"] for r in corpus if r["_id"] in targets} | {r["_id"] for r in others[: docs - len(targets)]}
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for record in corpus:
            if record["_id"] in keep:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for line in (source / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            if json.loads(line)["_id"] in wanted_queries:
                handle.write(line + "\n")
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, doc_id in pairs:
            handle.write(f"{query_id}\t{doc_id}\t1\n")
    return {"documents": len(keep), "queries": len(pairs)}


def build_topics(papers: dict[str, Paper], out: Path) -> dict[str, int]:
    """The hand-judged set over the 2,620 papers the store held when the pools were judged (their ids are in
    ``eval_topics/corpus_ids.txt``; texts from the shared corpus), so the set does not move with the store."""
    here = Path(__file__).resolve().parent / "eval_topics"
    ids = (here / "corpus_ids.txt").read_text(encoding="utf-8").split()
    missing = [i for i in ids if i not in papers]
    if missing:
        raise SystemExit(f"{len(missing)} judged-corpus papers are not in the corpus file, e.g. {missing[0]}")
    folder = out / "topics"
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for paper_id in ids:
            paper = papers[paper_id]
            record = {"_id": paper.id, "title": paper.title, "text": paper.abstract}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (folder / "queries.jsonl").write_bytes((here / "queries.jsonl").read_bytes())
    (folder / "qrels" / "test.tsv").write_bytes((here / "judgments.tsv").read_bytes())
    lines = (here / "judgments.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {"documents": len(ids), "queries": len({line.split("\t")[0] for line in lines}), "judgments": len(lines)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=Path(".cache/llm-atlas/evalsets"))
    parser.add_argument("--docs", type=int, default=3000, help="LLM papers in the corpus sample")
    parser.add_argument("--queries", type=int, default=400, help="queries per set (half dev, half test)")
    parser.add_argument("--fixture", type=Path, default=None,
                        help="also write small held-out copies (60 test queries, 300 documents) here")
    args = parser.parse_args()
    unique = {p.id: p for p in read_papers(args.corpus)}
    print("topics", build_topics(unique, args.out), file=sys.stderr)
    llm = [p for p in unique.values() if _ABOUT_LANGUAGE_MODELS.search(p.text)]
    sample = sorted(llm, key=lambda p: rank_key(p.id, "corpus"))[: args.docs]
    print(f"{len(unique)} papers, {len(llm)} about LLMs, sample of {len(sample)}", file=sys.stderr)
    for kind in ("ki-first", "ki-contrib", "ki-long"):
        print(kind, build(sample, args.out, kind, args.queries), file=sys.stderr)
        if args.fixture:
            print(kind, "fixture", subset(args.out / kind, args.fixture / kind, 60, 300), file=sys.stderr)


if __name__ == "__main__":
    main()
