"""Knowledge: the hand-curated model catalog (``catalog``), research topics (``topics``) and the links from
papers to the catalog's models (``linking``)."""
