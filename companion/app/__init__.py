"""The patient's companion as a Textual app: in the terminal (`companion`) and in
the browser (`companion serve`). A thin driver of :mod:`companion.journey.journey`, like
:mod:`companion.plain`: it shows turns and passes answers on, nothing more.

One module per screen (chat, escalation, today, plan_screen, sources, about, language);
``app.py`` holds the App: bindings, screen switching, and the screens' messages."""

from companion.app.app import CompanionApp, run_app

__all__ = ["CompanionApp", "run_app"]
