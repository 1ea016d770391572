"""dsm5check: check coded cases against criteria sets written as YAML.

A teaching and decision-support aid, not a diagnostic device. This module is
imported by ``dsm5check --version``: keep it free of heavy imports. The public
API (see docs/api.md) is loaded on first use::

    import dsm5check
    result = dsm5check.evaluate("case.yaml")
    print(result.diagnosis, result.to_dict()["criteria"])
"""

from __future__ import annotations

# typing is not imported at run time: this module is the first of the program's
# imports, and a Ctrl-C that lands before the interrupt hold is taken (see
# dsm5check/__main__.py) can be lost; mypy treats TYPE_CHECKING as true.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "CaseError",
    "CaseResult",
    "CriterionResult",
    "LoadedRuleset",
    "Problem",
    "SpecifierResult",
    "__version__",
    "evaluate",
    "evaluate_many",
    "iter_results",
    "load_ruleset",
]

_PUBLIC = {
    "CaseError": "dsm5check.api",
    "evaluate": "dsm5check.api",
    "evaluate_many": "dsm5check.api",
    "iter_results": "dsm5check.api",
    "load_ruleset": "dsm5check.api",
    "CaseResult": "dsm5check.engine.results",
    "CriterionResult": "dsm5check.engine.results",
    "SpecifierResult": "dsm5check.engine.results",
    "LoadedRuleset": "dsm5check.engine.ruleset",
    "Problem": "dsm5check.errors",
}

if TYPE_CHECKING:
    from typing import Any

    from dsm5check.api import CaseError, evaluate, evaluate_many, iter_results, load_ruleset
    from dsm5check.engine.results import CaseResult, CriterionResult, SpecifierResult
    from dsm5check.engine.ruleset import LoadedRuleset
    from dsm5check.errors import Problem


def __getattr__(name: str) -> Any:
    """Import the public API lazily (PEP 562): ``import dsm5check`` stays cheap."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'dsm5check' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
