"""The command line at its edges: did-you-mean, usage errors without a file
position, `--rules ID_OR_FILE` on every command that reads rules, help text
for every option, only documented exit codes, internal errors (exit 70)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsm5check import cli
from dsm5check.cli import EXIT_CODES, EXIT_INTERNAL, build_parser, main, parsers
from dsm5check.errors import UsageError
from tests.conftest import EXAMPLES, ROOT, TESTS

VET = str(EXAMPLES / "vet-014.yaml")
TOY = str(TESTS / "rulesets" / "teach-toy.yaml")
CASES = TESTS / "cases"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- did you mean ---------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "said"), [
    (["chek", VET], "invalid choice: 'chek' (choose from 'check', "),
    (["chek", VET], "did you mean 'check'"),
    (["Learn"], "did you mean 'learn'?"),
    (["wat-if", VET], "did you mean 'what-if'?"),
    (["check", "--formt", "json", VET], "unrecognized arguments: --formt (did you mean --format?)"),
    (["check", VET, "--format", "jsn"], "did you mean 'json'?"),
    (["learn", "--no-pagr"], "--no-pagr (did you mean --no-pager?)"),
    (["rules", "shw", "dsm5-ptsd"], "invalid choice: 'shw'"),
    (["rules", "shw", "dsm5-ptsd"], "did you mean 'show'?"),
    (["rules", "show", "dsm5-ptsd", "--debgu"], "--debgu (did you mean --debug?)"),
    (["quiz", "--vignete", "v01"], "--vignete (did you mean --vignette?)"),
    (["--verison"], "--verison (did you mean --version?)"),
])
def test_did_you_mean(capsys: pytest.CaptureFixture[str], argv: list[str], said: str) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert said in err
    assert "Traceback" not in err and ":1:1:" not in err


def test_the_error_names_the_command_that_was_mistyped(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "rules", "show", "dsm5-ptsd", "--formt")
    assert err.startswith("dsm5check rules show: error: unrecognized arguments: --formt")
    assert "(see `dsm5check rules show --help`)" in err


@pytest.mark.parametrize("name", ["d", "D"])
def test_learn_takes_a_criterion_in_any_case(capsys: pytest.CaptureFixture[str],
                                             name: str) -> None:
    code, out, err = run(capsys, "learn", name, "--plain")
    assert (code, err) == (0, "")
    assert out.startswith("+- D  Negative changes in thinking and mood")


def test_learn_same_text_for_d_and_D(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "learn", "d")[1] == run(capsys, "learn", "D")[1]
    assert run(capsys, "learn", "WITH_DELAYED_EXPRESSION")[1] == \
        run(capsys, "learn", "with_delayed_expression")[1]


@pytest.mark.parametrize(("argv", "expected"), [
    (["learn", "Z"], "dsm5check learn: no criterion or specifier 'Z' (known: A, B, C, D, E, F,"
                     " G, H, with_dissociative_symptoms, with_delayed_expression, acute, chronic,"
                     " with_delayed_onset)\n"),
    (["learn", "with_delayed"], "dsm5check learn: no criterion or specifier 'with_delayed';"
                                " did you mean 'with_delayed_onset' or"
                                " 'with_delayed_expression'?"),
    (["learn", "B9"], "did you mean 'B'?"),
    (["quiz", "--vignette", "nope", "--plain"],
     "dsm5check quiz: no vignette 'nope' (`dsm5check quiz --list` lists them)\n"),
    (["quiz", "--vignette", "v01-motorway-crsh", "--plain"],
     "dsm5check quiz: no vignette 'v01-motorway-crsh'; did you mean 'v01-motorway-crash'?"),
    (["what-if", VET, "--max-changes", "0"],
     "dsm5check what-if: --max-changes: expected a number from 1 to 8, not 0\n"),
    (["learn", "--rules", "dsm5-ptds"], "dsm5check learn: no ruleset 'dsm5-ptds'; did you mean"
                                        " 'dsm5-ptsd'? (give a YAML file or a shipped id:"),
    (["learn", "--rules", "missing.yaml"], "dsm5check learn: no such ruleset file: missing.yaml\n"),
    (["score", "--instrument", "pcl5"],
     "dsm5check score: expected a data file (or - for stdin) after `score`\n"),
    (["score", "x.csv", "--instrument", "pcl5", "--max-missing", "-1"],
     "dsm5check score: --max-missing: expected a number >= 0, not -1\n"),
])
def test_usage_errors_carry_no_file_position(capsys: pytest.CaptureFixture[str],
                                             argv: list[str], expected: str) -> None:
    code, _out, err = run(capsys, *argv)
    assert code == 2
    assert expected in err if not expected.endswith("\n") else err == expected
    assert ":1:1:" not in err and "Traceback" not in err


def test_interview_usage_errors_carry_no_file_position(tmp_path: Path) -> None:
    from dsm5check.interview.command import draft_exists, new_draft

    args = argparse.Namespace(draft=None, out=str(tmp_path / "a.yaml"), rules=None,
                              no_skip=False)
    (tmp_path / "a.yaml.draft.json").write_text("{}")
    with pytest.raises(UsageError) as err:
        draft_exists(new_draft(args).path)  # checked under the draft's lock
    assert str(err.value).startswith(f"a draft named {tmp_path / 'a.yaml.draft.json'} exists")
    args.out, args.rules = str(tmp_path / "b.yaml"), "dsm5-ptds"
    with pytest.raises(UsageError) as err:
        new_draft(args)
    assert "no ruleset 'dsm5-ptds'; did you mean 'dsm5-ptsd'?" in str(err.value)


def test_problems_about_files_keep_their_position(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(TESTS / "bad" / "garbage.yaml"))
    assert code == 2 and err.startswith(f"{TESTS / 'bad' / 'garbage.yaml'}:")


# -- --rules ID_OR_FILE everywhere ----------------------------------------------------


READERS = {  # every command that reads rules, with arguments that succeed
    "check": ["check", VET],
    "what-if": ["what-if", VET, "--max-changes", "1"],
    "learn": ["learn", "F"],
    "schema": ["schema", "case"],
    "score": ["score", "--instrument", "pcl5", "--emit-sql"],
    "export": ["export", "redcap", "--rules", "dsm5-ptsd"],
    "quiz": ["quiz", "--list", "--rules", "dsm5-ptsd"],
}


def _command_options(name: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {s for a in sub.choices[name]._actions for s in a.option_strings}


def test_every_command_with_rules_is_listed_here() -> None:
    with_rules = {name for name in cli.COMMANDS if "--rules" in _command_options(name)}
    # interview: see the test below; compare takes several (tests/test_compare.py)
    assert with_rules == {*READERS, "interview", "compare"}


@pytest.mark.parametrize("name", sorted(READERS))
@pytest.mark.parametrize("rules", ["dsm5-ptsd", "DSM5-PTSD",
                                   str(ROOT / "rules" / "dsm5-ptsd.yaml")])
def test_rules_takes_an_id_in_any_case_or_a_file(capsys: pytest.CaptureFixture[str],
                                                 name: str, rules: str) -> None:
    code, out, err = run(capsys, *READERS[name], "--rules", rules)
    assert code == 0, err
    assert out


@pytest.mark.parametrize("name", sorted(READERS))
def test_rules_typo_is_one_clear_line(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, _out, err = run(capsys, *READERS[name], "--rules", "dsm5-ptds")
    assert code == 2
    assert err.startswith(f"dsm5check {name}: no ruleset 'dsm5-ptds'; did you mean 'dsm5-ptsd'?")
    assert err.count("\n") == 1


def test_rules_show_takes_an_id_in_any_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "rules", "show", "DSM5-ptsd")[0] == 0
    code, _, err = run(capsys, "rules", "show", "dsm5ptsd")
    assert code == 2 and "did you mean 'dsm5-ptsd'?" in err


def test_learn_with_another_ruleset_by_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "learn", "s", "--rules", TOY, "--plain")
    assert code == 0 and out.startswith("+- S  Weariness")


def test_interview_rules_takes_an_id_or_a_file(tmp_path: Path) -> None:
    from dsm5check.interview.command import new_draft

    def draft(rules: str) -> tuple[str, bool]:
        args = argparse.Namespace(draft=None, out=str(tmp_path / f"{len(rules)}.yaml"),
                                  rules=rules, no_skip=False)
        d = new_draft(args)
        return d.rules, d.rules_is_file

    assert draft("DSM5-PTSD") == ("dsm5-ptsd", False)
    assert draft(TOY) == (str(Path(TOY).resolve()), True)


# -- help text for every option -------------------------------------------------------


def test_every_option_and_argument_has_help_text() -> None:
    missing = []
    for parser in parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                missing += [f"{parser.prog} {n}" for n in action.choices if not helps.get(n)]
                continue
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"{parser.prog} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "70 internal error" in flat and "2 bad input or usage" in flat


# -- exit codes: only documented ones -------------------------------------------------


def _argv_matrix(tmp: Path) -> list[list[str]]:
    bad = str(TESTS / "bad" / "garbage.yaml")
    csv = tmp / "items.csv"
    csv.write_text("B1,B2\n1,2\n")
    wrong = tmp / "wrong.yaml"
    wrong.write_text((EXAMPLES / "vet-014.yaml").read_text().replace(
        "diagnosis: met", "diagnosis: not_met"))
    return [
        ["check", str(wrong)],
        [], ["--help"], ["--version"], ["nope"],
        ["check", VET], ["check", bad], ["check", str(tmp / "missing.yaml")],
        ["check", VET, "--format", "json"], ["check", VET, "--rules", "x"],
        ["check", str(CASES), "--format", "jsonl"],
        ["rules", "list"], ["rules", "show", "dsm5-ptsd"], ["rules", "show", "nope"],
        ["rules", "validate", str(ROOT / "rules" / "dsm5-ptsd.yaml")], ["rules", "validate", bad],
        ["rules"], ["schema", "case"], ["schema", "ruleset"], ["schema", "case", "--rules", "none"],
        ["schema", "nope"],
        ["score", "--instrument", "pcl5", "--emit-sql"],
        ["score", str(csv), "--instrument", "pcl5"],
        ["score", str(tmp / "missing.csv"), "--instrument", "pcl5"], ["score"],
        ["learn"], ["learn", "d"], ["learn", "nope"], ["learn", "--rules", "nope"],
        ["quiz", "--list"], ["quiz", "--vignette", "nope", "--plain"], ["quiz", "--seed", "1"],
        ["quiz", "--seed", "1", "--plain"],
        ["quiz", "--progress", str(tmp / "no-log.jsonl")],
        ["what-if", VET], ["what-if", bad], ["what-if", VET, "--max-changes", "99"],
        ["interview"], ["interview", "--resume", str(tmp / "missing.draft.json")],
        ["export", "redcap"], ["export", "fhir-questionnaire", "--rules", "nope"],
        ["compare", VET, "--rules", "dsm5-ptsd,icd11-ptsd"], ["compare", bad],
    ]


def test_every_command_returns_only_documented_codes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    seen: dict[int, list[str]] = {}
    for argv in _argv_matrix(tmp_path):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        code = main(argv)
        capsys.readouterr()
        seen.setdefault(code, []).append(" ".join(argv))
    assert set(seen) <= set(EXIT_CODES), seen
    assert {0, 1, 2, 130} <= set(seen), seen  # the matrix reaches each ordinary outcome
    assert EXIT_INTERNAL not in seen, seen.get(EXIT_INTERNAL, "")
    for command in cli.COMMANDS:  # each command was run at least once
        assert any(a.split(" ")[0] == command for codes in seen.values() for a in codes)


def test_exit_codes_are_documented_where_users_read() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text()
    table = [line for line in docs.splitlines() if line.startswith("| ") and "|" in line[2:]]
    documented = {int(line.split("|")[1]) for line in table if line.split("|")[1].strip().isdigit()}
    assert documented == set(EXIT_CODES)


# -- internal errors ------------------------------------------------------------------


def _crash(args: argparse.Namespace) -> int:
    raise ZeroDivisionError("a bug")


def test_a_crash_is_exit_70_with_a_short_message(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import dsm5check.commands.learn as learn

    monkeypatch.setattr(learn, "run", _crash)
    code, _out, err = run(capsys, "learn")
    assert code == EXIT_INTERNAL == 70
    assert err.startswith("dsm5check: internal error (a bug in dsm5check, not a problem with"
                          " your input): ZeroDivisionError: a bug\n")
    assert "Please report it to the dsm5check issue tracker" in err
    assert "Traceback" not in err and len(err.splitlines()) == 2


@pytest.mark.parametrize("argv", [["--debug", "learn"], ["learn", "--debug"]])
def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    import dsm5check.commands.learn as learn

    monkeypatch.setattr(learn, "run", _crash)
    code, _, err = run(capsys, *argv)
    assert code == 70
    assert "Traceback (most recent call last)" in err and "ZeroDivisionError: a bug" in err
    assert "internal error" in err


def test_a_crash_is_exit_70_from_the_console_script(tmp_path: Path) -> None:
    """The real process exit status, as a script sees it."""
    code = (
        "import dsm5check.commands.learn as m\n"
        "def boom(args):\n    raise KeyError('x')\n"
        "m.run = boom\n"
        "from dsm5check.cli import run\nrun()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "learn"], capture_output=True,
                          text=True, cwd=tmp_path, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 70
    assert "internal error" in proc.stderr and "Traceback" not in proc.stderr


def test_input_errors_and_interrupts_keep_their_codes(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import dsm5check.commands.learn as learn

    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(learn, "run", interrupted)
    assert run(capsys, "learn")[0] == 130


def test_one_case_is_one_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's finding: a table of one case said "1 cases"."""
    (tmp_path / "a.yaml").write_text((EXAMPLES / "vet-014.yaml").read_text())
    (tmp_path / "b.yaml").write_text("id: broken\nsymptoms: [unclosed\n")
    main(["check", str(tmp_path)])
    out = capsys.readouterr().out
    assert "1 case\n" in out or "1 case " in out
    assert "1 cases" not in out


def test_check_in_process_leaves_the_garbage_collector_alone(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The program tunes the collector for a batch (launch.settle_for_batch); a caller
    of cli.main in its own process keeps its own settings."""
    import gc

    before = gc.get_threshold(), gc.get_freeze_count()
    assert main(["check", str(EXAMPLES / "vet-014.yaml"), "--format", "jsonl"]) == 0
    capsys.readouterr()
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_the_program_tunes_the_collector_for_a_batch(tmp_path: Path) -> None:
    """Started as the program, check collects young objects less often
    (launch.settle_for_batch)."""
    probe = ("import gc, runpy, sys\n"
             "import dsm5check.check.batch as batch\n"
             "check_paths = batch.check_paths\n"
             "def seen(*args, **kwargs):\n"
             "    print(gc.get_threshold()[0], file=sys.stderr)\n"
             "    return check_paths(*args, **kwargs)\n"
             "batch.check_paths = seen\n"
             "sys.argv = ['dsm5check', 'check', sys.argv[1], '--format', 'jsonl']\n"
             "runpy.run_module('dsm5check', run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", probe, str(EXAMPLES / "vet-014.yaml")],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.split()[-1:] == ["20000"]
