"""The loader: every quirk of the files, dedupe, grouping, and no label in the records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from creators.record import CreatorRecord
from eval.youtube import (
    DataNotFoundError,
    Dataset,
    Video,
    build_channels,
    dedupe_videos,
    detect_language,
    load_categories,
    load_dataset,
    load_videos,
    parse_tags,
    post_text,
    read_videos,
    slugify,
)
from tests.eval.conftest import CATEGORIES

RECORD_KEYS = {
    "platform",
    "handle",
    "display_name",
    "bio",
    "country",
    "language",
    "followers",
    "avg_views",
    "avg_likes",
    "avg_comments",
    "categories",
    "recent_posts",
    "source",
}


def _by_id(videos: list[Video], video_id: str) -> list[Video]:
    return [v for v in videos if v.video_id == video_id]


class TestReadingFiles:
    def test_v1_bom_does_not_hide_the_first_column(self, fixture_dir: Path) -> None:
        path = fixture_dir / "v1_2017-09-13_to_2017-10-22" / "USvideos.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        videos = read_videos(path, CATEGORIES)
        assert [v.video_id for v in videos][:2] == ["cook1", "cook1"]
        assert all(v.version == "v1" and v.country == "US" for v in videos)

    def test_v1_dates_are_day_month_of_2017(self, fixture_dir: Path) -> None:
        videos = load_videos(fixture_dir)
        assert _by_id(videos, "cook2")[0].trending_on == date(2017, 10, 22)
        assert _by_id(videos, "vlog1")[0].trending_on == date(2017, 10, 1)

    def test_v2_dates_are_year_day_month(self, fixture_dir: Path) -> None:
        videos = load_videos(fixture_dir)
        assert {v.trending_on for v in _by_id(videos, "tech1") if v.country == "US"} == {
            date(2017, 11, 14),
            date(2017, 11, 15),
        }

    def test_none_tags_are_no_tags(self, fixture_dir: Path) -> None:
        videos = load_videos(fixture_dir)
        assert _by_id(videos, "cook2")[0].tags == ()
        assert _by_id(videos, "cook3")[0].tags == ()

    def test_quoted_and_unquoted_tags_are_split(self, fixture_dir: Path) -> None:
        videos = load_videos(fixture_dir)
        us = [v for v in _by_id(videos, "tech1") if v.country == "US"]
        assert us[0].tags == ("iphone x", "unboxing", "apple")
        assert _by_id(videos, "cook1")[0].tags == ("how to", "cooking", "recipe")

    @pytest.mark.parametrize(
        ("raw", "tags"),
        [
            ("[none]", ()),
            ("", ()),
            ('"a b"|"c"', ("a b", "c")),
            ('first|"second"|"third one"', ("first", "second", "third one")),
            ("x|y", ("x", "y")),
        ],
    )
    def test_parse_tags(self, raw: str, tags: tuple[str, ...]) -> None:
        assert parse_tags(raw) == tags

    def test_literal_backslash_n_becomes_a_line_break(self, fixture_dir: Path) -> None:
        video = _by_id(load_videos(fixture_dir), "jeu1")[0]
        assert "\\n" not in video.description
        assert video.description == "La suite de notre aventure dans le jeu.\nAbonnez-vous"

    def test_categories_are_named_from_the_json(self, fixture_dir: Path) -> None:
        assert load_categories(fixture_dir) == CATEGORIES
        assert {v.category for v in load_videos(fixture_dir)} == {
            "Howto & Style",
            "People & Blogs",
            "Music",
            "Science & Technology",
            "Gaming",
        }

    def test_missing_folder_raises_a_clear_error(self, tmp_path: Path) -> None:
        with pytest.raises(DataNotFoundError, match="CREATORMATCH_YOUTUBE_DATA"):
            load_dataset(tmp_path / "nowhere")


class TestDedupeAndGrouping:
    def test_repeated_days_keep_the_row_with_most_views(self, fixture_dir: Path) -> None:
        deduped = dedupe_videos(load_videos(fixture_dir))
        cook1 = _by_id(deduped, "cook1")
        assert len(cook1) == 1
        assert (cook1[0].views, cook1[0].trending_on) == (5000, date(2017, 9, 14))

    def test_one_row_per_country_and_video(self, fixture_dir: Path) -> None:
        deduped = dedupe_videos(load_videos(fixture_dir))
        assert sorted((v.country, v.views) for v in _by_id(deduped, "tech1")) == [
            ("FR", 8000),
            ("US", 9000),
        ]

    def test_channels_group_across_files_and_count_a_video_once(self, fixture_dir: Path) -> None:
        dataset = load_dataset(fixture_dir)
        titles = [t.channel_title for t in dataset.truths]
        assert titles == ["Álvaro Soler", "Gadget Lab", "Kitchen Mia", "Le Joueur"]
        gadget = dataset.truths[1]
        assert gadget.n_videos == 1  # tech1 trended in US and FR
        assert gadget.countries == ("US", "FR")
        assert dataset.records[1]["avg_views"] == 9000

    def test_label_is_the_majority_category_with_its_distribution(self, fixture_dir: Path) -> None:
        mia = load_dataset(fixture_dir).truths[2]
        assert mia.label == "Howto & Style"
        assert mia.n_videos == 4
        assert dict(mia.distribution) == {"Howto & Style": 0.75, "People & Blogs": 0.25}
        assert mia.share("Gaming") == 0.0

    def test_record_fields(self, fixture_dir: Path) -> None:
        record = load_dataset(fixture_dir).records[2]
        assert record["platform"] == "youtube"
        assert record["handle"] == "kitchen-mia"
        assert record["display_name"] == "Kitchen Mia"
        assert record["followers"] is None
        assert record["avg_views"] == pytest.approx((5000 + 200 + 100 + 400) / 4)
        assert record["avg_likes"] == pytest.approx((50 + 20 + 1 + 40) / 4)
        assert record["avg_comments"] == pytest.approx((9 + 2 + 1 + 4) / 4)
        assert record["country"] == "US"
        assert record["language"] == "en"
        # newest first: the v2 brownies, then v1 by day
        assert [p["url"][-5:] for p in record["recent_posts"]] == [
            "cook3",
            "cook2",
            "vlog1",
            "cook1",
        ]

    def test_french_list_channels_are_french(self, fixture_dir: Path) -> None:
        record = load_dataset(fixture_dir).records[3]
        assert (record["country"], record["language"]) == ("FR", "fr")

    def test_post_text_has_title_snippet_hashtags_and_no_urls(self, fixture_dir: Path) -> None:
        tech = next(v for v in _by_id(load_videos(fixture_dir), "tech1") if v.country == "US")
        text = post_text(tech)
        assert text == (
            "iPhone X unboxing Unboxing the new phone. Buy it: Follow me #iphone_x #unboxing #apple"
        )

    def test_descriptions_are_cut_near_300_characters(self) -> None:
        video = Video(
            country="US",
            version="v2",
            video_id="v",
            trending_on=date(2017, 11, 14),
            title="T",
            channel_title="C",
            category_id="28",
            category="Science & Technology",
            tags=(),
            views=1,
            likes=0,
            dislikes=0,
            comments=0,
            description="word " * 200,
        )
        assert 250 < len(post_text(video)) <= 2 + 300


class TestNoLabelReachesTheRankers:
    def test_records_carry_no_category_or_label(self, fixture_dir: Path) -> None:
        dataset = load_dataset(fixture_dir)
        names = set(CATEGORIES.values())
        for record in dataset.records:
            assert set(record) == RECORD_KEYS
            assert record["categories"] == []
            flat = [v for k, v in record.items() if k != "recent_posts"]
            assert not names & {v for v in flat if isinstance(v, str)}

    def test_records_are_valid_interchange_records(self, fixture_dir: Path) -> None:
        for record in load_dataset(fixture_dir).records:
            CreatorRecord.model_validate(record)

    def test_real_records_carry_no_label_and_are_valid(self, real_dataset: Dataset) -> None:
        names = {t.label for t in real_dataset.truths}
        assert len(names) >= 12
        handles = set()
        for record, truth in zip(real_dataset.records, real_dataset.truths, strict=True):
            assert set(record) == RECORD_KEYS
            assert record["categories"] == []
            assert record["handle"] == truth.handle
            flat = [v for k, v in record.items() if k != "recent_posts"]
            assert not names & {v for v in flat if isinstance(v, str)}
            handles.add(record["handle"])
            CreatorRecord.model_validate(record)
        assert len(handles) == len(real_dataset.records)

    def test_real_data_has_the_expected_shape(self, real_dataset: Dataset) -> None:
        # The data README: about 3,470 channels, v1 US alone has ~250 Music channels.
        assert 3_000 < len(real_dataset) < 4_000
        counts = real_dataset.label_counts()
        assert counts["Music"] > 250
        assert counts["Travel & Events"] > 0


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Kitchen Mia", "kitchen-mia"),
        ("Álvaro Soler", "alvaro-soler"),
        ("  The Late Show with Stephen Colbert!! ", "the-late-show-with-stephen-colbert"),
        ("snake_case__name", "snake-case-name"),
        ("!!!", ""),
        ("방탄소년단", "방탄소년단"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_unsluggable_and_colliding_titles_get_distinct_handles() -> None:
    def video(title: str, vid: str) -> Video:
        return Video("US", "v1", vid, date(2017, 9, 13), "t", title, "10", "Music", (), 1, 0, 0, 0)

    records, _ = build_channels(
        [video("!!!", "a"), video("???", "b"), video("Foo Bar", "c"), video("foo-bar", "d")]
    )
    handles = [r["handle"] for r in records]
    assert len(set(handles)) == 4
    assert {"foo-bar", "foo-bar-2"} <= set(handles)
    for record in records:
        CreatorRecord.model_validate(record)


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["How to make the best pancakes for your family"], "en"),
        (["La suite de notre aventure dans le jeu, pour les fans"], "fr"),
        (["El mejor video de la semana para todos los que"], "es"),
        (["Das ist nicht der beste Film und die Musik auch nicht"], "de"),
        (["IPHONE X REVIEW"], "en"),
        (["방탄소년단 뮤직비디오 공개"], None),
    ],
)
def test_detect_language(texts: list[str], language: str | None) -> None:
    assert detect_language(texts) == language
