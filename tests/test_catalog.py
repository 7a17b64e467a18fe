"""The catalog validates, its facts are sourced (and agree with the Epoch AI rows they cite), and broken
files are refused with their name and field."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO

from tracker.errors import CatalogError
from tracker.knowledge.catalog import EPOCH_AI_URL, load_catalog, schema_files

EPOCH_ROWS = FIXTURES / "catalog" / "epoch_rows.csv"
EXPECTED_FAMILIES = {
    "gpt", "llama", "claude", "mistral", "falcon", "bloom", "bert", "t5", "gemma", "qwen", "deepseek", "phi",
}


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog(REPO / "catalog")


def test_every_catalog_file_validates(catalog) -> None:  # type: ignore[no-untyped-def]
    files = sorted((REPO / "catalog" / "models").glob("*/*.yaml"))
    assert len(catalog) == len(files) >= 40
    assert set(catalog.families) >= EXPECTED_FAMILIES
    assert all(catalog.by_family()[family] for family in catalog.families), "a described family has no model"
    mixtral = catalog.models["mixtral-8x7b"]
    assert mixtral.architecture.moe and mixtral.parameters.active < mixtral.parameters.total


def test_readers_find_the_models_they_expect(catalog) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "gpt-1", "gpt-2", "gpt-3", "gpt-3.5-turbo", "gpt-4", "gpt-4-turbo", "gpt-4o", "llama-65b", "llama-2-70b",
        "llama-3-8b", "llama-3.1-405b", "llama-3.2-1b", "llama-3.3-70b", "mistral-7b", "mixtral-8x7b",
        "mixtral-8x22b", "falcon-7b", "falcon-40b", "falcon-180b", "bloom-176b", "bloomz-176b", "bert-base",
        "bert-large", "roberta-large", "distilbert", "albert-xxlarge", "deberta-1.5b", "electra-large", "t5-11b",
        "flan-t5-xxl", "deepseek-v2", "deepseek-v3", "deepseek-r1", "claude-3-opus", "claude-3.5-sonnet",
    }
    assert expected <= set(catalog.models)


def test_lineage_is_recorded(catalog) -> None:  # type: ignore[no-untyped-def]
    lineage = {m.id: m.base_model for m in catalog.models.values() if m.base_model}
    assert lineage["flan-t5-xxl"] == "t5-11b"
    assert lineage["bloomz-176b"] == "bloom-176b"
    assert lineage["deepseek-r1"] == "deepseek-v3"
    assert lineage["code-llama-7b"] == "llama-2-7b"
    assert lineage["vicuna-13b"] == "llama-13b"
    assert lineage["distilbert"] == "bert-base"


def test_every_number_has_a_source_or_is_unknown(catalog) -> None:  # type: ignore[no-untyped-def]
    sourced = unknown = 0
    for model in catalog.models.values():
        for field, value, source in model.sourced_numbers():
            if value == "unknown":
                unknown += 1
            else:
                assert source and source.startswith("https://"), f"{model.id}: {field} has no source"
                sourced += 1
    # Most facts are known; some (closed models' sizes) honestly are not.
    assert sourced > 250 and unknown > 50


def _epoch_rows() -> dict[str, dict[str, str]]:
    with EPOCH_ROWS.open(newline="", encoding="utf-8") as handle:
        return {row["Model"]: row for row in csv.DictReader(handle)}


def test_facts_citing_epoch_ai_agree_with_its_rows(catalog) -> None:  # type: ignore[no-untyped-def]
    rows = _epoch_rows()
    checked = 0
    for model in catalog.models.values():
        if not model.epoch_ai_row:
            continue
        assert model.epoch_ai_row in rows, f"{model.id}: no Epoch row {model.epoch_ai_row!r} in {EPOCH_ROWS}"
        row = rows[model.epoch_ai_row]
        assert "Data: Epoch AI (epochai.org)" in (model.notes or "")
        if str(model.parameters.source) == EPOCH_AI_URL:
            assert model.parameters.total == int(float(row["Parameters"])), model.id
            checked += 1
        if str(model.training_tokens.source) == EPOCH_AI_URL:
            assert model.training_tokens.value == int(float(row["Training dataset size (datapoints)"])), model.id
            checked += 1
    assert checked >= 15


def test_lineage_agrees_with_epoch_ai_where_both_name_it(catalog) -> None:  # type: ignore[no-untyped-def]
    rows = _epoch_rows()
    by_row = {m.epoch_ai_row: m.id for m in catalog.models.values() if m.epoch_ai_row}
    compared = 0
    for model in catalog.models.values():
        base_row = rows.get(model.epoch_ai_row or "", {}).get("Base model", "")
        if base_row in by_row:
            assert model.base_model == by_row[base_row], model.id
            compared += 1
    assert compared >= 3


def test_the_committed_json_schema_is_up_to_date() -> None:
    for name, text in schema_files().items():
        committed = (REPO / "catalog" / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"catalog/schema/{name} is stale: run `llm-atlas catalog schema`"
        assert json.loads(committed)["additionalProperties"] is False


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
        ({"architecture__layers": 80}, "architecture.layers", "Extra inputs are not permitted"),
        ({"release_date": "2023-13-01"}, "release_date", "YYYY-MM"),
        ({"release_date": "July 2023"}, "release_date", "YYYY-MM"),
        ({"release_date": "2099-01-01"}, "release_date", "in the future"),
        ({"parameters__total": "seventy billion"}, "parameters.total", ""),
        ({"parameters__total": "70B"}, "parameters.total", ""),
        ({"parameters__active": 90000000000}, "parameters", "cannot exceed"),
        ({"parameters__source": None}, "parameters", "needs a source"),
        ({"context_length__source": None}, "context_length", "needs a source"),
        ({"tokenizer__source": None}, "tokenizer", "needs a source"),
        ({"epoch_ai_row": None, "parameters__source": EPOCH_AI_URL}, "(top level)", "epoch_ai_row"),
        ({"base_model": "llama-9"}, "base_model", "not in the catalog"),
        ({"arxiv_ids": ["2307.09288v2"]}, "arxiv_ids", "not an arXiv id"),
        ({"id": "llama-2-7b"}, "id", "must match the file name"),
        ({"family": "gpt"}, "family", "must match the folder"),
        ({"aliases": ["Llama-2-70B", "GPT-4"]}, "aliases", "already an alias of 'gpt-4'"),
        ({"benchmarks": [{"name": "MMLU", "score": 68.9, "metric": "5-shot"}]}, "benchmarks.0.source", "required"),
        ({"arxiv_ids": [], "links": {}}, "(top level)", "a model needs a source"),
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
    data = yaml.safe_load((catalog_copy / "models" / "gpt" / "gpt-4.yaml").read_text())
    data["family"], data["aliases"] = "claude", []
    (catalog_copy / "models" / "claude" / "gpt-4.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CatalogError, match="already used"):
        load_catalog(catalog_copy)


def test_an_undescribed_family_is_refused(catalog_copy: Path) -> None:
    folder = catalog_copy / "models" / "newfam"
    folder.mkdir()
    data = yaml.safe_load((catalog_copy / "models" / "gpt" / "gpt-4.yaml").read_text())
    data.update(id="newmodel", family="newfam", aliases=[])
    (folder / "newmodel.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CatalogError, match=r"newmodel\.yaml: family: 'newfam' is not described"):
        load_catalog(catalog_copy)


def test_cli_validate_names_the_broken_file_and_exits_1(catalog_copy: Path) -> None:
    def validate(folder: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tracker", "catalog", "validate", "--catalog-dir", str(folder)]
        return subprocess.run(command, capture_output=True, text=True)

    path = catalog_copy / "models" / "gpt" / "gpt-3.yaml"
    edit(path, parameters__total="175 billion")
    result = validate(catalog_copy)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: parameters.total: ")
    ok = validate(REPO / "catalog")
    assert ok.returncode == 0 and "catalog OK" in ok.stderr


# -- names that are not models (catalog/not_models.yaml) ---------------------------------------------
def test_the_names_that_are_not_models_are_reviewed(catalog) -> None:  # type: ignore[no-untyped-def]
    names = {entry.name: entry for entry in catalog.not_models}
    assert {"GSM8K", "BM25", "SigLIP2", "BGE-M3"} <= set(names)
    assert names["GSM8K"].kind == "benchmark" and names["BM25"].kind == "method"
    assert all(entry.why and "\n" not in entry.why for entry in catalog.not_models)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "Llama-2-70B", "kind": "benchmark", "why": "not really a benchmark"}, "alias of the catalog model"),
        ({"name": "GSM8K", "kind": "benchmark", "why": "listed a second time"}, "'GSM8K' is listed twice"),
        ({"name": "Foo-7B", "kind": "toy", "why": "not one of the kinds"}, "names.1.kind"),
        ({"name": "Foo-7B", "kind": "method"}, "names.1.why"),
    ],
)
def test_a_bad_not_a_model_entry_is_refused(catalog_copy: Path, entry: dict, message: str) -> None:
    path = catalog_copy / "not_models.yaml"
    path.write_text(yaml.safe_dump({"names": [{"name": "GSM8K", "kind": "benchmark", "why": "maths word problems"},
                                              entry]}))
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert str(caught.value).startswith(f"{path}: names") and message in str(caught.value), caught.value


# -- drafts (llm-atlas catalog candidates --draft) --------------------------------------------------
def test_validate_refuses_a_draft_until_its_facts_have_sources(catalog_copy: Path, tmp_path: Path) -> None:
    from tracker.importer import read_papers
    from tracker.knowledge.drafts import draft_model

    papers = list(read_papers(FIXTURES / "linking" / "papers.jsonl"))
    draft = draft_model("Nemotron-Terminal-32B", papers, load_catalog(catalog_copy), date(2026, 12, 6))
    path = catalog_copy / draft.relative_path
    assert draft.relative_path == "models/nemotron/nemotron-terminal-32b.yaml" and not path.exists()
    path.write_text(draft.text)
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_copy)
    assert str(caught.value) == (
        f"{path}: draft: a draft whose facts have no source yet: organization, release_date, open_weights, "
        "architecture.type, last_verified, a source (arxiv_ids or links); fill them in, then delete the draft")
    data = yaml.safe_load(path.read_text())
    data.update(organization="NVIDIA", release_date="2026-05", open_weights=True, last_verified="2026-12-06",
                links={"blog": "https://example.org/nemotron-terminal"})
    data["architecture"]["type"] = "decoder-only"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CatalogError, match="its facts are filled in; check them and delete the draft block"):
        load_catalog(catalog_copy)
    del data["draft"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert "nemotron-terminal-32b" in load_catalog(catalog_copy).models


# -- pages -----------------------------------------------------------------------------------------
def _catalog_pages(papers: list) -> dict[str, str]:  # type: ignore[type-arg]
    from tracker.knowledge.linking import link_papers_to_models
    from tracker.site.engine import PageWriter, SiteData, make_environment
    from tracker.site.pages import catalog_pages

    catalog = load_catalog(REPO / "catalog")
    ordered = sorted(papers, key=lambda p: (p.published, p.id), reverse=True)
    data = SiteData(papers=ordered, catalog=catalog, links=link_papers_to_models(ordered, catalog))
    writer = PageWriter(make_environment())
    catalog_pages.add_pages(writer, data)
    return writer.pages


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    from tracker.importer import read_papers
    from tracker.paper import Paper

    papers = list(read_papers(FIXTURES / "linking" / "papers.jsonl"))
    hostile = Paper(id="2606.99999", version=1, title='<script>alert("x")</script> tuning Qwen3.5-9B & friends',
                    abstract="We fine-tune <b>Qwen3.5-9B</b> and GPT-4o.", authors=["A. <i>Author</i>"],
                    categories=["cs.CL"], published=papers[0].published, updated=papers[0].published)
    return _catalog_pages([*papers, hostile])


def test_catalog_pages_cover_every_family_and_model(pages: dict[str, str]) -> None:
    catalog = load_catalog(REPO / "catalog")
    assert {f"generated/families/{f}.md" for f in catalog.families} <= set(pages)
    assert {f"generated/models/{m}.md" for m in catalog.models} <= set(pages)
    index = pages["generated/models/index.md"]
    assert index.count('<tr data-family="') == len(catalog.models)
    assert 'class="atlas-table atlas-models atlas-sortable"' in index and 'data-filter="family"' in index
    assert 'data-size="ge100b"' in index and 'data-open="no"' in index


def test_model_page_shows_sources_lineage_and_papers_by_month(pages: dict[str, str]) -> None:
    page = pages["generated/models/deepseek-r1.md"]
    assert 'href="https://arxiv.org/abs/2501.12948"' in page
    assert "DeepSeek-V3</a> → <strong>DeepSeek-R1</strong>" in page
    assert "Data: Epoch AI (epochai.org)" in page
    flan = pages["generated/models/flan-t5-xxl.md"]
    assert "<svg" in flan and "papers per month" in flan and "atlas-monthly" in flan
    t5 = pages["generated/models/t5-11b.md"]
    assert "Flan-T5-XXL</a>" in t5  # models built on it


def test_family_page_lists_family_only_papers_escaped(pages: dict[str, str]) -> None:
    qwen = pages["generated/families/qwen.md"]
    assert "Papers that name the family only" in qwen
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; tuning Qwen3.5-9B &amp; friends" in qwen
    assert "<script>" not in qwen
    family_only = qwen.split("Papers that name the family only", 1)[1]
    rows = [line for line in family_only.splitlines() if line.startswith("<li data-arxiv-id=")]
    dates = [re.search(r" · (\d{4}-\d{2}-\d{2})</span>", line).group(1) for line in rows]  # type: ignore[union-attr]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)  # newest first


def test_catalog_pages_are_deterministic(pages: dict[str, str]) -> None:
    from tracker.importer import read_papers

    papers = list(read_papers(FIXTURES / "linking" / "papers.jsonl"))
    first, second = _catalog_pages(papers), _catalog_pages(list(reversed(papers)))
    assert first == second
