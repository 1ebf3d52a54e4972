"""The compliance reviewer workflow: checks run through the API are stored per organisation,
queued for reviewers (non-compliant first, oldest first), decided (approve, reject, override
with a reason), audited, and exported as CSV for legal records. The rules themselves live in
the pure ``compliance`` package."""
