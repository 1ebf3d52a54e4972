from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from creators.record import CreatorRecord, record_hash, validation_errors
from tests.factories import creator_record


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        CreatorRecord.model_validate(data)
    return {e.field or "": e.message for e in validation_errors(info.value)}


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"platform": "myspace"}, "platform", "unknown platform 'myspace'"),
        ({"handle": ""}, "handle", "at least 1"),
        ({"handle": "two words"}, "handle", "a handle is"),
        ({"followers": -1}, "followers", "greater than or equal to 0"),
        ({"avg_likes": -3.5}, "avg_likes", "greater than or equal to 0"),
        ({"engagement_rate": 5.2}, "engagement_rate", "less than or equal to 1"),
        ({"country": "USA"}, "country", "ISO 3166-1"),
        ({"language": "xx"}, "language", "ISO 639-1"),
        ({"email": "not-an-email"}, "email", "not an email"),
        ({"audience": {"gender": {"female": 1.4}}}, "audience.gender.female", "less than"),
        ({"audience": {"gender": {"female": 0.5, "male": 0.2}}}, "audience.gender", "sum to 0.700"),
        ({"audience": {"age": {"18-24": 0.6, "25-34": 0.7}}}, "audience.age", "sum to 1.300"),
        ({"audience": {"age": {"18-30": 1.0}}}, "audience.age", "unknown age band"),
        ({"audience": {"gender": {"nonbinary": 1.0}}}, "audience.gender", "unknown gender"),
        ({"audience": {"countries": {"US": 0.8, "GB": 0.5}}}, "audience.countries", "sum to"),
        ({"audience": {"countries": {"XX": 0.5}}}, "audience.countries", "unknown country"),
        ({"rates": {"currency": "BTC", "post": 10}}, "rates.currency", "ISO 4217"),
        ({"rates": {"post": -10}}, "rates.post", "greater than or equal to 0"),
        ({"recent_posts": [{"text": "hi", "likes": -1}]}, "recent_posts.0.likes", ">= 0"),
        ({"followerz": 10}, "followerz", "unknown field"),
    ],
)
def test_bad_values_name_the_field(overrides: dict[str, Any], field: str, fragment: str) -> None:
    errors = errors_of(creator_record(**overrides))
    assert field in errors, errors
    assert fragment.replace(">= 0", "greater than or equal to 0") in errors[field]


def test_only_platform_and_handle_are_required() -> None:
    record = CreatorRecord.model_validate({"platform": "blog", "handle": "slowtravel"})
    assert record.followers is None and record.audience is None and record.categories == []
    assert {e.field for e in validation_errors_for({"platform": "blog"})} == {"handle"}


def validation_errors_for(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(ValidationError) as info:
        CreatorRecord.model_validate(data)
    return validation_errors(info.value)


def test_normalisation() -> None:
    record = CreatorRecord.model_validate(
        creator_record(
            platform="TikTok",
            handle=" @Mia.Cooks ",
            country="fr",
            language="FR",
            categories=["Food", "food", "Vegan"],
        )
    )
    assert (record.platform, record.handle, record.country, record.language) == (
        "tiktok",
        "mia.cooks",
        "FR",
        "fr",
    )
    assert record.categories == ["food", "vegan"]


def test_rounded_shares_are_accepted() -> None:
    record = CreatorRecord.model_validate(
        creator_record(audience={"gender": {"female": 0.66, "male": 0.33}})
    )
    assert record.audience is not None


def test_naive_timestamps_are_taken_as_utc() -> None:
    record = CreatorRecord.model_validate(creator_record(updated_at="2026-01-02T03:04:05"))
    assert record.updated_at is not None and record.updated_at.utcoffset() is not None


def test_hash_ignores_timestamp_and_source_but_not_content() -> None:
    base = CreatorRecord.model_validate(creator_record())
    touched = CreatorRecord.model_validate(
        creator_record(updated_at="2026-05-01T00:00:00Z", source="crm")
    )
    changed = CreatorRecord.model_validate(creator_record(followers=48_201))
    assert record_hash(base) == record_hash(touched)
    assert record_hash(base) != record_hash(changed)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"display_name": "Lena\x00"}, "display_name"),
        ({"display_name": "Lena\nGreen"}, "display_name"),
        ({"email": "lena\x01@example.com"}, "email"),
        ({"bio": "vegan\x07"}, "bio"),
        ({"categories": ["vegan", "fo\x00od"]}, "categories.1"),
        ({"recent_posts": [{"text": "ok", "url": "https://x.example/\x00"}]}, "recent_posts.0.url"),
        ({"audience": {"interests": ["co\x1fking"]}}, "audience.interests.0"),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    errors = errors_of(creator_record(**overrides))
    assert field in errors and "control character" in errors[field], errors


def test_bio_and_post_texts_keep_their_line_breaks() -> None:
    posts = [{"text": "line one\n\tline two"}]
    record = CreatorRecord.model_validate(creator_record(bio="one\r\ntwo", recent_posts=posts))
    assert record.bio == "one\r\ntwo" and record.recent_posts[0].text == "line one\n\tline two"
