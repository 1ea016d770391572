"""The crosswalk compiled to SQL gives the engine's statuses (SQLite, random rows)."""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dsm5check.cases.case import Case
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.score.compile_sql import compile_rule, ident
from dsm5check.score.crosswalk_sql import CrosswalkBindings

RULES = shipped("icd11-ptsd")
SOURCE = ["B2", "B3", "C1", "C2", "E3", "E4"]
CHECKED = ["Re", "Av", "Th", "FI"]


class _DsmColumns:
    """DSM-5 items and impairment facts as columns of one flat row."""

    def item(self, item_id: str) -> str | None:
        return f"({ident(item_id)} >= 2)" if item_id in SOURCE else None

    def fact(self, path: str) -> str | None:
        return {"impairment": ident("imp"), "impairment.social": ident("social"),
                "impairment.occupational": ident("occ")}.get(path)

    def criterion(self, cid: str) -> str | None:
        return None


rating = st.one_of(st.none(), st.integers(0, 4))
rows = st.fixed_dictionaries({
    **{k: rating for k in SOURCE},
    "imp": st.sampled_from(["none", "yes", "no", "ratings"]),
    "social": rating, "occ": rating,
})


def _engine(row: dict[str, Any]) -> dict[str, str]:
    case: dict[str, Any] = {"id": "r", "ruleset": "icd11-ptsd", "coded_in": "dsm5-ptsd",
                            "symptoms": {k: row[k] for k in SOURCE if row[k] is not None}}
    if row["imp"] in ("yes", "no"):
        case["impairment"] = row["imp"] == "yes"
    elif row["imp"] == "ratings":
        case["impairment"] = {k: v for k, v in (("social", row["social"]),
                                                ("occupational", row["occ"])) if v is not None}
    result = evaluate(RULES, Case.model_validate(case))
    return {c.id: c.status for c in result.criteria if c.id in CHECKED}


def _sql(row: dict[str, Any]) -> dict[str, str]:
    bind = CrosswalkBindings(RULES.rules, "dsm5-ptsd", _DsmColumns())
    exprs = [compile_rule(RULES.rules.criterion_map[c].rule, bind).text for c in CHECKED]
    imp = {"none": None, "yes": 1, "no": 0, "ratings": 2}[row["imp"]]
    ratings = (row["social"], row["occ"]) if row["imp"] == "ratings" else (None, None)
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE t ({', '.join(ident(c) for c in [*SOURCE, 'imp', 'social', 'occ'])})")
    db.execute(f"INSERT INTO t VALUES ({', '.join('?' * (len(SOURCE) + 3))})",
               [*(row[k] for k in SOURCE), imp, *ratings])
    got = db.execute(f"SELECT {', '.join(exprs)} FROM t").fetchone()
    return {c: {1: "met", 0: "not_met", None: "indeterminate"}[v] for c, v in zip(
        CHECKED, got, strict=True)}


@settings(max_examples=150, deadline=None)
@given(rows)
def test_crosswalk_sql_matches_the_engine(row: dict[str, Any]) -> None:
    assert _sql(row) == _engine(row)


def test_an_item_without_a_source_is_null() -> None:
    bind = CrosswalkBindings(RULES.rules, "dsm5-ptsd", _DsmColumns())
    assert bind.item("C1") is None  # self-organisation: no DSM-5 source
    assert bind.item("P2") == '("B3" >= 2)'
