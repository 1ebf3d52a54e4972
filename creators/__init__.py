"""Creators: the creator record (the interchange format), its CSV/JSONL reading and
writing, transactional imports, and the service the API and CLI call (the demo roster is in
:mod:`demo.roster`)."""
