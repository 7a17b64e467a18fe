#!/usr/bin/env python3
"""Compare ONNX Runtime embedding variants with torch on the same real abstracts: how the default was chosen.

    scripts/onnx_variants.py [--texts 128] [--rounds 2] [--only NAME,...] [--json]

Builds each graph variant from the cache's fp32 export (``llm-atlas index`` or scripts/bench makes it) into
a scratch folder, then times every (graph, runtime) pair on the same texts, interleaved, best of ``--rounds``,
by wall time and by CPU time (CPU time is steadier when other processes share the cores). Graphs:

* plain-int8:       ``quantize_dynamic`` of the fp32 export's MatMul weights (int8, per channel): the shipped
                    ``model-int8.onnx``.
* fused-int8:       ORT's BERT optimiser (Attention, EmbedLayerNormalization, SkipLayerNormalization,
                    BiasGelu) first, then MatMul + Attention weights quantised (per channel).
* fused-noskip-int8: the same without SkipLayerNormalization (residual Add + LayerNormalization kept).
* fp32:             the plain export.

Runtimes: ``b32x2`` = length-sorted padded batches of 32 on 2 intra-op threads (the first runtime);
``b1/2w`` = one text per run, operators single-threaded, 2 Python worker threads, ORT's SkipLayerNormFusion
off (the shipped runtime; left on for fused-int8, whose graph has SkipLayerNormalization already, and in
``b1/2w+skip``, to show what that fusion costs).
The shipped default is plain-int8 b1/2w; the fused graphs tied with it once SkipLayerNormalization was
out of the way, so the simpler, standard-operator file was kept.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])  # run with the project's environment

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_graphs(fp32: Path, scratch: Path) -> dict[str, Path]:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    logging.disable(logging.WARNING)
    graphs = {"fp32": fp32}
    quantize_dynamic(str(fp32), str(scratch / "plain-int8.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    graphs["plain-int8"] = scratch / "plain-int8.onnx"
    for name, skip in (("fused-int8", True), ("fused-noskip-int8", False)):
        options = FusionOptions("bert")
        options.enable_skip_layer_norm = skip
        fused = optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384, opt_level=0,
                               optimization_options=options)
        log(f"{name}: fused {({k: v for k, v in fused.get_fused_operator_statistics().items() if v})}")
        fused.save_model_to_file(str(scratch / f"{name}-fp32.onnx"))
        quantize_dynamic(str(scratch / f"{name}-fp32.onnx"), str(scratch / f"{name}.onnx"),
                         weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul", "Attention"],
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        graphs[name] = scratch / f"{name}.onnx"
    logging.disable(logging.NOTSET)
    return graphs


def runner(graph: Path, runtime: str, tokenizer: Any, keep_skip_fusion: bool) -> Callable[[list[str]], np.ndarray]:
    import onnxruntime as ort

    batched = runtime == "b32x2"
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2 if batched else 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    disabled = [] if keep_skip_fusion else ["SkipLayerNormFusion"]
    session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"],
                                   disabled_optimizers=disabled)
    pool = ThreadPoolExecutor(2)

    def encode(texts: list[str]) -> np.ndarray:
        encodings = tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=not batched)
        out = np.zeros((len(texts), 384), dtype=np.float32)

        def run(rows: list[int]) -> None:
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                ids[j, : len(encodings[i].ids)] = encodings[i].ids
                mask[j, : len(encodings[i].ids)] = 1
            inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[rows] = session.run(None, inputs)[0]

        if batched:
            for start in range(0, len(order), 32):
                run(order[start : start + 32])
        else:
            list(pool.map(lambda i: run([i]), order))
        return out

    return encode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=REPO / ".cache" / "llm-atlas")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    args = parser.parse_args()
    from tokenizers import Tokenizer

    from tracker.embedding.embedders import make_embedder
    from tracker.embedding.onnx_export import FP32_FILE, MAX_TOKENS, TOKENIZER_FILE, ensure_onnx
    from tracker.store import PaperStore

    folder = ensure_onnx(args.cache_dir, log)
    papers = sorted(PaperStore(args.data_dir), key=lambda p: p.id)
    texts = [p.text for p in papers[:: max(1, len(papers) // 256)][: args.texts]]  # the texts scripts/bench uses
    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()
    torch_embedder = make_embedder("torch", args.cache_dir)  # SentenceTransformer.encode, batch 64, 2 threads
    with tempfile.TemporaryDirectory() as scratch:
        graphs = build_graphs(folder / FP32_FILE, Path(scratch))
        variants: dict[str, Callable[[list[str]], np.ndarray]] = {"torch": torch_embedder.encode}
        plan = [("fp32", "b32x2", True), ("fp32", "b1/2w", False), ("plain-int8", "b32x2", True),
                ("plain-int8", "b1/2w+skip", True), ("plain-int8", "b1/2w", False), ("fused-int8", "b1/2w", True),
                ("fused-noskip-int8", "b32x2", False), ("fused-noskip-int8", "b1/2w", False)]
        wanted = set(filter(None, args.only.split(",")))
        for graph, runtime, keep in plan:
            name = f"{graph} {runtime}"
            if not wanted or name in wanted or graph in wanted:
                variants[name] = runner(graphs[graph], runtime, tokenizer, keep)
        for encode in variants.values():
            encode(texts[:4])  # load and warm up
        best: dict[str, tuple[float, float]] = {}
        vectors: dict[str, np.ndarray] = {}
        for round_ in range(args.rounds):
            for name, encode in variants.items():
                start, cpu_start = time.perf_counter(), time.process_time()
                vectors[name] = encode(texts)
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
                log(f"round {round_ + 1}: {name}: wall {wall:.2f} s, CPU {cpu:.2f} s")
                old = best.get(name, (float("inf"), float("inf")))
                best[name] = (min(old[0], wall), min(old[1], cpu))
    load = os.getloadavg()
    rows = []
    for name, (wall, cpu) in best.items():
        cosine = (vectors[name] * vectors["torch"]).sum(axis=1)
        rows.append({"variant": name, "texts_per_s": round(len(texts) / wall, 1), "wall_s": round(wall, 2),
                     "cpu_s": round(cpu, 2), "speedup_wall": round(best["torch"][0] / wall, 2),
                     "speedup_cpu": round(best["torch"][1] / cpu, 2), "cosine_min": round(float(cosine.min()), 4)})
    if args.json:
        print(json.dumps({"texts": len(texts), "rounds": args.rounds, "load_average": load, "rows": rows}, indent=2))
        return
    print(f"{len(texts)} real abstracts, best of {args.rounds}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("| variant | texts/s (wall) | wall s | CPU s | speed-up (wall) | speed-up (CPU) | min cosine to torch |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['variant']} | {r['texts_per_s']} | {r['wall_s']} | {r['cpu_s']} | {r['speedup_wall']}x | "
              f"{r['speedup_cpu']}x | {r['cosine_min']} |")


if __name__ == "__main__":
    main()
