"""Generated parts of the Learn pages: what the hand-written pages include so they never go stale.

Each part lives in ``docs/generated/snippets/`` (left out of the page list by ``exclude_docs``) and is
included by a hand-written page under ``docs/learn/`` with pymdownx.snippets (``--8<--``); its links are
written from that page's own address.

- ``learn-families.md``: every catalog family with its models in release order (date, parameters, context,
  licence, open weights), each model linked to its page; included by ``learn/model-families.md``.
- ``learn-open-models.md``: the newest open-weight generative models per size band, with licence, context
  and the memory their weights need; included by ``learn/choosing-a-model.md`` and ``learn/deployment.md``
  (both in ``learn/``, so the same relative links work from either).
- ``learn-recent-<page>.md``: the newest papers of the Atlas topic that matches a Learn page (``LEARN_TOPICS``),
  linked to their abstracts on the month pages, and a link to the topic page.

Only catalog facts are shown; what the catalog does not know shows as "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from tracker.knowledge.catalog import CatalogModel, Family
from tracker.knowledge.topics import TITLE_WEIGHT, Phrase, Starts, TextGrams
from tracker.paper import Paper
from tracker.site.engine import GENERATED, PageWriter, SiteData

SNIPPETS = f"{GENERATED}/snippets"
FAMILIES_PART = f"{SNIPPETS}/learn-families.md"
FAMILIES_PAGE = "learn/model-families.md"
OPEN_MODELS_PART = f"{SNIPPETS}/learn-open-models.md"
OPEN_MODELS_PAGE = "learn/choosing-a-model.md"
RECENT = 8  # papers per "Recent papers on this topic" list
NEWEST_PER_BAND = 4
MIN_SUBJECT_SCORE = 2  # a narrowed list's bar, as topics.yaml's default min_score

# the families the Learn pages have always taught, first and in this order; the others follow, newest first
POPULAR = ("gpt", "bert", "llama", "claude", "mistral", "falcon", "bloom")


@dataclass(frozen=True)
class LearnTopic:
    """The papers a Learn page shows: a topic's papers, or those whose evidence is one of ``phrases``."""

    page: str  # the Learn page (md path under docs/) that includes the part
    topic: str | None  # a topic id of catalog/topics.yaml; None: every paper in the store
    phrases: tuple[str, ...] = ()  # keyword phrases of that topic (as written in topics.yaml) that narrow it
    about: str = ""  # what the narrowing picks, for the reader ("on LoRA and other PEFT methods")

    @property
    def slug(self) -> str:
        return self.page.rsplit("/", 1)[-1][: -len(".md")]

    @property
    def part(self) -> str:
        return f"{SNIPPETS}/learn-recent-{self.slug}.md"


# Learn page → Atlas topic. Broad topics are narrowed to the papers whose topic evidence names the page's
# subject (phrases of the topic's own keywords, so the list is a subset of the topic page).
LEARN_TOPICS: tuple[LearnTopic, ...] = (
    LearnTopic("learn/what-are-llms.md", "pretraining", ("next-token prediction", "pre-train*", "pretrained"),
               "on pretraining and next-token prediction"),
    LearnTopic("learn/evolution.md", "pretraining", ("scaling law*", "compute-optimal", "scaling"),
               "on scaling"),
    LearnTopic("learn/components.md", "architectures"),
    LearnTopic("learn/transformer.md", "architectures",
               ("transformer architecture*", "transformer*", "layer normalization", "feed-forward network*"),
               "on the transformer and its layers"),
    LearnTopic("learn/tokenization.md", "tokenization"),
    LearnTopic("learn/attention.md", "architectures",
               ("self-attention", "attention mechanism*", "attention head*", "linear attention", "sparse attention",
                "attention"),
               "on attention"),
    LearnTopic("learn/positional-encoding.md", "architectures",
               ("positional encoding*", "position encoding*", "position embedding*", "rotary", "RoPE",
                "long-context", "context window*", "context length*"),
               "on positions and long context"),
    LearnTopic("learn/pretraining-vs-fine-tuning.md", "pretraining"),
    LearnTopic("learn/fine-tuning.md", "fine-tuning"),
    LearnTopic("learn/peft.md", "fine-tuning",
               ("parameter-efficient", "PEFT", "LoRA", "QLoRA", "low-rank adaptation", "adapter*", "prompt tuning",
                "prefix tuning"),
               "on LoRA and other parameter-efficient methods"),
    LearnTopic("learn/moe.md", "architectures", ("mixture of experts", "MoE", "expert routing"),
               "on mixtures of experts"),
    LearnTopic("learn/evaluation.md", "evaluation"),
    LearnTopic("learn/deployment.md", "efficiency"),
    LearnTopic("learn/choosing-a-model.md", "evaluation",
               ("leaderboard*", "LLM-as-a-judge", "LLM-as-judge", "LLM judge*", "benchmark*", "evaluation"),
               "on benchmarks and how models are compared"),
    LearnTopic("learn/keeping-up.md", None),
)

# size bands of the open-weight table (total parameters, as stored in memory) and where such weights fit
SIZE_BANDS: tuple[tuple[str, int, int | None, str], ...] = (
    ("under 5 B", 0, 5_000_000_000, "a laptop or phone (4-bit)"),
    ("5–20 B", 5_000_000_000, 20_000_000_000, "one consumer GPU (16–24 GB)"),
    ("20–100 B", 20_000_000_000, 100_000_000_000, "one or two 80 GB GPUs"),
    ("100 B and more", 100_000_000_000, None, "a multi-GPU server"),
)


def recent_papers(data: SiteData, learn: LearnTopic, count: int = RECENT) -> list[Paper]:
    """The newest ``count`` papers for a Learn page, newest first (the order of ``data.papers``).

    A narrowed page takes the topic's papers whose evidence holds the page's phrases with the topic's own
    weights (3 in the title, 1 in the abstract) reaching ``MIN_SUBJECT_SCORE``: a title hit or two phrases.
    """
    if learn.topic is None:
        return data.papers[:count]
    phrases = {text: Phrase.parse(text) for text in learn.phrases}
    starts = Starts.of(list(phrases.values()))
    found: list[Paper] = []
    for paper in data.papers:
        match = next((m for m in data.topics.get(paper.id, []) if m.topic == learn.topic), None)
        if match is None:
            continue
        if phrases:
            named = [phrases[text] for text in match.evidence if text in phrases]
            title = TextGrams(paper.title, starts) if named else None
            score = sum(TITLE_WEIGHT if title is not None and title.has(p) else 1 for p in named)
            if score < MIN_SUBJECT_SCORE:
                continue
        found.append(paper)
        if len(found) == count:
            break
    return found


@dataclass(frozen=True)
class FamilySection:
    family: Family
    models: list[CatalogModel]  # oldest first

    @property
    def anchor(self) -> str:
        return "family-" + self.family.id.replace(".", "-")

    @property
    def first(self) -> str:
        return self.models[0].release_date if self.models else "unknown"

    @property
    def latest(self) -> str:
        return self.models[-1].release_date if self.models else "unknown"

    @property
    def open_count(self) -> int:
        return sum(m.open_weights for m in self.models)


def family_sections(data: SiteData) -> list[FamilySection]:
    """The popular families in ``POPULAR`` order, then the others by their newest model, newest first."""
    grouped = data.catalog.by_family()  # models oldest first, (release, id)
    sections = [FamilySection(data.catalog.families[fid], grouped.get(fid, []))
                for fid in sorted(data.catalog.families)]
    popular = [s for fid in POPULAR for s in sections if s.family.id == fid]
    newest = date.min

    def newest_first(section: FamilySection) -> tuple[date, str]:
        latest = section.models[-1].release if section.models else newest
        return (latest, section.family.id)

    others = sorted((s for s in sections if s.family.id not in POPULAR), key=newest_first, reverse=True)
    return popular + others


def weights_gib(model: CatalogModel, bytes_per_parameter: float) -> str:
    """Memory for the weights alone, in GiB, from the catalog's total parameters; "unknown" without them."""
    total = model.total_parameters
    if total is None:
        return "unknown"
    gib = total * bytes_per_parameter / 2**30
    return f"{gib:,.0f}" if gib >= 10 else f"{gib:.1f}"


def open_model_bands(data: SiteData, per_band: int = NEWEST_PER_BAND) -> list[tuple[str, str, list[CatalogModel]]]:
    """``[(band, where it fits, its newest open-weight decoder models, newest first)]``; unknown sizes left out."""
    candidates = [m for m in data.catalog.models.values()
                  if m.open_weights and m.architecture.type == "decoder-only" and m.total_parameters is not None]
    candidates.sort(key=lambda m: (m.release, m.id), reverse=True)
    bands = []
    for label, low, high, fits in SIZE_BANDS:
        inside = [m for m in candidates if m.total_parameters is not None and m.total_parameters >= low
                  and (high is None or m.total_parameters < high)]
        bands.append((label, fits, inside[:per_band]))
    return bands


def newest_hosted(data: SiteData, count: int = 6) -> list[CatalogModel]:
    """The newest closed-weight model of each family that has one, newest first (at most ``count``)."""
    newest: dict[str, CatalogModel] = {}
    for model in sorted(data.catalog.models.values(), key=lambda m: (m.release, m.id)):
        if not model.open_weights:
            newest[model.family] = model
    return sorted(newest.values(), key=lambda m: (m.release, m.id), reverse=True)[:count]


def release_timeline(sections: list[FamilySection], label: str) -> Markup:
    """An inline SVG: one row per family, one dot per model at its release date (by year), escaped text."""
    dated = [m.release for s in sections for m in s.models]
    if not dated:
        return Markup("")
    first_year, last_year = min(dated).year, max(dated).year + 1
    row, left, right, top = 16, 150, 12, 22
    years = last_year - first_year
    width = 760
    span = width - left - right
    height = top + row * len(sections) + 8

    def x_of(day: date) -> float:
        return left + span * ((day.year - first_year) + (day.timetuple().tm_yday - 1) / 366) / years

    parts = [
        Markup('<svg class="atlas-timeline" viewBox="0 0 {w} {h}" width="100%" role="img" '
               'xmlns="http://www.w3.org/2000/svg" font-size="10" fill="currentColor">').format(w=width, h=height),
        Markup("<title>{}</title>").format(label),
    ]
    for year in range(first_year, last_year + 1):
        x = left + span * (year - first_year) / years
        parts.append(Markup('<line x1="{x:.1f}" y1="{t}" x2="{x:.1f}" y2="{b}" stroke="currentColor" '
                            'stroke-opacity="0.15"/>').format(x=x, t=top - 4, b=height - 6))
        if year < last_year:
            parts.append(Markup('<text x="{x:.1f}" y="{y}">{year}</text>').format(x=x + 2, y=top - 8, year=year))
    for index, section in enumerate(sections):
        y = top + row * index + row / 2
        parts.append(Markup('<text x="0" y="{y:.1f}" dominant-baseline="middle">{name}</text>').format(
            y=y, name=section.family.name))
        for model in section.models:  # open weights: a filled green dot; closed: a hollow purple ring
            paint = ('fill="#2e7d32" fill-opacity="0.8"' if model.open_weights
                     else 'fill="none" stroke="#8e24aa" stroke-width="1.5"')
            parts.append(Markup('<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" {paint}>'
                                '<title>{name}, {day}</title></circle>').format(
                x=x_of(model.release), y=y, paint=Markup(paint), name=model.name, day=model.release_date))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def add_pages(writer: PageWriter, data: SiteData) -> None:
    sections = family_sections(data)
    writer.add_included(
        FAMILIES_PART, FAMILIES_PAGE, "learn_families.md.j2", sections=sections,
        total=len(data.catalog.models),
        timeline=release_timeline(sections, "Releases of the catalog's models by family and date: filled green dots "
                                            "are open-weight models, hollow purple rings closed ones"),
    )
    writer.add_included(
        OPEN_MODELS_PART, OPEN_MODELS_PAGE, "learn_open_models.md.j2", bands=open_model_bands(data),
        hosted=newest_hosted(data), families=data.catalog.families, gib=weights_gib,
    )
    if data.taxonomy is None:
        return
    for learn in LEARN_TOPICS:
        topic = data.taxonomy.topics.get(learn.topic) if learn.topic else None
        writer.add_included(
            learn.part, learn.page, "learn_recent.md.j2", learn=learn, topic=topic,
            papers=recent_papers(data, learn), links=data.links, models=data.catalog.models,
            abstracts_at=data.abstracts_at,
        )
