"""A reader's library and what is new for them ("For you"): reading BibTeX and id lists (``reader``), the
rankings (``recommend``), the site page's own ranking from the codes it downloads (``site_rank``, mirrored in
JavaScript; ``site_codes`` reads and writes those codes) and the weekly report (``report``)."""
