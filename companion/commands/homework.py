"""Physiotherapist homework plans: checking plan files with line numbers, importing, writing.

A physiotherapist writes a plan as a TOML file (``companion plan new`` asks the questions and
writes one; the format is :class:`companion.care.plan.Plan`). ``companion plan check FILE``
lists every problem by field *and* line; ``companion plan import FILE`` makes it the
patient's current plan (earlier plans stay in the store's history) and the daily check-ins
follow it from then on.

``tomllib`` reports no positions for values, so the line of an offending field is found in the
file text: the ``[[activities]]`` block of its index (or the top of the file, or a ``[table]``),
then the ``key =`` line inside it, falling back to the nearest enclosing key or block header.
For JSON the line is a best effort (the n-th ``"key":`` of that name).

Operator prompts are English (a professional tool): they are all in :data:`PROMPTS`.
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, get_args

from companion.care.plan import (
    MAX_STEP_EVERY_DAYS,
    MAX_TIMES_PER_DAY,
    MAX_WEEKS,
    MIN_WEEKS,
    START_WINDOW,
    ActivityKind,
    Plan,
    PlanError,
    Unit,
    date_window_problems,
    language_fallbacks,
    language_problems,
    load_plan,
    parse_plan,
)
from companion.clock import Clock, FixedClock, SystemClock
from companion.commands.confirm import confirmed
from companion.files.untrusted import (
    PLAN_FILE_LIMIT,
    Message,
    UnsafeFile,
    read_text,
    reader_translations,
    said,
    visible,
)


@dataclass(frozen=True)
class FileProblem:
    """One problem of a plan file: the field (dotted path, may be empty), its line, the message."""

    file: str
    field: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.said()

    def said(self, translations: gettext.NullTranslations | None = None) -> str:
        """The problem with the message in the reader's language (English without a catalog)."""
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        message = said(self.message, translations)
        line = f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"
        return visible(line, multi_line=False)  # a key from the file cannot steer the terminal


def check_plan_file(
    path: Path | str, today: date | None = None, languages: Collection[str] | None = None
) -> tuple[Plan | None, list[FileProblem]]:
    """The plan in ``path`` and no problems, or None and every problem with its line.

    With ``today`` the plan's dates must lie in a window around it
    (:func:`companion.care.plan.date_window_problems`); with ``languages`` (the content
    packs) every text must be in one of them."""
    path = Path(path)
    try:
        plan = load_plan(path, today)
        refused = language_problems(plan, languages) if languages is not None else []
        if refused:
            raise PlanError(str(path), refused)
        return plan, []
    except PlanError as err:
        return None, _problems_by_line(path, err.problems)


def _problems_by_line(path: Path, problems: Sequence[str]) -> list[FileProblem]:
    text = _read(path)
    located = [_located(str(path), p, text, path.suffix.lower()) for p in problems]
    return sorted(located, key=lambda p: p.line if p.line is not None else 1 << 30)


def pack_languages(content_dir: Path | None) -> list[str]:
    """The languages of the content packs the program will show the plan with."""
    from companion.resources import load_content_dir

    return sorted(load_content_dir(content_dir).languages)


def _read(path: Path) -> str:
    """The text again, to find lines in; empty when it cannot be read safely."""
    try:
        return read_text(path, PLAN_FILE_LIMIT)
    except UnsafeFile:
        return ""


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")
_JSON_AT = re.compile(r"\(line (\d+), column \d+\)")
_FIELD = re.compile(r"^([A-Za-z0-9_.]+): (.*)$", re.DOTALL)


def _located(file: str, problem: str, text: str, suffix: str) -> FileProblem:
    if isinstance(problem, Message):
        line = problem.line
        if line is None and problem.field and text:
            path = problem.field.split(".")
            line = toml_line(text, path) if suffix == ".toml" else json_line(text, path)
        return FileProblem(file, problem.field, line, problem)
    for pattern in (_TOML_AT, _JSON_AT):
        found = pattern.search(problem)
        if found:
            return FileProblem(file, "", int(found.group(1)), problem)
    match = _FIELD.match(problem)
    if match is None or not text:
        return FileProblem(file, "", None, problem)
    field, message = match.group(1), match.group(2)
    path = [] if field == "plan" else field.split(".")
    line = toml_line(text, path) if suffix == ".toml" else json_line(text, path)
    return FileProblem(file, field, line, message)


# --- finding lines in TOML -------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*(\]\]?)\s*(#.*)?$")


def _key_line(lines: Sequence[str], first: int, last: int, key: str) -> int | None:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for number in range(first, last):
        if pattern.match(lines[number]):
            return number
    return None


def _inline_key(line: str, key: str) -> bool:
    return re.search(rf"[{{,]\s*\"?{re.escape(key)}\"?\s*=", line) is not None


def toml_line(text: str, path: Sequence[str]) -> int:
    """The 1-based line of the value at ``path`` (``["activities", "1", "goal"]``) in TOML text.

    Falls back to the nearest enclosing key, then to the block header, then line 1.
    """
    lines = text.splitlines()
    headers: list[tuple[int, str, bool]] = []  # (line index, table name, array of tables)
    for number, text_line in enumerate(lines):
        match = _HEADER.match(text_line)
        if match and match.group(1) in ("[", "[["):
            headers.append((number, match.group(2).replace(" ", ""), match.group(1) == "[["))
    if not path:
        return 1

    def block(name: str, index: int | None) -> tuple[int, int] | None:
        """Lines (header, end) of table ``name`` (the ``index``-th for an array of tables)."""
        seen = -1
        for position, (number, table, array) in enumerate(headers):
            if table != name or array != (index is not None):
                continue
            seen += 1
            if index is None or seen == index:
                end = len(lines)
                for later, later_name, _ in headers[position + 1 :]:
                    if not later_name.startswith(name + "."):
                        end = later
                        break
                return number, end
        return None

    top_end = headers[0][0] if headers else len(lines)
    head, *rest = path
    if rest and rest[0].isdigit():
        found = block(head, int(rest[0]))
        if found is None:
            return (_key_line(lines, 0, top_end, head) or 0) + 1
        start, end = found
        keys = rest[1:]
        if not keys:
            return start + 1
        # A sub-table [activities.name] inside this block, or a key / inline table.
        sub_start = next(
            (n for n, table, array in headers if start < n < end and table == f"{head}.{keys[0]}"),
            None,
        )
        if sub_start is not None:
            if len(keys) > 1:
                sub_end = next((n for n, _, _ in headers if n > sub_start), end)
                inner = _key_line(lines, sub_start + 1, min(sub_end, end), keys[1])
                if inner is not None:
                    return inner + 1
            return sub_start + 1
        own_end = next((n for n, _, _ in headers if start < n < end), end)
        line = _key_line(lines, start + 1, own_end, keys[0])
        return (line if line is not None else start) + 1
    # Top-level key, or a [table] like [therapist].
    line = _key_line(lines, 0, top_end, head)
    if line is not None:
        return line + 1
    found = block(head, None)
    if found is not None:
        start, end = found
        if rest:
            inner = _key_line(lines, start + 1, end, rest[0])
            if inner is not None:
                return inner + 1
        return start + 1
    return 1


def json_line(text: str, path: Sequence[str]) -> int:
    """Best effort: the line of the n-th ``"key":`` for ``activities.n.key``, else the first."""
    if not path:
        return 1
    names = [part for part in path if not part.isdigit()]
    indexes = [int(part) for part in path if part.isdigit()]
    key = names[-1]
    occurrences = [
        number + 1
        for number, line in enumerate(text.splitlines())
        if f'"{key}"' in line.split(":", 1)[0] + ":"
    ]
    if not occurrences:
        parent = names[0]
        return next((n + 1 for n, line in enumerate(text.splitlines()) if f'"{parent}"' in line), 1)
    index = indexes[0] if indexes and len(occurrences) > indexes[0] and names[0] != key else 0
    return occurrences[index]


# --- writing TOML ------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        # JSON string escapes (\" \\ \n \uXXXX) are valid TOML basic-string escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + inner + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def plan_to_toml(plan: Plan) -> str:
    """The plan as a TOML file that :func:`companion.care.plan.load_plan` reads back unchanged."""
    data = plan.model_dump(mode="python", exclude_none=True)
    out = ["# Activity plan (companion). Check: companion plan check FILE", ""]
    for key in ("version", "start", "onset", "review", "created_by", "therapist"):
        if key in data:
            out.append(f"{key} = {_toml_value(data[key])}")
    for activity in data["activities"]:
        out += ["", "[[activities]]"]
        for key, value in activity.items():
            out.append(f"{key} = {_toml_value(value)}")
    for note in data.get("notes", []):
        out += ["", "[[notes]]"]
        out += [f"{key} = {_toml_value(value)}" for key, value in note.items()]
    return "\n".join(out) + "\n"


# --- asking the physiotherapist ----------------------------------------------------------

PROMPTS: dict[str, str] = {
    "start": "Start date (YYYY-MM-DD) [{today}]: ",
    "review": "Review date (YYYY-MM-DD, empty for none): ",
    "onset": "Day the pain began (YYYY-MM-DD, empty if unknown): ",
    "therapist_name": "Your name: ",
    "therapist_contact": "Your phone or e-mail (empty for none): ",
    "count": "How many activities or exercises (1-3) [1]: ",
    "kind": "Activity {n}: kind ({choices}): ",
    "name": "Activity {n}: name in {language} (empty for none): ",
    "instruction": "Activity {n}: short instruction in {language} (empty for none): ",
    "unit": "Activity {n}: unit ({choices}): ",
    "baseline": "Activity {n}: baseline per day (whole number): ",
    "goal": "Activity {n}: goal per day (whole number, at least the baseline): ",
    "step_every_days": "Activity {n}: raise the quota every how many days (1-{max}): ",
    "weeks": "Activity {n}: weeks to reach the goal ({low}-{high}): ",
    "times_per_day": "Activity {n}: times per day (1-{max}, empty for once): ",
    "invalid": "  Not valid: {problem}. Try again.",
    "problems": "The plan is not valid:",
    "written": "Wrote {path}. Check it with: companion plan check {path}",
}
"""Every operator-facing prompt of ``companion plan new``, in one place."""


PLAN_LANGUAGES = ("nl", "fr")
"""Asked first by ``companion plan new``; the languages of other content packs follow."""


def asking_order(languages: Collection[str]) -> list[str]:
    first = [code for code in PLAN_LANGUAGES if code in languages]
    return first + sorted(set(languages) - set(first))


def language_name(code: str) -> str:
    """The language's English name (nl: Dutch): the prompts are in English."""
    from babel import Locale, UnknownLocaleError  # only when asking: keeps start-up light

    try:
        return str(Locale.parse(code).english_name or code)
    except (UnknownLocaleError, ValueError):
        return code


def ask_plan(
    ask: Callable[[str], str],
    say: Callable[[str], None],
    today: date,
    languages: Sequence[str] = PLAN_LANGUAGES,
) -> Plan:
    """Asks a physiotherapist for a plan at the prompt; re-asks a malformed answer.

    Names and instructions are asked in each of ``languages`` (the content packs').

    Raises :class:`PlanError` when the answers together do not make a valid plan,
    and ``EOFError`` when input ends.
    """

    def value(
        key: str,
        parse: Callable[[str], Any],
        default: Any = None,
        optional: bool = False,
        **fmt: object,
    ) -> Any:
        while True:
            reply = ask(PROMPTS[key].format(**fmt)).strip()
            if not reply:
                if default is not None or optional:
                    return default
                say(PROMPTS["invalid"].format(problem="an answer is needed"))
                continue
            try:
                return parse(reply)
            except ValueError as err:
                say(PROMPTS["invalid"].format(problem=err))

    def whole(low: int, high: int) -> Callable[[str], int]:
        def parse(reply: str) -> int:
            number = int(reply)
            if not low <= number <= high:
                raise ValueError(f"{number} is not between {low} and {high}")
            return number

        return parse

    def one_of(choices: Sequence[str]) -> Callable[[str], str]:
        def parse(reply: str) -> str:
            if reply not in choices:
                raise ValueError(f"{reply!r} is not one of {', '.join(choices)}")
            return reply

        return parse

    kinds: tuple[str, ...] = get_args(ActivityKind)
    units: tuple[str, ...] = get_args(Unit)

    def near_today(reply: str) -> date:
        day = date.fromisoformat(reply)
        if abs(day - today) > START_WINDOW:
            raise ValueError(f"{day.isoformat()} is not within a year of today")
        return day

    start = value("start", near_today, default=today, today=today.isoformat())
    data: dict[str, Any] = {"start": start, "created_by": "physiotherapist"}
    data["review"] = value("review", date.fromisoformat, optional=True)
    data["onset"] = value("onset", date.fromisoformat, optional=True)
    name = value("therapist_name", str)
    contact = value("therapist_contact", str, optional=True)
    data["therapist"] = {"name": name, "contact": contact}
    count = value("count", whole(1, 3), default=1)
    activities = []
    for n in range(1, count + 1):
        activity: dict[str, Any] = {
            "kind": value("kind", one_of(kinds), n=n, choices=" ".join(kinds)),
        }
        for field in ("name", "instruction"):
            texts = {
                code: value(field, str, optional=True, n=n, language=language_name(code))
                for code in languages
            }
            if any(texts.values()):
                activity[field] = texts
        activity["unit"] = value("unit", one_of(units), n=n, choices=" ".join(units))
        activity["baseline"] = value("baseline", whole(1, 24 * 60), n=n)
        activity["goal"] = value("goal", whole(1, 24 * 60), n=n)
        activity["step_every_days"] = value(
            "step_every_days", whole(1, MAX_STEP_EVERY_DAYS), n=n, max=MAX_STEP_EVERY_DAYS
        )
        activity["weeks"] = value(
            "weeks", whole(MIN_WEEKS, MAX_WEEKS), n=n, low=MIN_WEEKS, high=MAX_WEEKS
        )
        activity["times_per_day"] = value(
            "times_per_day", whole(1, MAX_TIMES_PER_DAY), optional=True, n=n, max=MAX_TIMES_PER_DAY
        )
        activities.append(activity)
    data["activities"] = activities
    problems = date_window_problems(data, today)
    if problems:
        raise PlanError("new plan", problems)
    return parse_plan(_without_none(data), "new plan")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


# --- the command line --------------------------------------------------------------------

PLAN_CONFIRM_WORDS = frozenset({"yes", "ja", "oui", "y", "j", "o"})
"""Replacing a plan keeps the old one in the history, so a short answer will do."""


def add_plan_commands(commands: Any, add_data_dir: Callable[[Any], None]) -> None:
    """``companion plan check|import|new`` (called by :func:`companion.cli.build_parser`)."""
    plan = commands.add_parser("plan", help="physiotherapist plans: check, import, new")
    actions = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    checker = actions.add_parser("check", help="list every problem of a plan file, by line")
    checker.add_argument("file", type=Path, help="a .toml or .json plan file")
    importer = actions.add_parser("import", help="make a plan file the patient's current plan")
    importer.add_argument("file", type=Path, help="a .toml or .json plan file")
    importer.add_argument(
        "--yes", action="store_true", help="replace the current plan without asking"
    )
    add_data_dir(importer)
    maker = actions.add_parser("new", help="answer questions and write a TOML plan file")
    maker.add_argument("--out", type=Path, metavar="FILE", required=True, help="the file to write")


def run_plan_command(
    args: Any,
    ask: Callable[[str], str] = input,
    say: Callable[[str], None] = print,
    today: date | None = None,
) -> int:
    import sys

    languages = _pack_languages_or_say(args)
    if languages is None:
        return 1
    if args.plan_command == "check":
        plan, problems = check_plan_file(args.file, _today(args, today), languages)
        translations = reader_translations(getattr(args, "lang", None))
        for problem in problems:
            print(problem.said(translations))
        if plan is None:
            print(f"{len(problems)} problem(s) in {args.file}.")
            return 1
        for fallback in _problems_by_line(Path(args.file), language_fallbacks(plan, languages)):
            print(f"note: {fallback.said(translations)}")
        print(
            f"{args.file}: the plan is valid ({len(plan.activities)} activities, "
            f"goal reached on {plan.end.isoformat()})."
        )
        return 0
    if args.plan_command == "import":
        return _import(args, ask, say, _today(args, today), languages)
    try:
        plan_ = ask_plan(ask, say, today or SystemClock().today(), asking_order(languages))
    except EOFError:
        say("")
        return 1
    except PlanError as err:
        say(PROMPTS["problems"])
        for issue in err.problems:
            say(f"  - {issue}")
        return 1
    try:
        Path(args.out).write_text(plan_to_toml(plan_), encoding="utf-8")
    except OSError as err:
        print(
            f"companion plan new: cannot write {args.out}: {err.strerror or err}", file=sys.stderr
        )
        return 1
    say(PROMPTS["written"].format(path=args.out))
    return 0


def _today(args: Any, today: date | None) -> date:
    """The day plan dates are checked against: the caller's, ``--today``, else the clock."""
    return today or getattr(args, "today", None) or SystemClock().today()


def _pack_languages_or_say(args: Any) -> list[str] | None:
    """The content packs' languages; None (said on stderr) when ``--content`` is broken."""
    import sys

    from companion.texts.content import ContentError

    try:
        return pack_languages(getattr(args, "content", None))
    except ContentError as err:
        print(f"companion plan {args.plan_command}: {err}", file=sys.stderr)
        return None


def _import(
    args: Any,
    ask: Callable[[str], str],
    say: Callable[[str], None],
    today: date,
    languages: Sequence[str],
) -> int:
    import sys

    from companion.store import open_store
    from companion.store.errors import StorageError

    plan, problems = check_plan_file(args.file, today, languages)
    if plan is None:
        translations = reader_translations(getattr(args, "lang", None))
        for problem in problems:
            print(problem.said(translations), file=sys.stderr)
        print(f"Nothing was imported: {len(problems)} problem(s) in {args.file}.", file=sys.stderr)
        return 1
    try:
        store = open_store(args.data_dir, _clock(args))
    except StorageError as err:  # read-only folder, full disk: in the patient's language
        from companion.commands.messages import message_languages, say_failure

        languages = message_languages(getattr(args, "lang", None), args.data_dir)
        say_failure(languages, "companion plan import", err)
        return 1
    with store:
        current = store.current_plan()
        if current is not None and not args.yes:
            question = (
                f"This replaces the current plan (made by the {current.created_by}, started "
                f"{current.start.isoformat()}); it stays in the history. "
                "Type yes / ja / oui to go on: "
            )
            if not confirmed(ask, question, PLAN_CONFIRM_WORDS):
                say("Nothing was imported; the current plan stays.")
                return 1
        store.save_plan(plan)
        store.append("plan_imported", {"file": Path(args.file).name})
    say(f"Imported {args.file}: the check-ins follow this plan from now on.")
    return 0


def _clock(args: Any) -> Clock:
    """``--today`` dates what is stored (at 09:00 UTC that day); else the computer's clock."""
    today = getattr(args, "today", None)
    return SystemClock() if today is None else FixedClock(today)
