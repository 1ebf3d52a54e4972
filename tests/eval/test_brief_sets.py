"""The brief sets in eval/data: format, counts per category, lengths, and no leaks.

The sets are frozen evaluation data (see eval/data/README.md); these checks only guard their
shape, they never adapt them to results.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "eval" / "data"

CORE = (
    "Howto & Style",
    "Science & Technology",
    "Gaming",
    "Sports",
    "Music",
    "Comedy",
    "Education",
    "News & Politics",
    "Autos & Vehicles",
    "Pets & Animals",
    "Travel & Events",
    "Film & Animation",
)
CATCH_ALL = ("Entertainment", "People & Blogs")
ALLOWED = set(CORE) | set(CATCH_ALL)

KEYS = {"id", "category", "phrasing", "text"}

# file -> (id prefix, briefs per core category, briefs per catch-all category)
SETS = {
    "briefs_long.jsonl": ("L-", 3, 2),
    "briefs_short.jsonl": ("S-", 2, 2),
    "briefs_train.jsonl": ("T-", 4, 2),
}


def _load(name: str) -> list[dict[str, Any]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    rows = []
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"{name}:{number} is not valid JSON: {exc}") from exc
        assert isinstance(row, dict), f"{name}:{number} is not an object"
        rows.append(row)
    return rows


def _all() -> dict[str, list[dict[str, Any]]]:
    return {name: _load(name) for name in SETS}


def _words(text: str) -> int:
    return len(text.split())


def test_every_line_has_exactly_the_required_keys_as_strings() -> None:
    for name, rows in _all().items():
        assert rows, f"{name} is empty"
        for row in rows:
            assert set(row) == KEYS, f"{name}: {row.get('id')} has keys {sorted(row)}"
            for key in KEYS:
                assert isinstance(row[key], str), f"{name}: {row['id']}.{key} is not a string"
                assert row[key].strip(), f"{name}: {row['id']}.{key} is empty"


def test_ids_are_unique_across_files_and_carry_the_prefix_of_their_set() -> None:
    ids: Counter[str] = Counter()
    for name, rows in _all().items():
        prefix = SETS[name][0]
        for row in rows:
            assert row["id"].startswith(prefix), f"{name}: {row['id']} lacks {prefix}"
            ids[row["id"]] += 1
    assert [i for i, n in ids.items() if n > 1] == []


def test_categories_are_spelled_as_in_the_dump() -> None:
    for name, rows in _all().items():
        unknown = {row["category"] for row in rows} - ALLOWED
        assert unknown == set(), f"{name}: unknown categories {sorted(unknown)}"


def test_counts_per_category() -> None:
    for name, rows in _all().items():
        _, per_core, per_catch_all = SETS[name]
        counts = Counter(row["category"] for row in rows)
        expected = dict.fromkeys(CORE, per_core) | dict.fromkeys(CATCH_ALL, per_catch_all)
        assert dict(counts) == expected, name


def test_phrasing_and_length() -> None:
    sets = _all()
    for row in sets["briefs_long.jsonl"]:
        assert row["phrasing"] == "long", row["id"]
        assert 40 <= _words(row["text"]) <= 110, (row["id"], _words(row["text"]))
    for row in sets["briefs_short.jsonl"]:
        assert row["phrasing"] == "short", row["id"]
        assert 2 <= _words(row["text"]) <= 4, (row["id"], row["text"])
    for row in sets["briefs_train.jsonl"]:
        assert row["phrasing"] in {"short", "long"}, row["id"]
        low, high = (2, 6) if row["phrasing"] == "short" else (40, 110)
        assert low <= _words(row["text"]) <= high, (row["id"], _words(row["text"]))


def test_training_set_mixes_short_and_long_in_every_category() -> None:
    rows = _all()["briefs_train.jsonl"]
    phrasings = Counter(row["phrasing"] for row in rows)
    assert 0.4 <= phrasings["short"] / len(rows) <= 0.6, phrasings
    for category in ALLOWED:
        mine = {row["phrasing"] for row in rows if row["category"] == category}
        assert mine == {"short", "long"}, category


def test_no_brief_names_its_own_category() -> None:
    for name, rows in _all().items():
        for row in rows:
            assert row["category"].lower() not in row["text"].lower(), f"{name}: {row['id']}"


def test_no_text_is_shared_within_or_between_files() -> None:
    seen: dict[str, str] = {}
    for name, rows in _all().items():
        for row in rows:
            key = " ".join(row["text"].lower().split())
            assert key not in seen, f"{name}: {row['id']} repeats {seen.get(key)}"
            seen[key] = row["id"]


class TestLoader:
    """eval.briefs.load_brief_set reads the same files the checks above guard."""

    def test_every_set_loads_with_its_ids_and_phrasings(self) -> None:
        from eval.briefs import BRIEF_SETS, BRIEFS, load_brief_set

        assert BRIEF_SETS == ("current", "long", "short", "train")
        assert load_brief_set("current") == list(BRIEFS)
        for name, (prefix, _, _) in SETS.items():
            short = name.removeprefix("briefs_").removesuffix(".jsonl")
            briefs = load_brief_set(short)
            rows = _load(name)
            assert [b.id for b in briefs] == [r["id"] for r in rows]
            assert [b.text for b in briefs] == [r["text"] for r in rows]
            assert all(b.id.startswith(prefix) for b in briefs)
        ids = [b.id for b in BRIEFS]
        assert len(set(ids)) == len(ids) and all(i.startswith("C-") for i in ids)

    def test_unknown_set_and_bad_lines_are_refused(self, tmp_path: Path) -> None:
        import pytest

        from eval.briefs import load_brief_set

        with pytest.raises(ValueError, match="unknown brief set"):
            load_brief_set("nope")
        good = {"id": "T-1", "category": "Gaming", "phrasing": "short", "text": "x y"}
        (tmp_path / "briefs_train.jsonl").write_text(
            json.dumps(good) + "\n\n" + json.dumps({**good, "text": 3}) + "\n", encoding="utf-8"
        )
        with pytest.raises(ValueError, match=r"briefs_train.jsonl:3"):
            load_brief_set("train", data_dir=tmp_path)
        (tmp_path / "briefs_short.jsonl").write_text("{not json\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"briefs_short.jsonl:1: not JSON"):
            load_brief_set("short", data_dir=tmp_path)
