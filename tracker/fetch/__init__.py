"""Fetch: arXiv's API and listing feeds into the store, politely, unattended, for years.

``update.run_update`` is the stage's entry point: ``arxiv_http`` (spacing, retries, faults), ``arxiv_api`` and
``feeds`` (the two sources), ``encoding`` (mojibake repair), ``config`` (``tracker.toml``), ``state`` (window,
ledger, run manifests), ``shards`` (backfill windows and their merge), ``freshness`` (the staleness check).
"""
