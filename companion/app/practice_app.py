"""A practice's app in a browser tab: whose session is it, and which app it opens.

`companion serve` on a practice's database starts this for every tab with the tab's
session token in ``$COMPANION_SESSION``. The token, not anything the browser says, decides
who this is: the practice API resolves it to a patient (their own companion, on their own
rows of the database) or a professional (:class:`ProfessionalApp`: my patients, one
patient's report, homework, a note). The professional's screens call the practice API
through a :class:`Desk`; they decide nothing themselves.
"""

from __future__ import annotations

import contextlib
import gettext
import os
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Protocol

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType

from companion.app.labels import KEY_QUIT
from companion.app.language import LanguageScreen
from companion.app.practice_homework import HomeworkScreen
from companion.app.practice_note import NOTE_EMPTY, NOTE_TOO_LONG, NoteScreen
from companion.app.practice_patient import PatientScreen
from companion.app.practice_patients import PatientRow, PatientsScreen
from companion.clock import Clock
from companion.resources import Library
from companion.store.errors import StorageError
from companion.store.protocol import Store
from companion.texts.content import Content, Localizer
from companion.texts.i18n import N_, load_translations

if TYPE_CHECKING:
    from companion.practice.access import Principal

PRACTICE_TITLE = N_("Practice: my patients")
SESSION_ENDED = N_(
    "This session has ended. Reload the page and enter a new code from your care provider."
)
"""Said when the tab's session token no longer holds (logged out elsewhere, expired)."""
NOTE_REFUSED = N_("The note has characters that are not allowed. It was not sent.")


class Desk(Protocol):
    """What the professional's screens ask of the practice API, for one professional."""

    def patients(self) -> Sequence[PatientRow]: ...

    def report(self, patient_id: str) -> str:
        """The patient's report as text (the viewing is written to the audit log)."""

    def assign_homework(self, patient_id: str, plan_text: str) -> Sequence[str]:
        """Stores the plan file as the patient's homework; what is wrong with it, if any."""

    def send_note(self, patient_id: str, text: str) -> str | None:
        """Sends the note; why it cannot be sent, in the professional's language, if so."""

    def today(self) -> date: ...


class ProfessionalApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "companion"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        content: Content,
        desk_for: Callable[[Localizer], Desk],
        language: str | None = None,
        region: str | None = None,
    ) -> None:
        """``desk_for``: the practice API for this professional, speaking ``texts``'s
        language; ``language``: asked at start when not given."""
        super().__init__()
        self.content = content
        self.desk_for = desk_for
        self._language = language if language in content.languages else None
        self._region = region
        self.texts = content.localizer(self._language or sorted(content.languages)[0], region)
        self.desk = desk_for(self.texts)

    def _handle_exception(self, error: Exception) -> None:
        """The database went away, or this professional may no longer see a patient: the
        app closes (the page says the session ended) without a traceback in any log."""
        from companion.practice.access import Refused

        if isinstance(error, StorageError | Refused):
            self.exit(1, 1)
            return
        super()._handle_exception(error)

    def on_mount(self) -> None:
        if self._language is None:
            self.push_screen(LanguageScreen(self.content, cancel=False), self._chosen)
        else:
            self._chosen((self._language, self._region))

    def _chosen(self, choice: tuple[str, str | None] | None) -> None:
        if choice is None:
            return
        self.texts = self.content.localizer(*choice)
        self.desk = self.desk_for(self.texts)
        self.title = self.texts.ui(PRACTICE_TITLE)
        self.push_screen(PatientsScreen(self.texts, self.desk.patients))

    @on(PatientsScreen.Chosen)
    def _patient_chosen(self, message: PatientsScreen.Chosen) -> None:
        report = self.desk.report(message.patient_id)
        self.push_screen(PatientScreen(self.texts, message.patient_id, message.pseudonym, report))

    @on(PatientScreen.Wanted)
    def _act_for_patient(self, message: PatientScreen.Wanted) -> None:
        patient_id = message.patient_id
        if message.what == "homework":

            def assign(plan_text: str) -> Sequence[str]:
                return self.desk.assign_homework(patient_id, plan_text)

            today = self.desk.today()
            self.push_screen(HomeworkScreen(self.texts, message.pseudonym, assign, today))
        else:

            def send(text: str) -> str | None:
                return self.desk.send_note(patient_id, text)

            self.push_screen(NoteScreen(self.texts, message.pseudonym, send))


class DatabaseDesk:
    """The professional's :class:`Desk` on the practice's database (the practice API)."""

    def __init__(
        self, url: str, professional_id: str, library: Library, texts: Localizer, clock: Clock
    ) -> None:
        self.url = url
        self.professional_id = professional_id
        self.library = library
        self.texts = texts
        self.clock = clock

    def today(self) -> date:
        return self.clock.today()

    def patients(self) -> Sequence[PatientRow]:
        from companion.practice import roster

        return roster.patients_of(self.url, self.professional_id, self.clock, library=self.library)

    def report(self, patient_id: str) -> str:
        from companion.practice import viewing

        with viewing.patient_store(self.url, self.professional_id, patient_id, self.clock) as store:
            return report_text(store, self.library, self.texts)

    def assign_homework(self, patient_id: str, plan_text: str) -> Sequence[str]:
        from companion.practice import homework

        try:
            homework.assign(self.url, self.professional_id, patient_id, plan_text, clock=self.clock)
        except homework.PlanRejected as rejected:
            translations = load_translations(self.texts.language)
            return [problem.said(translations) for problem in rejected.problems]
        return []

    def send_note(self, patient_id: str, text: str) -> str | None:
        from companion.practice import notes

        try:
            notes.send(self.url, self.professional_id, patient_id, text, clock=self.clock)
        except notes.NoteRejected as rejected:
            if rejected.reason == notes.TOO_LONG:
                return self.texts.ui(NOTE_TOO_LONG, count=notes.MAX_NOTE_LENGTH)
            return self.texts.ui(NOTE_EMPTY if rejected.reason == notes.EMPTY else NOTE_REFUSED)
        return None


def report_text(store: Store, library: Library, texts: Localizer) -> str:
    """The professional's report of one patient as text (Markdown, shown as it is)."""
    from companion.reports.report import professional_report

    return professional_report(store, library, texts.language, "md", texts.region)


def practice_app_for(
    library: Library,
    url: str,
    token: str,
    clock: Clock,
    language: str | None,
    region: str | None,
) -> App[int] | None:
    """The app a tab's session opens: the patient's own companion on their rows of the
    database, or the professional's view; None when the session no longer holds."""
    from companion.practice import access

    principal = access.principal_for(url, token)
    if principal is None:
        return None
    if principal.kind == "patient":
        return _patient_app(library, url, principal, clock, language, region)

    def desk_for(texts: Localizer) -> Desk:
        return DatabaseDesk(url, principal.id, library, texts, clock)

    return ProfessionalApp(library.content, desk_for, language, region)


def _patient_app(
    library: Library,
    url: str,
    principal: Principal,
    clock: Clock,
    language: str | None,
    region: str | None,
) -> App[int]:
    from companion.app.app import CompanionApp
    from companion.practice import notes
    from companion.store.postgres import PostgresStore

    def notes_of_patient() -> list[notes.Note]:
        return notes.for_patient(url, principal.id, clock=clock)

    store = PostgresStore.open(url, principal.id, clock)
    return CompanionApp(library, None, clock, language, region, store=store, notes=notes_of_patient)


def run_practice_app(
    library: Library,
    url: str,
    token: str,
    clock: Clock,
    language: str | None,
    region: str | None,
) -> int:
    """Runs the app of one browser tab of a practice: the session token decides whose.
    A patient's conversation is held as on their own machine: one tab at a time."""
    from companion.app.app import CompanionApp
    from companion.store import hold_conversation
    from companion.store.errors import AlreadyOpen

    _end_with_the_server()
    try:
        app = practice_app_for(library, url, token, clock, language, region)
    except StorageError as err:  # the database cannot be reached: say so, in every language
        return _notice(library, err.translated)
    if app is None:
        return _notice(library, lambda translations: translations.gettext(SESSION_ENDED))
    try:
        with contextlib.ExitStack() as held:
            if isinstance(app, CompanionApp):
                held.enter_context(hold_conversation(url=url, patient=_patient_id(app)))
            result = app.run()
    except AlreadyOpen as err:  # the patient's companion is open in another tab
        if isinstance(app, CompanionApp):
            app.store.close()  # never ran, so never closed its store
        return _notice(library, err.translated)
    return result if isinstance(result, int) else 0


SERVER_WATCH_SECONDS = 1.0


def _end_with_the_server() -> None:
    """A tab's app lives only as long as the server that started it. A server that was
    killed (not stopped) cannot end its apps; an app left behind would hold its patient's
    conversation (one tab at a time) until the machine restarts. So it ends itself once
    its parent is gone; every answer it accepted is in the database already."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(SERVER_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="companion-server-watch", daemon=True).start()


def _patient_id(app: App[int]) -> str:
    from companion.store.postgres import PostgresStore

    store = getattr(app, "store", None)
    assert isinstance(store, PostgresStore)
    return store.patient_id


def _notice(library: Library, said: Callable[[gettext.NullTranslations], str]) -> int:
    """A window saying why the tab stops, in every language (its reader's is not known)."""
    from companion.app.notice import show_notice

    languages = sorted(library.content.languages)
    lines = [said(load_translations(lang)) for lang in languages]
    close = " / ".join(load_translations(lang).gettext(KEY_QUIT) for lang in languages)
    return show_notice(lines, close)
