"""Shared foundations that import nothing else of ours: settings, errors, tiers, logging,
and the one CSV writer (csvsafe) that keeps formulas out of every export."""
