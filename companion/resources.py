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
from companion.files.bundled import default_content_dir, default_flows_dir, default_seeds_dir
from companion.texts.content import Content, is_overlay, load_content, load_overlay

__all__ = [
    "Library",
    "builtin_library",
    "default_content_dir",
    "default_flows_dir",
    "default_seeds_dir",
    "load_content_dir",
    "load_library",
]


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
        item_words: Mapping[str, str] | None = None,
    ) -> Session:
        return Session(
            self.flows[flow_id],
            self.content.localizer(language, region),
            inputs=inputs,
            fired_before=fired_before,
            item_words=item_words,
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
