"""Accounts: organisations (the tenants) and their API keys: creation, hashing, checking."""
