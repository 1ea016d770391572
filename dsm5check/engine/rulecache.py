"""A cache of checked rulesets, so a command skips parsing and checking one it has seen.

Loading a ruleset parses its YAML, validates it into the pydantic models and checks
every reference (crosswalks too): a few tenths of a second each time a command starts.
Once a file has loaded cleanly, the checked :class:`~dsm5check.engine.ruleset.Ruleset`
is kept as a pickle under the user's cache folder, keyed by

* the sha256 of the ruleset file's bytes (any edit is a different key),
* the dsm5check, Python and pydantic versions, and the size and time of the source
  files that define the models and their checks (a developer's edit invalidates it),
* the sha256 of every shipped set its crosswalks read (checked on every use).

Where: ``$DSM5CHECK_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dsm5check``, else
``~/.cache/dsm5check``; clear it by deleting that folder. The cache never changes a
result and never stops a command: a folder that cannot be written, a file that is
corrupt, truncated, written by another version or not the user's own is ignored
(the ruleset is loaded the ordinary way), and a file is written whole or not at
all (a temporary file renamed into place).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

MAGIC = b"dsm5check-ruleset-cache 1\n"
#: Source files whose classes are pickled, or whose checks a cached ruleset passed.
_SOURCES = ("engine/ruleset.py", "engine/rules_model.py", "engine/paths.py",
            "interview/spec.py", "cases/case.py")


def cache_dir() -> Path:
    """The folder the cache lives in (it may not exist)."""
    override = os.environ.get("DSM5CHECK_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "dsm5check"


def _stamp() -> str:
    """What else a cached ruleset depends on: versions and the model sources."""
    import pydantic

    import dsm5check

    here = Path(dsm5check.__file__).parent
    parts = [dsm5check.__version__, sys.version, pydantic.VERSION]
    for name in _SOURCES:
        try:
            st = (here / name).stat()
        except OSError:
            parts.append(f"{name}:missing")
        else:
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def _file(digest: str) -> Path:
    return cache_dir() / "rulesets" / f"{digest}.pickle"


def load(digest: str, kind: type[T], digest_of: Callable[[str], str | None]) -> T | None:
    """The checked ruleset (a ``kind``) of the file with this sha256, or None (not
    cached, or unusable). ``digest_of`` gives the sha256 of a shipped set by id, to
    check the sets the cached one's crosswalks read are still the same."""
    try:
        path = _file(digest)
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
                return None  # only a file of the user's own, writable by nobody else
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            entry = pickle.load(fh)
        if not isinstance(entry, dict) or entry.get("key") != (digest, _stamp()):
            return None
        rules = entry.get("rules")
        deps = entry.get("deps")
        if not isinstance(rules, kind) or not isinstance(deps, dict):
            return None
        for ruleset_id, dep_digest in deps.items():
            if digest_of(ruleset_id) != dep_digest:
                return None  # a set its crosswalk reads has changed: check it again
        return rules
    except Exception:  # corrupt, truncated, unreadable, another version: load it afresh
        return None


def store(digest: str, rules: object, deps: Mapping[str, str | None]) -> None:
    """Keep a checked ruleset, with the digests of the shipped sets its crosswalks read
    (by id); silently nothing when the cache cannot be written."""
    try:
        entry = {"key": (digest, _stamp()), "deps": dict(deps), "rules": rules}
        data = MAGIC + pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        folder = _file(digest).parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, _file(digest))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception:  # a read-only or full disk, a file in the way: no cache, same result
        return
