"""``/v1/creators``: list, read, create, update, delete, import and export creators."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.deps import DatabaseDep, ReadPrincipal, SessionDep, SettingsDep, WritePrincipal
from api.schemas.common import MAX_ID, AfterCursor, IdPath, Page, decode_cursor, page_of
from api.schemas.creators import CreatorCreate, CreatorRead, CreatorUpdate, ImportResult
from core.errors import InvalidInputError, PayloadTooLargeError
from core.tiers import Tier
from creators.formats import iter_export, parse_records
from creators.presets import PresetName, get_preset
from creators.record import Platform
from creators.service import CreatorFilters, CreatorService
from webhooks.service import emit

router = APIRouter(prefix="/v1/creators", tags=["creators"])
service = CreatorService()

_CHUNK = 64 * 1024

PresetQuery = Annotated[
    PresetName,
    Query(
        description="CSV columns: `none` (ours), `hubspot` or `salesforce` (docs/crm-presets.md)"
    ),
]


@router.get("", response_model=Page[CreatorRead])
def list_(
    principal: ReadPrincipal,
    session: SessionDep,
    platform: Platform | None = None,
    tier: Tier | None = None,
    min_followers: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    max_followers: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    language: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    category: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    min_engagement: Annotated[float | None, Query(ge=0, le=1)] = None,
    cursor: AfterCursor = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[CreatorRead]:
    """List the organisation's creators, filtered, in id order, one page at a time."""
    filters = CreatorFilters(
        platform=platform.value if platform else None,
        tier=tier,
        min_followers=min_followers,
        max_followers=max_followers,
        country=country.upper() if country else None,
        language=language.lower() if language else None,
        category=category,
        min_engagement=min_engagement,
    )
    rows = service.list(
        session,
        principal.organization_id,
        filters=filters,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(rows, limit, CreatorRead.from_row, lambda c: {"after": c.id})


@router.post("", response_model=CreatorRead, status_code=status.HTTP_201_CREATED)
def create_(body: CreatorCreate, principal: WritePrincipal, session: SessionDep) -> CreatorRead:
    """Create one creator; a creator with the same platform and handle is a 409."""
    return CreatorRead.from_row(service.create(session, principal.organization_id, body))


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "application/x-ndjson": {
                    "schema": {"type": "string"},
                    "example": '{"platform": "instagram", "handle": "lena.greenkitchen"}\n',
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "platform,handle\ninstagram,lena.greenkitchen\n",
                },
            }
        }
    },
)
def export_(
    principal: ReadPrincipal,
    database: DatabaseDep,
    fmt: Annotated[Literal["jsonl", "csv"], Query(alias="format")] = "jsonl",
    preset: PresetQuery = "none",
) -> StreamingResponse:
    """Export every creator of the organisation as JSONL or CSV (the import format, or a
    CRM's columns with ``preset``: the CSV's columns are then the JSON lines' keys)."""
    crm = get_preset(preset)

    def body() -> Iterator[bytes]:
        # Its own session: the response streams after the request's session has closed.
        with database.session() as session:
            records = service.export(session, principal.organization_id)
            for chunk in iter_export(records, fmt, preset=crm):
                yield chunk.encode("utf-8")

    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    filename = f"creators-{preset}.{fmt}" if crm else f"creators.{fmt}"
    return StreamingResponse(
        body(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/import",
    response_model=ImportResult,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-ndjson": {"schema": {"type": "string", "minLength": 1}},
                "text/csv": {"schema": {"type": "string", "minLength": 1}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary", "minLength": 1}
                        },
                        "required": ["file"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def import_(
    request: Request,
    principal: WritePrincipal,
    database: DatabaseDep,
    settings: SettingsDep,
    skip_invalid: bool = False,
    preset: PresetQuery = "none",
) -> ImportResult:
    """Import creators from CSV or JSONL (an NDJSON/CSV body, or a multipart ``file``).

    Upserts on (platform, handle). All-or-nothing unless ``skip_invalid=true``: one invalid
    row rejects the whole file with a 422 listing every error by line and field. With
    ``preset`` the body is a HubSpot or Salesforce contacts CSV. An empty body is a 422
    naming ``body``.
    """
    crm = get_preset(preset)
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the upload is larger than the limit of {limit:,} bytes "
            "(CREATORMATCH_MAX_UPLOAD_BYTES); split the file"
        )
    spool = await _spool_body(request, limit)
    try:

        def run() -> ImportResult:
            with database.session() as session:
                summary = service.import_rows(
                    session,
                    principal.organization_id,
                    parse_records(iter(lambda: spool.read(_CHUNK), b""), limit=limit, preset=crm),
                    skip_invalid=skip_invalid,
                    batch_size=settings.import_batch_size,
                )
                # webhooks: the counts, in the import's own transaction
                counts = ("created", "updated", "unchanged", "rejected")
                emit(
                    session,
                    principal.organization_id,
                    "creator.imported",
                    {name: getattr(summary, name) for name in counts},
                )
            return ImportResult.model_validate(summary.as_dict())

        return await run_in_threadpool(run)
    finally:
        spool.close()


async def _spool_body(request: Request, limit: int) -> Any:
    """The upload in a temporary file (memory up to 1 MiB, then disk), size-checked."""
    content_type = request.headers.get("content-type", "")
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=10)
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InvalidInputError.for_field("file", "send the file in a 'file' form field")
            total = 0
            while chunk := await upload.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise PayloadTooLargeError(
                        f"the upload is larger than the limit of {limit:,} bytes"
                    )
                await run_in_threadpool(spool.write, chunk)
            await form.close()
            if total == 0:
                raise InvalidInputError.for_field("file", "the file is empty")
        else:
            total = 0
            async for chunk in request.stream():
                total += len(chunk)
                if total > limit:
                    raise PayloadTooLargeError(
                        f"the upload is larger than the limit of {limit:,} bytes"
                    )
                # past 1 MiB the spool is a file on disk: write off the event loop
                await run_in_threadpool(spool.write, chunk)
            if total == 0:
                # No file at all (a file of blank lines is an empty import).
                raise InvalidInputError.for_field("body", "send a CSV or JSONL file as the body")
    except BaseException:
        spool.close()
        raise
    await run_in_threadpool(spool.seek, 0)
    return spool


@router.get("/{creator_id:int}", response_model=CreatorRead)
def get_(creator_id: IdPath, principal: ReadPrincipal, session: SessionDep) -> CreatorRead:
    """One creator; another organisation's creator is a 404, exactly like a missing one."""
    return CreatorRead.from_row(service.get(session, principal.organization_id, creator_id))


@router.patch("/{creator_id:int}", response_model=CreatorRead)
def update_(
    creator_id: IdPath, body: CreatorUpdate, principal: WritePrincipal, session: SessionDep
) -> CreatorRead:
    """Change some fields of a creator; the result is validated as a whole record."""
    creator = service.update(session, principal.organization_id, creator_id, body.changes())
    return CreatorRead.from_row(creator)


@router.delete("/{creator_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_(
    creator_id: IdPath, request: Request, principal: WritePrincipal, session: SessionDep
) -> Response:
    """Delete a creator (and drop it from the live match index)."""
    service.delete(session, principal.organization_id, creator_id)
    request.app.state.matcher.forget(principal.organization_id, [creator_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
