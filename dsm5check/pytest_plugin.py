"""A pytest plugin: case files with an ``expected`` block become test items.

Installed with dsm5check as the ``dsm5check`` entry point of ``pytest11``, and
off unless asked for, so it never changes a test suite that does not want it::

    pytest --dsm5check cases/            # or, in pytest.ini / pyproject.toml:
    [tool.pytest.ini_options]
    dsm5check = true

Each case that has an ``expected`` block is one item named by its case id; a
mismatch fails with the expected and actual verdicts, criterion by criterion,
and a file with problems fails with every ``file:line:col`` problem. Cases
without an ``expected`` block are not collected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dsm5check", "dsm5check case files")
    group.addoption(
        "--dsm5check",
        action="store_true",
        default=False,
        help="collect case files (*.yaml, *.yml, *.json, *.jsonl) with an `expected` block"
        " as tests",
    )
    group.addoption(
        "--dsm5check-rules",
        default=None,
        metavar="ID_OR_PATH",
        help="check every collected case against this ruleset instead of the case's own",
    )
    parser.addini("dsm5check", "collect dsm5check case files as tests", type="bool",
                  default=False)


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("dsm5check") or config.getini("dsm5check"))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in _SUFFIXES or not _enabled(parent.config):
        return None
    if file_path.name.startswith("."):
        return None
    return CaseFile.from_parent(parent, path=file_path)


class CaseFile(pytest.File):
    """One case file; its cases with ``expected`` blocks are the items."""

    def collect(self) -> Iterator[pytest.Item]:
        from dsm5check.cases.yamlio import load_documents
        from dsm5check.errors import InputError

        raw = self.path.read_bytes()
        try:
            docs = load_documents(str(self.path), raw)
        except InputError as err:
            if b"expected" in raw:  # a file meant as a case that cannot be read
                yield CaseItem.from_parent(self, name=self.path.name, index=-1,
                                           problems=[str(p) for p in err.problems])
            return
        for doc in docs:
            data = doc.data
            if isinstance(data, dict) and data.get("expected") is not None:
                name = str(data.get("id", f"case {doc.index}"))
                yield CaseItem.from_parent(self, name=name, index=doc.index, problems=[])


def _plain(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    return str(value).replace("_", " ")


class CaseMismatch(Exception):
    """A case's verdict differs from its ``expected`` block, or it cannot be read."""


class CaseItem(pytest.Item):
    def __init__(self, *, index: int, problems: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.problems = problems

    def runtest(self) -> None:
        if self.problems:
            raise CaseMismatch("\n".join(self.problems))
        from dsm5check.api import CaseError, evaluate_many

        rules = self.config.getoption("dsm5check_rules")
        try:
            results = evaluate_many(self.path, rules, today=dt.date.today())
        except CaseError as err:
            mine = [p for p in err.problems if self._is_mine(p.line)]
            if mine or not err.results:
                raise CaseMismatch("\n".join(str(p) for p in (mine or err.problems))) from None
            results = list(err.results)
        result = next((r for r in results if r.case_id == self.name), None)
        if result is None:
            raise CaseMismatch(f"{self.path}: case {self.name} could not be evaluated")
        if result.mismatches:
            lines = [f"{self.path}:{result.line}: case {self.name} "
                     f"({result.ruleset_id}) does not match its expected block:"]
            lines += [f"  {m.what}: expected {_plain(m.expected)}, got {_plain(m.actual)}"
                      for m in result.mismatches]
            lines.append(f"  diagnosis: {result.diagnosis.replace('_', ' ')}")
            for c in result.criteria:
                lines.append(f"  {c.id}: {c.status.replace('_', ' ')} - {c.reason}")
            raise CaseMismatch("\n".join(lines))

    def _is_mine(self, line: int) -> bool:
        from dsm5check.cases.yamlio import load_documents

        docs = load_documents(str(self.path), self.path.read_bytes())
        starts = [d.line for d in docs]
        mine = starts[self.index] if 0 <= self.index < len(starts) else 1
        after = [s for s in starts if s > mine]
        return mine <= line < (after[0] if after else 10**9)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
                     ) -> str:
        if isinstance(excinfo.value, CaseMismatch):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"dsm5check case {self.name}"
