"""Where the package's own flows, content and (beside a checkout) seeds are.

A wheel carries flows/ and content/ inside the package (``companion/_data``); a checkout
has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


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
