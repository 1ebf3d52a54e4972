"""The demo world that ``creatormatch demo`` loads: the synthetic creator roster
(:mod:`demo.roster`, its words in four languages in :mod:`demo.content`), the demo brand,
campaign and sender (:mod:`demo.load`), its ambassador program (:mod:`demo.program`), its
compliance checks (:mod:`demo.checks`), and the writer of the outreach documents shown in
``docs/samples`` (:mod:`demo.samples`). The content is JSON under ``demo/data``, read once per
process (:mod:`demo.files`); the generators and loaders beside it are code. Only ``cli``,
``eval``, ``bench`` and the tests import it: the product never depends on demo data."""
