"""dsm5check.compare.stats against values computed by hand and published worked examples."""

from __future__ import annotations

import math

import pytest

from dsm5check.compare.stats import (
    STATUSES,
    cohen_kappa,
    compare_pair,
    cross_from_rows,
    prevalence,
    wilson,
    z_of,
)


def test_z_for_95_percent() -> None:
    assert z_of(0.95) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError):
        z_of(1.0)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe(count: int, n: int, low: float, high: float) -> None:
    p = wilson(count, n)
    assert p.estimate == pytest.approx(count / n)
    assert p.low == pytest.approx(low, abs=5e-5)
    assert p.high == pytest.approx(high, abs=5e-5)


def test_wilson_by_hand_20_of_25() -> None:
    # p = 0.8, z^2 = 3.841459; denominator 1 + z^2/25 = 1.153658;
    # centre (0.8 + z^2/50) / 1.153658 = 0.760040;
    # half 1.959964 * sqrt(0.16/25 + z^2/2500) / 1.153658 = 0.151347
    p = wilson(20, 25)
    assert p.low == pytest.approx(0.760040 - 0.151347, abs=1e-5)
    assert p.high == pytest.approx(0.760040 + 0.151347, abs=1e-5)


def test_wilson_edges() -> None:
    assert wilson(0, 0).estimate is None and wilson(0, 0).low is None
    full = wilson(10, 10)
    assert full.high == 1.0 and full.low is not None and full.low < 1.0
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_kappa_worked_example() -> None:
    # The textbook table (e.g. the Wikipedia article on Cohen's kappa): 50 proposals,
    # both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # p_o = 35/50 = 0.7; margins A 25/25, B 30/20; p_e = 0.5*0.6 + 0.5*0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    # Fleiss-Cohen-Everitt variance, proportions p11 .4 p12 .1 p21 .2 p22 .3:
    #   diagonal  .4 (1 - 1.1*.6)^2 + .3 (1 - .9*.6)^2            = .04624 + .06348 = .10972
    #   off-diag  .36 * (.1 * (.6+.5)^2 + .2 * (.4+.5)^2)          = .36 * .283     = .10188
    #   minus     (.4 - .5*.6)^2                                                   = .01
    #   var = .2016 / (50 * .25) = .016128, se = .126996
    k = cohen_kappa([[20, 5], [10, 15]])
    assert k.observed == pytest.approx(0.7)
    assert k.expected == pytest.approx(0.5)
    assert k.kappa == pytest.approx(0.4)
    assert k.se == pytest.approx(math.sqrt(0.016128), abs=1e-9)
    assert k.low == pytest.approx(0.4 - 1.959964 * 0.126996, abs=1e-5)
    assert k.high == pytest.approx(0.4 + 1.959964 * 0.126996, abs=1e-5)


def test_kappa_perfect_and_degenerate() -> None:
    perfect = cohen_kappa([[7, 0], [0, 3]])
    assert perfect.kappa == pytest.approx(1.0) and perfect.se == pytest.approx(0.0)
    # everybody met in both sets: chance agreement is 1, kappa undefined
    one = cohen_kappa([[9, 0], [0, 0]])
    assert one.kappa is None and one.observed == 1.0
    # systematic disagreement
    worst = cohen_kappa([[0, 5], [5, 0]])
    assert worst.kappa == pytest.approx(-1.0)
    assert cohen_kappa([[0, 0], [0, 0]]).kappa is None


def test_kappa_three_categories() -> None:
    # 3x3 by hand: [[10,2,0],[3,8,1],[0,1,5]], n 30; p_o = 23/30;
    # rows 12,12,6; cols 13,11,6; p_e = (156 + 132 + 36) / 900 = 0.36
    # kappa = (23/30 - .36) / .64 = 0.635417
    k = cohen_kappa([[10, 2, 0], [3, 8, 1], [0, 1, 5]])
    assert k.kappa == pytest.approx((23 / 30 - 0.36) / 0.64)


def test_compare_pair_by_hand_with_indeterminate_rows() -> None:
    # reference set first. decided: TP 20, FN 5, FP 10, TN 15 (the kappa table above)
    # plus 4 rows indeterminate in the reference and 3 indeterminate in the other only
    cross = {("met", "met"): 20, ("met", "not_met"): 5, ("not_met", "met"): 10,
             ("not_met", "not_met"): 15, ("indeterminate", "met"): 1,
             ("indeterminate", "indeterminate"): 3, ("met", "indeterminate"): 2,
             ("not_met", "indeterminate"): 1}
    out = compare_pair(cross)
    assert out["rows"] == 57
    assert out["both_decided"] == 50
    assert out["indeterminate_in_either"] == 7
    assert out["table"] == [[20, 5, 2], [10, 15, 1], [1, 0, 3]]
    assert out["first_only"] == 5 and out["second_only"] == 10
    assert out["agreement"]["estimate"] == pytest.approx(35 / 50)
    assert out["kappa"]["kappa"] == pytest.approx(0.4)
    assert out["sensitivity"]["estimate"] == pytest.approx(20 / 25)   # TP / (TP + FN)
    assert out["specificity"]["estimate"] == pytest.approx(15 / 25)   # TN / (TN + FP)
    assert out["ppv"]["estimate"] == pytest.approx(20 / 30)           # TP / (TP + FP)
    assert out["npv"]["estimate"] == pytest.approx(15 / 20)           # TN / (TN + FN)
    assert out["sensitivity"]["ci_low"] == pytest.approx(0.608693, abs=1e-5)


def test_prevalence_keeps_indeterminate_apart() -> None:
    out = prevalence({"met": 30, "not_met": 60, "indeterminate": 10})
    assert out["rows"] == 100 and out["indeterminate"] == 10
    assert out["prevalence"]["estimate"] == pytest.approx(30 / 90)
    assert out["bounds"] == [pytest.approx(0.30), pytest.approx(0.40)]
    empty = prevalence({})
    assert empty["prevalence"]["estimate"] is None and empty["bounds"] == [None, None]


def test_cross_from_rows() -> None:
    pairs = [("met", "met"), ("met", "not_met"), ("met", "met"), ("indeterminate", "met")]
    assert cross_from_rows(pairs) == {("met", "met"): 2, ("met", "not_met"): 1,
                                      ("indeterminate", "met"): 1}
    with pytest.raises(ValueError):
        cross_from_rows([("yes", "met")])
    assert STATUSES == ("met", "not_met", "indeterminate")


def test_no_negative_zero_in_printed_figures() -> None:
    from dsm5check.compare.stats import fixed, kappa_text

    assert fixed(-0.0, 2) == "0.00" and fixed(-0.001, 2) == "0.00"
    assert fixed(-0.006, 2) == "-0.01" and fixed(0.5, 3) == "0.500"
    assert kappa_text({"kappa": -0.0, "ci_low": -0.0004, "ci_high": 0.0}, 2) == (
        "0.00 (0.00 to 0.00)")
    assert kappa_text({"kappa": None}, 3, none="&ndash;") == "&ndash;"


def test_kappa_has_no_interval_when_one_set_uses_one_category() -> None:
    """A newcomer read "Cohen's kappa 0.000 (0.000 to 0.000)" for a pair where one set
    never says met: the large-sample variance collapses to 0 there."""
    from dsm5check.compare.stats import cohen_kappa, kappa_text

    k = cohen_kappa([[0, 7], [0, 30]])  # the second set never says met
    assert k.kappa == pytest.approx(0.0)
    assert (k.se, k.low, k.high) == (None, None, None)
    assert kappa_text(k.as_dict(), 3) == "0.000 (no interval)"
    # both margins vary: an interval as before
    both = cohen_kappa([[20, 5], [10, 15]])
    assert both.low is not None and both.low < both.kappa < both.high
