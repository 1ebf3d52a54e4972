"""Creators: the creator record (the interchange format), its CSV/JSONL reading and
writing, transactional imports, the demo roster, and the service the API and CLI call."""
