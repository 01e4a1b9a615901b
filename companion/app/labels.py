"""The app's window title and key labels (gettext msgids): the footer and every page's
Back button say them in the patient's language."""

from __future__ import annotations

from companion.texts.i18n import N_

TITLE = N_("Your back pain companion")
KEY_TODAY = N_("Today")
KEY_PLAN = N_("My plan")
KEY_SOURCES = N_("Source list")
KEY_SETTINGS = N_("Language")
KEY_ABOUT = N_("About")
KEY_ADVICE = N_("Advice")
KEY_LIBRARY = N_("Library")
KEY_EPISODE = N_("My back")
KEY_BACK = N_("Back")
KEY_QUIT = N_("Quit")

ACTION_LABELS = {
    "today": KEY_TODAY,
    "plan": KEY_PLAN,
    "sources": KEY_SOURCES,
    "settings": KEY_SETTINGS,
    "about": KEY_ABOUT,
    "advice": KEY_ADVICE,
    "library": KEY_LIBRARY,
    "episode": KEY_EPISODE,
    "quit": KEY_QUIT,
}
"""The footer label of each of the app's actions."""
