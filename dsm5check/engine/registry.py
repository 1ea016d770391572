"""The one way the command line names a ruleset: a shipped id (any case) or a
YAML file. (The shipped sets themselves are listed and loaded by ``ruleset.py``,
where a crosswalk is checked against the shipped set it reads; ``shipped`` and
``shipped_ids`` are re-exported here.)

Every command that reads rules goes through :func:`resolve` (or
:func:`rules_source` when it only needs to know what to load), so `--rules`
means the same thing everywhere, with the same "did you mean" for a typo.
"""

from __future__ import annotations

import os

# the shipped sets are read where rulesets are parsed: a crosswalk is checked
# against the shipped set it reads while its own set is parsed
from dsm5check.engine.ruleset import LoadedRuleset, load_ruleset_file
from dsm5check.engine.ruleset import shipped as shipped
from dsm5check.engine.ruleset import shipped_ids as shipped_ids
from dsm5check.errors import UsageError, unknown

DEFAULT_RULESET = "dsm5-ptsd"


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
        return load_ruleset_file(source)
    return shipped(source)

