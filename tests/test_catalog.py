"""The catalog validates, and broken files are refused with their name and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from tracker.catalog import load_catalog
from tracker.errors import CatalogError


def test_every_catalog_file_validates() -> None:
    catalog = load_catalog(REPO / "catalog")
    assert len(catalog) >= 8
    assert set(catalog.by_family()) >= {"gpt", "llama", "claude", "mistral", "falcon", "bloom", "bert"}
    mixtral = catalog.models["mixtral-8x7b"]
    assert mixtral.architecture.moe and mixtral.parameters.active < mixtral.parameters.total  # type: ignore[operator]


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", target)
    return target


def edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"colour": "blue"}, "colour", "Extra inputs are not permitted"),
        ({"release_date": "2023-13-01"}, "release_date", "YYYY-MM"),
        ({"release_date": "2099-01-01"}, "release_date", "in the future"),
        ({"parameters__total": "seventy billion"}, "parameters.total", ""),
        ({"parameters__active": 90000000000}, "parameters", "cannot exceed"),
        ({"context_length__source": None}, "context_length", "needs a source"),
        ({"base_model": "llama-9"}, "base_model", "not in the catalog"),
        ({"arxiv_ids": ["2307.09288v2"]}, "arxiv_ids", "not an arXiv id"),
        ({"id": "llama-2-7b"}, "id", "must match the file name"),
    ],
)
def test_broken_file_is_refused_with_file_and_field(
    catalog_copy: Path, changes: dict, field: str, message: str
) -> None:
    path = catalog_copy / "models" / "llama" / "llama-2-70b.yaml"
    edit(path, **changes)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    text = str(caught.value)
    assert text.startswith(f"{path}: {field}"), text
    assert message in text


def test_invalid_yaml_names_the_line(catalog_copy: Path) -> None:
    path = catalog_copy / "models" / "gpt" / "gpt-4.yaml"
    path.write_text(path.read_text() + "\nnotes: [unclosed\n")
    with pytest.raises(CatalogError, match=r"gpt-4\.yaml:\d+: not valid YAML"):
        load_catalog(catalog_copy)


def test_duplicate_ids_across_families_are_refused(catalog_copy: Path) -> None:
    source = catalog_copy / "models" / "gpt" / "gpt-4.yaml"
    twin = source.read_text().replace("family: gpt", "family: claude")
    (catalog_copy / "models" / "claude" / "gpt-4.yaml").write_text(twin)
    with pytest.raises(CatalogError, match="already used"):
        load_catalog(catalog_copy)
