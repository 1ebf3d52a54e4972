"""Shared foundations that import nothing else of ours: settings, errors, tiers, logging."""
