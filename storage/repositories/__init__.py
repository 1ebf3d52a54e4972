"""Repositories: every query of creatormatch (``select()``, ``update()``, ...) lives here,
scoped to an organisation wherever it serves one (the scheduler's span them all).

Three places build statements of their own, each for a reason: ``migrations/`` (a migration
reads the tables as they were then, never through today's models), ``jobs/leader.py`` (the
leader election's advisory lock, on a connection of its own outside the pool) and ``bench/``
(benchmarks seed and read rows directly, outside the product). ``tests/test_architecture.py``
checks that nothing else does."""

from storage.repositories.api_keys import ApiKeyRepository
from storage.repositories.creators import CreatorFilters, CreatorRepository
from storage.repositories.organizations import OrganizationRepository

__all__ = ["ApiKeyRepository", "CreatorFilters", "CreatorRepository", "OrganizationRepository"]
