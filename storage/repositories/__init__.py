"""Repositories: every ``select()`` of creatormatch lives here, scoped to an organisation."""

from storage.repositories.api_keys import ApiKeyRepository
from storage.repositories.creators import CreatorFilters, CreatorRepository
from storage.repositories.organizations import OrganizationRepository

__all__ = ["ApiKeyRepository", "CreatorFilters", "CreatorRepository", "OrganizationRepository"]
