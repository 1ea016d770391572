"""Saving the case and showing the result exactly as `dsm5check check` does."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dsm5check.interview.questions import Plan
from dsm5check.interview.session import Session

if TYPE_CHECKING:
    from rich.console import Console

    from dsm5check.engine.ruleset import LoadedRuleset
    from dsm5check.interview.prompts import Prompter


def default_out(case_id: str) -> str:
    """The file a new case is saved to when no --out was given: its id, made safe."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", case_id).strip(".-") or "case"
    return f"{safe}.yaml"


def save_case(session: Session, plan: Plan, *, plain: bool, fhir: str | None = None) -> int:
    from dsm5check.cases.loading import RulesetResolver, load_case_file
    from dsm5check.engine.evaluate import evaluate
    from dsm5check.interview.answers import case_data, to_yaml
    from dsm5check.interview.draft import atomic_write
    from dsm5check.interview.flow import plan_flow
    from dsm5check.render.text import case_tree

    draft, prompter = session.draft, session.prompter
    data = case_data(plan, plan_flow(plan, session.answers).questions, session.answers)
    out = draft.out or default_out(str(data["id"]))
    while Path(out).exists():
        reply = prompter.text(f"{out} exists. Type y to replace it, or another file name")
        if reply.lower() in ("y", "yes"):
            break
        if reply:
            out = reply
    text = to_yaml(data)
    atomic_write(out, text)
    override = plan.loaded if draft.rules_is_file else None
    cases, problems = load_case_file(out, text.encode("utf-8"), RulesetResolver(override))
    if problems or not cases:
        for p in problems:
            prompter.say(str(p), "bad")
        prompter.say(f"The case in {out} does not read back; the draft {draft.path} is kept.")
        return 2
    loaded = cases[0]
    result = evaluate(loaded.ruleset, loaded.case, file=out, line=loaded.doc.line)
    prompter.say("")
    _console(prompter.out, plain).print(case_tree(result))
    prompter.say("")
    rules = f" --rules {draft.rules}" if draft.rules_is_file else ""
    prompter.say(f"Saved {out}. The same result again: dsm5check check {out}{rules}", "ok")
    if fhir and not _save_fhir(fhir, loaded.ruleset, data, prompter):
        return 2
    if os.path.exists(draft.path) and not draft.discard():
        prompter.say(f"The draft {draft.path} was changed by something else; it is kept.",
                     "warn")
    return 0


def _save_fhir(path: str, ruleset: LoadedRuleset, data: dict[str, Any],
               prompter: Prompter) -> bool:
    """The same answers as a FHIR QuestionnaireResponse (exchange/fhir.py)."""
    from dsm5check.errors import InputError
    from dsm5check.exchange.fhir import dump, response
    from dsm5check.interview.draft import atomic_write

    try:
        atomic_write(path, dump(response(ruleset, data)), mode=0o600)
    except InputError as err:  # the fhir extra is not installed
        prompter.say(err.problems[0].message, "bad")
        return False
    except OSError as exc:
        prompter.say(f"Could not write {path}: {exc.strerror}; the case file is saved.", "bad")
        return False
    prompter.say(f"Saved {path} (FHIR QuestionnaireResponse): dsm5check check {path}", "ok")
    return True


def _console(out: TextIO, plain: bool) -> Console:
    from dsm5check.render.console import make_console

    if plain:  # no escape codes at all: no colour, no bold (screen readers)
        from rich.console import Console

        return Console(file=out, color_system=None, highlight=False, emoji=False,
                       soft_wrap=False)
    return make_console(out)
