"""One quiz session: show the vignette, ask, mark against the engine, log."""

from __future__ import annotations

import datetime as dt

from rich.console import Console

from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.teach.ask import Prompter, ask_all
from dsm5check.teach.progress import append
from dsm5check.teach.quiz import Marked, log_record, mark, questions
from dsm5check.teach.render_quiz import marked_view, vignette_view
from dsm5check.teach.vignettes import Vignette


def run_session(
    vignette: Vignette,
    prompter: Prompter,
    console: Console,
    *,
    log: str | None = None,
    when: dt.datetime | None = None,
) -> Marked:
    loaded = shipped(vignette.case.ruleset)
    console.print(vignette_view(vignette))
    answers = ask_all(prompter, questions(loaded.rules))
    result = evaluate(loaded, vignette.case)
    marked = mark(vignette.id, result, answers, loaded.rules)
    console.print(marked_view(marked, vignette))
    if log:
        append(log, log_record(marked, when))
        console.print(f"Result added to {log}.", markup=False)
    return marked
