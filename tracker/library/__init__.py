"""A reader's library and what is new for them ("For you"): reading BibTeX and id lists (``reader``), the
rankings (``methods``, ``recommend``), the site page's own ranking from the codes it downloads (``site_rank``,
mirrored in JavaScript; ``site_codes`` writes and reads those codes) and the weekly report (``report``).

The method names live here, free of imports, so the command line's options cost nothing to build.
"""

# Every ranking `llm-atlas recommend --method` offers (tracker.library.methods, plus the site page's own);
# DEFAULT_METHOD won the evaluation (scripts/eval_recommend.py, README "For you").
METHODS = ("topk", "mean", "max", "clusters", "mix", "recency", "bm25", "site")
DEFAULT_METHOD = "topk"
