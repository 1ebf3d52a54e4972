"""A file cache of models fitted from files shipped with the code (the compliance classifiers),
so that a new process loads a fitted model in milliseconds instead of fitting it again.

The cache is off until a caller names a directory (:func:`use_directory`); the command line
uses ``<data_dir>/cache``. A cached model is stored under a key that hashes everything the fit
depends on: the caller's input files (its training data and its source code) and the versions
of Python and of the named packages. A changed file or an upgrade gives a new key, so a stale
model is refitted, never used; the files of older keys are removed.

The files are pickles, and unpickling runs code, so they are read only from a trusted local
directory: a directory and file owned by the current user that nobody else may write
(``0700`` / ``0600`` as created here), and not through a symbolic link. Anything else, and a
file that does not unpickle into the expected type, is ignored and the model is fitted; a
directory that cannot be written only means no cache. This is the same trust as the SQLite
database and the indexes under the data directory, which the owner of the process can
already change.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import re
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TypeVar

__all__ = ["cache_key", "cached_fit", "current_directory", "use_directory"]

FORMAT = "creatormatch-fitcache-1"
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_directory: Path | None = None
_KEY_CHARS = 32  # of the sha256 hex digest, in the file name
_NAME = re.compile(r"[A-Za-z0-9_-]+")

T = TypeVar("T")


@contextlib.contextmanager
def use_directory(directory: Path | None) -> Iterator[None]:
    """Cache fitted models in ``directory`` (None: no cache) until the block ends."""
    global _directory
    with _lock:
        previous, _directory = _directory, directory
    try:
        yield
    finally:
        with _lock:
            _directory = previous


def current_directory() -> Path | None:
    """The directory fitted models are cached in, or None when the cache is off."""
    return _directory


def cache_key(name: str, inputs: Iterable[Path], packages: Iterable[str] = ()) -> str:
    """A hex digest of ``name``, the bytes of each input file (a missing file counts as
    missing), the Python version and the installed version of each named package."""
    digest = hashlib.sha256(f"{FORMAT}\0{name}\0{sys.version}\0".encode())
    for package in sorted(packages):
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "missing"
        digest.update(f"package\0{package}\0{version}\0".encode())
    for path in sorted(Path(p) for p in inputs):
        digest.update(f"file\0{path.name}\0".encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except FileNotFoundError:
            digest.update(b"missing")
    return digest.hexdigest()


def cached_fit(
    name: str,
    fit: Callable[[], T],
    *,
    expected: type[T],
    inputs: Iterable[Path],
    packages: Iterable[str] = (),
) -> T:
    """The model ``fit()`` returns, read from the cache when a current copy is there.

    Args:
        name: the model's name, part of the file name (letters, digits, ``-`` and ``_``).
        fit: fits the model; called when the cache is off, missing, stale or unusable.
        expected: the model's type; a cached object of another type is ignored.
        inputs: every file the fit depends on (training data, the source that defines it).
        packages: distributions whose version changes the fitted model (``scikit-learn``).

    Raises:
        ValueError: ``name`` has other characters.
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"a cached model's name is letters, digits, - and _, not {name!r}")
    directory = _directory
    if directory is None:
        return fit()
    key = cache_key(name, inputs, packages)
    path = directory / f"{name}-{key[:_KEY_CHARS]}.pickle"
    found = _load(path, expected)
    if found is not None:
        return found
    model = fit()
    _store(path, model, name)
    return model


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_directory(directory: Path) -> bool:
    try:
        st = directory.lstat()
    except OSError:  # missing, or a file where a directory should be
        return False
    return stat.S_ISDIR(st.st_mode) and _private(st)


def _load(path: Path, expected: type[T]) -> T | None:
    if not _trusted_directory(path.parent):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:  # missing, a symbolic link, unreadable
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not (stat.S_ISREG(st.st_mode) and _private(st)):
            _log.warning("ignoring %s: not a private file of this user", path)
            return None
        try:
            found = pickle.load(fh)  # noqa: S301  (a private file this process wrote; see above)
        except (
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            IndexError,
            KeyError,
            TypeError,
            ValueError,
        ):
            _log.warning("ignoring %s: it does not load; fitting again", path)
            return None
    return found if isinstance(found, expected) else None


def _store(path: Path, model: object, name: str) -> None:
    directory = path.parent
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted_directory(directory):
            _log.warning("not caching %s: %s is not a private directory", name, directory)
            return
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:  # mkstemp creates it 0600
                pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        older = re.compile(rf"{re.escape(name)}-[0-9a-f]{{{_KEY_CHARS}}}\.pickle")
        for old in directory.iterdir():
            # this model's files of other keys, never another model's whose name shares a prefix
            if old != path and older.fullmatch(old.name):
                with contextlib.suppress(OSError):
                    old.unlink()
    except OSError as exc:  # a read-only or full data directory: no cache, same model
        _log.warning("not caching %s: %s", name, exc)
