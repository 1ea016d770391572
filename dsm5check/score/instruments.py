"""Rating instruments whose item data `dsm5check score` reads: PCL-5, CAPS-5, ITQ.

An instrument says how its numbered items map onto the items of a ruleset,
by position inside a ruleset section (the n-th item of the section
``symptoms``), never by a criterion id: the ids and the clusters come from the
ruleset YAML. It also says which items add up to the total severity, and
whether a cut-point on that total is in use.

Sources (scoring conventions only; no interview or questionnaire text is
shipped):

- PCL-5: Weathers, F. W., Litz, B. T., Keane, T. M., Palmieri, P. A., Marx,
  B. P., & Schnurr, P. P. (2013). The PTSD Checklist for DSM-5 (PCL-5).
  National Center for PTSD (www.ptsd.va.gov). 20 items rated 0-4, in the order
  of the DSM-5 symptoms; total 0-80; an item rated 2 or more is endorsed; a
  total of 31-33 or more suggests probable PTSD (cut-point configurable).
- CAPS-5: Weathers et al. (2013/2018), National Center for PTSD. Items 1-20
  are the 20 symptoms (severity 0-4, present at 2 or more); items 23-25 rate
  distress and social / occupational impairment (criterion G); items 29 and 30
  rate depersonalization and derealization. The numbering of items 23-25 is
  taken from the clinical reference and should be checked against the
  licensed form; name the columns explicitly with ``--map`` when in doubt.
- ITQ: Cloitre et al. (2018), Acta Psychiatrica Scandinavica 138:536-546; freely
  available. 18 items rated 0-4, endorsed at 2 or more; the diagnostic rule
  (ICD-11 PTSD, Complex PTSD, mutually exclusive with Complex PTSD first) is the
  YAML of rules/icd11-ptsd.yaml and rules/icd11-cptsd.yaml. Dimensional scores:
  PTSD items 1-6 (0-24) and self-organisation items 10-15 (0-24); each cluster
  and the impairment items 7-9 and 16-18 appear as cluster severities.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsm5check.engine.ruleset import Ruleset

#: the ruleset section whose items an instrument's total severity adds up
SUMMED_SECTION = "symptoms"


@dataclass(frozen=True, slots=True)
class Slot:
    """Instrument item ``number`` is item ``index`` of ruleset section ``section``."""

    number: int
    section: str
    index: int


@dataclass(frozen=True, slots=True)
class Score:
    """A dimensional score of an instrument: the sum of its items ``numbers``."""

    name: str
    numbers: tuple[int, ...]
    title: str


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    short: str
    title: str
    source: str
    #: column-name prefixes of numbered items, e.g. pcl -> pcl1, pcl_01, PCL5_1
    prefixes: tuple[str, ...]
    slots: tuple[Slot, ...]
    #: how many items a positional file (no names) holds, in instrument order
    positional: int
    default_cutpoint: int | None
    caveat: str
    #: the ruleset whose items the slots name; another set reads them via its crosswalk
    home: str | None = None
    #: the rulesets scored when --rules is not given (default: the home set)
    default_rules: tuple[str, ...] = ()
    #: mutually exclusive categories, in precedence order: (word, ruleset id); a row
    #: gets the first word whose set is met (see score/multi.py)
    categories: tuple[tuple[str, str], ...] = ()
    category_column: str = "category"
    category_none: str = "none"
    scores: tuple[Score, ...] = ()

    def item_id(self, rules: Ruleset, slot: Slot) -> str | None:
        """The ruleset item a slot stands for, or None when the ruleset has no such item."""
        in_section = [i.id for i in rules.items if i.section == slot.section]
        return in_section[slot.index] if slot.index < len(in_section) else None

    def numbered(self, rules: Ruleset) -> dict[int, str]:
        """Instrument item number -> ruleset item id."""
        out: dict[int, str] = {}
        for slot in self.slots:
            item = self.item_id(rules, slot)
            if item is not None:
                out[slot.number] = item
        return out


def _symptoms(count: int) -> tuple[Slot, ...]:
    return tuple(Slot(n, SUMMED_SECTION, n - 1) for n in range(1, count + 1))


PCL5 = Instrument(
    id="pcl5",
    short="PCL-5",
    title="PCL-5 (PTSD Checklist for DSM-5)",
    source=(
        "Weathers, Litz, Keane, Palmieri, Marx & Schnurr (2013), The PTSD Checklist"
        " for DSM-5 (PCL-5), National Center for PTSD"
    ),
    prefixes=("pcl5", "pcl", "item"),
    slots=_symptoms(20),
    positional=20,
    default_cutpoint=33,
    home="dsm5-ptsd",
    caveat=(
        "The PCL-5 is a self-report of the 20 symptoms over the past month: it cannot"
        " establish exposure (A), duration (F), impairment (G) or exclusion (H), so its"
        " DSM-5 result is provisional."
    ),
)

CAPS5 = Instrument(
    id="caps5",
    short="CAPS-5",
    title="CAPS-5 (Clinician-Administered PTSD Scale for DSM-5)",
    source="Weathers et al. (2013, 2018), CAPS-5, National Center for PTSD",
    prefixes=("caps5", "caps", "item"),
    slots=(
        *_symptoms(20),
        Slot(23, "case", 0),
        Slot(24, "case", 0),
        Slot(25, "case", 0),
        Slot(29, "dissociation", 0),
        Slot(30, "dissociation", 1),
    ),
    positional=20,
    default_cutpoint=None,
    home="dsm5-ptsd",
    caveat=(
        "CAPS-5 item scores alone do not record the index event (A), the duration (F)"
        " or the substance / medical exclusion (H): give them as columns, or the result"
        " is provisional."
    ),
)

ITQ = Instrument(
    id="itq",
    short="ITQ",
    title="ITQ (International Trauma Questionnaire, ICD-11 PTSD and Complex PTSD)",
    source=(
        "Cloitre, Shevlin, Brewin, Bisson, Roberts, Maercker, Karatzias & Hyland (2018),"
        " The International Trauma Questionnaire, Acta Psychiatrica Scandinavica 138:536-546"
    ),
    prefixes=("itq", "item"),
    # 18 items in the published order: 1-6 PTSD symptoms (re-experiencing, avoidance,
    # sense of threat), 7-9 PTSD functional impairment, 10-15 disturbances in
    # self-organisation, 16-18 their functional impairment; the ICD-11 rulesets hold
    # them in this order
    slots=_symptoms(18),
    positional=18,
    default_cutpoint=None,
    home="icd11-ptsd",
    default_rules=("icd11-ptsd", "icd11-cptsd"),
    categories=(("cptsd", "icd11-cptsd"), ("ptsd", "icd11-ptsd")),
    category_column="itq_category",
    category_none="none",
    scores=(
        Score("ptsd_total", (1, 2, 3, 4, 5, 6), "PTSD symptoms (items 1-6, 0-24)"),
        Score("dso_total", (10, 11, 12, 13, 14, 15), "self-organisation (items 10-15, 0-24)"),
    ),
    caveat=(
        "The ITQ is a self-report: it checks neither the event nor the duration, so its"
        " ICD-11 result is a probable diagnosis, not a confirmed one."
    ),
)

INSTRUMENTS: dict[str, Instrument] = {i.id: i for i in (PCL5, CAPS5, ITQ)}


def category_words(instrument: Instrument) -> tuple[str, ...]:
    """The words of the instrument's category column, in order (e.g. the ITQ's)."""
    return (*(w for w, _ in instrument.categories), instrument.category_none, "indeterminate")


def shown_name(instrument_id: str) -> str:
    """An instrument as people know it (``pcl5`` -> PCL-5); JSON keeps the id."""
    known = INSTRUMENTS.get(instrument_id)
    return known.short if known is not None else instrument_id
