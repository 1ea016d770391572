"""The structured interview (`dsm5check interview`).

Modules: ``spec`` (the optional ``interview:`` block of a ruleset), ``questions``
(questions generated from a ruleset), ``flow`` (pure: which question comes next),
``answers`` (answers -> case data), ``status`` (running status lines), ``prompts``
(questionary and plain I/O), ``draft`` (atomic drafts), ``review`` and ``session``
(the command glue). This package module imports nothing, so the first question
can be shown before the ruleset is loaded.
"""
