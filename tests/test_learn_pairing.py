"""`learn --compare A B` pairs criteria by meaning, not by position.

The pairing is read from the YAML (crosswalks, shared codings, facts of the
case both sets read, `corresponds_to` declarations); these tests pin the pairs
a trainee expects for the shipped sets, check that the order of criteria in a
file changes nothing (positional pairing would), and that every criterion of
every pair of sets is accounted for exactly once.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from dsm5check.cli import main
from dsm5check.engine.registry import resolve, shipped, shipped_ids
from dsm5check.engine.ruleset import Ruleset
from dsm5check.teach.compare_sets import compare_sets_view, criteria_table
from dsm5check.teach.pairing import Pairing, counterparts, pair
from tests.conftest import ROOT


def _pair(a: str, b: str) -> Pairing:
    return pair(shipped(a).rules, shipped(b).rules)


def _groups(p: Pairing) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    return {(g.left, g.right) for g in p.groups}


def test_dsm5_and_icd11_pair_by_meaning() -> None:
    p = _pair("dsm5-ptsd", "icd11-ptsd")
    assert _groups(p) == {
        (("A",), ("Ex",)),        # exposure with exposure (the event's facts)
        (("B",), ("Re",)),        # re-experiencing read from B2/B3
        (("C",), ("Av",)),        # avoidance from C1/C2
        (("E",), ("Th",)),        # sense of threat from E3/E4
        (("F",), ("duration",)),  # the symptom dates
        (("G",), ("FI",)),        # impairment read from the DSM-5 impairment ratings
    }
    assert p.only_a == ("D", "H")
    assert p.only_b == ("AD", "NSC", "DR", "DSO_FI", "CPTSD_precedence")
    re_group = next(g for g in p.groups if g.right == ("Re",))
    assert re_group.right_from == (("P1", ("B2",)), ("P2", ("B3",)))


def test_positional_pairing_would_be_wrong() -> None:
    """The fourth criterion of each set (D, Th) must not be paired: D has no ICD-11
    counterpart and Th pairs with the fifth DSM-5 criterion, E."""
    p = _pair("dsm5-ptsd", "icd11-ptsd")
    a, b = shipped("dsm5-ptsd").rules, shipped("icd11-ptsd").rules
    positional = {(x.id, y.id) for x, y in zip(a.criteria, b.criteria, strict=False)}
    linked = {(x, y) for g in p.groups for x in g.left for y in g.right}
    assert ("D", "Th") in positional and ("D", "Th") not in linked
    assert ("E", "Th") in linked and ("E", "Th") not in positional
    assert ("F", "duration") in linked and ("F", "duration") not in positional


def test_dsm5_and_dsm4tr_pair_d_e_with_c_d() -> None:
    p = _pair("dsm5-ptsd", "dsm4tr-ptsd")
    assert _groups(p) == {
        (("A",), ("A",)), (("B",), ("B",)),
        (("C", "D"), ("C",)),  # IV-TR C pooled avoidance and numbing (C3 from D1, ...)
        (("E",), ("D",)),      # IV-TR D arousal from DSM-5 E items
        (("F",), ("E",)), (("G",), ("F",)),
    }
    assert p.only_a == ("H",) and p.only_b == ()


def test_either_order_gives_the_mirror() -> None:
    for a, b in itertools.combinations(shipped_ids(), 2):
        ab, ba = counterparts(_pair(a, b)), counterparts(_pair(b, a))
        assert ab["a"] == ba["b"] and ab["b"] == ba["a"], (a, b)


@pytest.mark.parametrize("a,b", list(itertools.combinations(shipped_ids(), 2)))
def test_every_criterion_is_placed_once(a: str, b: str) -> None:
    p = _pair(a, b)
    left = [x for g in p.groups for x in g.left] + list(p.only_a)
    right = [y for g in p.groups for y in g.right] + list(p.only_b)
    assert sorted(left) == sorted(c.id for c in shipped(a).rules.criteria)
    assert sorted(right) == sorted(c.id for c in shipped(b).rules.criteria)


def test_declared_correspondence_for_sets_no_crosswalk_links() -> None:
    """The preschool set declares `corresponds_to` (no crosswalk reads DSM-5 items)."""
    p = _pair("dsm5-ptsd", "dsm5-ptsd-preschool")
    assert (("C", "D"), ("C",)) in _groups(p)
    assert (("E",), ("D",)) in _groups(p)
    assert next(g for g in p.groups if g.right == ("C",)).declared
    # by way of DSM-5, the preschool clusters meet ICD-11's
    q = _pair("dsm5-ptsd-preschool", "icd11-ptsd")
    assert {(("B",), ("Re",)), (("C",), ("Av",)), (("D",), ("Th",))} <= _groups(q)
    assert next(g for g in q.groups if g.left == ("C",)).through == "dsm5-ptsd"


def test_order_of_criteria_in_the_file_does_not_matter(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "rules" / "dsm5-ptsd.yaml").read_text(encoding="utf-8"))
    data["criteria"] = list(reversed(data["criteria"]))
    f = tmp_path / "reversed.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    rev: Ruleset = resolve(str(f)).rules
    p = pair(rev, shipped("icd11-ptsd").rules)
    assert counterparts(p)["a"] == counterparts(_pair("dsm5-ptsd", "icd11-ptsd"))["a"]


def test_a_bad_declaration_is_refused_at_its_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "rules" / "subthreshold-ptsd.yaml").read_text(encoding="utf-8")
    bad = text.replace("corresponds_to: {dsm5-ptsd: [C]}", "corresponds_to: {dsm5-ptsd: [Q]}")
    assert bad != text
    f = tmp_path / "bad.yaml"
    f.write_text(bad, encoding="utf-8")
    line = bad.splitlines().index("  corresponds_to: {dsm5-ptsd: [Q]}") + 1
    assert main(["rules", "validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:{line}:" in err and "unknown criterion 'Q' of dsm5-ptsd" in err


def _render(renderable: object, width: int) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, highlight=False).print(renderable)
    return buf.getvalue()


def test_rows_of_the_table_hold_the_pairs() -> None:
    text = _render(criteria_table(_pair("dsm5-ptsd", "icd11-ptsd")), 200)
    lines = text.splitlines()
    assert any("E Changes in arousal and reactivity" in ln
               and "Th Persistent sense of current threat" in ln for ln in lines)
    assert any("B Intrusion symptoms" in ln and "Re Re-experiencing in the present" in ln
               for ln in lines)
    assert not any("D Negative changes" in ln and "Th Persistent" in ln for ln in lines)


def test_only_in_says_what_it_means() -> None:
    a, b = shipped("dsm5-ptsd"), shipped("icd11-ptsd")
    flat = " ".join(_render(compare_sets_view(a, b), 80).split())
    assert "Only in dsm5-ptsd (no counterpart in icd11-ptsd)" in flat
    assert ("AD Problems in affect regulation (needs at least 1 of 2 (C1, C2)) dsm5-ptsd asks"
            " for nothing like it" in flat)
    assert ("A case coded for dsm5-ptsd leaves it not assessed (unknown, never absent)"
            " unless C1, C2 are coded for icd11-ptsd too." in flat)
    assert "It reads the case's own facts, so a case coded for icd11-ptsd can still" in flat
    assert ("It combines other criteria of icd11-ptsd: AD (affect dysregulation), NSC"
            " (negative self-concept), DR (disturbed relationships), Self-organisation" in flat)


def test_compare_fits_80_columns(capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for a, b in itertools.combinations(shipped_ids(), 2):
        assert main(["learn", "--no-pager", "--compare", a, b]) == 0
        out = capsys.readouterr().out
        assert max(len(x) for x in out.splitlines()) <= 80, (a, b)
