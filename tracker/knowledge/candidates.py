"""Model names the papers use that the catalog lacks: the models a maintainer should add next.

Pure functions; ``llm-atlas catalog candidates`` is a thin wrapper over :func:`find_candidates`.

1. :func:`extract_mentions` finds model-shaped names in each paper's title and abstract, without the catalog: a
   stem of letters (CamelCase, capitals or a word: "Kimi", "GLM", "OLMo", "gpt") with a version or size glued
   on or hyphenated ("Kimi-K2.5", "GLM-5.1", "OLMo-3-7B", "Qwen3.5-9B", "gpt-oss-safeguard-20b"), or spaced
   parts that carry a digit ("Llama 3.1 8B", "Claude Opus 4.6", "Gemini 2.5 Flash"). A name needs a digit:
   without one, a capitalised word is far more often an ordinary word than a model. Left out: names whose stem
   the papers mostly write in lower case (an ordinary word: "Table 2", "Step 3"; an ordinary word in front,
   "As Mistral-7B", is skipped and the name after it kept) and names whose only numbers are years ("AIME 2025").
   Spellings of one model share a key: case, separators and an instruct/chat/base suffix do not count.
2. :func:`find_candidates` keeps the names the catalog does not know and that look like models, groups them by
   stem and ranks them by papers per month. It drops a name
   - that a catalog model's alias matches (with the linker's own whole-name rules, so "Qwen3-VL-32B" and
     "DeepSeek-V3.2-Exp" stay candidates while "Llama-3.1-8B-Instruct" is known);
   - that names a release whose sizes or tiers the catalog has ("Qwen3" when "Qwen3-8B" is an alias, "Gemini 2.5"
     when "Gemini 2.5 Flash" is, "mT5" when "mT5-XXL" is): a release of several models is not one to add;
   - that the reviewed list of names that are not catalog models has (``catalog/not_models.yaml``), or whose own
     words say it is another kind of thing: a benchmark, an embedding or reranking model, speech recognition, a
     vision encoder or an image generator ("RewardBench 2", "Qwen3-Embedding-8B", "InternViT-300M",
     "Gemini-2.5-Flash-Image");
   - that shows no sign of being a model. The signs: its stem is a catalog family's name ("GPT-5.4", "Kimi-K2.5"),
     it carries a parameter count ("Nemotron-Terminal-32B", "A3B"), it stands in a list next to a name the
     catalog knows ("GPT-5.4 (0.726), DeepSeek-V3.2 (0.703)"), or it is called a language model: "LLM" or
     "language model" follows it ("model" alone also follows number formats and image models) or a kind of LLM
     heads its list ("MLLMs such as LLaVA-1.5, BLIP-2").
   A family's name with a version ("GPT-5.4", "Claude Opus 4.6") is kept on purpose: it is exactly a model of a
   known family that the catalog lacks. Any other name must show its signs in its usual use, not in an exception:
   in at least ``MIN_SIGN_SHARE`` of the papers using it, and in more papers than use it as a benchmark, a data
   set or a method ("accuracy on GSM8K", "GSM8K accuracy", "benchmarks such as GSM8K", "BM25 retrieval",
   "SigLIP2 encoder"). One list that put GSM8K beside Qwen2.5-72B made it the top "model" of 313 papers before.
   Only the bare family name ("Qwen", "ChatGPT") carries no digit and is never a candidate.

Measured on the bundled store (``scripts/candidates_eval.py``): leave-one-out recall over the catalog models named
in at least 5 papers, and the hand-judged precision of the top 100 (``tests/fixtures/catalog/candidates_top100.tsv``,
checked by ``tests/test_candidates.py``); the figures are in the README's Catalog section.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from tracker.knowledge.catalog import Catalog
from tracker.knowledge.linking import ModelLinker
from tracker.paper import Paper

# Spaced words that continue a model name after a part with a digit ("Gemini 2.5 Flash", "GPT-4o mini").
_SPACED_WORDS = (
    "Instruct|Chat|Base|mini|Mini|nano|Nano|Pro|Flash|Lite|Turbo|Max|Plus|Ultra|Preview|Thinking|Reasoning|"
    "Opus|Sonnet|Haiku|Scout|Maverick|Coder|VL|Omni|Fast|Air|Exp|Codex|Heavy"
)
_NAME_RE = re.compile(
    # Not inside a word, a path, an address or a longer name.
    r"(?<![\w\-./@:+])"
    r"[A-Za-z][A-Za-z0-9]*(?:\.\d+[A-Za-z0-9]*)*"  # the stem, maybe with a version glued on: Qwen2.5, GPT4o
    r"(?:"
    r"[-_][A-Za-z0-9]+(?:\.\d+[A-Za-z0-9]*)*"  # hyphenated parts: -3.1, -1.5B, -Instruct, -K2.5
    r"|\x20(?=[A-Za-z]{0,3}\d)[A-Za-z]{0,3}\d[A-Za-z0-9]*(?:\.\d+[A-Za-z0-9]*)*"  # spaced, with a digit: " 3.1"
    r"|\x20[A-Z][a-z]+(?=[\x20\-]\d)"  # a spaced word before a number: " Opus" in "Claude Opus 4.6"
    rf"|(?:(?<=\d)|(?<=\d[A-Za-z]))\x20(?:{_SPACED_WORDS})(?![\w\-])"  # "Gemini 2.5 Flash", "GPT-4o mini"
    r")*"
    r"(?![\w])"
)
# Trailing lower-case words that describe rather than name ("Qwen3-8B-based", "GPT-4o-generated"); words that
# are parts of model names are kept.
_NAME_WORDS = frozenset({
    "instruct", "chat", "base", "it", "hf", "mini", "nano", "pro", "flash", "lite", "turbo", "max", "plus", "ultra",
    "preview", "thinking", "reasoning", "distill", "oss", "coder", "math", "vl", "exp", "air", "fast", "codex",
    "large", "small", "medium", "xl", "xxl", "deduped", "moe", "omni", "sonnet", "opus", "haiku", "scout", "maverick",
})
# Words that split one release into its models: "Gemini 2.5" is Gemini 2.5 Flash and Pro, "Claude 4" is Opus 4 and
# Sonnet 4, "mT5" its small to XXL models. Not "mini" or "nano" (GPT-5 is a model beside GPT-5 mini), nor "base",
# which names a decoder's pretrained model ("Mistral-Small-24B-Base") as often as an encoder's size.
_TIER_WORDS = frozenset({
    "pro", "flash", "sonnet", "opus", "haiku", "scout", "maverick", "ultra", "small", "medium", "large", "xsmall",
    "xl", "xxl",
})
# Variants of one model that papers write interchangeably: the key ignores them ("Llama-3.1-8B-Instruct").
_VARIANT_WORDS = frozenset({"instruct", "chat", "base", "it", "hf"})
_SPLIT = re.compile(r"[\s\-_]+")
_SIZE = re.compile(r"(?:\d+x)?\d+(?:\.\d+)?[BbMm]|[AaEe]\d+(?:\.\d+)?[Bb]")
_YEAR = re.compile(r"(?:19|20)\d\d")
_DIGITS = re.compile(r"\d+(?:\.\d+)*")
_DIGIT = re.compile(r"\d")
_STANDALONE_WORD = re.compile(r"(?<![\w\-./])[A-Za-z]+(?![\w\-])")
_OPENS_SENTENCE = re.compile(r"[.!?:;\n]\s*\(?$")
# What may stand between two names of one list: "A, B and C", "A (0.726), B", "A vs. B", "A/B".
_LIST_GAP = re.compile(r"(?:\s*(?:\([^()]{0,30}\)|,|;|/|&|\band\b|\bor\b|\bvs\b\.?|\bversus\b))+\s*")
# "model" alone follows number formats, image models and detectors too ("BF16 model", "SAM3 model"); these do not.
_CALLED_MODEL = re.compile(
    r"[\s\-]*(?:\([^()]{0,30}\)\s*)?(?:(?:base|instruct|chat|reasoning|open|open-weight)\s+)?"
    r"(?:LLMs?|M?LLM\b|language\s+models?|LMs?|SLMs?)\b"
)
# A list that a kind of language model heads ("MLLMs such as LLaVA-1.5, BLIP-2", "open-weight models (Gemma-3,"):
# its names are called models too. Only kinds of language model: "embedding models such as BGE-M3" is not one.
_CALLED_MODEL_BEFORE = re.compile(
    r"\b(?:M?LLMs?|LVLMs?|VLMs?|LMMs?|SLMs?|(?:(?:large|small|multimodal|vision)[\s\-]+)?language\s+models?|"
    r"(?:open|open-source|open-weight|proprietary|closed-source|frontier|foundation|chat|reasoning|instruction-tuned|"
    r"backbone|base|teacher|student|policy|judge)\s+models?)"
    r"\s*(?:\(|,|:|such\s+as|like|including|e\.g\.,?)\s*(?:[^.;()]{0,80}?(?:,|\band\b|\bor\b)\s*)?$"
)
# A name used as something other than a language model. After it: "GSM8K accuracy", "the GSM8K benchmark", "BM25
# retrieval", "SigLIP2 encoder", "DALL-E 3 images". Before it: "accuracy on GSM8K", "benchmarks such as GSM8K, MATH
# and", "image encoders (SigLIP 2, DINOv2". A bare "on X" is not enough: "experiments on LLaVA-1.5" runs a model.
_USED_AS_OTHER_AFTER = re.compile(
    r"[\s\-]*(?:\([^()]{0,30}\)\s*)?(?:benchmarks?|datasets?|data\s+sets?|corpus|corpora|test\s*sets?|splits?|"
    r"leaderboard|problems|questions|accuracy|retrieval|retrievers?|rerankers?|ranking|scoring|encoders?|embeddings?|"
    r"tokenizers?|features|architectures?|layers?|blocks?|images?|videos?|speech|transcripts?)\b",
    re.IGNORECASE,
)
_USED_AS_OTHER_BEFORE = re.compile(
    r"(?:\b(?:benchmarks?|datasets?|data\s+sets?|tasks|encoders?|embedding\s+models?|embeddings|retrievers?|rerankers?|"
    r"image\s+generat\w+\s+models?|text-to-image\s+models?|diffusion\s+models?|speech\s+recogni\w+\s+models?)"
    r"\s*(?:\(|,|:|such\s+as|like|including|e\.g\.,?)\s*(?:[^.;()]{0,80}?(?:,|\band\b|\bor\b)\s*)?"
    r"|\b(?:accuracy|performance|results?|scores?|evaluat\w*|tested|benchmarked|gains?|improvements?|pass@\d+|"
    r"trained|fine-?tuned|SFT)\s+on\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
# The words of a name that say what kind of thing it is, when that is not a language model: a benchmark ("RewardBench
# 2", "LiveK12Bench"), an embedding or reranking model ("Qwen3-Embedding-8B", "MemReranker-4B"), speech recognition
# ("Qwen3-ASR"), a vision encoder ("InternViT-300M", "ViT-22B", "Llama3-MS-CLIP"), an image generator
# ("Gemini-2.5-Flash-Image", "GPT-Image-1", "Qwen-Image-2.0").
_OTHER_KIND_PART = re.compile(
    r"[a-z0-9]*bench|[a-z]*embeddings?[a-z]*|[a-z]*rerankers?|asr|tts|[a-z]*vit|[a-z]*clip|image", re.IGNORECASE
)
# A name without a catalog family must look like a model in at least this share of the papers that use it: one
# accidental list next to a model ("GSM8K (91.5%), and Qwen2.5-72B") among 313 papers does not make a benchmark one.
MIN_SIGN_SHARE = 0.15
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])|\n")
_EVIDENCE_CHARS = 320


@dataclass(frozen=True)
class Mention:
    """One model-shaped name in one paper."""

    paper_id: str
    published: date
    name: str
    key: str
    stem: str
    start: int
    end: int
    sentence: str
    sized: bool
    called_model: bool
    used_as_other: bool = False


@dataclass
class Candidate:
    """A name the catalog lacks, with the papers that use it."""

    name: str
    key: str
    stem: str
    family: str | None
    papers: list[str]
    papers_per_month: float
    evidence: list[tuple[str, str]]
    variants: list[str]
    signs: list[str]
    rank: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank, "name": self.name, "family": self.family, "papers": len(self.papers),
            "papers_per_month": self.papers_per_month, "paper_ids": self.papers,
            "evidence": [{"paper": paper_id, "sentence": sentence} for paper_id, sentence in self.evidence],
            "variants": self.variants, "signs": self.signs,
        }


@dataclass
class CandidateGroup:
    """Candidates sharing a family-like stem ("kimi": Kimi-K2.5, Kimi-K2.6 …), best first."""

    stem: str
    family: str | None
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def papers(self) -> list[str]:
        return sorted({paper_id for candidate in self.candidates for paper_id in candidate.papers})

    def as_dict(self, months: float) -> dict[str, object]:
        return {"stem": self.stem, "family": self.family, "papers": len(self.papers),
                "papers_per_month": round(len(self.papers) / months, 2),
                "names": [candidate.as_dict() for candidate in self.candidates]}


@dataclass
class CandidateReport:
    since: date | None
    first: date | None
    last: date | None
    papers: int
    months: float
    candidates: list[Candidate]

    def groups(self, top: int | None = None) -> list[CandidateGroup]:
        """The best ``top`` candidates grouped by stem; groups in the order of their best candidate."""
        groups: dict[str, CandidateGroup] = {}
        for candidate in self.candidates[:top] if top else self.candidates:
            group = groups.setdefault(candidate.stem, CandidateGroup(candidate.stem, candidate.family))
            group.family = group.family or candidate.family
            group.candidates.append(candidate)
        return list(groups.values())

    def as_dict(self, top: int | None = None) -> dict[str, object]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "papers": self.papers, "months": round(self.months, 2), "candidates": len(self.candidates),
            "groups": [group.as_dict(self.months) for group in self.groups(top)],
        }


def _text(paper: Paper) -> str:
    return f"{paper.title}\n{paper.abstract}"


def _trim(name: str) -> str:
    """Drop trailing descriptive words: "Qwen3-8B-based" is Qwen3-8B."""
    while True:
        match = re.search(r"[\s\-_]([a-z]+)$", name)
        if not match or match.group(1) in _NAME_WORDS:
            return name
        name = name[: match.start()]


def name_key(name: str) -> str:
    """One key for the ways papers write one model: case, separators and instruct/chat suffixes do not count."""
    parts = [part for part in _SPLIT.split(name.casefold()) if part]
    while len(parts) > 1 and parts[-1] in _VARIANT_WORDS:
        parts.pop()
    return "".join(parts)


def plain_name(name: str) -> str:
    """The name without its instruct/chat/base ending, as a catalog file names the model: "Qwen3-VL-32B-Instruct"
    → "Qwen3-VL-32B" (those variants share a key, see :func:`name_key`)."""
    while (match := re.search(r"[\s\-_]+([A-Za-z]+)$", name)) and match.group(1).casefold() in _VARIANT_WORDS:
        name = name[: match.start()]
    return name


def release_name(name: str) -> str:
    """The release a sized name belongs to: "Qwen3-VL-8B" → "Qwen3-VL" (a name without a size is its own)."""
    parts = [part for part in _SPLIT.split(name) if part]
    while len(parts) > 1 and _SIZE.fullmatch(parts[-1]):
        parts.pop()
    return "-".join(parts) if len(parts) < len(_SPLIT.split(name)) else name


def _stem(name: str) -> str:
    match = re.match(r"[A-Za-z]+", name)
    return match.group(0).casefold() if match else ""


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a span, cut to about ``_EVIDENCE_CHARS`` characters around it."""
    # Not finditer(text, 0, start): the look-ahead for the capital must see past ``start``.
    begin = max((m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= start), default=0)
    stop = next((m.start() for m in _SENTENCE_END.finditer(text, end)), len(text))
    if stop - begin > _EVIDENCE_CHARS:
        half = (_EVIDENCE_CHARS - (end - start)) // 2
        left, right = max(begin, start - half), min(stop, end + half)
        return ("…" if left > begin else "") + text[left:right].strip() + ("…" if right < stop else "")
    return text[begin:stop].strip()


def common_words(papers: Sequence[Paper]) -> set[str]:
    """Words the papers mostly write in lower case, standing alone: ordinary words ("table", "step", "and").

    A word that opens a sentence is capitalised whatever it is, so those occurrences are not counted; a model's
    name ("Llama", "Qwen", "Kimi") is written capitalised or glued to its version.
    """
    lower: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for paper in papers:
        text = _text(paper)
        for match in _STANDALONE_WORD.finditer(text):
            start = match.start()
            if start > 2 and not _OPENS_SENTENCE.search(text[start - 4 : start]):
                word = match.group(0)
                folded = word.casefold()
                total[folded] += 1
                lower[folded] += word == folded
    return {word for word, count in lower.items() if count >= 2 and count * 2 >= total[word]}


def _names(text: str, common: set[str]) -> Iterator[tuple[int, str]]:
    """(start, name) of every model-shaped name in a text, ordinary words in front of it left out."""
    position = 0
    while match := _NAME_RE.search(text, position):
        start, name = match.start(), match.group(0)
        if " " not in name and not _DIGIT.search(name):
            # Most matches are one plain word, and a name needs a digit: nothing to yield, go on after it
            # (where the full rules below would go on too).
            position = match.end()
            continue
        words = name.split(" ")
        if words[0][0].islower():
            # A lower-case name is glued or hyphenated ("gpt-oss-20b", "llama3.2") and takes only a spaced size
            # ("gpt-oss 20b"); "fine-tuned T5-base" and "using Qwen3-8B" start at the next word.
            kept = 1
            while kept < len(words) and _SIZE.fullmatch(words[kept]):
                kept += 1
            name = " ".join(words[:kept])
            ordinary = not _DIGIT.search(name)
        else:
            # "As Mistral-7B", "Table 2": a capitalised ordinary word in front.
            ordinary = words[0].casefold() in common and not _DIGIT.search(words[0])
        if ordinary and len(words) > 1:
            position = start + len(words[0]) + 1
            continue
        yield start, name
        position = start + len(name)


def extract_mentions(papers: Sequence[Paper], common: set[str] | None = None) -> list[Mention]:
    """Every model-shaped name (with a digit) in the papers' titles and abstracts; no catalog needed.

    ``common`` are the ordinary words (:func:`common_words`), by default counted in these papers.
    """
    common = common_words(papers) if common is None else common
    mentions: list[Mention] = []
    for paper in papers:
        text = _text(paper)
        for start, raw in _names(text, common):
            name = _trim(raw)
            stem = _stem(name)
            if not _DIGIT.search(name) or len(stem) < 2 or stem in common or _only_years(name):
                continue
            end = start + len(name)
            parts = [part for part in _SPLIT.split(name) if part]
            mentions.append(Mention(
                paper_id=paper.id, published=paper.published, name=name, key=name_key(name), stem=stem,
                start=start, end=end, sentence=_sentence(text, start, end),
                sized=any(_SIZE.fullmatch(part) for part in parts[1:]) or bool(_SIZE.search(parts[0][2:])),
                called_model=bool(_CALLED_MODEL.match(text, end)
                                  or _CALLED_MODEL_BEFORE.search(text, max(0, start - 160), start)),
                used_as_other=bool(_USED_AS_OTHER_AFTER.match(text, end)
                                   or _USED_AS_OTHER_BEFORE.search(text, max(0, start - 160), start)),
            ))
    return mentions


def _only_years(name: str) -> bool:
    numbers = _DIGITS.findall(name)
    return bool(numbers) and all(_YEAR.fullmatch(number) for number in numbers)


def _listed_with_known(text: str, start: int, end: int, known: list[tuple[int, int]]) -> bool:
    """Whether a catalog name stands next to this span in a list ("GPT-5.4 (0.726), DeepSeek-V3.2")."""
    for known_start, known_end in known:
        if known_end <= start and start - known_end <= 40 and _LIST_GAP.fullmatch(text, known_end, start):
            return True
        if known_start >= end and known_start - end <= 40 and _LIST_GAP.fullmatch(text, end, known_start):
            return True
    return False


class _CatalogView:
    """What the candidate filter asks of a catalog: is a name known, a release of known sizes, of a known family?"""

    def __init__(self, catalog: Catalog) -> None:
        self.linker = ModelLinker(catalog)
        # each alias's parts, as candidates' names are split: for the sizes a release has
        self.alias_parts = [
            tuple(part.casefold() for part in _SPLIT.split(alias) if part) for _model, alias, _p in self.linker.patterns
        ]
        self.not_model_keys = {
            name_key(spelling) for entry in catalog.not_models for spelling in [entry.name, *entry.aliases]
        }

    def knows(self, name: str) -> bool:
        """Whether a catalog model's alias matches in the name, by the linker's whole-name rules."""
        return any(pattern.search(name) for _model, _alias, pattern in self.linker.model_aliases_in(name))

    def is_release(self, name: str) -> bool:
        """"Qwen3" when the catalog has "Qwen3-8B", "Gemini 2.5" when it has "Gemini 2.5 Flash": a release of
        several sizes or tiers, not one model."""
        glued = "".join(part.casefold() for part in _SPLIT.split(name) if part)
        return any(
            "".join(parts[:cut]) == glued and (_SIZE.fullmatch(parts[cut]) or parts[cut] in _TIER_WORDS)
            for parts in self.alias_parts for cut in range(1, len(parts))
        )

    def is_not_a_model(self, key: str) -> bool:
        """Whether the reviewed list of names that are not catalog models (catalog/not_models.yaml) has it."""
        return key in self.not_model_keys

    def family(self, name: str) -> str | None:
        """The catalog family whose name the candidate starts with ("GPT-5.4": gpt), if any."""
        return next((family for family, _alias, pattern in self.linker.family_patterns if pattern.match(name)), None)


def _names_another_kind(name: str) -> bool:
    """Whether the name's own words say it is a benchmark, an embedding model, a vision encoder … (not an LLM)."""
    return any(_OTHER_KIND_PART.fullmatch(part) for part in _SPLIT.split(name) if part)


def _months(first: date, last: date) -> float:
    """The window's length in months (at least one, so a week of papers is not scaled up)."""
    return max(1.0, ((last - first).days + 1) / 30.44)


def find_candidates(
    papers: Sequence[Paper],
    catalog: Catalog,
    *,
    since: date | None = None,
    mentions: Sequence[Mention] | None = None,
) -> CandidateReport:
    """Rank the model names the papers use that the catalog lacks (see the module docstring for the rules).

    ``mentions`` may be passed when the same papers are checked against several catalogs (they do not depend
    on it); they must come from :func:`extract_mentions` of ``papers``.
    """
    scope = [paper for paper in papers if since is None or paper.published >= since]
    in_scope = {paper.id for paper in scope}
    found = [m for m in (extract_mentions(scope) if mentions is None else mentions) if m.paper_id in in_scope]
    view = _CatalogView(catalog)
    texts = {paper.id: _text(paper) for paper in scope}

    by_key: dict[str, list[Mention]] = defaultdict(list)
    for mention in found:
        by_key[mention.key].append(mention)

    known_spans: dict[str, list[tuple[int, int]]] = {}
    candidates: list[Candidate] = []
    for key, group in by_key.items():
        surface = Counter(m.name for m in group)
        # The commonest spelling; on a tie the plain one ("Gemma 4 E4B", not "Gemma-4-E4B-it"), then hyphens.
        name = min(surface, key=lambda n: (-surface[n], _SPLIT.split(n)[-1].casefold() in _VARIANT_WORDS, " " in n, n))
        if view.knows(name) or any(view.knows(variant) for variant in surface) or view.is_release(name):
            continue
        if view.is_not_a_model(key) or _names_another_kind(name):
            continue
        family = view.family(name)
        signs: set[str] = set()
        if family:
            signs.add("family")
        as_model: set[str] = set()  # papers where the name looks like a model
        as_other: set[str] = set()  # papers where it is used as a benchmark, a data set or a method
        for mention in group:
            if mention.sized:
                signs.add("size")
            if mention.called_model:
                signs.add("called a model")
            if mention.used_as_other:
                as_other.add(mention.paper_id)
            if mention.sized or mention.called_model:
                as_model.add(mention.paper_id)
            elif mention.paper_id not in as_model and not (family and "listed" in signs):
                # (a family's name needs only the sign, not the share of papers that show it)
                if mention.paper_id not in known_spans:
                    known_spans[mention.paper_id] = view.linker.name_spans(texts[mention.paper_id])
                if _listed_with_known(texts[mention.paper_id], mention.start, mention.end,
                                      known_spans[mention.paper_id]):
                    signs.add("listed")
                    as_model.add(mention.paper_id)
        if not signs:
            continue
        papers_using = {m.paper_id for m in group}
        if not family and (len(as_model) < MIN_SIGN_SHARE * len(papers_using) or len(as_other) > len(as_model)):
            # A catalog family's name with a version is a model by its name; any other name must look like one
            # in its usual use, not in an exception, and be used as a model more often than as anything else.
            continue
        newest = sorted(group, key=lambda m: (m.published, m.paper_id), reverse=True)
        evidence: list[tuple[str, str]] = []
        for mention in newest:
            if len(evidence) < 2 and mention.paper_id not in {paper_id for paper_id, _s in evidence}:
                evidence.append((mention.paper_id, mention.sentence))
        candidates.append(Candidate(
            name=name, key=key, stem=_stem(name), family=family,
            papers=sorted({m.paper_id for m in group}), papers_per_month=0.0, evidence=evidence,
            variants=sorted(surface), signs=sorted(signs),
        ))

    first = min((paper.published for paper in scope), default=None)
    last = max((paper.published for paper in scope), default=None)
    months = _months(since or first, last) if first and last else 1.0
    candidates.sort(key=lambda c: (-len(c.papers), c.key))
    for rank, candidate in enumerate(candidates, start=1):
        candidate.rank = rank
        candidate.papers_per_month = round(len(candidate.papers) / months, 2)
    return CandidateReport(since=since, first=first, last=last, papers=len(scope), months=months,
                           candidates=candidates)
