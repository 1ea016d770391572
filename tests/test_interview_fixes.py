"""Interview fixes after testing: safe Enter defaults, drafts checked on resume,
refused typed answers, the review screen's errors and notes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from dsm5check.interview.defaults import rules_out
from dsm5check.interview.flow import plan_flow
from dsm5check.interview.prompts import PlainPrompter
from dsm5check.interview.questions import block_questions, compile_plan
from dsm5check.registry import shipped
from tests.test_interview_flows import EVENT, FULL_ITEMS, TIMELINE, TODAY, interview, saved

PTSD = shipped("dsm5-ptsd")


def test_enter_on_the_substance_questions_records_not_known_never_yes(tmp_path: Path) -> None:
    # G yes; H: Enter; dissociation 0, 3, then Enter on "only under a substance?"
    keys = EVENT + FULL_ITEMS + TIMELINE + "y" + "\r" + "03" + "\r" + "\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    case = saved(tmp_path)
    assert case["attributable_to_substance_or_medical"] is None
    assert case["dissociation"]["attributable_to_substance_or_medical"] is None


def test_plain_enter_without_a_default_is_not_known() -> None:
    plan = compile_plan(PTSD, TODAY)
    h = next(q for b in range(len(plan.blocks)) for q in block_questions(plan, b, {})
             if q.key == "attributable_to_substance_or_medical")
    assert not h.has_default
    out = io.StringIO()
    reply = PlainPrompter(io.StringIO("\n"), out).ask(h, None, False, "not known")
    assert reply.action == "answer" and reply.value is None
    assert "Enter: not known" in out.getvalue()


def test_a_declared_default_that_rules_out_is_not_offered() -> None:
    plan = compile_plan(PTSD, TODAY)
    answers: dict[str, Any] = {
        "id": "x", "timeline.assessed": "2025-01-15", "events.any": True,
        "events.0.description": "", "events.0.date": "2024-05-01",
        "events.0.nature": ["serious_injury"], "events.0.exposure": ["repeated_aversive_details"],
        "events.0.via_media": True,
    }
    qs = {q.key: q for q in plan_flow(plan, answers).questions}
    work = qs["events.0.work_related"]
    assert work.has_default and work.default is False
    assert rules_out(plan, answers, work, False)  # "not at work" rules out the event
    assert not rules_out(plan, answers, work, True)
    media = qs["events.0.via_media"]
    assert not rules_out(plan, answers, media, False)  # "not only through media" is safe
    assert not rules_out(plan, {**answers, "events.0.exposure": ["direct"]}, qs["events.any"],
                         True)
