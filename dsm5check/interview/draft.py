"""Drafts: every answer on disk at once, never half written.

A draft is a small JSON file (permissions 0600: it holds clinical answers).
Each save writes a temporary file in the same folder, flushes it to disk and
renames it over the draft (``os.replace`` is atomic), so a crash or a kill at
any moment leaves either the old draft or the new one. Case files are written
the same way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsm5check.errors import InputError, Problem

FORMAT = "dsm5check-interview-draft"
VERSION = 1


def atomic_write(path: str | Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` via a temporary file and an atomic rename."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@dataclass(slots=True)
class Draft:
    path: str
    rules: str  # a shipped ruleset id, or a ruleset file path (see rules_is_file)
    rules_is_file: bool = False
    out: str | None = None
    no_skip: bool = False
    started: str = field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))
    answers: dict[str, Any] = field(default_factory=dict)
    written: str | None = None  # the text this interview last read or wrote
    _lock: int | None = None  # file descriptor of the lock, while held

    def save(self) -> None:
        from dsm5check.interview.interrupt import shielded

        record = {
            "format": FORMAT, "version": VERSION, "rules": self.rules,
            "rules_is_file": self.rules_is_file, "out": self.out, "no_skip": self.no_skip,
            "started": self.started, "saved": dt.datetime.now().isoformat(timespec="seconds"),
            "answers": self.answers,
        }
        text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
        with shielded():  # Ctrl-C waits until the draft is on disk
            atomic_write(self.path, text)
            self.written = text

    # -- one interview per draft ---------------------------------------------------
    def lock_path(self) -> Path:
        p = Path(self.path)
        return p.with_name(f".{p.name}.lock")

    def lock(self) -> None:
        """Hold the draft for this interview, or refuse naming the one that holds it.

        An advisory lock (flock) on a small file beside the draft: the system frees
        it when the process ends, however it ends (kill -9 included), so a draft
        is never left locked by an interview that is gone.
        """
        from dsm5check.interview.interrupt import shielded

        with shielded():  # Ctrl-C waits: a lock file is never left without its holder
            self._take_lock()

    def _take_lock(self) -> None:
        import fcntl

        path = self.lock_path()
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise InputError([Problem(self.path, 1, 1,
                                      f"cannot lock the draft: {exc.strerror}")]) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise InputError([Problem(
                self.path, 1, 1, f"another interview is using this draft ({holder});"
                " finish or stop that one first, or give this one another --out or --draft",
            )]) from None
        os.ftruncate(fd, 0)
        now = dt.datetime.now().isoformat(timespec="seconds")
        os.write(fd, f"process {os.getpid()}, started {now}\n".encode())
        self._lock = fd

    def unlock(self) -> None:
        if self._lock is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.lock_path())  # still held: no other interview is between
        os.close(self._lock)
        self._lock = None

    def reread(self) -> None:
        """Read the draft again (under the lock) so the answers are the latest."""
        fresh = load_draft(self.path)
        self.answers, self.written = fresh.answers, fresh.written

    def discard(self) -> bool:
        """Delete the draft once the case is saved, only if it is the one this interview
        wrote (never a draft another interview wrote over it). True if deleted."""
        try:
            now = Path(self.path).read_text(encoding="utf-8")
        except OSError:
            return False
        if self.written is None or now != self.written:
            return False
        os.unlink(self.path)
        return True


def default_draft_path(out: str | None, now: dt.datetime | None = None) -> str:
    if out:
        return out + ".draft.json"
    now = now or dt.datetime.now()
    return f"interview-{now:%Y%m%d-%H%M%S}.draft.json"


def load_draft(path: str) -> Draft:
    """Read a draft; a bad one is reported as file:line:col, never a traceback."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError([Problem(path, 1, 1, f"cannot read draft: {why}")]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(path, exc.lineno, exc.colno, f"not a draft: {exc.msg}")]
                         ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError([Problem(path, 1, 1, f"not a dsm5check interview draft"
                                  f" (expected \"format\": \"{FORMAT}\")")])
    if data.get("version") != VERSION:
        raise InputError([Problem(path, 1, 1, f"draft version {data.get('version')!r};"
                                  f" this dsm5check reads version {VERSION}")])
    answers = data.get("answers")
    rules = data.get("rules")
    if not isinstance(answers, dict) or not isinstance(rules, str):
        raise InputError([Problem(path, 1, 1, "draft lacks `answers` (a mapping) or `rules`")])
    out = data.get("out")
    return Draft(path, rules, bool(data.get("rules_is_file")),
                 out if isinstance(out, str) else None, bool(data.get("no_skip")),
                 str(data.get("started", "")), answers, raw)
