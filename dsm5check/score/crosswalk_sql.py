"""SQL bindings for data coded in another set's items, read through a YAML crosswalk.

The engine reads an item of a case coded in another set natively (a ``native:``
answer), else through the ruleset's crosswalk, else as not assessed
(``crosswalk.py``). :class:`CrosswalkBindings` does the same for
``compile_sql.compile_rule``: an item is its own column when the data has one,
else the SQL of its crosswalk rule compiled over the *source* set's bindings
(e.g. ICD-11 P2 from the DSM-5 B3 column), else NULL. Facts (impairment
ratings, dates) are shared by every set and come from the source bindings.
Nothing here knows a set or an item id.
"""

from __future__ import annotations

from dsm5check.engine.ruleset import Ruleset
from dsm5check.score.compile_sql import Bindings, compile_rule


class CrosswalkBindings:
    """Bindings of ``rules`` over data whose item columns are named for ``source_id``."""

    def __init__(self, rules: Ruleset, source_id: str, source: Bindings,
                 own: Bindings | None = None) -> None:
        found = rules.crosswalk_from(source_id)
        self.items = found.items if found is not None else {}
        self.source, self.own = source, own

    def item(self, item_id: str) -> str | None:
        if self.own is not None:
            native = self.own.item(item_id)
            if native is not None:
                return native
        rule = self.items.get(item_id)
        if rule is None:
            return None  # no source: not assessed
        compiled = compile_rule(rule, self.source)
        return compiled.text if compiled.data else None

    def fact(self, path: str) -> str | None:
        if self.own is not None:
            value = self.own.fact(path)
            if value is not None:
                return value
        return self.source.fact(path)

    def criterion(self, cid: str) -> str | None:
        return self.own.criterion(cid) if self.own is not None else None
