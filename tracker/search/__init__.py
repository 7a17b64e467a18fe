"""Search: the vector cache (``vectors``), BM25 (``lexical``), the saved index (``index``), rank fusion
(``fusion``), queries and related papers (``query``), filters by model and topic (``filters``) and retrieval
evaluation on BEIR sets (``evaluation``)."""
