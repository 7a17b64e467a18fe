"""Embedding: which weights (``weights``: the shipped MiniLM + the search adapter), the embedders (``embedders``:
torch; ``onnx_embedder``: ONNX Runtime, the default), the ONNX export (``onnx_export``), the site's static query
encoder (``static_encoder``; trained by ``static_training``) and the adapter's training (``finetune``)."""
