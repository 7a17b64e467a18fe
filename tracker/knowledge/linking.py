"""Link papers to the catalog models they are about: by the model's own arXiv ids, then by the names papers use.

Rules (measured on the labelled set in ``tests/fixtures/linking/``, 267 papers and 576 decisions: precision
1.000 and recall 0.987 for model links, 0.989 and 0.944 for family-only links; ``scripts/linking_eval.py``):

- **Own paper**: a paper whose arXiv id is in a model's ``arxiv_ids`` links to that model (``via="arxiv"``).
- **Model alias** (``via="alias"``): a model's alias matches as a whole name. Separators are free
  ("Llama-3.1-8B", "Llama 3.1 8B", "Llama3.1-8B" are one name), but the name must not continue: "GPT-4"
  does not match "GPT-4o", "GPT-4.1" or "GPT-4 Turbo"; "Llama 2" does not match "Llama 2.5" or "Llama-2-13B";
  "Qwen3" does not match "Qwen3-VL" or "Qwen3-30B-A3B"; "BERT" does not match "BERT-large" (its own alias
  does) nor "SciBERT". A name followed by "-like"/"-style" describes a kind of model, not the model.
- **Names that make another model**: a product word after the name ("DeepSeek-V3.2-Exp", "GLM-4.5-Air",
  "Grok 4 Fast", "GPT-5-Codex", "Kimi-K2-Thinking", "…-70B-Reward"; case-sensitive, or lower case when
  hyphenated), a "+" ending the name ("Command R+"; "BERT+CRF" still names BERT), a hyphenated letter-and-digit
  code ("GPT3-D2" is text-davinci-002, a GPT-3.5 model; "-v0.3" and "-Q4" stay the same model), and distilled
  students ("DeepSeek-R1 distillations", "DeepSeek-R1-Distill-Qwen-7B"). A thinking *mode* of the model itself
  is an alias in the catalog ("Claude Sonnet 4.5 Thinking").
- **Lists of families**: in "model families (DeepSeek-R1, Gemma-2, Llama-3 …)" a name without a size stands
  for its family (such a paper runs the distilled R1 models), so it links the family only; a sized name there
  ("families (Mistral-7B, LLaMA-3-8B)") is still the model.
- **Common words** ("Bloom filter", the peregrine falcon, Claude Shannon, the Gemini mission, the mistral
  wind, the T5 vertebra, Chinchilla scaling laws, BERTScore) are recognised by their context and skipped.
  Names without a digit match in the case they are written ("BLOOM", not "bloom"; "Falcon", not "falcon").
- **Family only** (``via="family"``): a paper that names a family but none of its catalog models ("Llama",
  "Qwen3.5-9B", "GPT-5.4", "Claude Sonnet") is linked to the *family*, never to a guessed model: such a
  mention says which family the paper uses, not which model. These links have ``model=None`` and are kept
  apart (:meth:`ModelLinker.family_mentions`), so model pages and per-model counts stay exact; family pages
  list them, and ``llm-atlas links --families`` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tracker.knowledge.catalog import Catalog, CatalogModel
from tracker.paper import Paper

Via = Literal["arxiv", "alias", "semantic", "family"]

_SEP = r"[\s\-_]?"
# What may not follow a name: more word characters, a further version or size ("-7B", ".5", " 2"), or a
# qualifier that makes it a different model ("-VL", "-Coder", " Turbo", "-mini", "-large" …). "Distilled"
# and "distillations" name the small models distilled from it ("DeepSeek-R1 distillations"), not the model.
_QUALIFIERS = (
    "VL|V|Vision|Omni|Audio|ASR|TTS|OCR|Image|Coder|Code|Math|Distill|Guard|Embedding|Reranker|Prover|"
    "mini|Mini|nano|Nano|Turbo|turbo|Flash|Lite|Pro|Max|Plus|Ultra|Haiku|Sonnet|Opus|Scout|Maverick|Next|"
    "small|Small|medium|Medium|large|Large|base|Base|XL|XXL|xl|xxl|Long|MoE|Preview|preview|"
    "like|style|esque|Reasoning|multimodal|Multimodal|Distilled|distilled|distillations|Distillations"
)
# Product words that make another model, but only as written: capitalised ("DeepSeek-V3.2-Exp", "GLM-4.5-Air",
# "Grok 4 Fast", "GPT-5-Codex", "Kimi-K2-Thinking", "Nemotron-70B-Reward", "Qwen2-VLM"). Case-sensitive even
# in a case-insensitive name, since in lower case they are words: "Qwen3-8B thinking mode" is Qwen3-8B.
_NAMED_QUALIFIERS = "Exp|Air|Fast|Codex|Thinking|Reward|VLM"
# Lower-case words that name a variant only when hyphenated ("Phi-4-reasoning", "grok-4-fast",
# "kimi-k2-thinking"; "o3 reasoning" is o3).
_HYPHEN_QUALIFIERS = "reasoning|thinking|fast|exp|air|codex|reward"
_TAIL_GUARD = (
    rf"(?![\w])(?!{_SEP}\d)(?![.,:]\d)(?!{_SEP}(?:{_QUALIFIERS})\b)(?!-(?:{_HYPHEN_QUALIFIERS})\b)"
    rf"(?!{_SEP}(?-i:{_NAMED_QUALIFIERS})\b)(?!['’]s{_SEP}(?:{_QUALIFIERS})\b)"
    # A "+" that ends the name makes another one ("Command R+"); "BERT+CRF" joins two things and stays.
    r"(?!\+(?!\w))"
    # A hyphenated code of one letter and digits names a derived model: "GPT3-D2" is text-davinci-002 (a
    # GPT-3.5 model), "Llama-3-8B-R1" a reasoning fine-tune. Versions ("-v0.3") and quantisations ("-Q4")
    # are the same model.
    r"(?!-(?![vVqQ]\d)[A-Za-z]\d+(?![\w.]))"
)
# A parenthesised list that the text calls families ("six open-weight model families (DeepSeek-R1, Gemma-2,
# Llama-3, …)") names families: a name without a size there stands for its family (the distilled R1 models
# such a list means), while a sized name ("families (Mistral-7B, LLaMA-3-8B)") is still the model used.
_FAMILY_LIST = re.compile(r"\bfamil(?:y|ies)\s*\(([^()]{1,300})\)", re.IGNORECASE)
_SIZE = re.compile(r"(?:\d+x)?\d+(?:\.\d+)?[BMbm]")
# Not inside another name ("SciBERT", "R1-Distill-Qwen-7B", "HuatuoGPT-o1"); "meta-llama/Llama-3.1-8B" is fine.
_HEAD_GUARD = r"(?<![\w\-.])"

# Contexts where a catalog name means something else; searched in a window around each hit.
_FALSE_FRIENDS = re.compile(
    r"bloom(?:['’]s)?[\s\-](?:filters?|taxonomy|level|lighting)|algal[\s\-]blooms?|"
    r"falcons?[\s\-](?:birds?|species|nests?|eggs?|9|heavy|signatures?|512|1024)|peregrine[\s\-]falcons?|"
    r"(?:spacex|dilithium|signature)[^.]{0,40}falcon|falcon[^.]{0,40}(?:spacex|dilithium|signature)|"
    r"claude\s+(?:e\.\s*)?(?:shannon|monet|debussy|l[ée]vi|bernard|elwood)|shannon,?\s+claude|"
    r"mistral\s+winds?|gemini\s+(?:mission|spacecraft|program(?:me)?|capsule|north|south|observatory|"
    r"telescope|planet|constellation|twins?|veo\w*)|project\s+gemini|"
    r"\bt\d{1,2}[\s\-–]+t\d{1,2}\b|\bt\d{1,2}\b[^.]{0,60}(?:vertebra|thoracic|spin(?:e|al))|"
    r"(?:vertebra\w*|thoracic|spin(?:e|al))[^.]{0,60}\bt\d{1,2}\b|"
    r"chinchilla[\s\-](?:scaling|optimal|law|laws|rule|ratio|style|regime|point)|"
    r"bert[\s\-]?score|bert\s+and\s+ernie",
    re.IGNORECASE,
)
_WINDOW = 40


@dataclass(frozen=True)
class PaperLink:
    paper_id: str
    model: str
    family: str
    via: Via
    evidence: str

    def as_dict(self) -> dict[str, str | None]:
        return {"model": self.model, "family": self.family, "via": self.via, "evidence": self.evidence}


@dataclass(frozen=True)
class FamilyMention:
    """A paper names a family but none of its catalog models: linked to the family, ``model`` is None."""

    paper_id: str
    family: str
    evidence: str
    via: Via = "family"
    model: None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"model": None, "family": self.family, "via": self.via, "evidence": self.evidence}


def _tokens(name: str) -> list[str]:
    """Split a name into parts that papers separate freely: "Llama3.1-8B" → Llama, 3.1, 8B."""
    parts: list[str] = []
    for chunk in re.split(r"[\s\-_]+", name.strip()):
        # A word of 3+ letters glued to a version ("Llama2", "Qwen2.5", "GPT4o") is two parts.
        match = re.fullmatch(r"([A-Za-z]{3,})(\d[\w.]*)", chunk)
        parts.extend(match.groups() if match else [chunk] if chunk else [])
    return parts


def _case_flags(name: str) -> int:
    # Names with a digit are distinctive in any case ("llama-3.1-8b"); short ones ("o1", "T5") and
    # names without a digit ("BLOOM", "Falcon", "Claude") keep their case: in lower case they are words.
    return re.IGNORECASE if re.search(r"\d", name) and len(name) >= 4 else 0


def alias_pattern(alias: str) -> re.Pattern[str]:
    """The whole-name pattern of a model alias (see the module docstring for what it refuses)."""
    body = _SEP.join(re.escape(part) for part in _tokens(alias))
    return re.compile(_HEAD_GUARD + body + _TAIL_GUARD, _case_flags(alias))


def family_pattern(alias: str, versioned: bool) -> re.Pattern[str]:
    """A family name, optionally (or, when ``versioned``, necessarily) followed by a version or size."""
    body = _SEP.join(re.escape(part) for part in _tokens(alias))
    # "-" separates the parts of the tail; "_" is a word character already (no overlap: no backtracking blow-up).
    version = r"[\s\-]?v?\d[\w.]*(?:-[\w.]+)*"
    tail = version if versioned else f"(?:{version})?"
    flags = re.IGNORECASE if versioned else 0
    return re.compile(_HEAD_GUARD + body + tail + r"(?![\w])(?![\-\s](?:like|style|esque)\b)", flags)


def _is_false_friend(text: str, start: int, end: int) -> bool:
    """Whether a common-word context ("Bloom filter", "Claude Shannon") overlaps this hit.

    Only contexts that overlap the hit count, so "BERTScore … GPT-5.4" still links GPT-5.4.
    """
    offset = max(0, start - _WINDOW)
    window = text[offset : end + _WINDOW]
    return any(
        m.start() + offset < end and m.end() + offset > start for m in _FALSE_FRIENDS.finditer(window)
    )


class _PartIndex:
    """Which of a list of aliases a text may name, before any regex runs.

    Every match of an alias contains each of its parts (in some case), so an alias whose parts are not all in
    the lower-cased text cannot match. Aliases are filed under their longest part, the one least likely to be
    in a text by chance: each such key is looked for once per text (88 keys for the 621 model aliases), and
    only the aliases under a key that is there are checked further. At 250,000 papers, testing every alias's
    parts on every paper had been most of a site build's render time.
    """

    def __init__(self, aliases: list[str]) -> None:
        self.parts = [tuple(part.lower() for part in _tokens(alias)) for alias in aliases]
        self.by_key: dict[str, list[int]] = {}
        for row, parts in enumerate(self.parts):
            self.by_key.setdefault(max(parts, key=len, default=""), []).append(row)

    def candidates(self, lowered: str) -> list[int]:
        """Rows (in the aliases' order) whose every part is in ``lowered``."""
        rows = sorted(row for key, filed in self.by_key.items() if key in lowered for row in filed)
        return [row for row in rows if all(part in lowered for part in self.parts[row])]


class ModelLinker:
    """Precompiled alias patterns for a catalog, applied to a paper's title and abstract."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_arxiv: dict[str, list[CatalogModel]] = {}
        self.patterns: list[tuple[CatalogModel, str, re.Pattern[str]]] = []
        for model in sorted(catalog.models.values(), key=lambda m: m.id):
            for arxiv_id in model.arxiv_ids:
                self.by_arxiv.setdefault(arxiv_id, []).append(model)
            for alias in sorted(set(model.aliases), key=lambda a: (-len(a), a)):
                self.patterns.append((model, alias, alias_pattern(alias)))
        self.family_patterns: list[tuple[str, str, re.Pattern[str]]] = []
        for family in sorted(catalog.families.values(), key=lambda f: f.id):
            for alias in family.aliases:
                self.family_patterns.append((family.id, alias, family_pattern(alias, versioned=False)))
            for alias in family.versioned_aliases:
                self.family_patterns.append((family.id, alias, family_pattern(alias, versioned=True)))

        self._model_parts = _PartIndex([alias for _m, alias, _p in self.patterns])
        self._family_parts = _PartIndex([alias for _f, alias, _p in self.family_patterns])
        self._sized: dict[str, bool] = {
            alias: any(_SIZE.fullmatch(part) for part in _tokens(alias)) for _m, alias, _p in self.patterns
        }

    def model_aliases_in(self, text: str) -> list[tuple[CatalogModel, str, re.Pattern[str]]]:
        """The model aliases (in :attr:`patterns` order) whose every part is in the text: the only ones to try."""
        return [self.patterns[row] for row in self._model_parts.candidates(text.lower())]

    @staticmethod
    def _text(paper: Paper) -> str:
        return f"{paper.title}\n{paper.abstract}"

    def link(self, paper: Paper) -> list[PaperLink]:
        """Model-level links: the paper's own model (by arXiv id) and every model it names."""
        found: dict[str, PaperLink] = {}
        for model in self.by_arxiv.get(paper.id, []):
            found[model.id] = PaperLink(paper.id, model.id, model.family, "arxiv", paper.id)
        text = self._text(paper)
        family_lists = [m.span(1) for m in _FAMILY_LIST.finditer(text)]
        for model, alias, pattern in self.model_aliases_in(text):
            if model.id in found:
                continue
            for match in pattern.finditer(text):
                if _is_false_friend(text, match.start(), match.end()):
                    continue
                if not self._sized[alias] and any(a <= match.start() < b for a, b in family_lists):
                    continue
                found[model.id] = PaperLink(paper.id, model.id, model.family, "alias", match.group(0))
                break
        return [found[key] for key in sorted(found)]

    def family_mentions(self, paper: Paper, links: list[PaperLink] | None = None) -> list[FamilyMention]:
        """Families the paper names without naming any of their catalog models."""
        linked = {link.family for link in (self.link(paper) if links is None else links)}
        text = self._text(paper)
        lowered = text.lower()
        mentions: dict[str, FamilyMention] = {}
        for row in self._family_parts.candidates(lowered):
            family_id, _alias, pattern = self.family_patterns[row]
            if family_id in linked or family_id in mentions:
                continue
            for match in pattern.finditer(text):
                if _is_false_friend(text, match.start(), match.end()):
                    continue
                mentions[family_id] = FamilyMention(paper.id, family_id, match.group(0))
                break
        return [mentions[key] for key in sorted(mentions)]

    def name_spans(self, text: str) -> list[tuple[int, int]]:
        """Where a text names a catalog model or family (every alias match, false friends skipped), in order.

        Unlike :meth:`link` it keeps every match, so callers can tell what stands next to a known name.
        """
        lowered = text.lower()
        spans: set[tuple[int, int]] = set()
        patterns = [pattern for _model, _alias, pattern in self.model_aliases_in(text)]
        patterns += [self.family_patterns[row][2] for row in self._family_parts.candidates(lowered)]
        for pattern in patterns:
            spans.update(m.span() for m in pattern.finditer(text) if not _is_false_friend(text, *m.span()))
        return sorted(spans)


def link_papers_to_models(papers: Iterable[Paper], catalog: Catalog) -> dict[str, list[PaperLink]]:
    """``{paper id: model links}`` for every paper with at least one model-level link."""
    linker = ModelLinker(catalog)
    links: dict[str, list[PaperLink]] = {}
    for paper in papers:
        found = linker.link(paper)
        if found:
            links[paper.id] = found
    return links


@dataclass(frozen=True)
class LinkingScore:
    """Precision and recall of the linker on a labelled set of (paper, target) decisions."""

    level: str
    true_positives: int
    false_positives: int
    false_negatives: int
    unlabelled: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_positives + self.false_negatives
        return self.true_positives / relevant if relevant else 1.0

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "tp": self.true_positives, "fp": self.false_positives, "fn": self.false_negatives,
                "unlabelled": [list(pair) for pair in self.unlabelled]}


def predicted_targets(linker: ModelLinker, paper: Paper) -> set[str]:
    """The linker's decisions for a paper as ``model:<id>`` and ``family:<id>`` targets."""
    links = linker.link(paper)
    return {f"model:{link.model}" for link in links} | {
        f"family:{mention.family}" for mention in linker.family_mentions(paper, links)
    }


def score_links(
    linker: ModelLinker, papers: Iterable[Paper], labels: dict[tuple[str, str], bool]
) -> dict[str, LinkingScore]:
    """Score the linker against labelled decisions ``{(paper id, target): is it right}``.

    Returns scores for ``model`` targets, ``family`` targets and ``all``. A predicted pair that has no
    label is reported in ``unlabelled`` (the set must then be extended before the score means anything).
    """
    predicted = {(paper.id, target) for paper in papers for target in predicted_targets(linker, paper)}
    scores: dict[str, LinkingScore] = {}
    for level in ("model", "family", "all"):
        def keep(target: str, level: str = level) -> bool:
            return level == "all" or target.startswith(level + ":")

        mine = {pair for pair in predicted if keep(pair[1])}
        gold = {pair for pair, right in labels.items() if right and keep(pair[1])}
        wrong = {pair for pair, right in labels.items() if not right and keep(pair[1])}
        scores[level] = LinkingScore(
            level=level,
            true_positives=len(mine & gold),
            false_positives=len(mine & wrong),
            false_negatives=len(gold - mine),
            unlabelled=tuple(sorted(mine - gold - wrong)),
        )
    return scores
