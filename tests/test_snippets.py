"""The Learn pages' programs (docs/snippets/*.py): each runs in a subprocess, as the site build runs it,
and its real output is checked against what the algorithm it demonstrates must give."""

from __future__ import annotations

import base64
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "docs" / "snippets"
LEARN = ROOT / "docs" / "learn"
SCI = r"(\d+\.\d+e[+-]\d+)"  # a number printed with :.1e
INCLUDE = re.compile(r'^--8<-- "snippets/([a-z_]+\.py)"$', re.MULTILINE)


@cache
def run(name: str) -> str:
    """stdout of one snippet, run from the repository root with no network, as markdown-exec runs it."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    completed = subprocess.run(
        [sys.executable, str(SNIPPETS / name)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, f"{name} failed:\n{completed.stderr[-3000:]}"
    return completed.stdout


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no match for {pattern!r} in:\n{text[:2000]}"
    return float(match.group(1).replace(",", ""))


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    """Cells of the Markdown table rows whose first cell starts with `first_cell`."""
    rows = []
    for line in text.splitlines():
        if line.startswith("| ") and line.endswith(" |"):
            cells = [cell.strip() for cell in line[2:-2].split(" | ")]
            if cells[0].startswith(first_cell):
                rows.append(cells)
    return rows


def svg_figure(text: str) -> str:
    pattern = r'<img class="atlas-figure" alt="[^"]+" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">'
    match = re.search(pattern, text)
    assert match, "no figure printed"
    svg = base64.b64decode(match.group(1)).decode()
    assert "<svg" in svg and "</svg>" in svg
    return svg


def test_every_snippet_is_on_a_page_and_every_include_exists() -> None:
    snippets = {path.name for path in SNIPPETS.glob("*.py")}
    included = {name for page in LEARN.glob("*.md") for name in INCLUDE.findall(page.read_text())}
    assert len(snippets) >= 10
    assert included == snippets


def test_bpe_from_scratch_reproduces_the_paper_and_the_most_frequent_pair() -> None:
    out = run("bpe_from_scratch.py")
    merges = [row[2].strip("`") for row in table_rows(out, "") if row[0].isdigit()]
    # Sennrich et al. (2016), section 3.2: the merges the algorithm makes on this corpus.
    assert merges[:10] == ["es", "est", "est</w>", "lo", "low", "ne", "new", "newest</w>", "low</w>", "wi"]

    # Independently: the first merge on the real corpus is its most frequent adjacent pair.
    papers = [json.loads(line) for line in (SNIPPETS / "data" / "abstracts.jsonl").read_text().splitlines()]
    words = Counter(re.findall(r"[a-z]+", " ".join(p["abstract"] for p in papers[:180]).lower()))
    pairs: Counter[tuple[str, str]] = Counter()
    for word, count in words.items():
        symbols = [*word, "</w>"]
        for pair in pairwise(symbols):
            pairs[pair] += count
    first = re.search(r"First 12 merges: `([^`]+)`", out)
    assert first and first.group(1) == "+".join(pairs.most_common(1)[0][0])

    for word, tokens in ((row[0], row[1]) for row in table_rows(out, "") if row[0].isalpha() and "`" in row[1]):
        assert "".join(re.findall(r"`([^`]+)`", tokens)) == word + "</w>"
    assert number(r"([\d.]+) tokens per word", out) < number(r"characters alone: ([\d.]+)", out)


def test_tokenizers_compared_on_the_same_text() -> None:
    out = run("tokenizers_compared.py")
    rows = {row[0]: row for row in table_rows(out, "") if "`" in row[1]}
    assert len(rows) == 4
    for name, (_, tokens, count, per_word, round_trip) in rows.items():
        pieces = re.findall(r"`([^`]+)`", tokens)
        assert len(pieces) == int(count), name
        assert 1.0 < float(per_word) < 7.0, name
        if "WordPiece" not in name:
            assert round_trip == "exact", name
    wordpiece = next(row for name, row in rows.items() if "WordPiece" in name)
    assert "##" in wordpiece[1] and "▁" not in wordpiece[1]
    assert all("▁" in row[1] for name, row in rows.items() if "SentencePiece" in name)
    assert "Ġ" in next(row for name, row in rows.items() if "byte-level" in name)[1]


def test_attention_matches_torch_and_minilm_and_rows_sum_to_one() -> None:
    out = run("attention.py")
    differences = re.findall(r"max \|ours − torch\| = " + SCI, out)
    row_sums = re.findall(r"max \|row sum − 1\| = " + SCI, out)
    assert len(differences) == len(row_sums) == 2
    assert all(float(value) < 1e-9 for value in differences + row_sums)
    assert number(r"causal weights above the diagonal: ([\d.]+)", out) == 0.0
    assert number(r"matches the model's own to " + SCI, out) < 1e-4
    assert number(r"rows sum to 1 within " + SCI, out) < 1e-5
    assert number(r"mean weight on the previous token ([\d.]+)", out) > 0.5
    assert "<image" in svg_figure(out)  # the heatmaps are raster images inside the SVG


def test_positional_encodings_depend_only_on_offsets() -> None:
    out = run("positional_encoding.py")
    a, b = re.search(r"PE\[10\]·PE\[30\] = ([-\d.]+), PE\[70\]·PE\[90\] = ([-\d.]+)", out).groups()  # type: ignore[union-attr]
    assert a == b
    a, b = re.search(r"q at 5 · k at 2 = ([-\d.]+); q at 105 · k at 102 = ([-\d.]+)", out).groups()  # type: ignore[union-attr]
    assert a == b
    assert number(r"\|q\| = ([\d.]+)", out) == number(r"\|RoPE\(q, 77\)\| = ([\d.]+)", out)
    m0, m16, m128 = (number(rf"m={m} → ([-\d.]+)", out) for m in (0, 16, 128))
    assert m0 == 1.0 and m128 < m16 < m0
    svg_figure(out)


def test_ngram_perplexity() -> None:
    out = run("ngram_perplexity.py")
    symbols = number(r"([\d,]+) symbols", out)
    uniform = table_rows(out, "uniform")[0]
    assert float(uniform[2]) == symbols  # a uniform model's perplexity is the number of symbols
    ppl = [float(row[2]) for row in table_rows(out, "") if re.fullmatch(r"\d-gram", row[0])]
    assert len(ppl) == 6 and ppl[0] < symbols
    assert ppl[0] > ppl[1] > ppl[2] > ppl[3] > ppl[4]  # longer contexts help while counts are dense
    for row in table_rows(out, "")[1:]:
        if re.fullmatch(r"\d-gram|uniform", row[0]):
            assert abs(float(row[3]) - math.log2(float(row[2]))) < 0.01
    assert number(r"= ([\d.]+)\.$", out.strip()) == 1.0


def test_tiny_gpt_learns() -> None:
    out = run("tiny_gpt.py")
    vocabulary = number(r"vocabulary of (\d+) characters", out)
    ppl = [float(row[1]) for row in table_rows(out, "") if row[0].isdigit()]
    assert len(ppl) == 4
    assert 0.5 * vocabulary < ppl[0] < 2 * vocabulary  # untrained: close to uniform
    assert ppl[0] > ppl[1] > ppl[2] > ppl[3] and ppl[3] < 0.15 * ppl[0]
    sample = re.search(r"```text\n(.*)\n```", out, re.DOTALL)
    assert sample and sample.group(1).startswith("Large language models") and len(sample.group(1)) == 21 + 80


def test_bleu_by_hand_equals_sacrebleu_and_rouge_limits() -> None:
    out = run("bleu_rouge.py")
    for label in ("n-gram precisions", "brevity penalty", "corpus BLEU"):
        (_, sacre, by_hand), = table_rows(out, label)
        assert sacre == by_hand, label
    assert 0 < number(r"\| corpus BLEU \| ([\d.]+)", out) < 100
    exact = table_rows(out, "exact copy")[0]
    assert exact[1:] == ["100.0", "1.000", "1.000", "1.000"]
    scrambled = table_rows(out, "same words, scrambled")[0]
    assert scrambled[2] == "1.000" and scrambled[3] == "0.000" and float(scrambled[4]) < 1.0


def test_lora_trainable_parameters_are_r_times_din_plus_dout() -> None:
    out = run("lora_peft.py")
    total = number(r"MiniLM has ([\d,]+) parameters", out)
    matrices = number(r"(\d+) adapted matrices", out)
    trainable = number(r"Trainable: ([\d,]+)", out)
    assert matrices == 12  # query and value in each of 6 layers
    assert trainable == 12 * 8 * (384 + 384) == number(r"= ([\d,]+) \(", out)
    assert number(r"equals the base model: max \|Δ\| = " + SCI, out) == 0.0
    assert number(r"the output moved \(max \|Δ\| = ([\d.]+)\)", out) > 0
    assert "frozen base weights unchanged: True" in out
    assert number(r"Merged into plain weights: ([\d,]+) parameters", out) == total
    assert number(r"adapter model within " + SCI, out) < 1e-4
    assert number(r"r = 16 on query and value: ([\d.]+) M", out) == 32.8  # 80 × 16 × (2·8192 + 8192 + 1024)


def test_finetune_minilm_fits_its_training_pairs() -> None:
    out = run("finetune_minilm.py")
    (before,) = table_rows(out, "before")
    (after,) = table_rows(out, "after")
    assert after[0] == "after 8 steps"
    assert float(after[1]) < float(before[1])  # the training pairs are fitted better
    for row in (before, after):
        assert 0.0 <= float(row[2]) <= 1.0 and 0.0 < float(row[3]) <= 1.0
    assert float(after[2]) >= float(before[2]) - 0.15  # a few small steps do not wreck the model


def test_onnx_export_agrees_with_torch() -> None:
    out = run("onnx_export.py")
    differences = re.findall(r"(?:max \|PyTorch − ONNX Runtime\| = |tokens: )" + SCI, out)
    assert len(differences) == 2 and all(float(d) < 1e-3 for d in differences)
    assert number(r": ([\d.]+) MB", out) > 50  # 22.7 M float32 weights
    assert number(r"PyTorch ([\d.]+) ms", out) > 0 and number(r"ONNX Runtime ([\d.]+) ms", out) > 0


def test_fastapi_service_returns_the_reference_embeddings() -> None:
    out = run("fastapi_service.py")
    assert "HTTP 200, 3 vectors of 384 numbers" in out
    assert number(r"encode`: max \|Δ\| = " + SCI, out) < 1e-4  # ONNX + mean pooling = sentence-transformers
    related = number(r"adapter sentence: (-?\d+\.\d+)", out)
    assert related > number(r"with the weather: (-?\d+\.\d+)", out) + 0.3
    assert re.search(r"HTTP 422 \(`[^`]+`\); an empty list: HTTP 422", out)


def test_parameter_count_formula_matches_pytorch() -> None:
    out = run("parameter_count.py")
    for name in ("all-MiniLM-L6-v2", "GPT-2 small"):
        (row,) = table_rows(out, name)
        assert row[3] == row[4], name
    assert table_rows(out, "all-MiniLM-L6-v2")[0][4] == "22,713,216"
    assert table_rows(out, "GPT-2 small")[0][4] == "124,439,808"
    assert "174.6 B" in table_rows(out, "GPT-3")[0][4]
    assert "68.98 B" in table_rows(out, "Llama-2-70B")[0][4]
    assert table_rows(out, "bfloat16")[0][2] == "128 GiB"


def test_mixture_of_experts_routing_and_mixtral_counts() -> None:
    out = run("mixture_of_experts.py")
    assert number(r"dense reference within " + SCI, out) < 1e-5
    assert re.search(r"gates sum to 1\.0000–1\.0000", out)
    shares = [float(s) for s in re.search(r"per expert: ([\d. ]+);", out).group(1).split()]  # type: ignore[union-attr]
    assert len(shares) == 8 and abs(sum(shares) - 1) < 0.02
    assert 0.9 < number(r"balancing loss ([\d.]+)", out) < 1.2  # an untrained router spreads tokens evenly
    assert table_rows(out, "stored")[0][1] == "46.70 B"
    assert table_rows(out, "used per token")[0][1] == "12.88 B"


@pytest.mark.parametrize("name", sorted(path.name for path in SNIPPETS.glob("*.py")))
def test_snippet_needs_no_network_and_no_repository_code(name: str) -> None:
    """Snippets are read on the site as self-contained programs: no tracker import, no URL fetched."""
    source = (SNIPPETS / name).read_text()
    assert "import tracker" not in source and "from tracker" not in source
    assert not re.search(r"https?://", source)
    assert "from_pretrained(\"" not in source  # models only from the shipped package path
