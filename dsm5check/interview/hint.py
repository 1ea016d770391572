"""Where a resumed interview goes on, known before the ruleset is loaded.

Before each question the interview asks next (not one revisited with ``<`` or
from the review screen), it notes that question, as it is about to be shown, in
the user's cache folder (``resume/`` beside the cache of checked rulesets, see
``engine/rulecache.py``), together with a digest of the draft exactly as it is
on disk. ``--resume`` of that very draft can then put the question on screen
straight away; the ruleset is loaded and every answer of the draft checked
while the clinician reads it, and the answer typed is used only once those
checks have passed and the question has been worked out afresh and found the
same (session.py). A draft edited by hand, a ruleset file or a dsm5check that
changed, another day: the digest differs, no hint is used, and the draft is
checked before anything is shown, as always. Nothing here imports pydantic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dsm5check.interview.draft import Draft
from dsm5check.interview.model import Question

MAGIC = b"dsm5check-resume-hint 1\n"
_CODE = ("interview", "engine", "cases")  # the code that decides the next question


@dataclass(frozen=True, slots=True)
class Hint:
    question: Question  # as shown: shortcut filled in
    default: Any
    has_default: bool
    unknown_label: str
    block: int
    title: str  # the heading of its block


def _folder() -> Path:
    override = os.environ.get("DSM5CHECK_CACHE_DIR")
    if override:
        return Path(override) / "resume"
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "dsm5check" / "resume"


def _file(draft: Draft) -> Path:
    name = hashlib.sha256(os.path.abspath(draft.path).encode("utf-8", "replace")).hexdigest()
    return _folder() / f"{name}.pickle"


def _stamp(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path.name}:-"
    return f"{path.name}:{st.st_size}:{st.st_mtime_ns}"


def _key(draft: Draft, today: dt.date) -> str:
    """What the next question depends on, besides the answers: the draft's own text,
    the ruleset file, the day, and the code (version, and each source file's stamp)."""
    import dsm5check

    here = Path(dsm5check.__file__).parent
    parts = [hashlib.sha256((draft.written or "").encode("utf-8")).hexdigest(),
             today.isoformat(), str(draft.no_skip), dsm5check.__version__, sys.version]
    if draft.rules_is_file:
        parts.append(_stamp(Path(draft.rules)))
    else:  # a shipped id: the file in the package, or beside it in a source checkout
        for folder in (here / "rules", here.parent / "rules"):
            parts.append(_stamp(folder / f"{draft.rules}.yaml"))
    for sub in _CODE:
        with contextlib.suppress(OSError), os.scandir(here / sub) as entries:
            parts.extend(sorted(_stamp(Path(e.path)) for e in entries
                                if e.name.endswith(".py")))
    return hashlib.sha256("|".join(parts).encode("utf-8", "replace")).hexdigest()


def write(draft: Draft, today: dt.date, hint: Hint) -> None:
    """Note the question about to be asked for this draft; silently nothing on failure."""
    if draft.written is None:
        return
    try:
        data = MAGIC + pickle.dumps({"key": _key(draft, today), "hint": hint},
                                    protocol=pickle.HIGHEST_PROTOCOL)
        target = _file(draft)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception:  # a cache that cannot be written: resuming only checks first
        return


def read(draft: Draft, today: dt.date) -> Hint | None:
    """The question noted for this draft as it is now, or None."""
    try:
        with open(_file(draft), "rb") as fh:
            st = os.fstat(fh.fileno())
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
                return None  # only a file of the user's own, writable by nobody else
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            entry = pickle.load(fh)
        if not isinstance(entry, dict) or entry.get("key") != _key(draft, today):
            return None
        hint = entry.get("hint")
        return hint if isinstance(hint, Hint) and isinstance(hint.question, Question) else None
    except Exception:  # missing, corrupt, truncated, another version: no hint
        return None
