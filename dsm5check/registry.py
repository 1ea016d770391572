"""The criteria sets shipped with dsm5check, found inside the installed package."""

from __future__ import annotations

from functools import cache
from importlib import resources

from dsm5check.errors import InputError, Problem
from dsm5check.ruleset import LoadedRuleset, parse_ruleset

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
