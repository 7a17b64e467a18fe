"""Check the catalog against Epoch AI's notable-models table: facts that disagree, language models it lacks.

Pure functions; ``llm-atlas catalog check-epoch CSV`` is a thin wrapper over :func:`check_epoch`. The table is
Epoch AI's CSV ("Data: Epoch AI (epochai.org)", CC BY 4.0), one row per model with at least the columns
``Model``, ``Domain``, ``Publication date`` and ``Parameters``.

- **Matching** a row to a catalog model: the model that names the row in ``epoch_ai_row``, else the model one of
  whose names or aliases is the row's name, compared as the candidates command compares names (case,
  separators and a trailing parenthesis do not count: "Llama 2-7B" is "Llama-2-7B", "Gopher (280B)" is
  "Gopher"). A name shared by two models matches neither.
- **Disagreements**, for every matched pair where both give the fact: parameters that differ by more than 10 %
  of Epoch's figure, and release dates more than a month (31 days) apart. A catalog date written ``YYYY-MM``
  stands for the whole month, so only days outside it count.
- **Missing rows**: rows a model cites in ``epoch_ai_row`` that the table does not have (renamed or dropped).
- **Lacking**: the table's language models (``Language`` among the row's domains) that no catalog model
  matches, newest first.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from tracker.errors import InputError
from tracker.knowledge.candidates import name_key
from tracker.knowledge.catalog import Catalog, CatalogModel

REQUIRED_COLUMNS = ("Model", "Domain", "Publication date", "Parameters")
PARAMETER_TOLERANCE = 0.10
DATE_TOLERANCE_DAYS = 31
_TRAILING_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*$")


def read_epoch_csv(path: Path) -> list[dict[str, str]]:
    """The table's rows as dicts (columns unchanged); a missing column is an ``InputError`` naming the file."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise InputError(path, f"not Epoch AI's table: no column {', '.join(repr(c) for c in missing)}")
            return list(reader)
    except OSError as error:
        raise InputError(path, f"cannot read: {error.strerror or error}") from None


@dataclass(frozen=True)
class Disagreement:
    model: str
    row: str
    field: str
    catalog: str
    epoch: str
    difference: str


@dataclass(frozen=True)
class LackingRow:
    row: str
    organization: str
    published: str
    parameters: int | None
    accessibility: str
    link: str


@dataclass
class EpochCheck:
    rows: int
    language_rows: int
    matched: dict[str, list[str]]
    disagreements: list[Disagreement]
    missing_rows: list[dict[str, str]]
    lacking: list[LackingRow]

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows, "language_rows": self.language_rows,
            "matched_models": len(self.matched), "matched": self.matched,
            "disagreements": [asdict(d) for d in self.disagreements],
            "missing_rows": self.missing_rows,
            "lacking": [asdict(row) for row in self.lacking],
        }


def _row_key(name: str) -> str:
    return name_key(_TRAILING_PARENTHESIS.sub("", name) or name)


def _is_language(row: dict[str, str]) -> bool:
    return "Language" in [domain.strip() for domain in row.get("Domain", "").split(",")]


def _parameters(row: dict[str, str]) -> int | None:
    try:
        return round(float(row.get("Parameters", "")))
    except ValueError:
        return None


def _published(row: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(row.get("Publication date", "").strip())
    except ValueError:
        return None


def _days_outside(model: CatalogModel, day: date) -> int:
    """Days between an Epoch date and the catalog's date (its whole month when only the month is known)."""
    first = model.release
    month_only = len(model.release_date) == 7  # YYYY-MM
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1]) if month_only else first
    if day < first:
        return (first - day).days
    return max(0, (day - last).days)


def match_rows(catalog: Catalog, rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """``{catalog model id: its rows}``: the row it cites in ``epoch_ai_row``, else rows its names match."""
    cited = {model.epoch_ai_row: model.id for model in catalog.models.values() if model.epoch_ai_row}
    owners: dict[str, set[str]] = {}
    for model in catalog.models.values():
        for name in (model.name, *model.aliases):
            owners.setdefault(_row_key(name), set()).add(model.id)
    matched: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        model_id = cited.get(row["Model"])
        if model_id is None:
            ids = owners.get(_row_key(row["Model"]), set())
            # A model that cites its row is matched by that row only; a shared name matches no one.
            ids = {i for i in ids if not catalog.models[i].epoch_ai_row}
            model_id = next(iter(ids)) if len(ids) == 1 else None
        if model_id is not None:
            matched.setdefault(model_id, []).append(row)
    return matched


def compare(model: CatalogModel, row: dict[str, str]) -> list[Disagreement]:
    """The facts of one matched pair that disagree beyond the tolerances."""
    found: list[Disagreement] = []
    epoch_parameters = _parameters(row)
    if isinstance(model.parameters.total, int) and epoch_parameters:
        change = (model.parameters.total - epoch_parameters) / epoch_parameters
        if abs(change) > PARAMETER_TOLERANCE:
            found.append(Disagreement(model.id, row["Model"], "parameters.total", f"{model.parameters.total:,}",
                                      f"{epoch_parameters:,}", f"{change:+.0%}"))
    published = _published(row)
    if published is not None:
        days = _days_outside(model, published)
        if days > DATE_TOLERANCE_DAYS:
            found.append(Disagreement(model.id, row["Model"], "release_date", model.release_date,
                                      published.isoformat(), f"{days} days"))
    return found


def check_epoch(catalog: Catalog, rows: list[dict[str, str]]) -> EpochCheck:
    """Compare the catalog with Epoch AI's rows (see the module docstring for the rules)."""
    matched = match_rows(catalog, rows)
    disagreements = [d for model_id in sorted(matched) for row in matched[model_id]
                     for d in compare(catalog.models[model_id], row)]
    names = {row["Model"] for row in rows}
    missing = [{"model": model.id, "row": model.epoch_ai_row} for model in sorted(catalog.models.values(),
               key=lambda m: m.id) if model.epoch_ai_row and model.epoch_ai_row not in names]
    covered = {id(row) for found in matched.values() for row in found}
    lacking = [
        LackingRow(row["Model"], row.get("Organization", ""), row.get("Publication date", ""), _parameters(row),
                   row.get("Model accessibility", ""), row.get("Link", ""))
        for row in rows if _is_language(row) and id(row) not in covered
    ]
    lacking.sort(key=lambda row: (row.published, row.row), reverse=True)
    return EpochCheck(
        rows=len(rows), language_rows=sum(_is_language(row) for row in rows),
        matched={model_id: [row["Model"] for row in found] for model_id, found in sorted(matched.items())},
        disagreements=disagreements, missing_rows=missing, lacking=lacking,
    )
