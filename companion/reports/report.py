"""The progress report: :func:`write_report` writes it (or the GP summary) to a file.

The package, one job per module (imports point down this list, never back up):

- :mod:`~companion.reports.data`: what the reports show, read from the store into typed records;
- :mod:`~companion.reports.wording`: how values are said in the report's language;
- :mod:`~companion.reports.blocks`: the section model (headings, paragraphs, tables, charts);
- :mod:`~companion.reports.sections`: the progress report's sections, described once;
- :mod:`~companion.reports.gp_summary`: the one page for the GP after an urgent advice;
- :mod:`~companion.reports.professional` (with ``professional_summary`` and
  ``professional_details``): the report for a physiotherapist or GP;
- :mod:`~companion.reports.html`, :mod:`~companion.reports.markdown`: each renders the model;
- :mod:`~companion.reports.fhir`: the FHIR R4 export.

The command line (``companion report``) is :mod:`companion.commands.report`.
"""

from __future__ import annotations

from pathlib import Path

from companion.reports import html, markdown
from companion.reports.data import ReportData, collect
from companion.reports.gp_summary import collect_summary, summary_html, summary_markdown
from companion.reports.professional import collect_professional, professional_document
from companion.reports.sections import report_document
from companion.resources import Library
from companion.store.protocol import Store
from companion.store.storage import write_private
from companion.texts.content import Localizer

__all__ = [
    "AUDIENCES",
    "collect",
    "open_texts",
    "professional_report",
    "render_html",
    "render_markdown",
    "write_report",
]

AUDIENCES = ("patient", "professional")
"""Who a report is for: the patient's own report, or the one for a physiotherapist or GP."""
FORMATS = ("html", "md")


def render_html(data: ReportData) -> str:
    return html.render(report_document(data))


def render_markdown(data: ReportData) -> str:
    return markdown.render(report_document(data))


def open_texts(
    library: Library, store: Store, language: str | None, region: str | None = None
) -> Localizer:
    """The report's language: ``language``, else the patient's; the region given, else the
    patient's when the language is theirs."""
    settings = store.settings()
    language = language or settings.get("language") or "nl"
    if region is None and settings.get("language") == language:
        region = settings.get("region")
    return library.content.localizer(language, region)


def professional_report(
    store: Store,
    library: Library,
    language: str | None = None,
    fmt: str = "html",
    region: str | None = None,
) -> str:
    """The professional's report of the one person ``store`` holds, as HTML or Markdown text,
    without the command line (a practice server calls this per patient's store). Language and
    region default to the patient's, as :func:`open_texts`."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    texts = open_texts(library, store, language, region)
    data, summary = collect_professional(store, library, texts, store.clock.today())
    document = professional_document(data, summary)
    return markdown.render(document) if fmt == "md" else html.render(document)


def write_report(
    store: Store,
    library: Library,
    out: Path,
    language: str | None = None,
    fmt: str | None = None,
    gp_summary: bool = False,
    region: str | None = None,
    audience: str = "patient",
) -> bool:
    """Writes the report for ``audience`` (or the GP summary) to ``out`` (0600); False when
    there is nothing to summarise for the GP."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    texts = open_texts(library, store, language, region)
    fmt = fmt or ("md" if out.suffix.lower() in (".md", ".markdown") else "html")
    today = store.clock.today()
    if gp_summary:
        summary = collect_summary(store, library, texts, today)
        if summary is None:
            return False
        text = summary_markdown(summary) if fmt == "md" else summary_html(summary)
    elif audience == "professional":
        text = professional_report(store, library, texts.language, fmt, texts.region)
    else:
        data = collect(store, library, texts, today)
        text = render_markdown(data) if fmt == "md" else render_html(data)
    write_private(out, text)
    return True
