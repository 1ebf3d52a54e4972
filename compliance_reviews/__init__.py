"""Compliance's storage side, the reviewer workflow: checks run through the API or the pages
are stored per organisation, queued for reviewers (non-compliant first, oldest first) and
filtered (verdict, reason code, jurisdiction, platform, assignee), assigned, decided one by
one or in bulk (confirm the violation, clear the post, override the verdict), their
suggested fix e-mailed to the creator through outreach, audited, and exported as CSV for
legal records. The rules themselves live in the pure ``compliance`` package, which knows no
database; this package keeps what it finds."""
