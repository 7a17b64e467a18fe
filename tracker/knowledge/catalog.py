"""The model catalog: hand-curated YAML in ``catalog/models/<family>/<id>.yaml``, validated with pydantic.

Every number carries the URL it comes from; what is not known is written ``unknown``, never guessed.
Figures taken from Epoch AI's notable-models table cite ``EPOCH_AI_URL`` and name the table's row in
``epoch_ai_row`` (credit: "Data: Epoch AI (epochai.org)", CC BY 4.0), so they can be checked against it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tracker.errors import CatalogError
from tracker.paper import ARXIV_ID_RE

Unknown = Literal["unknown"]
ID_RE = r"^[a-z0-9][a-z0-9.\-]*$"
# YYYY-MM or YYYY-MM-DD: many models are announced with a month only.
PARTIAL_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
EPOCH_AI_URL = "https://epoch.ai/data/notable-ai-models"
EPOCH_AI_CREDIT = "Data: Epoch AI (epochai.org)"
NOT_MODELS_FILE = "not_models.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class License(_Strict):
    name: str = Field(description="SPDX id (e.g. Apache-2.0) or the licence's name")
    url: AnyHttpUrl | None = None


class Architecture(_Strict):
    type: Literal["decoder-only", "encoder-only", "encoder-decoder"]
    moe: bool | Unknown = Field(False, description="mixture-of-experts (true), dense (false), or unknown")
    experts: int | None = Field(None, ge=2, description="experts per MoE layer")
    experts_per_token: int | None = Field(None, ge=1)
    source: AnyHttpUrl | None = None


class Parameters(_Strict):
    total: int | Unknown = Field(description="total parameter count, or unknown")
    active: int | Unknown | None = Field(None, description="parameters used per token (MoE); dense: omit")
    source: AnyHttpUrl | None = None

    @model_validator(mode="after")
    def _check(self) -> Parameters:
        if isinstance(self.total, int) and isinstance(self.active, int) and self.active > self.total:
            raise ValueError("active parameters cannot exceed total parameters")
        if (isinstance(self.total, int) or isinstance(self.active, int)) and self.source is None:
            raise ValueError("a parameter count needs a source URL")
        return self


class SourcedNumber(_Strict):
    value: int | float | Unknown
    source: AnyHttpUrl | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> SourcedNumber:
        if self.value != "unknown" and self.source is None:
            raise ValueError("a number needs a source URL")
        return self


class Tokenizer(_Strict):
    algorithm: Literal[
        "BPE", "byte-level BPE", "WordPiece", "SentencePiece", "SentencePiece BPE", "SentencePiece Unigram",
        "tiktoken BPE", "unknown",
    ] = Field(description="SentencePiece alone: the source names the library but not the algorithm")
    vocab_size: int | Unknown = "unknown"
    source: AnyHttpUrl | None = None

    @model_validator(mode="after")
    def _check(self) -> Tokenizer:
        if isinstance(self.vocab_size, int) and self.source is None:
            raise ValueError("a vocabulary size needs a source URL")
        return self


class Links(_Strict):
    paper: AnyHttpUrl | None = None
    blog: AnyHttpUrl | None = None
    model_card: AnyHttpUrl | None = None
    weights: AnyHttpUrl | None = None


class Benchmark(_Strict):
    name: str
    score: float
    metric: str = Field(description="what the score measures, e.g. '5-shot accuracy (%)'")
    source: AnyHttpUrl


class CatalogModel(_Strict):
    """One model. The JSON Schema editors use is generated from this class."""

    id: Annotated[str, Field(pattern=ID_RE)]
    name: str
    family: Annotated[str, Field(pattern=ID_RE)]
    organization: str
    release_date: str = Field(description="YYYY-MM or YYYY-MM-DD")
    open_weights: bool
    license: License | Unknown
    architecture: Architecture
    parameters: Parameters
    context_length: SourcedNumber
    tokenizer: Tokenizer
    training_tokens: SourcedNumber
    base_model: str | None = Field(None, description="id of the catalog model this one was built from")
    arxiv_ids: list[str] = Field(default_factory=list)
    links: Links = Field(default_factory=Links)
    aliases: list[str] = Field(default_factory=list, description="how papers name this model")
    benchmarks: list[Benchmark] = Field(default_factory=list)
    epoch_ai_row: str | None = Field(
        None, description="the Model column of the Epoch AI row that facts citing epoch.ai come from"
    )
    last_verified: date
    notes: str | None = None

    def sourced_numbers(self) -> list[tuple[str, int | float | str, str | None]]:
        """Every number-valued fact as (field, value or "unknown", source URL or None)."""
        facts: list[tuple[str, int | float | str, str | None]] = []
        src = lambda url: str(url) if url else None  # noqa: E731
        facts.append(("parameters.total", self.parameters.total, src(self.parameters.source)))
        if self.parameters.active is not None:
            facts.append(("parameters.active", self.parameters.active, src(self.parameters.source)))
        if self.architecture.experts is not None:
            facts.append(("architecture.experts", self.architecture.experts, src(self.architecture.source)))
        if self.architecture.experts_per_token is not None:
            facts.append(
                ("architecture.experts_per_token", self.architecture.experts_per_token, src(self.architecture.source))
            )
        facts.append(("context_length", self.context_length.value, src(self.context_length.source)))
        facts.append(("tokenizer.vocab_size", self.tokenizer.vocab_size, src(self.tokenizer.source)))
        facts.append(("training_tokens", self.training_tokens.value, src(self.training_tokens.source)))
        facts.extend((f"benchmarks.{b.name}", b.score, str(b.source)) for b in self.benchmarks)
        return facts

    @model_validator(mode="after")
    def _check_epoch_credit(self) -> CatalogModel:
        cites_epoch = any(source == EPOCH_AI_URL for _field, _value, source in self.sourced_numbers())
        if cites_epoch and not self.epoch_ai_row:
            raise ValueError(f"a fact cites {EPOCH_AI_URL}: name the table's row in epoch_ai_row")
        if self.epoch_ai_row and EPOCH_AI_CREDIT not in (self.notes or ""):
            raise ValueError(f"epoch_ai_row is set: the notes must credit {EPOCH_AI_CREDIT!r}")
        if self.architecture.experts is not None and self.architecture.moe is not True:
            raise ValueError("architecture.experts is only for mixture-of-experts models (moe: true)")
        return self

    @model_validator(mode="after")
    def _check_source(self) -> CatalogModel:
        # Release date and organisation cite no URL of their own: the model's paper or page is their source.
        links = self.links
        if not self.arxiv_ids and not any((links.paper, links.blog, links.model_card, links.weights)):
            raise ValueError("a model needs a source: an arXiv id or a link (paper, blog, model_card or weights)")
        return self

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip() or value != value.strip():
                raise ValueError(f"alias {value!r} is empty or has surrounding spaces")
        return values

    @field_validator("release_date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 2023-07-18 as a date; the field keeps text so YYYY-MM stays possible.
        return value.isoformat() if isinstance(value, date) else value

    @field_validator("release_date")
    @classmethod
    def _check_release_date(cls, value: str) -> str:
        match = PARTIAL_DATE_RE.match(value)
        if not match:
            raise ValueError("must be YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            date(year, month, day)
        except ValueError as error:  # a month 13 or a 31 February
            raise ValueError(f"not a real date ({error}); write YYYY-MM or YYYY-MM-DD") from None
        return value

    @field_validator("arxiv_ids")
    @classmethod
    def _check_arxiv_ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not ARXIV_ID_RE.match(value):
                raise ValueError(f"not an arXiv id (without version): {value!r}")
        return values

    @property
    def release(self) -> date:
        year, month, day = (int(g) if g else 1 for g in PARTIAL_DATE_RE.match(self.release_date).groups())  # type: ignore[union-attr]
        return date(year, month, day)

    @property
    def total_parameters(self) -> int | None:
        return self.parameters.total if isinstance(self.parameters.total, int) else None


class Family(_Strict):
    id: Annotated[str, Field(pattern=ID_RE)]
    name: str
    organization: str
    description: str
    aliases: list[str] = Field(
        default_factory=list, description="names of the family as a whole, alone or followed by a version"
    )
    versioned_aliases: list[str] = Field(
        default_factory=list, description="names of the family only when a version number follows (Phi-3, GPT-5)"
    )
    links: Links = Field(default_factory=Links)


class FamiliesFile(_Strict):
    families: list[Family]


NotModelKind = Literal[
    "benchmark", "dataset", "metric", "method", "architecture", "number format", "vision encoder",
    "embedding or reranking model", "image or video model", "speech model", "vision model",
]


class NotModel(_Strict):
    """A name the papers use that is not a catalog model, reviewed once so the candidates list leaves it out."""

    name: str
    kind: NotModelKind
    why: str = Field(min_length=10, description="one line: what the name is")
    aliases: list[str] = Field(default_factory=list, description="other spellings with a different name key")


class NotModelsFile(_Strict):
    names: list[NotModel]


class Catalog:
    """All families and models, validated file by file and across files."""

    def __init__(self, families: dict[str, Family], models: dict[str, CatalogModel], paths: dict[str, Path],
                 not_models: tuple[NotModel, ...] = ()):
        self.families = families
        self.models = models
        self.paths = paths
        # catalog/not_models.yaml: names reviewed and kept out of the catalog (benchmarks, encoders …)
        self.not_models = not_models

    def __len__(self) -> int:
        return len(self.models)

    def by_family(self) -> dict[str, list[CatalogModel]]:
        grouped: dict[str, list[CatalogModel]] = {fid: [] for fid in sorted(self.families)}
        for model in sorted(self.models.values(), key=lambda m: (m.release, m.id)):
            grouped.setdefault(model.family, []).append(model)
        return grouped


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith(("int", "literal", "function")))


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise CatalogError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None


def _validate(path: Path, cls: type[BaseModel], data: Any) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = _field_path(first["loc"]) or "(top level)"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise CatalogError(f"{path}: {field}: {first['msg']}{more}") from None


# Facts a draft (``llm-atlas catalog candidates --draft``) leaves unknown that the schema requires of a model.
DRAFT_FACTS = ("organization", "release_date", "open_weights", "architecture.type", "last_verified")


def draft_problem(data: Any) -> str | None:
    """Why a model file is still a draft (None when it has no ``draft`` block): its facts that have no source."""
    if not isinstance(data, dict) or "draft" not in data:
        return None
    unknown = [fact for fact in DRAFT_FACTS if _dotted(data, fact) in (None, "unknown")]
    if not data.get("arxiv_ids") and not any((data.get("links") or {}).values()):
        unknown.append("a source (arxiv_ids or links)")
    if unknown:
        return f"a draft whose facts have no source yet: {', '.join(unknown)}; fill them in, then delete the draft"
    return "a draft: its facts are filled in; check them and delete the draft block"


def _dotted(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def load_catalog(catalog_dir: Path, today: date | None = None, skip_drafts: bool = False) -> Catalog:
    """Load and validate the catalog; the first problem raises ``CatalogError`` naming file and field.

    A draft (a model file with a ``draft`` block) is refused, or with ``skip_drafts`` left out: it is not a
    catalog model yet, and drafting a second candidate must not wait for the first.
    """
    catalog_dir = Path(catalog_dir)
    families_path = catalog_dir / "families.yaml"
    families: dict[str, Family] = {}
    if families_path.exists():
        for family in _validate(families_path, FamiliesFile, _load_yaml(families_path)).families:
            if family.id in families:
                raise CatalogError(f"{families_path}: families: id {family.id!r} appears twice")
            families[family.id] = family
    models: dict[str, CatalogModel] = {}
    paths: dict[str, Path] = {}
    today = today or date.today()
    for path in sorted((catalog_dir / "models").glob("*/*.yaml")):
        data = _load_yaml(path)
        if problem := draft_problem(data):
            if skip_drafts:
                continue
            raise CatalogError(f"{path}: draft: {problem}")
        model: CatalogModel = _validate(path, CatalogModel, data)
        if model.id != path.stem:
            raise CatalogError(f"{path}: id: {model.id!r} must match the file name {path.stem!r}")
        if model.family != path.parent.name:
            raise CatalogError(f"{path}: family: {model.family!r} must match the folder {path.parent.name!r}")
        if families and model.family not in families:
            raise CatalogError(f"{path}: family: {model.family!r} is not described in {families_path}")
        if model.id in models:
            raise CatalogError(f"{path}: id: {model.id!r} is already used by {paths[model.id]}")
        if model.release > today:
            raise CatalogError(f"{path}: release_date: {model.release_date} is in the future")
        if model.last_verified > today:
            raise CatalogError(f"{path}: last_verified: {model.last_verified} is in the future")
        models[model.id] = model
        paths[model.id] = path
    alias_owner: dict[str, str] = {}
    for model in sorted(models.values(), key=lambda m: m.id):
        if model.base_model and model.base_model not in models:
            raise CatalogError(f"{paths[model.id]}: base_model: {model.base_model!r} is not in the catalog")
        if model.base_model == model.id:
            raise CatalogError(f"{paths[model.id]}: base_model: a model cannot be built on itself")
        for alias in model.aliases:
            # One name, one model: a paper naming it must link to a single place.
            key = alias.casefold()
            if alias_owner.setdefault(key, model.id) != model.id:
                raise CatalogError(
                    f"{paths[model.id]}: aliases: {alias!r} is already an alias of {alias_owner[key]!r}"
                )
    not_models = _load_not_models(catalog_dir / NOT_MODELS_FILE, alias_owner)
    return Catalog(families, models, paths, not_models)


def _load_not_models(path: Path, alias_owner: dict[str, str]) -> tuple[NotModel, ...]:
    """The reviewed names that are not catalog models; none may be a model's alias or listed twice."""
    if not path.exists():
        return ()
    entries: list[NotModel] = _validate(path, NotModelsFile, _load_yaml(path)).names
    seen: set[str] = set()
    for entry in entries:
        for spelling in [entry.name, *entry.aliases]:
            key = spelling.casefold()
            if key in alias_owner:
                raise CatalogError(f"{path}: names: {spelling!r} is an alias of the catalog model {alias_owner[key]!r}")
            if key in seen:
                raise CatalogError(f"{path}: names: {spelling!r} is listed twice")
            seen.add(key)
    return tuple(entries)


def model_json_schema() -> dict[str, Any]:
    schema = CatalogModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "LLM Atlas catalog model"
    return schema


def families_json_schema() -> dict[str, Any]:
    schema = FamiliesFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "LLM Atlas catalog families"
    return schema


def not_models_json_schema() -> dict[str, Any]:
    schema = NotModelsFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "LLM Atlas names that are not catalog models"
    return schema


def schema_files() -> dict[str, str]:
    """The JSON Schema files under ``catalog/schema/``, as ``{file name: text}`` (deterministic)."""
    return {
        "model.schema.json": json.dumps(model_json_schema(), indent=2) + "\n",
        "families.schema.json": json.dumps(families_json_schema(), indent=2) + "\n",
        "not_models.schema.json": json.dumps(not_models_json_schema(), indent=2) + "\n",
    }
