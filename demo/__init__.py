"""The demo world: the synthetic creator roster (:mod:`demo.roster`) and its words in four
languages, kept as JSON under ``demo/data`` and read once per process (:mod:`demo.content`).
Only ``cli`` (``creatormatch demo``), ``eval``, ``bench`` and the tests import it: the product
never depends on demo data."""
