"""The criteria sets shipped with dsm5check, and the one way the command line
names a ruleset: a shipped id (any case) or a YAML file.

Every command that reads rules goes through :func:`resolve` (or
:func:`rules_source` when it only needs to know what to load), so `--rules`
means the same thing everywhere, with the same "did you mean" for a typo.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from dsm5check.errors import InputError, Problem, UsageError, unknown

if TYPE_CHECKING:
    from dsm5check.engine.ruleset import LoadedRuleset

DEFAULT_RULESET = "dsm5-ptsd"


def _folder() -> resources.abc.Traversable:
    """The rules inside the installed package, or rules/ of a source checkout.

    A wheel carries the top-level rules/ folder as ``dsm5check.rules``. When the
    package is imported straight from a checkout (the repository root on
    sys.path, as in the test suite), that subpackage is not importable, and the
    folder beside the package is the same files.
    """
    try:
        return resources.files("dsm5check.rules")
    except ModuleNotFoundError:
        return resources.files("dsm5check").joinpath("..", "rules")


def shipped_ids() -> list[str]:
    """Ids of the shipped rulesets (file names without .yaml), sorted."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _folder().iterdir()
        if entry.name.endswith(".yaml")
    )


@cache
def shipped(ruleset_id: str) -> LoadedRuleset:
    """Load a shipped ruleset by id; InputError when there is none of that id."""
    from dsm5check.engine.ruleset import parse_ruleset

    entry = _folder() / f"{ruleset_id}.yaml"
    if ruleset_id not in shipped_ids():  # an id, never a path
        raise InputError(
            [
                Problem(
                    f"{ruleset_id}.yaml",
                    1,
                    1,
                    f"no shipped ruleset {ruleset_id!r}; known: {', '.join(shipped_ids())}",
                )
            ]
        )
    return parse_ruleset(f"rules/{ruleset_id}.yaml", entry.read_bytes())


def shipped_bytes(ruleset_id: str) -> bytes | None:
    """The bytes of a shipped ruleset file; None when there is no such id."""
    if ruleset_id not in shipped_ids():
        return None
    try:
        return (_folder() / f"{ruleset_id}.yaml").read_bytes()
    except OSError:
        return None


def shipped_id(name: str) -> str | None:
    """The shipped id ``name`` stands for, ignoring case; None when there is none."""
    ids = {i.lower(): i for i in shipped_ids()}
    return ids.get(name.lower())


def _looks_like_file(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) or os.sep in name or "/" in name


def rules_source(name: str) -> tuple[str, bool]:
    """What ``--rules NAME`` names: ``(path, True)`` for a file, ``(id, False)``
    for a shipped ruleset. A file that exists wins over an id of the same name.

    UsageError (no file prefix) with the close shipped ids when it is neither.
    """
    if os.path.isfile(name):
        return name, True
    found = shipped_id(name)
    if found is not None and not _looks_like_file(name):
        return found, False
    if _looks_like_file(name):
        raise UsageError(f"no such ruleset file: {name}")
    raise unknown("ruleset", name, shipped_ids(),
                  hint=f"give a YAML file or a shipped id: {', '.join(shipped_ids())}")


def resolve(name: str | None) -> LoadedRuleset:
    """The ruleset ``--rules NAME`` names (default: the default ruleset)."""
    if name is None:
        return shipped(DEFAULT_RULESET)
    source, is_file = rules_source(name)
    if is_file:
        from dsm5check.engine.ruleset import load_ruleset_file

        return load_ruleset_file(source)
    return shipped(source)

