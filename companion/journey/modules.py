"""Education modules (issue 14): short texts on one topic each, offered once at the
moment of the episode they fit, and always open in the Library.

What a module shows and when it is offered is data (``flows/library/modules.yaml``);
the texts are content (``content/<lang>/modules.yaml``). This module reads the data,
decides the offers from a finished conversation and renders a module for one
language and region. Drivers only show what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from companion.care.dispositions import continues_self_care
from companion.dialogue.conditions import AnswerValue, Condition
from companion.files.bundled import default_flows_dir
from companion.files.yamlfiles import read_yaml
from companion.store.protocol import Store
from companion.texts.content import Localizer
from companion.texts.wording import explanations_for, link_lines

MODULES_FILE = Path("library") / "modules.yaml"
OFFERED = "module_offered"
"""Event: a module was offered to the patient (payload: module id, the conversation)."""
ADVISED_PREFIX = "advised_"
DISPOSITION_FACT = "disposition"


class ModuleError(Exception):
    """A module list that cannot be used; the message names the file and the module."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paragraph(_Strict):
    text: str
    regions: list[str] | None = None
    """Shown only in these regions (a rule that differs per country); None: everywhere."""

    def shown_in(self, region: str) -> bool:
        return self.regions is None or region in self.regions


class OfferRule(_Strict):
    after: str
    """The flow whose finished conversation may offer the module."""
    when: Condition | None = None
    """Over that conversation's facts (see :func:`conversation_facts`); None: always."""

    def fires(self, flow_id: str, facts: Mapping[str, AnswerValue]) -> bool:
        return flow_id == self.after and (self.when is None or self.when.holds(facts))


class Module(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    paragraphs: list[Paragraph] = Field(min_length=1)
    offer: list[OfferRule] = Field(default_factory=list)

    @field_validator("paragraphs", mode="before")
    @classmethod
    def _plain_keys(cls, value: Any) -> Any:
        # A paragraph shown in every region may be written as its bare text key.
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value

    @property
    def title_key(self) -> str:
        return f"module.{self.id}.title"

    def text_keys(self) -> list[str]:
        return [self.title_key, *(p.text for p in self.paragraphs)]


class _ModuleFile(_Strict):
    modules: list[Module] = Field(min_length=1)


@dataclass(frozen=True)
class ModuleCatalog:
    modules: tuple[Module, ...]

    def ids(self) -> list[str]:
        return [m.id for m in self.modules]

    def get(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def offered_after(
        self,
        flow_id: str,
        outcome: Mapping[str, Any],
        inputs: Mapping[str, AnswerValue] | None = None,
    ) -> list[str]:
        """The modules a finished conversation offers, in catalog order.

        Nothing after advice to see a doctor today or now: the patient acts on that first."""
        disposition = outcome.get(DISPOSITION_FACT)
        if disposition is not None and not continues_self_care(str(disposition)):
            return []
        facts = conversation_facts(outcome, inputs or {})
        return [m.id for m in self.modules if any(rule.fires(flow_id, facts) for rule in m.offer)]


def load_modules(path: Path | None = None) -> ModuleCatalog:
    """The module catalog, read once per version of the file: every conversation's journey
    asks for it, and a served practice starts many (parsing the YAML was half the check-in's
    own work in benchmarks/practice.py)."""
    path = path or default_flows_dir() / MODULES_FILE
    try:
        seen = path.stat()
    except OSError:
        return _read_modules(path)  # says what is wrong with the path
    return _modules_of(path, seen.st_mtime_ns, seen.st_size)


@lru_cache(maxsize=8)
def _modules_of(path: Path, mtime_ns: int, size: int) -> ModuleCatalog:
    """The catalog at ``path`` as it was at that change time and size (a file edited since
    is read again); a catalog is immutable, so sharing it is safe."""
    return _read_modules(path)


def _read_modules(path: Path) -> ModuleCatalog:
    try:
        parsed = _ModuleFile.model_validate(read_yaml(path, ModuleError))
    except ValidationError as err:
        raise ModuleError(f"{path}: {err}") from err
    ids = [m.id for m in parsed.modules]
    doubles = sorted({i for i in ids if ids.count(i) > 1})
    if doubles:
        raise ModuleError(f"{path}: module id(s) used twice: {', '.join(doubles)}")
    return ModuleCatalog(tuple(parsed.modules))


def conversation_facts(
    outcome: Mapping[str, Any], inputs: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """What an offer rule may look at: the answers by question id, the inputs the
    conversation was started with, its disposition and the kinds of advice that fired."""
    facts: dict[str, AnswerValue] = dict(inputs)
    for answer in outcome.get("answers") or []:
        if isinstance(answer, Mapping) and isinstance(answer.get("value"), bool | int | str):
            facts[str(answer.get("question"))] = answer["value"]
    if isinstance(outcome.get(DISPOSITION_FACT), str):
        facts[DISPOSITION_FACT] = outcome[DISPOSITION_FACT]
    for advice in outcome.get("advice") or []:
        if isinstance(advice, Mapping) and isinstance(advice.get("advice"), str):
            facts[ADVISED_PREFIX + advice["advice"]] = True
    return facts


@dataclass(frozen=True)
class ModuleText:
    """A module as the patient reads it: plain text, never markup."""

    id: str
    title: str
    paragraphs: list[str]
    sources: list[str]
    """The seed references behind the paragraphs, in order, without repeats."""
    words: list[str] = field(default_factory=list)
    """The glossary's explanations of the medical words the paragraphs use."""
    words_heading: str = ""

    def as_text(self) -> str:
        parts = [self.title, *self.paragraphs]
        if self.words:
            parts.append("\n".join([self.words_heading, *(f"- {w}" for w in self.words)]))
        return "\n\n".join(parts)


def render(module: Module, texts: Localizer) -> ModuleText:
    shown = [p.text for p in module.paragraphs if p.shown_in(texts.region)]
    sources = [str(ref) for key in shown for ref in texts.entry(key).source]
    paragraphs = [texts.text(key) for key in shown]
    return ModuleText(
        id=module.id,
        title=texts.text(module.title_key),
        paragraphs=paragraphs,
        sources=list(dict.fromkeys(sources)),
        words=explanations_for(texts, *paragraphs),
        words_heading=texts.text(WORDS_HEADING_KEY),
    )


WORDS_HEADING_KEY = "module.library.words"
LINKS_HEADING_KEY = "module.library.links"


def trusted_pages(texts: Localizer) -> list[str]:
    """The region's trusted pages as plain-text lines, under their heading; none: empty."""
    lines = link_lines(texts)
    return [texts.text(LINKS_HEADING_KEY), *(f"- {line}" for line in lines)] if lines else []


def render_all(catalog: ModuleCatalog, texts: Localizer) -> list[ModuleText]:
    return [render(module, texts) for module in catalog.modules]


def missing_texts(catalog: ModuleCatalog, languages: Iterable[Localizer]) -> list[str]:
    """Text keys a module needs that a language lacks ("lang: key")."""
    return [
        f"{texts.language}: {key}"
        for texts in languages
        for module in catalog.modules
        for key in module.text_keys()
        if not texts.has(key)
    ]


# --- what was offered -------------------------------------------------------------


def record_offers(store: Store, module_ids: Iterable[str], conversation: str) -> list[str]:
    """Stores the offers not made before; returns those (each module is offered once)."""
    before = offered_modules(store)
    fresh = [m for m in module_ids if m not in before]
    for module_id in fresh:
        store.append(OFFERED, {"module": module_id, "session": conversation})
    return fresh


def offered_modules(store: Store) -> list[str]:
    """Every module offered so far, oldest first."""
    found: list[str] = []
    for event in store.events(OFFERED):
        payload = event.payload
        module = payload.get("module") if isinstance(payload, dict) else None
        if isinstance(module, str) and module not in found:
            found.append(module)
    return found


def offered_by(store: Store, conversation: str) -> list[str]:
    """The modules one conversation offered."""
    return [
        event.payload["module"]
        for event in store.events(OFFERED)
        if isinstance(event.payload, dict)
        and event.payload.get("session") == conversation
        and isinstance(event.payload.get("module"), str)
    ]
