"""``POST /v1/match`` and ``POST /v1/creators/{id}/similar``: ranked creators with reasons."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response

from api.deps import ReadPrincipal, SessionDep
from api.responses import encode_json
from api.schemas.common import OFFSET, IdPath
from api.schemas.matching import (
    BriefUnderstoodRead,
    MatchFiltersIn,
    MatchRequest,
    MatchResponse,
    SimilarRequest,
    SimilarResponse,
    SimilarResultRead,
)
from campaigns.service import CampaignService, SearchRequest
from core.tiers import tier_for_followers
from matcher.brief import Brief
from matcher.ranking import result_fields
from matcher.service import MatchFilters, MatchService

router = APIRouter(tags=["matching"])
# Until the organisation's index is built (the index worker, or `creatormatch index build`).
_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"description": "The organisation's match index is not built yet"}
}
campaigns = CampaignService()


def _service(request: Request) -> MatchService:
    service: MatchService = request.app.state.matcher
    return service


def to_filters(body: MatchFiltersIn) -> MatchFilters:
    return MatchFilters(
        platforms=tuple(p.value for p in body.platforms),
        tiers=tuple(body.tiers),
        min_followers=body.min_followers,
        max_followers=body.max_followers,
        countries=tuple(c.upper() for c in body.countries),
        languages=tuple(lang.lower() for lang in body.languages),
        min_engagement=body.min_engagement,
        max_cost_usd=body.max_cost_usd,
        exclude_creator_ids=tuple(body.exclude_creator_ids),
        exclude_competitor_mentions=body.exclude_competitor_mentions,
        competitor_window_days=body.competitor_window_days,
        include_over_budget=body.include_over_budget,
    )


def brief_understood_fields(
    brief: Brief, sources: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """:class:`BriefUnderstoodRead` as plain JSON types, in its field order (the match
    route's body is encoded from these without building the model)."""
    target = brief.target
    return {
        "objective": brief.objective.value if brief.objective else None,
        "age": [band for band, _w in target.age],
        "genders": list(target.genders),
        "countries": list(target.countries),
        "interests": list(target.interests),
        "budget": _float(brief.budget),
        "currency": brief.currency,
        "platforms": list(brief.platforms),
        "only_platforms": list(brief.only_platforms),
        "languages": list(brief.languages),
        "creators_wanted": brief.creators_wanted,
        "tiers": [str(t) for t in brief.tiers],
        "min_engagement": _float(brief.min_engagement),
        "excluded_topics": list(brief.excluded_topics),
        "niche_text": brief.niche_text,
        "niche_phrases": list(brief.niche_phrases),
        "items": [
            {"kind": i.kind, "value": i.value, "text": i.text, "source": i.source}
            for i in brief.understood
        ],
        "sources": dict(sources or {}),
    }


def brief_understood(brief: Brief, sources: Mapping[str, str] | None = None) -> BriefUnderstoodRead:
    """What the matcher read from the brief: its fields, every item, the niche text, and
    where each wish came from (the text, the campaign or the request)."""
    return BriefUnderstoodRead.model_validate(brief_understood_fields(brief, sources))


def _float(value: float | None) -> float | None:
    # The model's float fields write 15000.0 for an int 15000; so must the fast body.
    return None if value is None else float(value)


@router.post("/v1/match", response_model=MatchResponse, responses=_NOT_READY)
def match_(
    body: MatchRequest, request: Request, principal: ReadPrincipal, session: SessionDep
) -> Response:
    """Rank the organisation's creators for a brief, each with component scores and reasons.

    Hard filters are applied inside the vector search; the brief's platforms and languages
    become filters when the request gives none. Page with ``cursor`` (``next_cursor``).
    """
    position = OFFSET.decode(body.cursor)
    offset = position["offset"] if position else 0
    started = time.perf_counter()
    found = campaigns.search(
        session,
        principal.organization_id,
        SearchRequest(
            text=body.brief,
            campaign_id=body.campaign_id,
            filters=to_filters(body.filters),
            objective=body.objective,
            target=body.target.given() if body.target else None,
            competitor_brands=body.competitor_brands,
            brand_safety=body.brand_safety,
        ),
        matcher=_service(request),
        weights=body.weights,
        k=body.k,
        offset=offset,
    )
    request.app.state.metrics.match.observe(time.perf_counter() - started)
    page = found.page
    # MatchResponse's fields in its order, as plain JSON types (result_fields is what
    # MatchResultRead reads), encoded here in the worker thread: no second validation and no
    # serialisation on the event loop. tests/api/test_matching.py checks the bytes are the
    # model's JSON.
    content = {
        "results": [result_fields(offset + i + 1, hit) for i, hit in enumerate(page.hits)],
        "next_cursor": OFFSET.encode({"offset": page.next_offset}) if page.next_offset else None,
        "objective": page.brief.objective.value if page.brief.objective else None,
        "applied_filters": page.applied_summary(),
        "brief_understood": brief_understood_fields(page.brief, found.query.sources),
        "candidates_scored": int(page.total_candidates),
    }
    return Response(encode_json(content), media_type="application/json")


@router.post(
    "/v1/creators/{creator_id}/similar", response_model=SimilarResponse, responses=_NOT_READY
)
def similar_(
    creator_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    body: SimilarRequest | None = None,
) -> SimilarResponse:
    """Lookalikes: creators similar to this one by content and audience."""
    body = body or SimilarRequest()
    found = _service(request).similar(
        session,
        principal.organization_id,
        creator_id,
        filters=to_filters(body.filters),
        k=body.k,
        build=False,
    )
    return SimilarResponse(
        creator_id=creator_id,
        results=[
            SimilarResultRead(
                creator_id=data["id"],
                platform=data["platform"],
                handle=data["handle"],
                display_name=data.get("display_name"),
                tier=tier_for_followers(data.get("followers")),
                score=score,
                reasons=list(reasons),
            )
            for data, score, reasons in found
        ],
    )
