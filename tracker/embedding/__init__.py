"""Embedding: which weights (``weights``: the shipped MiniLM + the search adapter), the embedders (``embedders``:
torch; ``onnx_embedder``: ONNX Runtime, the default), the ONNX export (``onnx_export``), the browser's query
model (``web_model``) and the adapter's training (``finetune``)."""
