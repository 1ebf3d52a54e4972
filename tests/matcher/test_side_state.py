"""The side state (catalog, BM25, authenticity) is built from creators streamed in batches
with only the columns it reads; it must equal the state built from every full row at once."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from accounts.service import AccountService
from core.settings import Settings
from creators.formats import ParsedRow
from creators.record import CreatorRecord
from creators.service import CreatorService
from demo.roster import generate_roster
from matcher import service as service_module
from matcher.authenticity import AuthenticityModel
from matcher.documents import creator_document
from matcher.lexical import BM25Index
from matcher.service import MatchService, creator_data
from models import Creator
from storage.database import Database
from tests.factories import creator_record


def _load(database: Database, settings: Settings, records: list[dict[str, Any]]) -> int:
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    with database.session() as session:
        org = accounts.get_or_create_organization(session, "side-state")
        rows = [
            ParsedRow(line=i, record=CreatorRecord.model_validate(r)) for i, r in enumerate(records)
        ]
        CreatorService().import_rows(session, org.id, rows)
        return org.id


@pytest.fixture
def records() -> list[dict[str, Any]]:
    sparse = creator_record(
        handle="no.numbers",
        followers=None,
        avg_likes=None,
        avg_comments=None,
        posts_per_month=None,
        rates=None,
        recent_posts=[],
        bio=None,
    )
    return [*generate_roster(45, seed=3), sparse]


def test_streamed_side_state_equals_the_one_from_full_rows(
    database: Database,
    settings: Settings,
    records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = _load(database, settings, records)
    monkeypatch.setattr(service_module, "SIDE_STATE_BATCH", 7)  # several batches, one partial
    service = MatchService(settings.index_dir, lambda: pytest.fail("no model needed"))
    with database.session() as session:
        catalog, lexical, scores, model = service._side_state(session, org)
        full = [
            creator_data(c)
            for c in session.scalars(
                select(Creator).where(Creator.organization_id == org).order_by(Creator.id)
            )
        ]
    assert len(full) == len(records)

    reference = AuthenticityModel().fit(full)
    assert model is not None
    expected_scores = dict(zip((r["id"] for r in full), reference.score(full), strict=True))
    assert scores == expected_scores
    expected_catalog = service_module._new_catalog([service_module._catalog_row(r) for r in full])
    expected_catalog.set_authenticity({k: (v.score, v.flagged) for k, v in expected_scores.items()})
    for name, column in expected_catalog._columns.items():
        got = catalog._columns[name]
        if hasattr(column, "toarray"):  # sparse: the brands each creator worked with
            got, column = got.toarray(), column.toarray()
        np.testing.assert_array_equal(got, column, err_msg=name)
    assert any(s.score is None for s in scores.values())  # the creator without numbers

    ids = np.array([r["id"] for r in full], dtype=np.int64)
    expected_lexical = BM25Index().fit(ids, [creator_document(r) for r in full])
    assert lexical is not None
    np.testing.assert_array_equal(lexical.ids_, expected_lexical.ids_)
    assert lexical.vocabulary_ == expected_lexical.vocabulary_
    assert (lexical.weights_ != expected_lexical.weights_).nnz == 0

    # The BM25 refit after a sync streams the documents the same way.
    with database.session() as session:
        doc_ids, documents = service._documents(session, org)
    assert list(doc_ids) == ids.tolist()
    assert list(documents) == [creator_document(r) for r in full]


def test_an_organisation_without_creators_has_an_empty_side_state(
    database: Database, settings: Settings
) -> None:
    org = _load(database, settings, [])
    service = MatchService(settings.index_dir, lambda: pytest.fail("no model needed"))
    with database.session() as session:
        catalog, lexical, scores, model = service._side_state(session, org)
    assert len(catalog) == 0
    assert lexical is None and scores == {} and model is None
