"""The vignette library: clinical stories with their coded case and verdict.

One YAML file per vignette under ``dsm5check/vignettes`` (shipped as package
data)::

    id: v01-highway-crash
    title: ...
    difficulty: introductory | intermediate | advanced
    topics: [clear, chronic]
    narrative: >-
      the story, in our own words
    teaching_points: [...]
    case: {...}        # case format 1; its id defaults to the vignette id;
                       # expected: diagnosis, every criterion, specifiers

A bad file is reported as ``file:line:col: message``, all problems at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dsm5check.cases.case import Case
from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.errors import InputError, Problem, unknown


class Vignette(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    difficulty: Literal["introductory", "intermediate", "advanced"]
    topics: tuple[str, ...] = ()
    narrative: str = Field(min_length=300, description="The story, a paragraph or two.")
    teaching_points: tuple[str, ...] = Field(min_length=1)
    case: Case

    @model_validator(mode="before")
    @classmethod
    def _case_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("case"), dict):
            data = {**data, "case": {"id": data.get("id"), **data["case"]}}
        return data

    @model_validator(mode="after")
    def _expected(self) -> Vignette:
        exp = self.case.expected
        if exp is None or exp.diagnosis is None or exp.specifiers is None:
            raise ValueError(
                "expected case.expected with diagnosis, criteria and specifiers"
            )
        return self


def _problems(file: str, raw: bytes, ruleset_for: Any) -> tuple[Vignette | None, list[Problem]]:
    from dsm5check.cases.case_checks import case_problems
    from dsm5check.cases.validation import problems_from
    from dsm5check.cases.yamlio import expected_mapping, load_documents

    try:
        docs = load_documents(file, raw)
    except InputError as err:
        return None, list(err.problems)
    doc = docs[0]
    if len(docs) > 1:
        return None, [Problem(file, docs[1].line, 1, "expected one vignette per file")]
    bad = expected_mapping(doc)
    if bad:
        return None, [bad]
    problems = list(doc.problems)
    try:
        vignette = Vignette.model_validate(doc.data)
    except ValidationError as exc:
        return None, [*problems, *problems_from(doc, exc, Vignette)]
    loaded: LoadedRuleset = ruleset_for(vignette.case.ruleset)
    raw_case = doc.data["case"]
    found = case_problems(raw_case, vignette.case, loaded.rules, dt.date.today())
    problems += [doc.problem(("case", *loc), msg) for loc, msg in found]
    given = vignette.case.expected.criteria if vignette.case.expected else {}
    missing = [c.id for c in loaded.rules.criteria if c.id not in given]
    if missing:
        problems.append(doc.problem(
            ("case", "expected", "criteria"),
            f"expected a verdict for every criterion; missing {', '.join(missing)}",
        ))
    return (None if problems else vignette), problems


def load_files(files: Iterable[tuple[str, bytes]]) -> list[Vignette]:
    """Vignettes from (name, bytes) pairs; InputError listing every problem."""
    from dsm5check.engine.registry import shipped

    out: list[Vignette] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, raw in files:
        vignette, found = _problems(name, raw, shipped)
        problems.extend(found)
        if vignette is None:
            continue
        if vignette.id in seen:
            problems.append(Problem(name, 1, 1, f"vignette id {vignette.id!r} already used"
                                    f" in {seen[vignette.id]}"))
            continue
        seen[vignette.id] = name
        out.append(vignette)
    if problems:
        raise InputError(problems)
    return out


def _folder() -> resources.abc.Traversable:
    return resources.files("dsm5check").joinpath("vignettes")


@cache
def library() -> tuple[Vignette, ...]:
    """The shipped vignettes, in file-name order."""
    entries = sorted(
        (e for e in _folder().iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name
    )
    return tuple(load_files((f"dsm5check/vignettes/{e.name}", e.read_bytes()) for e in entries))


def load_folder(path: str | Path) -> list[Vignette]:
    files = sorted(Path(path).glob("*.yaml"))
    return load_files((str(f), f.read_bytes()) for f in files)


def find(vignette_id: str, vignettes: Iterable[Vignette] | None = None) -> Vignette:
    pool = tuple(vignettes) if vignettes is not None else library()
    """The vignette of that id: exact, then ignoring case, then the one vignette
    whose id starts with it (``v07`` for ``v07-father-heart-attack``)."""
    ids = {v.id: v for v in pool}
    if vignette_id in ids:
        return ids[vignette_id]
    want = vignette_id.lower()
    for tried in ([i for i in ids if i.lower() == want],
                  [i for i in ids if i.lower().startswith(want)]):
        if len(tried) == 1:
            return ids[tried[0]]
    raise unknown("vignette", vignette_id, ids, hint="`dsm5check quiz --list` lists them")
