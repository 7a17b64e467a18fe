"""The catalog against Epoch AI's table (tracker/knowledge/epoch_check.py, `llm-atlas catalog check-epoch`): a real
14-row subset of the table (tests/fixtures/catalog/epoch_check_rows.csv) and altered copies of it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from tracker.errors import InputError
from tracker.knowledge.catalog import Catalog, load_catalog
from tracker.knowledge.epoch_check import check_epoch, match_rows, read_epoch_csv

ROWS = FIXTURES / "catalog" / "epoch_check_rows.csv"
CITED_IN_SUBSET = {"falcon-40b", "llama-2-70b", "mixtral-8x7b", "qwen2.5-72b"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REPO / "catalog")


def altered(tmp_path: Path, change: dict[str, dict[str, str]], remove: set[str]) -> Path:
    """A copy of the real subset with some cells changed and some rows removed (columns untouched)."""
    rows = read_epoch_csv(ROWS)
    path = tmp_path / "epoch_altered.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if row["Model"] not in remove:
                writer.writerow({**row, **change.get(row["Model"], {})})
    return path


def test_rows_are_matched_by_epoch_ai_row_or_by_name(catalog: Catalog) -> None:
    found = match_rows(catalog, read_epoch_csv(ROWS))
    matched = {model: [row["Model"] for row in rows] for model, rows in found.items()}
    assert matched == {
        # cited in epoch_ai_row
        "falcon-40b": ["Falcon-40B"], "llama-2-70b": ["Llama 2-70B"], "mixtral-8x7b": ["Mixtral 8x7B"],
        "qwen2.5-72b": ["Qwen2.5-72B"],
        # by name: separators, case and a trailing parenthesis do not count
        "llama-2-7b": ["Llama 2-7B"], "gpt-4o": ["GPT-4o"], "claude-3-opus": ["Claude 3 Opus"],
        "grok-3": ["Grok-3"], "gopher": ["Gopher (280B)"],
    }


def test_the_real_rows_report_two_disagreements_and_four_lacking_models(catalog: Catalog) -> None:
    result = check_epoch(catalog, read_epoch_csv(ROWS))
    assert (result.rows, result.language_rows) == (14, 13)
    # Both are real: the catalog dates Falcon-40B at its May 2023 release (Epoch: 15 March), and Epoch's row
    # for Llama 2-7B gives 70B parameters, the 70B model's figure.
    assert [(d.model, d.field, d.catalog, d.epoch, d.difference) for d in result.disagreements] == [
        ("falcon-40b", "release_date", "2023-05", "2023-03-15", "47 days"),
        ("llama-2-7b", "parameters.total", "7,000,000,000", "70,000,000,000", "-90%"),
    ]
    # Language models only (ViT-22B is a vision model), newest first.
    assert [row.row for row in result.lacking] == ["EXAONE 3.5 32B", "o1-mini", "Mistral Large", "Qwen1.5-72B"]
    assert result.lacking[0].parameters == 32_000_000_000 and result.lacking[1].parameters is None
    # The subset holds 4 of the rows the catalog cites; the others are reported as missing from it.
    cited = {m.id for m in catalog.models.values() if m.epoch_ai_row}
    assert {row["model"] for row in result.missing_rows} == cited - CITED_IN_SUBSET


def test_an_altered_copy_is_reported(tmp_path: Path, catalog: Catalog) -> None:
    path = altered(
        tmp_path,
        change={"Mixtral 8x7B": {"Parameters": "60000000000.0"},  # 46.7B in the real row: +28 %
                "Qwen2.5-72B": {"Publication date": "2024-12-20"}},  # 2024-09-19 in the real row: 92 days
        remove={"Llama 2-70B", "o1-mini"},
    )
    before = check_epoch(catalog, read_epoch_csv(ROWS))
    after = check_epoch(catalog, read_epoch_csv(path))
    new = {(d.model, d.field, d.epoch, d.difference) for d in after.disagreements} - {
        (d.model, d.field, d.epoch, d.difference) for d in before.disagreements}
    assert new == {("mixtral-8x7b", "parameters.total", "60,000,000,000", "-22%"),
                   ("qwen2.5-72b", "release_date", "2024-12-20", "92 days")}
    missing = {row["model"] for row in after.missing_rows} - {row["model"] for row in before.missing_rows}
    assert missing == {"llama-2-70b"}
    assert [row.row for row in after.lacking] == ["EXAONE 3.5 32B", "Mistral Large", "Qwen1.5-72B"]


def test_differences_within_the_tolerances_are_not_reported(tmp_path: Path, catalog: Catalog) -> None:
    path = altered(
        tmp_path,
        change={"Mixtral 8x7B": {"Parameters": "50000000000.0"},  # +7 %
                "Qwen2.5-72B": {"Publication date": "2024-10-15"},  # 26 days
                "Falcon-40B": {"Publication date": "2023-06-30"}},  # the catalog's 2023-05 is the whole of May
        remove=set(),
    )
    result = check_epoch(catalog, read_epoch_csv(path))
    assert [(d.model, d.field) for d in result.disagreements] == [("llama-2-7b", "parameters.total")]


def test_a_file_that_is_not_the_table_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "other.csv"
    bad.write_text("name,params\nGPT-2,1.5e9\n")
    with pytest.raises(InputError, match="no column 'Model', 'Domain', 'Publication date', 'Parameters'"):
        read_epoch_csv(bad)
    run = subprocess.run([sys.executable, "-m", "tracker", "catalog", "check-epoch", str(bad)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == "" and len(run.stderr.strip().splitlines()) == 1


def test_cli_json_contract(tmp_path: Path) -> None:
    path = altered(tmp_path, change={"Mixtral 8x7B": {"Parameters": "60000000000.0"}}, remove={"Llama 2-70B"})
    run = subprocess.run(
        [sys.executable, "-m", "tracker", "catalog", "check-epoch", str(path), "--json",
         "--catalog-dir", str(REPO / "catalog")],
        capture_output=True, text=True, check=True,
    )
    data = json.loads(run.stdout)
    assert "13 rows, 12 language models; 8 catalog models matched" in run.stderr
    assert data.keys() == {"rows", "language_rows", "matched_models", "matched", "disagreements", "missing_rows",
                           "lacking"}
    assert all(d.keys() == {"model", "row", "field", "catalog", "epoch", "difference"} for d in data["disagreements"])
    assert {"model": "llama-2-70b", "row": "Llama 2-70B"} in data["missing_rows"]
    assert all(row.keys() == {"row", "organization", "published", "parameters", "accessibility", "link"}
               for row in data["lacking"])
    assert data["matched"]["mixtral-8x7b"] == ["Mixtral 8x7B"]
