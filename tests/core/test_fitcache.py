"""The fitted-model cache: off by default, keyed by its inputs, read only from private files."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core import fitcache
from core.fitcache import cache_key, cached_fit, current_directory, use_directory


@dataclass
class Model:
    value: str


class Fitter:
    """Counts fits; the model remembers the training file's text."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.calls = 0

    def __call__(self) -> Model:
        self.calls += 1
        return Model(self.data.read_text())


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "train.txt"
    path.write_text("one")
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "var" / "cache"


def fit_with(fitter: Fitter, cache: Path | None, **kwargs: object) -> Model:
    with use_directory(cache):
        return cached_fit("model", fitter, expected=Model, inputs=[fitter.data], **kwargs)  # type: ignore[arg-type]


def cached_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("model-*.pickle"))


def test_off_unless_a_directory_is_named(data: Path) -> None:
    fitter = Fitter(data)
    assert current_directory() is None
    assert fit_with(fitter, None) == fit_with(fitter, None) == Model("one")
    assert fitter.calls == 2


def test_fits_once_then_loads_from_a_private_file(data: Path, cache: Path) -> None:
    fitter = Fitter(data)
    assert fit_with(fitter, cache) == Model("one")
    assert fit_with(fitter, cache) == Model("one")
    assert fitter.calls == 1
    [file] = cached_files(cache)
    assert file.stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o777 == 0o700


def test_a_changed_input_refits_and_removes_the_old_file(data: Path, cache: Path) -> None:
    fitter = Fitter(data)
    fit_with(fitter, cache)
    [old] = cached_files(cache)
    data.write_text("two")
    assert fit_with(fitter, cache) == Model("two")
    assert fitter.calls == 2
    [new] = cached_files(cache)
    assert new != old


def test_the_key_covers_package_versions_and_missing_files(tmp_path: Path, data: Path) -> None:
    base = cache_key("model", [data])
    assert cache_key("model", [data]) == base
    assert cache_key("other", [data]) != base
    assert cache_key("model", [data], ["pytest"]) != base
    assert cache_key("model", [data], ["no-such-distribution-xyz"]) != base
    assert cache_key("model", [data, tmp_path / "absent.txt"]) != base


def test_another_model_with_a_longer_name_keeps_its_file(data: Path, cache: Path) -> None:
    fit_with(Fitter(data), cache)
    with use_directory(cache):
        cached_fit("model-b", Fitter(data), expected=Model, inputs=[data])
    data.write_text("two")
    fit_with(Fitter(data), cache)
    assert len(list(cache.glob("model-b-*.pickle"))) == 1


def test_another_file_in_the_directory_is_left_alone(data: Path, cache: Path) -> None:
    fit_with(Fitter(data), cache)
    notes = cache / "model-notes.pickle"
    notes.write_bytes(b"")
    data.write_text("two")
    fit_with(Fitter(data), cache)
    assert notes.exists()


def test_a_name_outside_letters_digits_dash_underscore_is_refused(data: Path) -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        cached_fit("../model", Fitter(data), expected=Model, inputs=[data])


def test_a_write_that_fails_leaves_no_file_behind(
    data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def dump_half(obj: object, fh: Any, protocol: int) -> None:
        fh.write(pickle.dumps(obj)[:5])
        raise OSError("disk full")

    monkeypatch.setattr(fitcache.pickle, "dump", dump_half)
    fitter = Fitter(data)
    assert fit_with(fitter, cache) == Model("one")
    # neither a half-written cache file nor the temporary file it was written to
    assert sorted(p.name for p in cache.iterdir()) == []
    monkeypatch.undo()
    assert fit_with(fitter, cache) == Model("one")
    assert fitter.calls == 2
    assert len(cached_files(cache)) == 1


_TWO_WRITERS = r"""
import sys, time
from pathlib import Path
from core.fitcache import cached_fit, use_directory

class Model:
    def __init__(self, value):
        self.value = value

def fit():
    # both processes have fitted before either writes: they write at the same time
    Path(sys.argv[2], "fitted-" + sys.argv[3]).touch()
    deadline = time.monotonic() + 60
    while len(list(Path(sys.argv[2]).glob("fitted-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return Model("x" * 2_000_000)

with use_directory(Path(sys.argv[1])):
    model = cached_fit("model", fit, expected=Model, inputs=[Path(sys.argv[4])])
print(len(model.value))
"""


def test_two_processes_fitting_at_once_both_succeed_and_leave_one_whole_file(
    data: Path, cache: Path, tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _TWO_WRITERS, str(cache), str(tmp_path), str(n), str(data)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    assert [out.strip() for out, _err in outputs] == ["2000000", "2000000"]
    assert len(cached_files(cache)) == 1
    assert [p for p in cache.iterdir() if p.suffix == ".tmp"] == []


def test_use_directory_restores_the_previous_one(tmp_path: Path) -> None:
    with use_directory(tmp_path / "a"):
        with use_directory(tmp_path / "b"):
            assert current_directory() == tmp_path / "b"
        assert current_directory() == tmp_path / "a"
    assert current_directory() is None


def _replace_cached(cache: Path, content: bytes, mode: int = 0o600) -> Path:
    [file] = cached_files(cache)
    file.write_bytes(content)
    file.chmod(mode)
    return file


@pytest.mark.parametrize(
    ("content", "mode"),
    [
        (b"not a pickle", 0o600),
        (pickle.dumps({"some": "dict"}), 0o600),  # loads, but is not a Model
        (pickle.dumps(Model("planted")), 0o620),  # group-writable
        (pickle.dumps(Model("planted")), 0o602),  # world-writable
    ],
    ids=["corrupt", "wrong type", "group-writable", "world-writable"],
)
def test_an_unusable_or_unsafe_file_is_ignored_and_refitted(
    data: Path, cache: Path, content: bytes, mode: int
) -> None:
    fitter = Fitter(data)
    fit_with(fitter, cache)
    _replace_cached(cache, content, mode)
    assert fit_with(fitter, cache) == Model("one")
    assert fitter.calls == 2


def test_a_symbolic_link_is_not_followed(data: Path, cache: Path, tmp_path: Path) -> None:
    fitter = Fitter(data)
    fit_with(fitter, cache)
    [file] = cached_files(cache)
    planted = tmp_path / "planted.pickle"
    planted.write_bytes(pickle.dumps(Model("planted")))
    planted.chmod(0o600)
    file.unlink()
    file.symlink_to(planted)
    assert fit_with(fitter, cache) == Model("one")
    assert fitter.calls == 2


def test_a_directory_others_may_write_is_not_used(data: Path, cache: Path) -> None:
    fitter = Fitter(data)
    fit_with(fitter, cache)
    cache.chmod(0o777)
    try:
        assert fit_with(fitter, cache) == Model("one")
        assert fit_with(fitter, cache) == Model("one")
        assert fitter.calls == 3
    finally:
        cache.chmod(0o700)


def test_a_directory_that_cannot_be_made_means_no_cache(data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    fitter = Fitter(data)
    assert fit_with(fitter, blocker / "cache") == Model("one")
    assert fit_with(fitter, blocker / "cache") == Model("one")
    assert fitter.calls == 2


def test_a_file_of_another_user_is_ignored(
    data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitter = Fitter(data)
    fit_with(fitter, cache)
    real = os.geteuid()
    monkeypatch.setattr(fitcache.os, "geteuid", lambda: real + 1)
    # the directory is "someone else's" too: neither read nor written
    assert fit_with(fitter, cache) == Model("one")
    assert fitter.calls == 2
