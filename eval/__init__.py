"""Offline quality evaluation of the matcher on real data (issue 3, item 9).

This package owns the evaluation datasets' loaders (``youtube``: the datasnaek trending-video
dump turned into creator records plus a separate ground truth), the brand briefs used as
queries (``briefs``), the ranking metrics (``metrics``) and the harness that runs pluggable
rankers and writes docs/matcher-quality.md. It reads the data from outside the repository and
never ships it. Nothing in the product imports this package.
"""
