"""Education modules (issue 14): each topic exists in nl and fr, its claims sit in
the cited seed lines, the right module is offered at the right moment (once), and
the rules that differ per country reach only that country's readers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from companion.care.plan import generate_plan
from companion.clock import FixedClock
from companion.journey.journey import CHECKIN, EDUCATION, TRIAGE, Journey
from companion.journey.modules import (
    ADVISED_PREFIX,
    DISPOSITION_FACT,
    ModuleCatalog,
    load_modules,
    render,
)
from companion.resources import Library
from companion.store.storage import Store
from tests.patients import given_plan_function_part, talk

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LOCALES = (("nl", "NL"), ("nl", "BE"), ("fr", "BE"), ("fr", "NL"))
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
Facts = Mapping[str, bool | int | str]

TOPICS = {
    "pain",
    "healthy_living",
    "medicines",
    "scans",
    "care_team",
    "access",
    "work",
    "consultation",
}


@pytest.fixture(scope="module")
def catalog() -> ModuleCatalog:
    return load_modules()


# --- every topic, in both languages, sourced ------------------------------------------


def test_every_issue_topic_is_a_module(catalog: ModuleCatalog):
    assert set(catalog.ids()) == TOPICS


@pytest.mark.parametrize(("language", "region"), LOCALES)
def test_every_module_renders_with_sources(
    library: Library, catalog: ModuleCatalog, language: str, region: str
):
    texts = library.content.localizer(language, region)
    for module in catalog.modules:
        shown = render(module, texts)
        assert shown.title and shown.paragraphs, module.id
        assert shown.sources, module.id
        for key in module.text_keys()[1:]:
            assert texts.entry(key).source, f"{language}: {key} has no source"
        assert "{" not in shown.as_text(), f"{module.id}: a placeholder was not filled in"


def test_nl_and_fr_cite_the_same_lines(library: Library, catalog: ModuleCatalog):
    nl = library.content.localizer("nl", "BE")
    fr = library.content.localizer("fr", "BE")
    for module in catalog.modules:
        for key in module.text_keys()[1:]:
            assert nl.entry(key).source == fr.entry(key).source, key


# Words that must occur in the cited seed lines: what each paragraph claims.
# A wrong or shifted line range loses its words and fails here.
EVIDENCE: dict[str, tuple[str, ...]] = {
    "module.pain.cause": ("geen aantoonbare", "geen lichamelijke oorzaak", "gevoeliger"),
    "module.pain.sensitive": ("spierspanning", "slaapgebrek", "stress", "depressie"),
    "module.pain.amplifier": ("versterker", "zorgen"),
    "module.pain.lasting": ("chronisch", "sensitisatie", "biopsychosociale"),
    "module.pain.moving": ("ontspannen bewegen", "enkel", "actiever"),
    "module.healthy_living.strong": ("stevigste", "sterker", "bewegen is gezond"),
    "module.healthy_living.habits": ("slaap", "gezonde voeding"),
    "module.healthy_living.keep_going": ("sparen", "erger"),
    "module.medicines.purpose": ("herstel niet", "blijven bewegen", "vaste tijden"),
    "module.medicines.order": ("eerste keuze is paracetamol", "ibuprofen"),
    "module.medicines.ibuprofen": ("maagpijn", "nierfunctie", "stollingssysteem", "gecontra"),
    "module.medicines.ask_first": ("gastro-intestinaal", "nierfunctie", "decompensatio"),
    "module.medicines.opioids": ("maximaal vijf dagen", "verslavend", "opioïde"),
    "module.medicines.no_sedatives": ("benzodiazepinen", "afhankelijkheid", "spierverslappers"),
    "module.medicines.stop": ("zonder pijnstillers", "niet langer dan 12 weken"),
    "module.scans.cause": ("geen directe", "beeldvormend onderzoek"),
    "module.scans.worry": ("ongerustheid", "angst om te bewegen", "verloop"),
    "module.scans.disc": ("hnp", "conservatief beleid", "geen gunstige invloed"),
    "module.scans.radiation": ("röntgenstraling", "geslachtsorganen"),
    "module.care_team.gp": ("eerste aanspreekpunt", "coördinerende"),
    "module.care_team.physio": ("bewegingsangst", "opbouwen van activiteiten"),
    "module.care_team.work": ("betaald werk", "hervatting"),
    "module.care_team.psychologist": ("psycholoog", "behandeldoelen"),
    "module.care_team.specialists": ("neuroloog", "revalidatiearts", "pijnspecialist"),
    "module.access.nl.direct": ("zonder verwijzing", "fysiotherapeut"),
    "module.access.nl.costs": ("volwassenen", "basispakket"),
    "module.access.be.prescription": ("kinesitherapeut", "medisch voorschrift", "sessies"),
    "module.access.be.costs": ("terugbetaalde sessies", "jaarlijks beperkte"),
    "module.work.helps": ("terug werken", "deeltijds"),
    "module.work.nl.stay": ("open spreekuur", "kleine aanpassingen"),
    "module.work.nl.return": ("ziek thuis", "werktijden"),
    "module.work.nl.privacy": ("beroepsgeheim", "werkgever"),
    "module.work.be.adviser": ("adviserend arts", "2 maanden"),
    "module.work.be.partial": ("adviserend arts", "aangepaste uurregeling"),
    "module.consultation.why": ("gesprekspunten", "samen met de zorgverlener"),
    "module.consultation.tell": ("hoe lang", "wisselen", "medicijnen/pijnstillers"),
    "module.consultation.worries": ("verwachtingen", "bang"),
    "module.consultation.ask": ("röntgenfoto of scan", "bijwerkingen", "oefeningen"),
    "module.consultation.choices": ("voor- en nadelen", "vervolgafspraken"),
}


def _seed_lines(ref: str) -> str:
    number, lines = ref.split(":")
    first, _, last = lines.partition("-")
    (path,) = SEEDS.glob(f"{number}_*.txt")
    text = path.read_text(encoding="utf-8").splitlines()[int(first) - 1 : int(last or first)]
    return _plain(" ".join(text))


def _plain(text: str) -> str:
    # Hyphenated line breaks and spacing of the PDF extraction.
    text = unicodedata.normalize("NFC", text).lower()
    return re.sub(r"\s+", " ", re.sub(r"-\s+(?=[a-z])", "", text))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds sit beside a checkout")
def test_every_claim_is_in_its_cited_lines(library: Library, catalog: ModuleCatalog):
    texts = library.content.localizer("nl", "NL")
    keys = [key for module in catalog.modules for key in module.text_keys()[1:]]
    assert set(keys) == set(EVIDENCE), "every paragraph needs its evidence words here"
    for key in keys:
        cited = " ".join(_seed_lines(str(ref)) for ref in texts.entry(key).source)
        for words in EVIDENCE[key]:
            assert _plain(words) in cited, f"{key}: '{words}' not in {texts.entry(key).source}"


def test_no_module_gives_a_dose(library: Library, catalog: ModuleCatalog):
    dose = re.compile(r"\d+\s*(?:mg|milligram|gram|g\b|tablet|comprimé|keer per dag|fois par jour)")
    for language, region in LOCALES:
        texts = library.content.localizer(language, region)
        for module in catalog.modules:
            assert not dose.search(render(module, texts).as_text().lower()), module.id


# --- per country ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_access_and_work_follow_the_country(
    library: Library, catalog: ModuleCatalog, language: str
):
    def shown(module_id: str, region: str) -> str:
        module = catalog.get(module_id)
        assert module is not None
        return render(module, library.content.localizer(language, region)).as_text()

    adviser = {"nl": "adviserend arts", "fr": "médecin-conseil"}[language]
    prescription = {"nl": "voorschrift", "fr": "prescription"}[language]
    basic_insurance = {"nl": "basispakket", "fr": "assurance de base"}[language]
    assert adviser in shown("work", "BE") and adviser not in shown("work", "NL")
    assert prescription in shown("access", "BE") and prescription not in shown("access", "NL")
    assert basic_insurance in shown("access", "NL")
    assert basic_insurance not in shown("access", "BE")


# --- offered at the right moment -------------------------------------------------------


def test_offer_rules_only_name_facts_their_flow_has(library: Library, catalog: ModuleCatalog):
    """A rule over a name the flow never produces would silently never fire."""
    for module in catalog.modules:
        for rule in module.offer:
            flow = library.flows[rule.after].flow
            known = {*flow.questions(), *flow.inputs, DISPOSITION_FACT}
            known |= {ADVISED_PREFIX + a.advice for a in flow.advice}
            if rule.when is not None:
                for name, _ in rule.when.references():
                    assert name in known, f"module {module.id}: '{name}' unknown in {rule.after}"


def open_journey(library: Library, tmp_path: Path, region: str = "NL") -> tuple[Store, Journey]:
    clock = FixedClock(START)
    store = Store.open(tmp_path / "data", clock=clock)
    return store, Journey(library, store, clock, "nl", region)


SELF_CARE_TRIAGE: Facts = {"age": 38, "sex": "female", "pain_duration_days": 2}


def _through_triage(journey: Journey, facts: Facts = SELF_CARE_TRIAGE) -> list[str]:
    triage = journey.next()
    assert triage is not None and triage.flow_id == TRIAGE
    talk(triage, facts)
    return [m.id for m in journey.modules_offered_by(triage)]


def _education(journey: Journey, facts: Facts) -> list[str]:
    education = journey.next()
    assert education is not None and education.flow_id == EDUCATION
    talk(education, facts)
    return [m.id for m in journey.modules_offered_by(education)]


def test_painkillers_mentioned_offers_the_medicines_module(library: Library, tmp_path: Path):
    _store, journey = open_journey(library, tmp_path)
    assert _through_triage(journey) == []
    offered = _education(journey, {"painkiller_use": "when_needed", "work_situation": "working"})
    assert "medicines" in offered
    assert "healthy_living" in offered
    assert "work" not in offered


def test_no_painkillers_and_off_work(library: Library, tmp_path: Path):
    _store, journey = open_journey(library, tmp_path)
    _through_triage(journey)
    offered = _education(journey, {"painkiller_use": "none", "work_situation": "off_work"})
    assert "medicines" not in offered
    assert "work" in offered


def test_gp_soon_triage_offers_the_question_list(library: Library, tmp_path: Path):
    _store, journey = open_journey(library, tmp_path)
    assert _through_triage(journey, {**SELF_CARE_TRIAGE, "cancer_history": True}) == [
        "consultation"
    ]


@pytest.mark.parametrize("flag", ["saddle_numbness", "significant_trauma"])
def test_nothing_is_offered_after_urgent_advice(library: Library, tmp_path: Path, flag: str):
    _store, journey = open_journey(library, tmp_path)
    triage = journey.next()
    assert triage is not None
    outcome = talk(triage, {**SELF_CARE_TRIAGE, flag: True, "age": 60}).outcome
    assert outcome is not None and outcome.disposition in ("emergency", "gp_today")
    assert journey.modules_offered_by(triage) == []
    assert journey.offered_modules() == []


CALM_CHECKIN: Facts = {
    "quota_done": "done",
    "pain_now": 3,
    "pain_trend": "better",
    "daily_activities_resumed": True,
    "moving_ok": True,
    "work_affected": False,
}


def _checkin(journey: Journey, facts: Facts) -> list[str]:
    checkin = journey.next()
    assert checkin is not None and checkin.flow_id == CHECKIN
    talk(checkin, facts)
    return [m.id for m in journey.modules_offered_by(checkin)]


def test_pain_science_in_week_two_and_work_when_affected_once(library: Library, tmp_path: Path):
    store, journey = open_journey(library, tmp_path)
    _through_triage(journey)
    _education(journey, {"painkiller_use": "none", "work_situation": "working"})
    clock = journey._clock  # the journey's own test clock
    assert isinstance(clock, FixedClock)
    plan = generate_plan(
        [10, 12, 14], 40, clock.today(), kind="walking", unit="minutes", step_every_days=3, weeks=8
    )
    store.save_plan(plan)
    given_plan_function_part(journey)
    clock.advance(days=1)  # day 3 of the pain
    assert "pain" not in _checkin(journey, CALM_CHECKIN)
    clock.advance(days=1)
    assert "work" in _checkin(journey, {**CALM_CHECKIN, "work_affected": True})
    clock.advance(days=10)  # day 14
    assert "pain" in _checkin(journey, CALM_CHECKIN)
    clock.advance(days=1)
    again = _checkin(journey, {**CALM_CHECKIN, "work_affected": True})
    assert "pain" not in again and "work" not in again, "a module is offered once"
    assert journey.offered_modules()[:2] == ["healthy_living", "work"]


def _outcome(disposition: str, advice: list[str], **answers: bool | int | str) -> dict[str, object]:
    return {
        "disposition": disposition,
        "answers": [{"question": q, "concept": q, "value": v} for q, v in answers.items()],
        "advice": [{"rule": kind, "advice": kind} for kind in advice],
    }


def test_advice_at_a_checkin_offers_its_modules(catalog: ModuleCatalog):
    physio = _outcome("self_care", ["physiotherapist"])
    assert catalog.offered_after(CHECKIN, physio, {"day": 25}) == [
        "pain",
        "care_team",
        "access",
        "consultation",
    ]
    assert catalog.offered_after(CHECKIN, _outcome("self_care", ["gp_soon"]), {"day": 7}) == [
        "consultation"
    ]
    calm = _outcome("self_care", [], work_affected=False)
    assert catalog.offered_after(CHECKIN, calm, {"day": 13}) == []


@pytest.mark.parametrize("disposition", ["emergency", "gp_today"])
def test_urgent_checkin_offers_nothing(catalog: ModuleCatalog, disposition: str):
    outcome = _outcome(disposition, ["gp_soon", "physiotherapist"], work_affected=True)
    assert catalog.offered_after(CHECKIN, outcome, {"day": 20}) == []
