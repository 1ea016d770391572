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

    def save(self) -> None:
        record = {
            "format": FORMAT, "version": VERSION, "rules": self.rules,
            "rules_is_file": self.rules_is_file, "out": self.out, "no_skip": self.no_skip,
            "started": self.started, "saved": dt.datetime.now().isoformat(timespec="seconds"),
            "answers": self.answers,
        }
        atomic_write(self.path, json.dumps(record, indent=1, ensure_ascii=False) + "\n")


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
                 str(data.get("started", "")), answers)
