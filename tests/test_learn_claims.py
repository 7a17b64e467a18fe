"""What the Learn pages say about their programs' output, checked against that output.

Each test names the page and the sentence it pins. The programs are run as tests/test_snippets.py runs
them (one subprocess each, cached for the session); a few claims about a figure are checked on the arrays
the figure is drawn from, by running the program with runpy.
"""

from __future__ import annotations

import ast
import re
import runpy
from functools import cache
from typing import Any

import numpy as np
from test_snippets import LEARN, SNIPPETS, number, run, svg_figure, table_rows


@cache
def program_globals(name: str) -> dict[str, Any]:
    """The module namespace a snippet leaves behind (for claims about the data behind a figure)."""
    return runpy.run_path(str(SNIPPETS / name), run_name="__main__")


def page(name: str) -> str:
    """A Learn page's text with every run of whitespace (line breaks included) as one space."""
    return " ".join((LEARN / name).read_text(encoding="utf-8").split())


def tokens_of(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


# attention.md


def test_attention_last_layer_goes_to_cls() -> None:
    """attention.md: "In the last layer, averaged over heads and tokens, about a third of the attention
    goes to `[CLS]`, more than twice as much as to any other token (the program prints both shares)."""
    assert "about a third of the attention" in page("attention.md")
    out = run("attention.py")
    match = re.search(r"`(\S+)` receives (\d+\.\d+) of the attention, the next token `(\S+)` (\d+\.\d+)", out)
    assert match, out
    top, share, _, runner_up = match.group(1), float(match.group(2)), match.group(3), float(match.group(4))
    assert top == "[CLS]"
    assert 0.25 <= share <= 0.42  # "about a third"
    assert share > 2 * runner_up


# positional-encoding.md


def test_rope_curve_is_a_slow_rippled_decay() -> None:
    """positional-encoding.md: "It drops from 1 to about 0.6 within the first 16 tokens, then keeps decaying
    slowly, with ripples: its mean over each stretch of distances falls (about 0.5 for m below 128, 0.36
    from 128 to 255, 0.28 from 256 to 511), and it stays positive.\""""
    out = run("positional_encoding.py")
    m0, m16 = number(r"m=0 → ([-\d.]+)", out), number(r"m=16 → ([-\d.]+)", out)
    early = number(r"mean over m = 0–127 → ([-\d.]+)", out)
    middle = number(r"128–255 → ([-\d.]+)", out)
    late = number(r"256–511 → ([-\d.]+)", out)
    smallest = number(r"smallest value ([-\d.]+)", out)
    assert m0 == 1.0 and 0.55 <= m16 <= 0.65
    assert round(early, 1) == 0.5 and round(middle, 2) == 0.36 and round(late, 2) == 0.28
    assert m16 > early > middle > late > smallest > 0


def test_rope_curve_is_not_monotonic() -> None:
    """positional-encoding.md: "the curve is not monotonic, so a token farther away can score higher than a
    nearer one (here the score at 192 tokens is above the score at 128).\""""
    decay = np.array(program_globals("positional_encoding.py")["decay"])
    assert decay[192] > decay[128]
    assert (np.diff(decay) > 0).any()


def test_sinusoidal_heatmap_stripes() -> None:
    """positional-encoding.md: "On the left, the sinusoidal matrix: fast stripes in the first columns, nearly
    constant last columns.\""""
    pe = program_globals("positional_encoding.py")["pe"]
    sign_changes = int((np.diff(np.sign(pe[:, 0])) != 0).sum())
    assert sign_changes >= 30  # sin(p): a new stripe every ~3 positions
    assert np.ptp(pe[:, -4:], axis=0).max() < 0.05  # the last columns barely change over 128 positions


# tokenization.md


def test_bpe_toy_corpus_merges_start_with_es_est() -> None:
    """tokenization.md: "the merges it makes are the ones in the table below, starting with `es`, `est` and
    `est</w>`" (ten merges on the toy vocabulary of the paper's Algorithm 1)."""
    out = run("bpe_from_scratch.py")
    rows = [row for row in table_rows(out, "") if row[0].isdigit()]
    assert [row[0] for row in rows] == [str(step) for step in range(1, 11)]
    assert [row[2].strip("`") for row in rows[:3]] == ["es", "est", "est</w>"]


def test_bpe_frequent_words_become_single_tokens() -> None:
    """tokenization.md: "Frequent words ("language", "models") became single tokens after only 300 merges;
    rarer words are spelt from common pieces such as `ation</w>`." """
    out = run("bpe_from_scratch.py")
    assert "300 merges learned" in out
    split = {row[0]: tokens_of(row[1]) for row in table_rows(out, "") if row[0].isalpha() and "`" in row[1]}
    assert split["language"] == ["language</w>"] and split["models"] == ["models</w>"]
    assert split["tokenization"][-1] == "ation</w>" and split["hallucination"][-1] == "ation</w>"


def test_bpe_splits_finetuning_by_statistics() -> None:
    """tokenization.md: "which is why `finetuning` splits where the statistics say (`fin` · `e` · `t` · `un` ·
    `ing</w>`), not at `fine|tuning`." """
    out = run("bpe_from_scratch.py")
    (row,) = table_rows(out, "finetuning")
    pieces = tokens_of(row[1])
    assert pieces == ["fin", "e", "t", "un", "ing</w>"]
    assert "fine" not in pieces
    assert "(`fin` · `e` · `t` · `un` · `ing</w>`)" in page("tokenization.md")


def test_four_tokenizers_need_2_5_to_2_9_tokens_per_word() -> None:
    """tokenization.md: "With a vocabulary of only 1,000 all four need between 2.5 and 2.9 tokens per
    held-out word." """
    out = run("tokenizers_compared.py")
    per_word = [float(row[3]) for row in table_rows(out, "") if "`" in row[1]]
    assert len(per_word) == 4
    assert all(2.5 <= value <= 2.9 for value in per_word)


def test_unigram_keeps_hallucinat_whole_bpe_does_not() -> None:
    """tokenization.md: "unigram SentencePiece keeps `▁hallucinat` whole because the piece has high
    probability, while the two BPE variants spell it from shorter pieces that follow their merge history." """
    out = run("tokenizers_compared.py")
    rows = {row[0]: tokens_of(row[1]) for row in table_rows(out, "") if "`" in row[1]}
    assert "▁hallucinat" in rows["SentencePiece unigram"]
    for name in ("BPE (byte-level, `tokenizers`)", "SentencePiece BPE"):
        assert not any("hallucinat" in piece for piece in rows[name]), name


def test_wordpiece_round_trip_is_lower_cased_and_split() -> None:
    """tokenization.md: "This WordPiece setup lower-cases and splits punctuation off before it starts, so
    decoding gives back a normalised text." """
    out = run("tokenizers_compared.py")
    (row,) = [row for row in table_rows(out, "WordPiece")]
    decoded = row[4].strip("`")
    assert decoded == decoded.lower() and decoded != "exact"
    assert "retrieval - augmented" in decoded


# components.md and choosing-a-model.md


def test_gpt3_blocks_and_minilm_embedding_shares() -> None:
    """components.md: "At GPT-3's size, 99.6 % of the weights sit in the 12 d² per layer; ... (in MiniLM the
    30,522 × 384 word-embedding table is just over half the model)." """
    out = run("parameter_count.py")
    assert number(r"hold ([\d.]+) % of all weights", out) == 99.6
    assert 50 < number(r"word-embedding table holds ([\d.]+) %", out) < 55


def test_llama2_70b_memory_and_kv_cache() -> None:
    """components.md: "128 GiB for the weights alone ...; 4-bit quantisation brings it to 32 GiB" and
    "keeps Llama 2 70B's cache at 320 KiB per token instead of 2.5 MiB"; choosing-a-model.md: "128 GiB in
    16-bit, 32 GiB in 4-bit, and 320 KiB of cache per token"."""
    out = run("parameter_count.py")
    assert table_rows(out, "bfloat16")[0][2] == "128 GiB"
    assert table_rows(out, "4-bit")[0][2] == "32 GiB"
    assert number(r"16-bit: (\d+) KiB per token", out) == 320
    assert number(r"it would be ([\d.]+) MiB per token", out) == 2.5
    assert "128 GiB in 16-bit, 32 GiB in 4-bit, and 320 KiB of cache per token" in page("choosing-a-model.md")


def test_mixtral_counts_as_quoted() -> None:
    """moe.md: "46.7 B parameters stored, 12.9 B used per token" and "needs the *memory* of a 47 B model but
    the *compute per token* of a 13 B one"; choosing-a-model.md: "(Mixtral 8x7B: 46.7 B stored, 12.9 B
    active)"."""
    out = run("mixture_of_experts.py")
    stored = float(table_rows(out, "stored")[0][1].removesuffix(" B"))
    active = float(table_rows(out, "used per token")[0][1].removesuffix(" B"))
    assert (round(stored, 1), round(active, 1)) == (46.7, 12.9)
    assert (round(stored), round(active)) == (47, 13)


# pretraining-vs-fine-tuning.md and transformer.md


def test_tiny_gpt_starts_a_little_above_uniform_and_falls_tenfold() -> None:
    """pretraining-vs-fine-tuning.md: "At step 0 the perplexity is near the vocabulary size (a little above
    it ...): an untrained model knows nothing about the 98 symbols" and "A few hundred steps bring it down
    steeply, to under a tenth of where it started"; "117 K parameters"."""
    out = run("tiny_gpt.py")
    vocabulary = number(r"vocabulary of (\d+) characters", out)
    assert vocabulary == 98
    assert round(number(r"^([\d,]+) parameters", out) / 1000) == 117
    ppl = [float(row[1]) for row in table_rows(out, "") if row[0].isdigit()]
    assert vocabulary < ppl[0] < 1.5 * vocabulary
    assert ppl[-1] < 0.1 * ppl[0]


def test_tiny_gpt_sample_is_word_sized_chunks() -> None:
    """pretraining-vs-fine-tuning.md: "the sample already comes in word-sized chunks separated by spaces,
    some of them real words, but with no meaning." """
    out = run("tiny_gpt.py")
    sample = re.search(r"```text\nLarge language models(.*)\n```", out, re.DOTALL)
    assert sample
    words = sample.group(1).split()
    assert len(words) >= 8
    assert 2 <= sum(map(len, words)) / len(words) <= 10
    assert {"the", "of", "and", "to", "in", "a", "is", "for", "on", "with"} & set(words)


def test_tiny_gpt_has_not_caught_up_with_the_3_gram() -> None:
    """pretraining-vs-fine-tuning.md: "It has not yet caught up with the character n-gram models of the
    Evaluation page, trained and measured on the same text: even the 3-gram has a lower held-out
    perplexity." """
    gpt = [float(row[1]) for row in table_rows(run("tiny_gpt.py"), "") if row[0].isdigit()][-1]
    trigram = float(table_rows(run("ngram_perplexity.py"), "3-gram")[0][2])
    assert trigram < gpt


def test_tiny_gpt_is_two_classes_pre_norm_and_causal() -> None:
    """transformer.md: "The tiny GPT on this site is this design in two short PyTorch classes: a pre-norm
    `Block` with causal attention, and the `TinyGPT` model that stacks them." """
    source = (SNIPPETS / "tiny_gpt.py").read_text()
    classes = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
    assert set(classes) == {"Block", "TinyGPT"}
    block = ast.get_source_segment(source, classes["Block"]) or ""
    assert "is_causal=True" in block and "self.qkv(self.ln1(x))" in block and "self.mlp(self.ln2(x))" in block
    assert "nn.Sequential(*[Block()" in (ast.get_source_segment(source, classes["TinyGPT"]) or "")
    assert max(node.end_lineno - node.lineno + 1 for node in classes.values()) <= 25  # type: ignore[operator]



# pretraining-vs-fine-tuning.md: LoRA on the tiny GPT


def lora_table() -> list[tuple[int, float, float]]:
    """(step, held-out title perplexity, held-out abstract perplexity) of tiny_gpt_lora.py's table."""
    return [(int(row[0]), float(row[1]), float(row[2])) for row in table_rows(run("tiny_gpt_lora.py"), "")
            if row[0].isdigit()]


def test_lora_adapters_are_a_small_fraction_of_the_tiny_gpt() -> None:
    """pretraining-vs-fine-tuning.md: "each of its eight linear layers ... gets a trainable low-rank update
    of rank r = 4" and "The adapters are a small fraction of the model (the first line)". """
    out = run("tiny_gpt_lora.py")
    trainable = number(r"([\d,]+) trainable parameters", out)
    total = number(r"of the model's ([\d,]+)", out)
    assert total == number(r"^([\d,]+) parameters", run("tiny_gpt.py"))  # the same model as the page's
    d = 64  # rank 4 × (in + out) for W_qkv (64→192), the projection (64→64) and the MLP (64→256→64), twice
    assert trainable == 2 * 4 * ((d + 3 * d) + (d + d) + (d + 4 * d) + (4 * d + d))
    assert "LoRA rank 4 on 8 linear layers" in out and trainable / total < 0.1


def test_lora_title_perplexity_falls_by_a_quarter_mostly_early() -> None:
    """pretraining-vs-fine-tuning.md: "the held-out title perplexity falls by more than a quarter in 200
    steps, most of it in the first 50"."""
    table = lora_table()
    assert [step for step, _, _ in table] == [0, 50, 100, 150, 200]
    titles = [t for _, t, _ in table]
    assert titles[-1] < 0.75 * titles[0]
    assert titles[0] - titles[1] > 0.5 * (titles[0] - titles[-1])
    first, last = (number(rf"([\d.]+) over the {which} 10", run("tiny_gpt_lora.py")) for which in ("first", "last"))
    assert last < first  # the training loss falls too (the figure's curve)


def test_lora_forgets_some_of_the_abstracts() -> None:
    """pretraining-vs-fine-tuning.md: "The held-out perplexity on abstracts rises by more than a fifth"."""
    table = lora_table()
    abstracts_before = table[0][2]
    assert table[-1][2] > 1.2 * abstracts_before
    # step 0 is the pretrained model itself (B = 0): the same perplexity tiny_gpt.py printed last
    pretrained = [float(row[1]) for row in table_rows(run("tiny_gpt.py"), "") if row[0].isdigit()][-1]
    assert abstracts_before == pretrained


def test_lora_merged_gives_the_same_logits() -> None:
    """pretraining-vs-fine-tuning.md: "Merged into the weights, the adapted model gives the same outputs to
    within float rounding"."""
    assert number(r"max difference (\d\.\de[+-]\d+)", run("tiny_gpt_lora.py")) < 1e-4


def test_lora_sample_turns_from_prose_to_title_lines() -> None:
    """pretraining-vs-fine-tuning.md: "the pretrained model runs on in lower-case prose, as abstracts do,
    while the adapted one breaks the text into short lines of capitalised words, like a list of titles"."""
    out = run("tiny_gpt_lora.py")
    before, after = (s[len("Large language models"):] for s in re.findall(r"```text\n(.*?)\n```", out, re.DOTALL))

    def capitalised(text: str) -> float:
        words = re.findall(r"[A-Za-z]+", text)
        return sum(w[0].isupper() for w in words) / len(words)

    assert "\n" not in before and capitalised(before) < 0.2
    lines = [line for line in after.split("\n") if line.strip()]
    assert len(lines) >= 2 and capitalised(after) > 0.5
    svg_figure(out)


# fine-tuning.md


def test_finetuning_training_loss_falls_a_lot() -> None:
    """fine-tuning.md: "The training loss falls quickly: eight steps are enough to fit 64 pairs better" and
    "the training loss alone would have suggested a large improvement" (it falls by over 40 %)."""
    out = run("finetune_minilm.py")
    (before,) = table_rows(out, "before")
    (after,) = table_rows(out, "after")
    assert after[0] == "after 8 steps"
    assert float(after[1]) < 0.6 * float(before[1])


def test_finetuning_does_not_improve_held_out_retrieval() -> None:
    """fine-tuning.md: "The held-out numbers do not improve: neither accuracy@1 nor MRR is higher after
    training, and both move by less than 0.05." """
    out = run("finetune_minilm.py")
    (before,) = table_rows(out, "before")
    (after,) = table_rows(out, "after")
    for column in (2, 3):
        assert float(after[column]) <= float(before[column])
        assert abs(float(after[column]) - float(before[column])) < 0.05


# evaluation.md and evolution.md


def test_ngram_gain_stops_after_the_5_gram() -> None:
    """evaluation.md: "perplexity falls with every added character of context up to the 5-gram (four
    characters of context), and the 6-gram is no better"; evolution.md: "a character 6-gram is no better
    than a 5-gram"."""
    out = run("ngram_perplexity.py")
    rows = {row[0]: row for row in table_rows(out, "") if re.fullmatch(r"\d-gram", row[0])}
    ppl = [float(rows[f"{n}-gram"][2]) for n in range(1, 7)]
    assert all(a > b for a, b in zip(ppl[:5], ppl[1:5], strict=False))
    assert rows["5-gram"][1] == "4"
    assert ppl[5] >= ppl[4]


def test_paraphrase_scores_poorly_and_scramble_fools_rouge1() -> None:
    """evaluation.md: "A correct paraphrase ... scores poorly because it uses other words: under 20 BLEU and
    under 0.5 on every ROUGE. A scrambled sentence gets a perfect ROUGE-1 ... (ROUGE-2 is 0, ROUGE-L well
    below 1) ... which is why the scrambled line does not score 0 BLEU." """
    out = run("bleu_rouge.py")
    paraphrase = table_rows(out, "close paraphrase")[0]
    assert float(paraphrase[1]) < 20 and all(float(value) < 0.5 for value in paraphrase[2:])
    scrambled = table_rows(out, "same words, scrambled")[0]
    assert float(scrambled[1]) > 0
    assert (scrambled[2], scrambled[3]) == ("1.000", "0.000") and float(scrambled[4]) <= 0.5


# deployment.md


def test_onnx_agrees_with_pytorch_to_1e_3() -> None:
    """deployment.md: "The two agree to better than 10⁻³ on hidden values up to about 6 in size: float
    rounding, not a difference in the model." """
    out = run("onnx_export.py")
    differences = [float(value) for value in re.findall(r"(?:= |tokens: )(\d\.\de[+-]\d+)", out)]
    assert len(differences) == 2 and max(differences) < 1e-3
    assert 5 <= number(r"hidden values up to ([\d.]+)", out) <= 7


# figures


def test_learn_figures_are_small_described_and_used() -> None:
    """The hand-made SVG figures (docs/learn/figures/): each under 15 KB, with a <title> and a <desc> for
    screen readers and its own white background (legible on the dark theme too), and shown on a page with
    alt text."""
    figures = sorted((LEARN / "figures").glob("*.svg"))
    assert {f.name for f in figures} >= {"transformer-block.svg", "attention.svg", "kv-cache.svg", "moe-routing.svg"}
    pages = " ".join(page(p.name) for p in LEARN.glob("*.md"))
    for figure in figures:
        svg = figure.read_text(encoding="utf-8")
        assert figure.stat().st_size < 15_000, figure.name
        assert re.search(r'<title id="title">[^<]{10,}</title>', svg)
        assert re.search(r'<desc id="desc">[^<]{40,}</desc>', svg)
        assert 'aria-labelledby="title desc"' in svg and 'class="bg"' in svg
        assert re.search(r"!\[[^\]]{40,}\]\(figures/" + re.escape(figure.name) + r"\)\{ \.atlas-figure \}", pages)
