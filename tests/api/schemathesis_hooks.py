"""schemathesis hooks of the command-line run against a real server
(``SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks``; tests/api/contract_run.py sets it):

- the rules of values of tests/api/contract.py (``map_case``);
- a fresh admin key for every request, made in the server's database (settings from the
  ``CREATORMATCH_*`` environment, the organisation from ``CREATORMATCH_CONTRACT_ORG_ID``):
  the run may rotate or revoke any key it can list, the one it uses too, and every request
  after that would be a 401 that tests nothing.

Imported by the command-line run only: its auth provider is global.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import schemathesis

from accounts.service import AccountService
from core.settings import Settings
from models import Organization
from storage.database import Database
from tests.api.contract import map_case

schemathesis.hook(map_case)


@functools.cache
def _accounts() -> tuple[Database, AccountService, int]:
    settings = Settings()
    database = Database(settings.resolved_database_url)
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    return database, accounts, int(os.environ["CREATORMATCH_CONTRACT_ORG_ID"])


@schemathesis.auth(refresh_interval=None)
class FreshAdminKey:
    def get(self, case: Any, context: Any) -> str:
        database, accounts, org_id = _accounts()
        with database.session() as session:
            org = session.get(Organization, org_id)
            assert org is not None, org_id
            return accounts.create_key(session, org, ["admin"]).secret

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
