"""A criterion whose id is no code readers know is called by one wording on every
screen: its title (learn, check headings) is its name (reasons, summaries, the
interview). A newcomer found "Impairment from the self-organisation problems" in one
table and "Self-organisation impairment" in the next."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.engine.registry import resolve
from dsm5check.render.names import shown_id

SETS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "rules").glob("*.yaml"))


@pytest.mark.parametrize("set_id", SETS)
def test_unshown_ids_are_called_by_their_title(set_id: str) -> None:
    rules = resolve(set_id).rules
    differ = [(c.id, c.title, c.name) for c in rules.criteria
              if not shown_id(c.id, c.name) and c.name != c.title]
    assert differ == []


def test_the_learn_overview_uses_the_names_the_needs_column_uses() -> None:
    from rich.console import Console

    from dsm5check.teach.learn import overview

    console = Console(width=200, record=True)
    console.print(overview(resolve("icd11-cptsd").rules))
    text = console.export_text()
    for name in ("Lasting several weeks", "Self-organisation impairment"):
        assert text.count(name) >= 2, name  # its own row, and where the diagnosis needs it
