"""Research topics: the taxonomy in ``catalog/topics.yaml`` and the rules that put papers under topics.

A topic has keyword phrases. Each distinct phrase found in a paper's abstract scores 1, in its title 3;
``title_keywords`` score only in the title (words like "benchmark" or "code" that nearly every abstract
uses in passing). A paper belongs to every topic whose score reaches the topic's ``min_score`` (default 2),
so one passing mention is not enough but a title hit or two different phrases in the abstract are.
Phrases match whole words, case-insensitively, with space, hyphen or nothing between their words; a
trailing ``*`` matches any word ending ("tokeniz*" finds tokenizer, tokenization). A one-word phrase with
two capitals or more (RAG, MoE, LoRA) matches in that case only, so "rag" or "moe" as ordinary words do not
count.

Assignment is rule-based and deterministic: the same paper text and taxonomy always give the same topics.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tracker.errors import CatalogError
from tracker.paper import Paper

TOPICS_FILE = "topics.yaml"
TITLE_WEIGHT = 3
PREFIX_CHARS = 4  # how much of a "word*" phrase's first word files it (Taxonomy._hits)


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1, description="phrases scoring in title (3) and abstract (1)")
    title_keywords: list[str] = Field(default_factory=list, description="phrases scoring in the title only")
    exclude_in_title: list[str] = Field(
        default_factory=list, description="phrases that, in the title, rule the topic out (code-mixed is not code)"
    )
    min_score: int = Field(2, ge=1)

    @field_validator("keywords", "title_keywords", "exclude_in_title")
    @classmethod
    def _check_phrases(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip() or not re.search(r"\w", value):
                raise ValueError(f"empty keyword phrase: {value!r}")
            if "*" in value.rstrip("*"):
                raise ValueError(f"'*' may only end a phrase: {value!r}")
        return values


class TopicsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: list[Topic] = Field(min_length=1)


WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Phrase:
    """A keyword phrase as words: matched against the word n-grams of a text (see the module docstring)."""

    text: str
    size: int  # number of words
    key: str  # the words joined by one space
    words: tuple[str, ...]  # lower case
    joined: str | None  # the words written together ("finetuning"), for phrases of several uncased words
    prefix: bool  # a trailing * : the last word may go on
    cased: bool  # two capitals or more: match in this case only

    @classmethod
    def parse(cls, text: str) -> Phrase:
        stripped = text.strip()
        # one word with two capitals or more is a name (RAG, MoE, LoRA): matched in its case only
        cased = " " not in stripped and "-" not in stripped and sum(1 for c in stripped if c.isupper()) >= 2
        words = WORD_RE.findall(stripped if cased else stripped.lower())
        joined = "".join(words) if len(words) > 1 and not cased else None
        lowered = tuple(w.lower() for w in words)
        return cls(text, len(words), " ".join(words), lowered, joined, stripped.endswith("*"), cased)


@dataclass(frozen=True)
class Starts:
    """First words of the phrases of several words (lower case and cased), and the longest phrase."""

    lower: set[str]
    cased: set[str]
    longest: int

    @classmethod
    def of(cls, phrases: list[Phrase]) -> Starts:
        several = [p for p in phrases if p.size > 1]
        return cls(
            lower={p.key.split(" ")[0] for p in several if not p.cased},
            cased={p.key.split(" ")[0] for p in several if p.cased},
            longest=max((p.size for p in phrases), default=1),
        )


class TextGrams:
    """The word n-grams of one text, in original case and lower case: phrase look-ups are set look-ups.

    Longer n-grams are only formed where a phrase of several words could start, which keeps this cheap.
    """

    def __init__(self, text: str, starts: Starts) -> None:
        words = WORD_RE.findall(text)
        lower = [w.lower() for w in words]
        self.cased = self._grams(words, starts.cased, starts.longest)
        self.lower = self._grams(lower, starts.lower, starts.longest)
        self._sorted: dict[tuple[bool, int], list[str]] = {}

    @staticmethod
    def _grams(words: list[str], starts: set[str], longest: int) -> dict[int, set[str]]:
        grams: dict[int, set[str]] = {n: set() for n in range(2, longest + 1)}
        grams[1] = set(words)
        for i, word in enumerate(words):
            if word in starts:
                for n in range(2, min(longest, len(words) - i) + 1):
                    grams[n].add(" ".join(words[i : i + n]))
        return grams

    def has(self, phrase: Phrase) -> bool:
        grams = (self.cased if phrase.cased else self.lower)[phrase.size]
        if phrase.key in grams or (phrase.joined is not None and phrase.joined in self.lower[1]):
            return True
        if not phrase.prefix:
            return False
        if self._starts_with(phrase.cased, phrase.size, phrase.key):
            return True
        return phrase.joined is not None and self._starts_with(False, 1, phrase.joined)

    def _starts_with(self, cased: bool, size: int, key: str) -> bool:
        """Whether some n-gram starts with ``key``: in sorted order it is the first one at or after it."""
        ordered = self._sorted.get((cased, size))
        if ordered is None:
            ordered = self._sorted[(cased, size)] = sorted((self.cased if cased else self.lower)[size])
        at = bisect.bisect_left(ordered, key)
        return at < len(ordered) and ordered[at].startswith(key)


@dataclass(frozen=True)
class TopicMatch:
    """One topic of one paper: its score and the phrases that gave it (shown as evidence)."""

    topic: str
    score: int
    evidence: tuple[str, ...]


def _parse(phrases: list[str]) -> list[Phrase]:
    return [Phrase.parse(text) for text in phrases]


class Taxonomy:
    """The ordered topics with their parsed keyword phrases."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = {t.id: t for t in topics}
        self._rules: list[tuple[Topic, list[Phrase], list[Phrase], list[Phrase]]] = [
            (t, _parse(t.keywords), _parse(t.title_keywords), _parse(t.exclude_in_title)) for t in topics
        ]
        # Each phrase gets a number; a text's hits are found once (_hits), and the rules look numbers up.
        self._phrases: list[Phrase] = []
        self._ids = [(self._number(kw), self._number(tk), self._number(ex)) for _, kw, tk, ex in self._rules]
        self._starts = Starts.of(self._phrases)
        # phrase number -> its topic (numbers were given in this same order, rule by rule)
        self._topic_of = [order for order, ids in enumerate(self._ids) for group in ids for _number in group]
        # A phrase can only be in a text whose words include its first word (in its case), or its words written
        # together. One whose last word may go on ("tokeniz*", "instruction tun*") needs a word that begins like
        # its first word: filed under that word's first PREFIX_CHARS letters (a shorter one is always tried).
        self._exact: dict[bool, dict[str, list[int]]] = {True: {}, False: {}}
        self._starting: dict[bool, dict[str, list[int]]] = {True: {}, False: {}}
        self._always: list[int] = []
        for number, phrase in enumerate(self._phrases):
            first = phrase.key.split(" ")[0]
            if not phrase.prefix:
                self._exact[phrase.cased].setdefault(first, []).append(number)
                if phrase.joined is not None:
                    self._exact[False].setdefault(phrase.joined, []).append(number)
            elif len(first) >= PREFIX_CHARS:
                self._starting[phrase.cased].setdefault(first[:PREFIX_CHARS], []).append(number)
            else:
                self._always.append(number)

    def _number(self, phrases: list[Phrase]) -> list[int]:
        self._phrases.extend(phrases)
        return list(range(len(self._phrases) - len(phrases), len(self._phrases)))

    def _hits(self, grams: TextGrams) -> set[int]:
        """The numbers of the phrases the text has: ``grams.has`` only for those its words could start.

        At 250,000 papers, trying every phrase of every topic on each title and abstract was a third of
        rendering the site; the answer is the same.
        """
        tried = set(self._always)
        for cased, words in ((True, grams.cased[1]), (False, grams.lower[1])):
            exact, starting = self._exact[cased], self._starting[cased]
            for word in exact.keys() & words:
                tried.update(exact[word])
            if starting:
                for start in starting.keys() & {word[:PREFIX_CHARS] for word in words}:
                    tried.update(starting[start])
        return {number for number in tried if grams.has(self._phrases[number])}

    def __len__(self) -> int:
        return len(self.topics)

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics.values())

    def match(self, paper: Paper) -> list[TopicMatch]:
        """The paper's topics, best score first (ties: taxonomy order)."""
        found: list[tuple[int, int, TopicMatch]] = []
        title = self._hits(TextGrams(paper.title, self._starts))
        abstract = self._hits(TextGrams(paper.abstract, self._starts))
        # a topic none of whose phrases is in the paper scores 0, under any min_score: only the others are scored
        for order in sorted({self._topic_of[number] for number in title | abstract}):
            topic, keywords, title_only, _excluded = self._rules[order]
            keyword_ids, title_ids, excluded_ids = self._ids[order]
            if any(number in title for number in excluded_ids):
                continue
            hits = [(p, TITLE_WEIGHT) for p, number in zip(keywords + title_only, keyword_ids + title_ids, strict=True)
                    if number in title]
            hits += [(p, 1) for p, number in zip(keywords, keyword_ids, strict=True)
                     if number in abstract and all(p is not q for q, _ in hits)]
            score, evidence, used = 0, [], set[str]()
            for phrase, weight in hits:
                evidence.append(phrase.text)
                # "reasoning" and "logical reasoning" are one mention, not two: phrases sharing a word count once
                if used.isdisjoint(phrase.words):
                    score += weight
                    used.update(phrase.words)
            if score >= topic.min_score:
                found.append((-score, order, TopicMatch(topic.id, score, tuple(evidence))))
        return [match for _, _, match in sorted(found, key=lambda item: (item[0], item[1]))]

    def assign(self, papers: Iterable[Paper]) -> dict[str, list[TopicMatch]]:
        """``{paper id: matches}`` for every paper (an empty list when no topic applies)."""
        return {paper.id: self.match(paper) for paper in papers}


def load_topics(catalog_dir: Path) -> Taxonomy:
    """Load ``<catalog>/topics.yaml``; a problem raises ``CatalogError`` naming file, line or field."""
    path = Path(catalog_dir) / TOPICS_FILE
    if not path.exists():
        raise CatalogError(f"{path}: the topic taxonomy is missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise CatalogError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    try:
        parsed = TopicsFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = first["loc"]
        field = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "topics" and isinstance(loc[1], int) and isinstance(data, dict):
            raw = data.get("topics") or []
            if loc[1] < len(raw) and isinstance(raw[loc[1]], dict) and raw[loc[1]].get("id"):
                field = f"topics[{raw[loc[1]]['id']}]." + ".".join(str(p) for p in loc[2:])
        raise CatalogError(f"{path}: {field.rstrip('.')}: {first['msg']}") from None
    seen: set[str] = set()
    for topic in parsed.topics:
        if topic.id in seen:
            raise CatalogError(f"{path}: topics: id {topic.id!r} appears twice")
        seen.add(topic.id)
        # two spellings of one phrase would count one mention twice
        phrases: dict[tuple[str, bool, bool], str] = {}
        for text in topic.keywords + topic.title_keywords:
            phrase = Phrase.parse(text)
            key = (phrase.key, phrase.prefix, phrase.cased)
            if key in phrases:
                raise CatalogError(f"{path}: topics[{topic.id}]: keyword {text!r} repeats {phrases[key]!r}")
            phrases[key] = text
    return Taxonomy(parsed.topics)
