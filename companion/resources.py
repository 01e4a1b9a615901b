"""Where the built-in flows and content live, and loading them once per process.

In a checkout (or an editable install) they are the top-level ``flows/`` and
``content/`` folders; a wheel carries copies inside the package (see
``pyproject.toml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from companion.dialogue.conditions import AnswerValue
from companion.dialogue.engine import CompiledFlow, Session
from companion.dialogue.flow import ConceptRegistry, load_flows
from companion.texts.content import Content, is_overlay, load_content, load_overlay

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    bundled = _PACKAGE / "_data" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name


def default_flows_dir() -> Path:
    return _data_dir("flows")


def default_content_dir() -> Path:
    return _data_dir("content")


def default_seeds_dir() -> Path:
    """``<repo>/../shared/seeds``: the source documents beside a checkout (as in CI)."""
    return _PACKAGE.parent.parent / "shared" / "seeds"


def load_content_dir(content_dir: Path | None = None) -> Content:
    """The built-in content; a complete pack (a folder without ``overlay.yaml``);
    or an association's overlay layered over the built-in content."""
    if content_dir is None:
        return load_content(default_content_dir())
    if is_overlay(content_dir):
        return load_overlay(content_dir, load_content(default_content_dir()))
    return load_content(content_dir)


@dataclass(frozen=True)
class Library:
    """Everything a session needs: concepts, compiled flows and content."""

    concepts: ConceptRegistry
    flows: dict[str, CompiledFlow]
    content: Content

    def session(
        self,
        flow_id: str,
        language: str,
        region: str | None = None,
        inputs: Mapping[str, AnswerValue] | None = None,
        fired_before: Iterable[str] = (),
    ) -> Session:
        return Session(
            self.flows[flow_id],
            self.content.localizer(language, region),
            inputs=inputs,
            fired_before=fired_before,
        )


def load_library(flows_dir: Path | None = None, content_dir: Path | None = None) -> Library:
    """Loads and validates; raises FlowError or ContentError naming the broken file."""
    concepts, flows = load_flows(flows_dir or default_flows_dir())
    content = load_content_dir(content_dir)
    return Library(
        concepts=concepts,
        flows={flow_id: CompiledFlow(flow) for flow_id, flow in flows.items()},
        content=content,
    )


@cache
def builtin_library() -> Library:
    return load_library()
