"""The search page's result snippets and language note (tracker/site/web/snippet.js), run under Node.

- on real abstracts, the snippet is the sentence with the most of the query's words (their stems), the
  earliest of equals, cut to about 250 characters at words, with exactly the query's words marked; with no
  query word in the abstract, it is the abstract's opening, unmarked;
- sentences do not end at "e.g.", "et al." or "Fig."; text is returned as text (the page puts it in with
  textContent: a tag in an abstract stays a string);
- a query mostly in another script, or with function words of another language, is "not English"; English
  queries, acronyms and model names are not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from bm25s.stopwords import STOPWORDS_EN
from conftest import REPO

from tracker.paper import Paper
from tracker.site.web_bundle import node_modules

HARNESS = Path(__file__).parent / "js" / "snippet.mjs"
WORD = re.compile(r"[^\W]{2,}")  # snippet.js's WORD: two or more letters, digits or underscores
STOPWORDS = sorted(STOPWORDS_EN)


def run_node(request: dict) -> dict:
    completed = subprocess.run([shutil.which("node") or "node", str(HARNESS)],
                               input=json.dumps({"stopwords": STOPWORDS, **request}), capture_output=True, text=True,
                               env={"NODE_PATH": str(node_modules(REPO)), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def text_of(parts: list[list]) -> str:
    return "".join(text for text, _ in parts)


def marked(parts: list[list]) -> list[str]:
    return [text for text, is_marked in parts if is_marked]


def test_snippet_is_the_best_matching_sentence_with_the_query_words_marked(llm_papers: list[Paper]) -> None:
    from Stemmer import Stemmer

    stemmer = Stemmer("english")
    cases, expected = [], []
    for paper in llm_papers[:120]:
        abstract = " ".join(paper.abstract.split())
        pieces = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", abstract) if len(s) > 60]
        if len(pieces) < 3:
            continue
        # three rare-ish words of a later sentence: that sentence (or one with as many of them) is the snippet
        words = [w for w in WORD.findall(pieces[2].lower()) if w not in STOPWORDS_EN and len(w) > 5 and w.isalpha()]
        if len(words) < 3:
            continue
        query = " ".join(words[:3])
        cases.append({"abstract": paper.abstract, "query": query})
        expected.append((abstract, query, {stemmer.stemWord(w) for w in words[:3]}))
    answers = run_node({"cases": cases})["snippets"]
    assert len(answers) >= 40
    for (abstract, query, stems), answer in zip(expected, answers, strict=True):
        shown = text_of(answer["parts"])
        assert answer["matched"] >= 1, (query, shown)
        assert marked(answer["parts"]), (query, shown)
        # every marked word is one of the query's words (by stem), and the marks are whole words of the abstract
        assert {stemmer.stemWord(m.lower()) for m in marked(answer["parts"])} <= stems, (query, marked(answer["parts"]))
        assert len(shown) <= 250 + 4, shown  # "… " and " …" around at most 250 characters
        core = shown.removeprefix("… ").removesuffix(" …")
        assert core in abstract, (core, abstract)
        # the query's words all come from one sentence: the chosen one has as many (distinct stems)
        assert answer["matched"] >= len(stems), (query, shown)


def test_without_a_query_word_the_snippet_is_the_opening(llm_papers: list[Paper]) -> None:
    papers = llm_papers[:30]
    answers = run_node({"cases": [{"abstract": p.abstract, "query": "zebra saxophone"} for p in papers]})["snippets"]
    for paper, answer in zip(papers, answers, strict=True):
        abstract = " ".join(paper.abstract.split())
        shown = text_of(answer["parts"])
        assert answer["matched"] == 0 and not marked(answer["parts"])
        assert abstract.startswith(shown.removesuffix(" …")), (shown, abstract[:300])
        assert 40 <= len(shown) <= 254


def test_sentences_abbreviations_and_hostile_text() -> None:
    abstract = ("Large language models (LLMs) hallucinate, e.g. they invent facts, as Smith et al. show in Fig. 2 of "
                "their study. We propose RAG-Fix, a retrieval-augmented generation method that grounds answers in "
                "documents. Experiments on five benchmarks show gains of 12.3%. <img src=x onerror=alert(1)> is "
                "shown as text.")
    answers = run_node({"cases": [
        {"abstract": abstract, "query": "retrieval-augmented generation over documents"},
        {"abstract": abstract, "query": "invented facts"},
        {"abstract": abstract, "query": "onerror img"},
        {"abstract": "", "query": "anything"},
        {"abstract": "word " * 200 + "the hallucination detector. Second sentence.", "query": "hallucinations"},
    ]})["snippets"]
    rag, facts, hostile, empty, long = answers
    assert rag["sentence"] == 1 and rag["matched"] == 4
    assert marked(rag["parts"]) == ["retrieval", "augmented", "generation", "documents"]
    assert text_of(rag["parts"]).startswith("… We propose RAG-Fix") and text_of(rag["parts"]).endswith(" …")
    # "e.g.", "et al." and "Fig." end no sentence: the first sentence is whole
    assert facts["sentence"] == 0 and text_of(facts["parts"]).startswith("Large language models")
    assert "Fig. 2 of their study." in text_of(facts["parts"]) and marked(facts["parts"]) == ["invent", "facts"]
    assert "<img src=x onerror=alert(1)>" in text_of(hostile["parts"])
    assert marked(hostile["parts"]) == ["img", "onerror"]
    assert empty["parts"] == [] and empty["matched"] == 0
    # a long sentence is cut around its first marked word
    assert marked(long["parts"]) == ["hallucination"] and len(text_of(long["parts"])) <= 254
    assert text_of(long["parts"]).startswith("… ")


def test_not_english() -> None:
    queries = {
        "大型语言模型的幻觉问题": True, "如何提高推理速度": True, "大規模言語モデルの推論": True,
        "대규모 언어 모델": True,
        "большие языковые модели": True, "نماذج اللغة الكبيرة": True, "μεγάλα γλωσσικά μοντέλα": True,
        "les grands modèles de langage et leurs hallucinations": True, "wie backt man einen Kuchen": True,
        "modelos de lenguaje grandes para la traducción": True,
        "retrieval-augmented generation over documents": False, "LLMs as judges, Smith et al.": False,
        "GPT-4o vs. LLaMA-3.1-70B": False, "Café naïve résumé": False, "de novo protein design with LLMs": False,
        "???": False, "the of and": False, "KV cache für LLMs": False,
    }
    answers = run_node({"languages": list(queries)})["notEnglish"]
    assert dict(zip(queries, answers, strict=True)) == queries
