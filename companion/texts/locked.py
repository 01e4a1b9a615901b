"""Safety values an association's pack (overlay) may not change.

An overlay may add its own contact details (``association_phone`` and any new
value or region word) and may say how to reach a GP out of hours where the
built-in text leaves room (in the Netherlands, the huisartsenpost and its phone
number). It may never change (clinical brief sections 2 and 7):

- the emergency number: ``emergency_number`` is ``112`` in every region, also
  in a region an overlay adds;
- a number the built-in regions give, such as Belgium's out-of-hours number
  ``out_of_hours_number: 1733`` (:data:`LOCKED_REGION_VALUES`); nor may a
  region word of the same name shadow it (``region.be.emergency_number``);
- a built-in region word that names such a number (``region.be.out_of_hours``:
  "... op 1733"): the overlay's word must still name it;
- the region word for whom to call, ``gp`` (:data:`LOCKED_REGION_WORDS`);
- an escalation text (:func:`is_escalation_text`): the ends of triage and
  check-in that send the patient to a doctor (``end.emergency.*``,
  ``end.gp_today.*``, ``end.gp_soon.*``), the safety nets and alarm-sign lists
  (:data:`ESCALATION_KEYS`), the check-in advice (``checkin.advice.*``) and any
  built-in text that uses ``{emergency_number}`` or ``{out_of_hours_number}``.
  The overlay may repeat such a text word for word, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from companion.files.untrusted import Message
from companion.files.yamlfiles import key_line, read_yaml
from companion.texts.content import REGION_PREFIX, Content, ContentError
from companion.texts.i18n import N_

EMERGENCY_NUMBER = "112"
BRIEF_NUMBERS: dict[str, dict[str, str]] = {"BE": {"out_of_hours_number": "1733"}}
"""Numbers the clinical brief (section 7) fixes per region, besides 112 everywhere."""
LOCKED_REGION_VALUES = ("emergency_number", "out_of_hours_number")
LOCKED_REGION_WORDS = ("gp",)
ESCALATION_PREFIXES = ("end.emergency.", "end.gp_today.", "end.gp_soon.", "checkin.advice.")
ESCALATION_KEYS = frozenset(
    {
        "end.safety_net",
        "end.input_closed",
        "triage.intro_emergency",
        "checkin.end.plan_paused",
        "edu.when.alarm",
        "edu.when.gp",
        "edu.when.gp_soon",
        "plan.alarm",
    }
)
LOCKED_PLACEHOLDERS = ("{emergency_number}", "{out_of_hours_number}")

EMERGENCY_LOCKED = N_("The emergency number is always {number}. A pack cannot change it.")
NUMBER_LOCKED = N_("In this region this number is always {number}. A pack cannot change it.")
SHADOWS_NUMBER = N_("A region word cannot replace the number '{name}'. Remove it.")
WORD_KEEPS_NUMBER = N_("This text must still name {number}, as the built-in text does.")
WORD_LOCKED = N_("Whom to call stays as built in: '{text}'.")
ESCALATION_LOCKED = N_(
    "This is an escalation text. A pack cannot change what it tells the patient to do. "
    "Repeat the built-in text, or remove the key."
)


def is_escalation_text(key: str, builtin_text: str) -> bool:
    """Whether the built-in text of ``key`` tells the patient to get help (locked)."""
    return (
        key.startswith(ESCALATION_PREFIXES)
        or key in ESCALATION_KEYS
        or any(placeholder in builtin_text for placeholder in LOCKED_PLACEHOLDERS)
    )


def pack_number_problems(content: Content) -> list[Message]:
    """A complete pack (``--content DIR`` without ``overlay.yaml``) keeps the brief's
    numbers too: 112 in every region, 1733 out of hours in Belgium."""
    path = content.folder / "regions.yaml"
    problems = []
    for code, region in content.regions.items():
        required = {"emergency_number": EMERGENCY_NUMBER, **BRIEF_NUMBERS.get(code, {})}
        for name, number in required.items():
            if region.values.get(name, number) != number:
                keys = [code, "values", name]
                message = EMERGENCY_LOCKED if name == "emergency_number" else NUMBER_LOCKED
                where = _at(path, keys)
                problems.append(Message(message, where=where, field=".".join(keys), number=number))
    return problems


def locked_problems(content: Content, base: Content) -> list[Message]:
    """Every change ``content`` (an overlay) makes to a locked value, placed at its line."""
    if content.overlay is None:
        return []
    return [*_region_value_problems(content, base), *_text_problems(content, base)]


def _region_value_problems(content: Content, base: Content) -> Iterator[Message]:
    path = content.folder / "regions.yaml"
    if not path.exists():
        return
    try:
        data = read_yaml(path, ContentError)
    except ContentError:
        return  # loading the overlay reports it
    if not isinstance(data, dict):
        return
    for code, raw in data.items():
        values = raw.get("values") if isinstance(raw, dict) else None
        if not isinstance(values, dict):
            continue
        for name in LOCKED_REGION_VALUES:
            required = _locked_value(base, str(code), name)
            if name not in values or required is None or str(values[name]) == required:
                continue
            keys = [str(code), "values", name]
            message = EMERGENCY_LOCKED if name == "emergency_number" else NUMBER_LOCKED
            yield Message(message, where=_at(path, keys), field=".".join(keys), number=required)


def _locked_value(base: Content, code: str, name: str) -> str | None:
    region = base.regions.get(code)
    value = region.values.get(name) if region is not None else None
    if name == "emergency_number":
        return value or EMERGENCY_NUMBER
    return value


def _text_problems(content: Content, base: Content) -> Iterator[Message]:
    for language, pack in content.languages.items():
        base_pack = base.languages.get(language)
        if base_pack is None:
            continue
        for key, entry in pack.texts.items():
            origin = Path(entry.origin)
            if not origin.is_relative_to(content.folder):
                continue
            old = base_pack.texts.get(key)
            message = (
                _region_word_problem(key, entry.text, old.text if old else None, base)
                if key.startswith(REGION_PREFIX)
                else _escalation_problem(key, entry.text, old.text if old else None)
            )
            if message is not None:
                yield message.placed(_at(origin, [key]))


def _region_word_problem(key: str, text: str, old: str | None, base: Content) -> Message | None:
    parts = key.split(".")
    if len(parts) < 3:
        return None
    code, name = parts[1].upper(), parts[2]
    field = f"key '{key}'"
    if name in LOCKED_REGION_VALUES:
        return Message(SHADOWS_NUMBER, field=field, name=name)
    if old is None or text == old:
        return None
    if name in LOCKED_REGION_WORDS:
        return Message(WORD_LOCKED, field=field, text=old)
    for number in _locked_numbers(base, code):
        if number in old and number not in text:
            return Message(WORD_KEEPS_NUMBER, field=field, number=number)
    return None


def _locked_numbers(base: Content, code: str) -> list[str]:
    values: Mapping[str, Any] = base.regions[code].values if code in base.regions else {}
    return [str(values[name]) for name in LOCKED_REGION_VALUES if name in values]


def _escalation_problem(key: str, text: str, old: str | None) -> Message | None:
    if old is None or text == old or not is_escalation_text(key, old):
        return None
    return Message(ESCALATION_LOCKED, field=f"key '{key}'")


def _at(path: Path, keys: list[str]) -> str:
    line = key_line(path, keys)
    return f"{path}:{line}" if line is not None else str(path)
