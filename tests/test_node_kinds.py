"""Node kinds have one dispatch (engine/kinds.py), and mypy enforces completeness.

A new node kind is one change: its model, a ``visit_<kind>`` on NodeVisitor and
its case in ``visit``; mypy --strict then names every consumer (each a
``@final`` NodeVisitor) that lacks the method, and every ``match`` over kinds
that lacks the case. These tests check that every consumer goes through that
one place, and run mypy on small programs to show each omission is an error.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import typing
from pathlib import Path

from dsm5check.engine import kinds, rules_model
from dsm5check.engine.kinds import NodeVisitor, children, kind_of, visit
from dsm5check.engine.outcome import ResultKind
from dsm5check.engine.rules_model import Kind, NodeModel
from tests.conftest import ROOT

NODE_CLASSES = typing.get_args(NodeModel)

#: one node of each kind, as a ruleset's YAML gives it
SAMPLES: dict[str, dict[str, object]] = {
    "all": {"all": [{"item": "B1"}]},
    "any": {"any": [{"item": "B1"}]},
    "at_least": {"at_least": 1, "of": [{"item": "B1"}]},
    "not": {"not": {"item": "B1"}},
    "item": {"item": "B1"},
    "criterion": {"criterion": "A"},
    "fact": {"fact": "event.nature", "equals": "x"},
    "months": {"months": {"from": "event.date", "to": "timeline.assessed"}, "at_least": 1},
    "for_any": {"for_any": "events", "as": "event", "where": {"item": "B1"}},
}

#: the modules whose visitors are the consumers of node kinds
CONSUMERS = (
    "dsm5check.engine.kinds",
    "dsm5check.engine.nodes",
    "dsm5check.engine.paths",
    "dsm5check.render.rules_view",
    "dsm5check.score.compile_sql",
    "dsm5check.score.columns",
    "dsm5check.teach.thresholds",
    "dsm5check.interview.deps",
)


def _node(kind: str) -> NodeModel:
    from pydantic import TypeAdapter

    node: NodeModel = TypeAdapter(rules_model.Rule).validate_python(SAMPLES[kind])
    return node


#: the model class of each kind, by name
CLASS_OF = {kind: type(_node(kind)).__name__ for kind in SAMPLES}


def test_every_kind_has_a_sample_a_class_and_a_visit_method() -> None:
    from pydantic import TypeAdapter

    assert set(typing.get_args(Kind)) == set(SAMPLES) == set(rules_model.RULE_TAGS)
    for kind in SAMPLES:  # a model (not only a mapping) is told apart too
        node = _node(kind)
        assert TypeAdapter(rules_model.Rule).validate_python(node) == node
    assert len(NODE_CLASSES) == len(SAMPLES)
    abstract = set(NodeVisitor.__abstractmethods__)
    assert abstract == {f"visit_{k}" for k in SAMPLES}
    assert sorted(CLASS_OF.values()) == sorted(c.__name__ for c in NODE_CLASSES)


def test_visit_calls_the_method_of_the_nodes_kind() -> None:
    # a visitor whose every method answers its own name
    methods = {name: (lambda self, node, name=name: name)
               for name in NodeVisitor.__abstractmethods__}
    Record = type("Record", (NodeVisitor,), methods)
    for kind in SAMPLES:
        node = _node(kind)
        assert kind_of(node) == kind
        assert visit(node, Record()) == f"visit_{kind}"
    assert children(_node("for_any")) == (_node("item"),)
    assert children(_node("item")) == ()


def test_every_consumer_is_a_complete_final_visitor() -> None:
    for name in CONSUMERS:
        importlib.import_module(name)
    found: list[type] = []
    todo = list(NodeVisitor.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    mine = [c for c in found if c.__module__.startswith("dsm5check.")]
    assert {c.__module__ for c in mine} == set(CONSUMERS)
    for cls in mine:
        assert not inspect.isabstract(cls), f"{cls.__qualname__} lacks {cls.__abstractmethods__}"
        assert getattr(cls, "__final__", False), f"{cls.__qualname__} is not @final"


def _isinstance_kinds(test: ast.expr) -> set[str]:
    """Node classes a condition tests with isinstance (itself or under and/or/not)."""
    names = {c.__name__ for c in NODE_CLASSES}
    if isinstance(test, ast.BoolOp):
        return set().union(*(_isinstance_kinds(v) for v in test.values))
    if isinstance(test, ast.UnaryOp):
        return _isinstance_kinds(test.operand)
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
            and test.func.id == "isinstance" and len(test.args) == 2):
        kind = test.args[1]
        parts = kind.elts if isinstance(kind, ast.Tuple) else [kind]
        flat: list[ast.expr] = []
        while parts:  # X | Y
            p = parts.pop()
            if isinstance(p, ast.BinOp):
                parts += [p.left, p.right]
            else:
                flat.append(p)
        return {p.id for p in flat if isinstance(p, ast.Name) and p.id in names}
    return set()


def _chains(tree: ast.AST) -> list[tuple[int, set[str]]]:
    """Each isinstance chain over node kinds: the ifs and elifs that are statements
    of one block, or one chain of conditional expressions (line, kinds tested)."""
    classes = {c.__name__ for c in NODE_CLASSES}
    found: list[tuple[int, set[str]]] = []
    tails = {id(n.orelse) for n in ast.walk(tree) if isinstance(n, ast.IfExp)}
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list) or not block or not isinstance(block[0], ast.stmt):
                continue
            if isinstance(node, ast.If) and field == "orelse" and len(block) == 1 and (
                    isinstance(block[0], ast.If)):
                continue  # an elif: counted with the if it continues
            tested: set[str] = set()
            for stmt in block:
                branch: ast.stmt | None = stmt
                while isinstance(branch, ast.If):
                    tested |= _isinstance_kinds(branch.test)
                    branch = branch.orelse[0] if len(branch.orelse) == 1 else None
            if tested:
                found.append((block[0].lineno, tested))
        if isinstance(node, ast.IfExp) and id(node) not in tails:
            tested = set()
            expr: ast.expr = node
            while isinstance(expr, ast.IfExp):
                tested |= _isinstance_kinds(expr.test)
                expr = expr.orelse
            found.append((node.lineno, tested))
        if isinstance(node, ast.match_case) and isinstance(node.pattern, ast.MatchClass):
            cls = node.pattern.cls
            if isinstance(cls, ast.Name) and cls.id in classes:
                found.append((node.pattern.lineno, {cls.id, "a match statement"}))
    return found


def test_no_other_module_dispatches_on_node_kinds() -> None:
    """Outside kinds.py no chain of ifs tests three or more node kinds, and no
    match statement takes node classes apart: either would be a second dispatch
    that a new kind could silently miss. Picking one or two kinds out of
    ``walk(rule)`` is fine (``walk`` itself goes through kinds.py)."""
    offenders = []
    for path in sorted((ROOT / "dsm5check").rglob("*.py")):
        if path == Path(kinds.__file__):
            continue
        for line, tested in _chains(ast.parse(path.read_text(), str(path))):
            if len(tested) >= 3 or "a match statement" in tested:
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {sorted(tested)}")
    assert not offenders, "dispatch on node kinds outside engine/kinds.py:\n" + "\n".join(
        offenders)


def test_the_dispatch_finder_finds_a_chain() -> None:
    """What the test above looks for, in the shapes the old dispatches had."""
    chains = ast.parse(
        "def f(n):\n"
        "    if isinstance(n, AllNode):\n        return 1\n"
        "    if isinstance(n, AnyNode | NotNode):\n        return 2\n"
        "def g(n):\n"
        "    for k in n:\n"
        "        if isinstance(k, ItemNode):\n            pass\n"
        "        elif isinstance(k, FactNode):\n            pass\n"
        "        elif x and isinstance(k, (MonthsNode, ForAnyNode)):\n            pass\n"
        "def h(n):\n"
        "    return n.all if isinstance(n, AllNode) else n.any if isinstance(n, AnyNode)"
        " else n.of if isinstance(n, AtLeastNode) else ()\n"
        "def m(n):\n"
        "    match n:\n        case ItemNode():\n            pass\n"
        "def ok(n):\n"
        "    if isinstance(n, ItemNode):\n        pass\n"
        "    for k in n:\n"
        "        if isinstance(k, CriterionNode):\n            pass\n"
        "    if isinstance(n, ForAnyNode):\n        pass\n"
    )
    wide = sorted(sorted(t) for _line, t in _chains(chains)
                  if len(t) >= 3 or "a match statement" in t)
    assert wide == [["AllNode", "AnyNode", "AtLeastNode"], ["AllNode", "AnyNode", "NotNode"],
                    ["FactNode", "ForAnyNode", "ItemNode", "MonthsNode"],
                    ["ItemNode", "a match statement"]]


# --- mypy enforces completeness ---------------------------------------------------------

_VISITOR_HEAD = """
from typing import final

from dsm5check.engine.kinds import NodeVisitor
from dsm5check.engine.rules_model import (
    AllNode, AnyNode, AtLeastNode, CriterionNode, FactNode, ForAnyNode, ItemNode,
    MonthsNode, NotNode,
)
"""


def _visitor(name: str, skip: str = "", final: bool = True) -> str:
    body = "".join(
        f"    def visit_{k}(self, node: {cls}) -> str:\n        return '{k}'\n\n"
        for k, cls in CLASS_OF.items() if k != skip
    )
    deco = "@final\n" if final else ""
    return f"\n\n{deco}class {name}(NodeVisitor[str]):\n{body}"


def _dispatcher(skip: str) -> str:
    cases = "".join(
        f"        case {cls}():\n            return '{k}'\n"
        for k, cls in CLASS_OF.items() if k != skip
    )
    return (
        "\n\nfrom typing import assert_never\n"
        "from dsm5check.engine.rules_model import *  # noqa: F403\n"
        "from dsm5check.engine.rules_model import NodeModel\n\n\n"
        "def dispatch(node: NodeModel) -> str:\n"
        "    match node:\n"
        f"{cases}"
        "        case _:\n"
        "            assert_never(node)\n"
    )


def _result_kinds(skip: str) -> str:
    every = [k for lit in typing.get_args(ResultKind) for k in typing.get_args(lit)]
    kinds_ = [k for k in every if k != skip]
    alts = " | ".join(f'"{k}"' for k in kinds_)
    return (
        "\n\nfrom typing import assert_never\n"
        "from dsm5check.engine.outcome import ResultKind\n\n\n"
        "def explain(kind: ResultKind) -> str:\n"
        "    match kind:\n"
        f"        case {alts}:\n"
        "            return kind\n"
        "        case _:\n"
        "            assert_never(kind)\n"
    )


def _mypy(tmp_path: Path, programs: dict[str, str]) -> dict[str, str]:
    """mypy --strict (the project's settings) on each program; its output per program.

    A cache of its own: mypy's shared cache would mix up these throwaway modules
    with those of an earlier run (same names, other folder)."""
    for name, text in programs.items():
        (tmp_path / f"{name}.py").write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(tmp_path / "mypy-cache"),
         *[str(tmp_path / f"{n}.py") for n in programs]],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert "error: " in proc.stdout or proc.returncode == 0, proc.stdout + proc.stderr
    return {n: "\n".join(line for line in proc.stdout.splitlines()
                         if line.startswith(str(tmp_path / f"{n}.py")))
            for n in programs}


def test_mypy_rejects_every_incomplete_consumer(tmp_path: Path) -> None:
    missing = "months"
    got = _mypy(tmp_path, {
        # the controls: complete, so mypy says nothing
        "complete": _VISITOR_HEAD + _visitor("Complete") + "\n\nComplete()\n",
        "complete_match": _dispatcher(skip="") + _result_kinds(skip=""),
        # a consumer written for the kinds minus one
        "final_visitor": _VISITOR_HEAD + _visitor("Partial", skip=missing),
        "used_visitor": _VISITOR_HEAD + _visitor("Partial", skip=missing, final=False)
        + "\n\nPartial()\n",
        "dispatch": _dispatcher(skip="for_any"),
        "result_kinds": _result_kinds(skip="element"),
    })
    assert got["complete"] == "", got["complete"]
    assert got["complete_match"] == "", got["complete_match"]
    assert 'Final class final_visitor.Partial has abstract attributes "visit_months"' in (
        got["final_visitor"]), got["final_visitor"]
    assert ('Cannot instantiate abstract class "Partial" with abstract attribute'
            ' "visit_months"') in got["used_visitor"], got["used_visitor"]
    assert '"assert_never" has incompatible type "ForAnyNode"' in got["dispatch"], (
        got["dispatch"])
    assert "\"assert_never\" has incompatible type \"Literal['element']\"" in (
        got["result_kinds"]), got["result_kinds"]
