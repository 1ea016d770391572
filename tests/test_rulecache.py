"""The cache of checked rulesets (dsm5check/engine/rulecache.py).

A ruleset from the cache is equal to one parsed afresh; whatever is wrong with
the cache (corrupt, truncated, another version, another code, a folder that
cannot be written, a file someone else could have written) the ruleset is
loaded the ordinary way, silently; an edited ruleset file is parsed again.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from dsm5check.engine import registry, rulecache
from dsm5check.engine import ruleset as ruleset_mod
from dsm5check.engine.ruleset import load_ruleset_file, parse_ruleset
from dsm5check.errors import InputError
from tests.conftest import EXAMPLES, ROOT

RULES = ROOT / "rules"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DSM5CHECK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every real parse (cache miss), by file name."""
    seen: list[str] = []
    real = ruleset_mod._parse_ruleset

    def counting(file: str, raw: bytes, digest: str) -> ruleset_mod.LoadedRuleset:
        seen.append(file)
        return real(file, raw, digest)

    monkeypatch.setattr(ruleset_mod, "_parse_ruleset", counting)
    return seen


def _load(name: str = "dsm5-ptsd") -> ruleset_mod.LoadedRuleset:
    path = RULES / f"{name}.yaml"
    return parse_ruleset(str(path), path.read_bytes())


def _cached_files(cache: Path) -> list[Path]:
    return sorted((cache / "rulesets").glob("*.pickle")) if (cache / "rulesets").exists() else []


@pytest.mark.parametrize("name", registry.shipped_ids())
def test_a_hit_gives_an_equal_ruleset(cache: Path, parses: list[str], name: str) -> None:
    first = _load(name)
    assert parses, "the first load parses the file"
    assert any(p.name.startswith(first.sha256) for p in _cached_files(cache))
    parses.clear()
    second = _load(name)
    assert parses == [], "the second load comes from the cache"
    assert second.rules == first.rules
    assert second.rules.model_dump() == first.rules.model_dump()
    assert second.sha256 == first.sha256
    assert second.rules is not first.rules


def test_a_hit_evaluates_every_case_the_same(cache: Path, parses: list[str]) -> None:
    from dsm5check.cases.loading import RulesetResolver, load_case_file
    from dsm5check.engine.evaluate import evaluate

    fresh = _load()
    parses.clear()
    hit = _load()
    assert parses == []
    compared = 0
    for path in sorted([*EXAMPLES.glob("*.yaml"), *(ROOT / "tests" / "cases").rglob("*.yaml")]):
        cases, _problems = load_case_file(str(path), path.read_bytes(), RulesetResolver())
        for case in cases:
            if case.ruleset.rules.id == "dsm5-ptsd":
                assert evaluate(fresh, case.case).to_dict() == evaluate(hit, case.case).to_dict()
                compared += 1
    assert compared >= 10


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong-magic",
                                    "not-a-ruleset"])
def test_a_damaged_cache_file_is_ignored(cache: Path, parses: list[str], damage: str) -> None:
    first = _load()
    (cached,) = _cached_files(cache)
    raw = cached.read_bytes()
    if damage == "garbage":
        cached.write_bytes(rulecache.MAGIC + b"\x80\x05garbage that is no pickle")
    elif damage == "truncated":
        cached.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        cached.write_bytes(b"")
    elif damage == "wrong-magic":
        cached.write_bytes(b"X" + raw[1:])
    else:
        cached.write_bytes(rulecache.MAGIC + pickle.dumps({"key": None, "rules": [1, 2]}))
    parses.clear()
    again = _load()
    assert parses, "a damaged entry is not used"
    assert again.rules == first.rules
    assert pickle.loads(cached.read_bytes()[len(rulecache.MAGIC):])["rules"] == first.rules, (
        "a good entry replaces the damaged one"
    )


def test_a_stale_key_is_not_used(cache: Path, parses: list[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import dsm5check

    _load()
    parses.clear()
    monkeypatch.setattr(dsm5check, "__version__", "999.0")
    _load()
    assert parses, "written by another dsm5check version: parsed again"
    parses.clear()
    _load()
    assert parses == [], "and cached again for this version"
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    _load()
    assert len(parses) == 1, "another Python: parsed again"


def test_a_changed_model_source_is_a_miss(cache: Path, parses: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's edit of the models (same version number) never meets an old pickle."""
    _load()
    parses.clear()
    source = Path(ruleset_mod.__file__)
    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    try:
        _load()
    finally:
        os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert parses


def test_a_changed_crosswalk_source_is_a_miss(cache: Path, parses: list[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """icd11-ptsd reads DSM-5 cases through its crosswalk, checked against dsm5-ptsd's items:
    when that file changes, the crosswalk is checked again."""
    _load("icd11-ptsd")
    parses.clear()
    _load("icd11-ptsd")
    assert parses == []
    real = ruleset_mod.shipped_bytes
    def edited(rid: str) -> bytes | None:
        raw = real(rid)
        return raw + b"\n# edited\n" if raw is not None and rid == "dsm5-ptsd" else raw

    monkeypatch.setattr(ruleset_mod, "shipped_bytes", edited)
    _load("icd11-ptsd")
    assert parses == [str(RULES / "icd11-ptsd.yaml")]


def test_an_edited_ruleset_file_is_parsed_again(cache: Path, parses: list[str],
                                                tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    text = (RULES / "dsm5-ptsd.yaml").read_text(encoding="utf-8")
    mine.write_text(text, encoding="utf-8")
    before = load_ruleset_file(mine)
    parses.clear()
    assert load_ruleset_file(mine).rules.title == before.rules.title
    assert parses == []
    mine.write_text(text.replace(f"title: {before.rules.title}", "title: My edited set", 1),
                    encoding="utf-8")
    after = load_ruleset_file(mine)
    assert parses == [str(mine)]
    assert after.rules.title == "My edited set"


def test_a_broken_file_is_never_cached(cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((RULES / "dsm5-ptsd.yaml").read_text(encoding="utf-8")
                   .replace("diagnosis:", "diagnosis_:", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError):
            load_ruleset_file(bad)
    assert _cached_files(cache) == []


def test_a_cache_folder_that_cannot_be_written(tmp_path: Path, parses: list[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    monkeypatch.setenv("DSM5CHECK_CACHE_DIR", str(in_the_way / "cache"))
    first = _load()
    second = _load()
    assert len(parses) == 2 and second.rules == first.rules


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into a read-only folder anyway")
def test_a_read_only_cache_folder(cache: Path, parses: list[str]) -> None:
    cache.mkdir()
    cache.chmod(0o500)
    try:
        first = _load()
        second = _load()
    finally:
        cache.chmod(0o700)
    assert len(parses) == 2 and second.rules == first.rules
    assert _cached_files(cache) == []


def test_a_file_others_could_write_is_not_read(cache: Path, parses: list[str]) -> None:
    _load()
    (cached,) = _cached_files(cache)
    cached.chmod(0o666)
    parses.clear()
    _load()
    assert parses, "a pickle anyone could have written is never loaded"


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DSM5CHECK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rulecache.cache_dir() == tmp_path / "xdg" / "dsm5check"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert rulecache.cache_dir() == Path.home() / ".cache" / "dsm5check"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert rulecache.cache_dir() == Path.home() / ".cache" / "dsm5check"
    monkeypatch.setenv("DSM5CHECK_CACHE_DIR", str(tmp_path / "mine"))
    assert rulecache.cache_dir() == tmp_path / "mine"


def test_commands_share_the_cache(tmp_path: Path) -> None:
    """check, compare, score-free commands all load through parse_ruleset: a second
    process finds the sets the first one cached, with the same output."""
    folder = tmp_path / "cache"
    env = dict(os.environ, DSM5CHECK_CACHE_DIR=str(folder))
    case = str(EXAMPLES / "vet-014.yaml")
    runs = [
        ["check", case, "--format", "json"],
        ["compare", case, "--rules", "dsm5-ptsd,icd11-ptsd", "--format", "json"],
        ["what-if", case, "--format", "json"],
        ["learn", "B"],
    ]
    outputs = []
    for attempt in range(2):
        for args in runs:
            done = subprocess.run([sys.executable, "-m", "dsm5check", *args], env=env,
                                  capture_output=True, text=True, cwd=tmp_path, check=False)
            assert done.returncode in (0, 1), (args, done.stderr)
            assert done.stderr == "", done.stderr
            outputs.append((attempt, args, done.stdout))
        if attempt == 0:
            names = {p.name.split(".")[0] for p in (folder / "rulesets").glob("*.pickle")}
            assert registry.shipped("dsm5-ptsd").sha256 in names
            assert registry.shipped("icd11-ptsd").sha256 in names
    first = [o for a, _, o in outputs if a == 0]
    second = [o for a, _, o in outputs if a == 1]
    assert first == second
