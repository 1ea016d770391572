"""FHIR R4 resources with the ``fhir.resources`` models (its R4B package, which
matches R4 for Questionnaire, QuestionnaireResponse, Observation and Bundle).

* :func:`questionnaire` — a Questionnaire generated from a ruleset's form
  (item codes, answer options for the scales, enableWhen where the interview
  skips);
* :func:`response` — a QuestionnaireResponse holding a case's answers (what
  ``interview --fhir`` saves) and :func:`case_from_response`, its inverse, with
  which ``check`` reads such a response as a case;
* :func:`observation` / :func:`bundle` — a verdict as an Observation: the
  diagnosis with a component per criterion and specifier, each with its
  three-valued status (never a boolean), and the ruleset's id, version and sha256.

Codes: our own items, statuses and rulesets live in dsm5check's own ``urn:dsm5check:``
namespace; standard codes (ICD-10-CM, ICD-11 MMS) come only from a ruleset's
``diagnosis.codes`` (docs/exchange.md cites their sources). fhir.resources is an
optional extra (``pip install 'dsm5check[fhir]'``), imported only here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dsm5check.engine.results import CaseResult
from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.errors import UsageError
from dsm5check.exchange.form import Condition, Form, FormField, Option, Section, build_form

NS = "urn:dsm5check"
STATUS_SYSTEM = f"{NS}:status"
STATUS_DISPLAY = {"met": "met", "not_met": "not met", "indeterminate": "undecided"}
SHA_EXTENSION = f"{NS}:ruleset-sha256"


def _require() -> None:
    try:
        import fhir.resources  # noqa: F401
    except ImportError:
        raise UsageError("FHIR support needs the fhir extra:"
                         " pip install 'dsm5check[fhir]'") from None


def canonical(ruleset_id: str) -> str:
    return f"{NS}:questionnaire:{ruleset_id}"


# -- Questionnaire --------------------------------------------------------------------------


def questionnaire(loaded: LoadedRuleset) -> Any:
    """The ruleset's interview as a FHIR R4 Questionnaire (validated by the models)."""
    _require()
    from fhir.resources.R4B.questionnaire import Questionnaire

    form = build_form(loaded)
    rules = loaded.rules
    data: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "url": canonical(rules.id),
        "version": rules.version,
        "name": "".join(p.capitalize() for p in rules.id.replace(".", "-").split("-")),
        "title": rules.title,
        "status": "active",
        "description": (rules.disclaimer or "").strip() or None,
        "code": _diagnosis_codings(loaded) or None,
        "item": [_section_item(form, s) for s in form.sections],
    }
    return Questionnaire.model_validate({k: v for k, v in data.items() if v is not None})


def _item_system(form: Form) -> str:
    return f"{NS}:{form.ruleset_id}:item"


def _section_item(form: Form, section: Section) -> dict[str, Any]:
    if section.collection is None:
        children = [_field_item(form, f) for f in section.fields]
    else:
        gate = [f for f in section.fields if f.role == "any"]
        inner = [f for f in section.fields if f.role != "any"]
        group = {"linkId": section.collection, "type": "group", "repeats": True,
                 "text": f"one {section.collection} each",
                 "item": [_field_item(form, f) for f in inner]}
        if gate:
            group["enableWhen"] = [{"question": gate[0].link_id, "operator": "=",
                                    "answerBoolean": True}]
        children = [*(_field_item(form, f) for f in gate), group]
    return {"linkId": section.link_id, "type": "group", "text": section.title, "item": children}


def _field_item(form: Form, f: FormField) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": f.link_id, "text": f.text, "prefix": f.label}
    if f.kind == "rating":
        item["type"] = "choice"
        item["answerOption"] = [{"valueCoding": _option_coding(form, f, o)} for o in f.options]
    elif f.kind in ("choice", "multi"):
        item["type"] = "choice"
        item["repeats"] = f.kind == "multi"
        item["answerOption"] = [{"valueCoding": _option_coding(form, f, o)} for o in f.options]
    else:
        item["type"] = f.kind
    if f.code and f.role == "answer":
        item["code"] = [{"system": _item_system(form), "code": f.code, "display": f.label}]
    if f.help:
        item["item"] = [{"linkId": f"{f.link_id}.help", "type": "display", "text": f.help}]
    return _with_conditions(form, item, f.show_when)


def _with_conditions(form: Form, item: dict[str, Any],
                     show_when: tuple[tuple[Condition, ...], ...]) -> dict[str, Any]:
    """FHIR has one enableBehavior per item: the first OR-set goes on the item,
    each further set on a wrapping group, so the AND of ORs holds."""
    if not show_when:
        return item
    first, *rest = show_when
    item["enableWhen"] = [_enable(form, c) for c in first]
    if len(first) > 1:
        item["enableBehavior"] = "any"
    for n, conditions in enumerate(rest, start=1):
        item = {"linkId": f"{item['linkId']}.when{n}", "type": "group", "item": [item],
                "enableWhen": [_enable(form, c) for c in conditions]}
        if len(conditions) > 1:
            item["enableBehavior"] = "any"
    return item


def _enable(form: Form, c: Condition) -> dict[str, Any]:
    if c.value is None:
        return {"question": c.link_id, "operator": "exists", "answerBoolean": False}
    if isinstance(c.value, bool):
        return {"question": c.link_id, "operator": "=", "answerBoolean": c.value}
    target = next((f for f in form.fields() if f.link_id == c.link_id), None)
    if target is not None and target.options:
        option = next((o for o in target.options if o.value == c.value), None)
        if option is not None:
            return {"question": c.link_id, "operator": "=",
                    "answerCoding": _option_coding(form, target, option)}
    if isinstance(c.value, int | float):
        return {"question": c.link_id, "operator": "=", "answerDecimal": c.value}
    return {"question": c.link_id, "operator": "=", "answerString": str(c.value)}


def _option_coding(form: Form, f: FormField, o: Option) -> dict[str, Any]:
    system = f"{NS}:{form.ruleset_id}:scale" if f.kind == "rating" else (
        f"{NS}:{form.ruleset_id}:{f.link_id}")
    return {"system": system, "code": o.code, "display": o.label}


# -- QuestionnaireResponse -------------------------------------------------------------------


def response(loaded: LoadedRuleset, case: Mapping[str, Any], *,
             authored: dt.datetime | None = None) -> Any:
    """A case's answers as a QuestionnaireResponse to :func:`questionnaire`."""
    _require()
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    form = build_form(loaded)
    items = [i for s in form.sections if (i := _section_answers(form, s, case))]
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical(form.ruleset_id)}|{form.version}",
        "status": "completed",
        "identifier": {"system": f"{NS}:case", "value": str(case.get("id", ""))},
        "authored": (authored or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "item": items,
    }
    assessed = _get(case, ("timeline", "assessed"))
    if assessed is not None and authored is None:
        data["authored"] = str(assessed)
    return QuestionnaireResponse.model_validate(data)


def _section_answers(form: Form, section: Section, case: Mapping[str, Any]
                     ) -> dict[str, Any] | None:
    children: list[dict[str, Any]] = []
    if section.collection is None:
        children = [a for f in section.fields if (a := _field_answer(form, f, case))]
    else:
        elements = case.get(section.collection)
        if isinstance(elements, list):
            children.append({"linkId": f"{section.collection}.any",
                             "answer": [{"valueBoolean": bool(elements)}]})
            for element in elements:
                if not isinstance(element, Mapping):
                    continue
                inner = [a for f in section.fields if f.role != "any"
                         if (a := _field_answer(form, f, element))]
                children.append({"linkId": section.collection, "item": inner})
    if not children:
        return None
    return {"linkId": section.link_id, "item": children}


def _field_answer(form: Form, f: FormField, data: Mapping[str, Any]) -> dict[str, Any] | None:
    value = _get(data, f.path)
    if f.kind == "rating" and f.role != "rating_of" and isinstance(value, Mapping):
        value = value.get("severity")
    if f.role == "answer" and f.kind == "boolean" and isinstance(value, Mapping):
        value = True if any(v is not None for v in value.values()) else None
    if value is None:
        return None
    answers = [_answer_value(form, f, v) for v in (value if isinstance(value, list) else [value])]
    answers = [a for a in answers if a is not None]
    return {"linkId": f.link_id, "answer": answers} if answers else None


_WORDS = {"present": True, "absent": False}


def _answer_value(form: Form, f: FormField, value: Any) -> dict[str, Any] | None:
    value = _WORDS.get(value, value) if isinstance(value, str) else value
    if f.options and f.kind != "boolean":
        option = next((o for o in f.options  # True == 1 in Python: compare types too
                       if type(o.value) is type(value) and o.value == value), None)
        if option is not None:
            return {"valueCoding": _option_coding(form, f, option)}
        if isinstance(value, bool):  # an item given as present / absent
            return {"valueBoolean": value}
        return None
    if f.kind == "boolean":
        return {"valueBoolean": bool(value)} if isinstance(value, bool) else None
    if f.kind == "date":
        return {"valueDate": str(value)}
    if f.kind == "decimal":
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def _get(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    cur: Any = data
    for part in path:
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


# -- reading a QuestionnaireResponse as a case -------------------------------------------------

Loc = tuple[str | int, ...]
Converted = tuple[dict[str, Any], dict[tuple[str, ...], Loc], list[tuple[Loc, str]]]


def case_from_response(data: Mapping[str, Any], rulesets: Iterable[str]) -> Converted:
    """A case read from a QuestionnaireResponse's JSON.

    Returns the case, where each case key came from in the response (to put
    problems at the answer's line) and the problems found. Unanswered
    questions are left out of the case: unknown, never absent.
    """
    problems: list[tuple[Loc, str]] = []
    _require()
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
    from pydantic import ValidationError

    try:
        QuestionnaireResponse.model_validate(dict(data))
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            problems.append((loc, f"not a valid FHIR R4 QuestionnaireResponse: {err['msg']}"))
        return {}, {}, problems
    ref = str(data.get("questionnaire", ""))
    base = ref.split("|", 1)[0]
    ruleset_id = base.removeprefix(f"{NS}:questionnaire:")
    if not base.startswith(f"{NS}:questionnaire:") or ruleset_id not in set(rulesets):
        return {}, {}, [(("questionnaire",), f"answers {ref or 'no questionnaire'}; expected"
                         f" one of dsm5check's questionnaires ({canonical('<ruleset id>')})")]
    from dsm5check.engine.registry import shipped

    form = build_form(shipped(ruleset_id))
    by_link = {f.link_id: f for f in form.fields()}
    collections = {s.collection for s in form.sections if s.collection is not None}
    ident = data.get("identifier")
    case_id = ident.get("value") if isinstance(ident, Mapping) else None
    case: dict[str, Any] = {"id": case_id or data.get("id") or "fhir-response",
                            "ruleset": ruleset_id}
    where: dict[tuple[str, ...], Loc] = {("id",): ("identifier", "value")}
    reader = _Reader(form, by_link, collections, problems, where)
    reader.walk(data.get("item") or [], ("item",), case, ())
    return case, where, problems


class _Reader:
    def __init__(self, form: Form, by_link: dict[str, FormField], collections: set[str],
                 problems: list[tuple[Loc, str]], where: dict[tuple[str, ...], Loc]) -> None:
        self.form, self.by_link, self.collections = form, by_link, collections
        self.problems, self.where = problems, where

    def walk(self, items: Any, loc: Loc, target: dict[str, Any], prefix: tuple[str, ...]
             ) -> None:
        for i, it in enumerate(items if isinstance(items, list) else []):
            here = (*loc, i)
            link = str(it.get("linkId", ""))
            if link in self.collections and "answer" not in it:
                element: dict[str, Any] = {}
                elements = target.setdefault(link, [])
                self.walk(it.get("item") or [], (*here, "item"), element,
                          (link, str(len(elements))))
                elements.append(element)
                continue
            if link.endswith(".any") and link[:-4] in self.collections:
                answer = (it.get("answer") or [{}])[0]
                if answer.get("valueBoolean") is False:
                    target.setdefault(link[:-4], [])
                continue
            f = self.by_link.get(link)
            if f is None:
                self.walk(it.get("item") or [], (*here, "item"), target, prefix)
                continue
            self.read(f, it.get("answer") or [], (*here, "answer"), target, prefix)
            self.walk(it.get("item") or [], (*here, "item"), target, prefix)

    def read(self, f: FormField, answers: list[Any], loc: Loc, target: dict[str, Any],
             prefix: tuple[str, ...]) -> None:
        values = [v for n, a in enumerate(answers) if (v := self.value(f, a, (*loc, n)))
                  is not _BAD]
        if not values:
            return
        value: Any = values if f.kind == "multi" else values[0]
        path = f.path
        if f.role == "answer" and f.kind == "boolean" and isinstance(_get(target, path), dict):
            return  # ratings given as well: they say more than yes / no
        if f.role == "rating_of":
            parent = _get(target, path[:-1])
            if not isinstance(parent, dict):
                _put(target, path[:-1], {})
        elif f.role == "onset":
            severity = _get(target, path[:-1])
            if not isinstance(severity, dict):
                _put(target, path[:-1], {"severity": severity})
        elif f.kind == "rating" and isinstance(_get(target, path), dict):
            path = (*path, "severity")
        _put(target, path, value)
        self.where[(*prefix, *path)] = (*loc, 0)  # the (first) answer

    def value(self, f: FormField, answer: Any, loc: Loc) -> Any:
        if not isinstance(answer, Mapping):
            return _BAD
        for key, raw in answer.items():
            if not key.startswith("value"):
                continue
            if key == "valueCoding" and isinstance(raw, Mapping):
                option = next((o for o in f.options if o.code == str(raw.get("code"))), None)
                if option is None:
                    codes = ", ".join(o.code for o in f.options)
                    self.problems.append(((*loc, key, "code"), f"{f.label}: code"
                                          f" {raw.get('code')!r} is not an answer of this"
                                          f" question; expected one of {codes}"))
                    return _BAD
                return option.value
            if key == "valueBoolean" and f.kind in ("boolean", "rating"):
                return raw  # a rated item may be answered present / absent
            if key == "valueDate" and f.kind == "date":
                return raw
            if key in ("valueDecimal", "valueInteger") and f.kind in ("decimal", "rating"):
                return raw
            if key == "valueString" and f.kind == "string":
                return raw
            self.problems.append(((*loc, key), f"{f.label}: a {key} answer does not fit this"
                                  f" question (expected {_expected(f)})"))
            return _BAD
        return _BAD


_BAD = object()


def _expected(f: FormField) -> str:
    return {"rating": "valueCoding, valueInteger or valueBoolean", "choice": "valueCoding",
            "multi": "valueCoding", "boolean": "valueBoolean", "date": "valueDate",
            "decimal": "valueDecimal", "string": "valueString"}[f.kind]


def _put(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    cur = data
    for part in path[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = cur[part] = {}
        cur = nxt
    cur[path[-1]] = value


# -- Observation -------------------------------------------------------------------------------


def _diagnosis_codings(loaded: LoadedRuleset) -> list[dict[str, Any]]:
    rules = loaded.rules
    out: list[dict[str, Any]] = []
    for c in rules.diagnosis.codes:
        out.append({k: v for k, v in (("system", c.system), ("code", c.code),
                                      ("display", c.display)) if v})
    return out


def _status(status: str) -> dict[str, Any]:
    return {"coding": [{"system": STATUS_SYSTEM, "code": status,
                        "display": STATUS_DISPLAY[status]}], "text": STATUS_DISPLAY[status]}


def observation(result: CaseResult, loaded: LoadedRuleset | None = None) -> Any:
    """One case's verdict as a FHIR R4 Observation."""
    _require()
    from fhir.resources.R4B.observation import Observation

    from dsm5check.engine.registry import shipped

    if loaded is None or loaded.rules.id != result.ruleset_id:
        loaded = shipped(result.ruleset_id)
    rid = result.ruleset_id
    codings = [{"system": f"{NS}:ruleset", "code": rid, "display": result.diagnosis_title}]
    codings += _diagnosis_codings(loaded)
    components = [
        {"code": {"coding": [{"system": f"{NS}:{rid}:criterion", "code": c.id,
                              "display": c.title}], "text": f"criterion {c.id}"},
         "valueCodeableConcept": _status(c.status)}
        for c in result.criteria
    ] + [
        {"code": {"coding": [{"system": f"{NS}:{rid}:specifier", "code": s.id,
                              "display": s.title}], "text": f"specifier {s.title}"},
         "valueCodeableConcept": _status(s.status)}
        for s in result.specifiers
    ]
    data = {
        "resourceType": "Observation",
        "status": "final",
        "identifier": [{"system": f"{NS}:case", "value": result.case_id}],
        "code": {"coding": codings, "text": f"{result.diagnosis_title} ({rid})"},
        "valueCodeableConcept": _status(result.diagnosis),
        "method": {"coding": [{"system": f"{NS}:ruleset", "code": rid,
                               "version": result.ruleset_version}],
                   "text": f"dsm5check ruleset {rid} {result.ruleset_version}"},
        "extension": [{"url": SHA_EXTENSION, "valueString": result.ruleset_sha256}],
        "note": [{"text": "Checked with dsm5check, a teaching and decision-support aid,"
                          " not a diagnostic device."}],
        "component": components,
    }
    return Observation.model_validate(data)


def bundle(results: Iterable[CaseResult]) -> Any:
    """Verdicts as a FHIR R4 Bundle (type collection) of Observations."""
    _require()
    from fhir.resources.R4B.bundle import Bundle

    entries = [{"resource": observation(r)} for r in results]
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection",
                                  "entry": entries})


def dump(resource: Any) -> str:
    """A resource as indented JSON text (fhir.resources' own serializer)."""
    text: str = resource.model_dump_json(indent=2, exclude_none=True)
    return text + "\n"
