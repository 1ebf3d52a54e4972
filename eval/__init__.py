"""Offline quality evaluation: the matcher on real data (issue 3, item 9) and the disclosure
checker on its labelled post sets (issue 17: ``compliance``, ``compliance_models``).

This package owns the evaluation datasets' loaders (``youtube``: the datasnaek trending-video
dump turned into creator records plus a separate ground truth), the brand briefs used as
queries (``briefs``), the ranking metrics (``metrics``) and the harness that runs pluggable
rankers and writes docs/matcher-quality.md, and the runner that evaluates the disclosure
checker on every labelled set and writes docs/compliance-evaluation.md. The YouTube data is
read from outside the repository and never shipped; the compliance sets live in ``data/``.
Nothing in the product imports this package.
"""
