"""Smoke tests of the benchmark scripts: they run on a tiny roster in a few seconds. The
figures they print are never asserted (a shared machine moves them); only that every part
runs and that the report adds up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

import bench.bench_recall as recall
import bench.profile_match as profile
import matcher.service
from bench.anchor_service import AnchorConfig
from bench.anchor_service import create_app as create_anchor
from bench.bench_match import UniqueBriefs
from matcher.brief import parse_brief
from matcher.service import MatchService
from storage.database import Database
from tests.api.test_matching import build, import_roster
from tests.factories import ApiClient, creator_record
from tests.matcher.test_service import GAMER, VEGAN_US


class FakeClock:
    """perf_counter and thread_time that advance only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def thread_time(self) -> float:
        return self.now


class TestStageClock:
    def test_exclusive_times_add_up(self, monkeypatch: pytest.MonkeyPatch) -> None:
        fake = FakeClock()
        monkeypatch.setattr(profile, "time", fake)
        clock = profile.StageClock()
        clock.enter("outer")
        fake.now += 1.0
        clock.enter("inner")
        fake.now += 2.0
        clock.leave()
        clock.enter("inner")
        fake.now += 0.5
        clock.leave()
        fake.now += 0.25
        clock.leave()
        wall, cpu = clock.take()
        assert wall == {"outer": 1.25, "inner": 2.5}
        assert cpu == {"outer": 1.25, "inner": 2.5}
        assert clock.take() == ({}, {})

    def test_an_unfinished_stage_is_an_error(self) -> None:
        clock = profile.StageClock()
        clock.enter("outer")
        with pytest.raises(RuntimeError, match="outer"):
            clock.take()


@pytest.fixture
def ready(acme: ApiClient, database: Database, matcher: MatchService) -> ApiClient:
    others = [
        creator_record(handle=f"foodie{i}", categories=["food"], country="DE", bio="Pasta")
        for i in range(4)
    ]
    import_roster(acme, [VEGAN_US, GAMER, *others])
    build(database, matcher, acme.org_id)
    return acme


class TestProfileMatch:
    def test_every_stage_is_timed_and_the_stages_add_up(self, ready: ApiClient) -> None:
        briefs = [text for _niche, text in UniqueBriefs().take(3)]
        app: Any = ready.client.app
        report = profile.stage_pass(app, ready.client, ready.key, briefs)
        stages = report["stages"]
        assert tuple(stages) == profile.STAGE_NAMES
        for name in ("auth", "brief_parsing", "encoding", "ann", "bm25", "scoring", "reasons"):
            assert stages[name]["mean_ms"] > 0, name
        assert stages["serialisation"]["mean_ms"] > 0
        total = sum(s["mean_ms"] for s in stages.values())
        assert total == pytest.approx(report["server_total"]["mean_ms"], rel=1e-3, abs=0.01)
        assert report["requests"] == 3

    def test_the_overhead_ratio_is_e2e_over_encode_search_and_score(self, ready: ApiClient) -> None:
        briefs = [text for _niche, text in UniqueBriefs().take(3)]
        report = profile.stage_pass(ready.client.app, ready.client, ready.key, briefs)
        stages, overhead = report["stages"], report["overhead"]
        for unit, key in (("wall", "mean_ms"), ("cpu", "cpu_mean_ms")):
            figures = overhead[unit]
            core = sum(
                stages[name][key] for names in profile.CORE_STAGES.values() for name in names
            )
            assert figures["core_ms"] == pytest.approx(core, abs=0.01)
            assert figures["ratio"] == pytest.approx(figures["e2e_ms"] / core, rel=1e-3)
            assert figures["ratio"] > 1
        assert overhead["wall"]["e2e_ms"] == pytest.approx(
            report["server_total"]["mean_ms"], abs=0.01
        )

    def test_the_wrapped_functions_are_restored(self, ready: ApiClient) -> None:
        import fastapi.routing

        before = (
            matcher.service.score_candidates,
            fastapi.routing.serialize_response,
            vars(MatchService)["match"],
            type(ready.client.app).__call__,
        )
        routers = type(ready.client.app.router)  # type: ignore[attr-defined]
        inherited = "__call__" not in vars(routers)
        briefs = [text for _niche, text in UniqueBriefs().take(2)]
        profile.stage_pass(ready.client.app, ready.client, ready.key, briefs)
        profile.cprofile_pass(ready.client.app, ready.client, ready.key, briefs, top=5)
        after = (
            matcher.service.score_candidates,
            fastapi.routing.serialize_response,
            vars(MatchService)["match"],
            type(ready.client.app).__call__,
        )
        assert after == before
        assert ("__call__" not in vars(routers)) == inherited

    def test_cprofile_lists_the_match_functions(self, ready: ApiClient) -> None:
        briefs = [text for _niche, text in UniqueBriefs().take(2)]
        report = profile.cprofile_pass(ready.client.app, ready.client, ready.key, briefs, top=50)
        assert report["matches"] == 2
        functions = " ".join(row["function"] for row in report["top_by_own_time"])
        assert "matcher/" in functions


class TestBaselineParts:
    def test_unique_briefs_never_repeat_and_add_no_filters(self) -> None:
        stream = UniqueBriefs(seed=3)
        briefs = stream.take(400) + stream.take(400)
        texts = [text for _niche, text in briefs]
        assert len(set(texts)) == len(texts)
        parsed = [parse_brief(text) for text in texts[:100]]
        assert not any(p.platforms or p.languages for p in parsed)

    def test_the_anchor_answers_a_match(self, tmp_path: Path) -> None:
        rng = np.random.default_rng(1)
        n = 60
        vectors = rng.normal(size=(n, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        engagement = rng.uniform(0.01, 0.1, size=n).astype(np.float32)
        engagement[::3] = np.nan
        path = tmp_path / "vectors.npz"
        np.savez(
            path,
            ids=np.arange(100, 100 + n, dtype=np.int64),
            vectors=vectors,
            engagement=engagement,
            followers=np.full(n, 5000, dtype=np.int64),
            handles=np.array([f"c{i}" for i in range(n)]),
        )
        config = AnchorConfig(path, hnsw_m=8, ef_construction=16, ef_search=32, candidates=20)
        with TestClient(create_anchor(config)) as client:
            assert client.get("/readyz").json()["creators"] == n
            response = client.post("/match", json={"brief": "vegan skincare", "k": 5})
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [r["rank"] for r in results] == [1, 2, 3, 4, 5]
        scores = [r["score"] for r in results]
        assert scores == sorted(scores, reverse=True)
        assert all(100 <= r["creator_id"] < 100 + n for r in results)


class TestBenchRecall:
    def test_every_band_reports_the_shipped_and_both_forced_paths(self, embedder: Any) -> None:
        report = recall.run(1200, 4, 7, embedder, 1, 2)
        assert report["unfiltered"]["recall_at_10"] == 1.0  # flat below 20,000: exact
        for band in ("about_10pct", "about_1pct"):
            assert len(report[band]) == 4
            for row in report[band]:
                assert 0 < row["selectivity"] < 0.2, row
                for path in ("shipped", "forced_hnsw", "forced_hnsw_ef_1024", "forced_exact"):
                    assert 0 <= row[path]["recall_at_10"] <= 1, (band, row["filter"], path)
        assert set(report["summary"]) >= {"unfiltered", "about_10pct", "about_1pct", "met"}
