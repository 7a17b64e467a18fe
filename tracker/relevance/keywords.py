"""The relevance filter's first stage: keyword evidence that a paper is about (large) language models.

``assess`` finds strong signals (an LLM named as such, a known model family, LLM techniques), weak signals
("transformer", "prompt", "agents", "foundation model") and homonyms that fool plain keyword matching
(Bloom filters, the falcon bird, GPT partition tables). The second stage is ``tracker.relevance.classifier``;
``tracker.relevance.filter`` runs both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.paper import Paper

_STRONG = [
    r"large[- ]language[- ]models?",
    r"(?:small|multimodal|multi-modal|vision[- ]language|video[- ]language|speech[- ]language|audio[- ]language|"
    r"pre-?trained|masked|causal|autoregressive|neural|foundation|diffusion)[- ]language[- ]models?",
    r"language[- ]models?",
    r"vision[- ]language(?:[- ]action)?[- ]models?",
    r"large (?:multimodal|multi-modal|vision[- ]language|audio[- ]language|reasoning) models?",
    r"language agents?",
    r"(?:LLM|VLM|MLLM)-(?:based|driven|powered|generated|as-a-judge)",
    r"LLMs?",
    r"M?LLMs?",
    r"(?:V|MM|Code|Med|Multimodal )LLMs?",
    r"SLMs?",
    r"VLMs?",
    r"LVLMs?",
    r"LMMs?",
    r"LRMs?",
    r"LMs",
    r"VLAs?",
    r"ChatGPT",
    r"GPT-?(?:2|3|3\.5|4|4o|4\.1|5|J|NeoX|Neo|oss)\b",
    r"LLaMA(?:-?\d(?:\.\d)?)?",
    r"Llama[- ]?\d(?:\.\d)?",
    r"LLaVA(?:-[\w.]+)?",
    r"Mixtral",
    r"Qwen\d?(?:\.\d)?(?:-VL)?",
    r"DeepSeek(?:-?(?:R1|V\d|Coder|Math))?",
    r"Claude(?:[- ]\d(?:\.\d)?)?(?= (?:model|Sonnet|Opus|Haiku|\d))",
    r"(?:Claude (?:Sonnet|Opus|Haiku))",
    r"Gemini(?:[- ]\d(?:\.\d)?)?(?:[- ](?:Pro|Flash|Ultra|Nano))",
    r"BERT",
    r"RoBERTa",
    r"DeBERTa",
    r"instruction[- ](?:tuning|tuned|following)",
    r"RLHF",
    r"reinforcement learning from (?:human|AI) feedback",
    r"in-context learning",
    r"chain[- ]of[- ]thoughts?",
    r"prompt(?:ing)? engineering",
    r"retrieval[- ]augmented generation",
    r"next[- ]token prediction",
    r"tokeni[sz](?:er|ation)",
    r"jailbreak(?:s|ing)?",
    r"hallucinations?",
    r"text generation",
    r"reasoning models?",
]
_WEAK = [
    r"transformers?",
    r"prompts?",
    r"foundation models?",
    r"generative AI",
    r"agents?",
    r"agentic",
    r"chatbots?",
    r"fine-?tun(?:e|ed|ing)",
    r"pre-?train(?:ed|ing)",
    r"natural language",
    r"embeddings?",
    r"question answering",
    r"GPT",
    r"Mistral",
    r"Falcon",
    r"BLOOM",
    r"Gemma",
    r"Phi-\d",
    r"T5",
    r"attention",
    r"corpus|corpora",
    r"text",
    r"RAG",
    r"tokens?",
]
# Contexts in which a would-be signal means something else entirely.
_HOMONYMS = [
    r"bloom filters?",
    r"falcons? (?:birds?|species|nest)",
    r"peregrine",
    r"GPT (?:tag|partition|disk)",
    r"Gaussian process(?:es)? (?:tomography|regression)",
]


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(patterns) + r")(?![\w])", re.IGNORECASE)


_STRONG_RE = _compile(_STRONG)
_WEAK_RE = _compile(_WEAK)
_HOMONYM_RE = _compile(_HOMONYMS)
# Acronyms must match in capitals: "llm" in running text is rare, "Bert" the name is not BERT.
_CASE_SENSITIVE = {"llm", "llms", "mllm", "mllms", "slm", "slms", "vlm", "vlms", "lvlm", "lvlms", "lmm", "lmms",
                   "lrm", "lrms", "lms", "vla", "vlas", "bert"}


def _acronym_ok(word: str) -> bool:
    """``LLM``/``LLMs`` count, ``llm``/``Llms`` (running text, names) do not."""
    stem = word[:-1] if word.endswith("s") else word
    return stem.isupper()


@dataclass
class Relevance:
    """The lexical verdict with the evidence behind it."""

    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    homonyms: list[str] = field(default_factory=list)
    title_strong: bool = False

    @property
    def score(self) -> float:
        """Roughly: 1 per strong hit (2 in the title), 0.25 per distinct weak term, minus homonyms."""
        value = len(self.strong) + (1.0 if self.title_strong else 0.0)
        value += 0.25 * len({w.lower() for w in self.weak})
        value -= 1.0 * len(self.homonyms)
        return value

    @property
    def relevant(self) -> bool:
        return self.title_strong or len(self.strong) >= 2 or (len(self.strong) >= 1 and self.score >= 1.5)


def _strong_hits(text: str) -> list[str]:
    hits = []
    for match in _STRONG_RE.finditer(text):
        word = match.group(0)
        if word.lower() in _CASE_SENSITIVE and word.lower() != "bert" and not _acronym_ok(word):
            continue
        if word.lower() == "bert" and word != "BERT":
            continue
        hits.append(word)
    return hits


def assess(paper: Paper) -> Relevance:
    """Evidence that ``paper`` is about (large) language models."""
    text = f"{paper.title}\n{paper.abstract}"
    homonyms = [m.group(0) for m in _HOMONYM_RE.finditer(text)]
    return Relevance(
        strong=_strong_hits(text),
        weak=[m.group(0) for m in _WEAK_RE.finditer(text)],
        homonyms=homonyms,
        title_strong=bool(_strong_hits(paper.title)) and not _HOMONYM_RE.search(paper.title),
    )


def is_llm_paper_lexical(paper: Paper) -> bool:
    """The keyword stage alone (the filter before issue 3): quick, but misses a quarter of LLM papers."""
    return assess(paper).relevant
