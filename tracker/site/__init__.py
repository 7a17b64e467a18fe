"""Site: the page engine (``engine``), the page groups (``pages/``) and their orchestration (``render``), the
search page's data and scripts (``search_bundle``, ``web_bundle``, ``web/``), ``mkdocs build`` (``build``) and a
local static server (``serve``)."""
