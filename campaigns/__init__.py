"""Brands and their campaigns: what a match, an outreach sequence and a plan are for."""
