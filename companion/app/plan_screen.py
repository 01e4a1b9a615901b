"""My plan (F3): the plan week by week, the day goals against what was done, the pain, what
the patient can do again (the 0-10 ratings of the daily activities named at plan set-up) and the
painkillers per week."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from companion.app.page import Page
from companion.app.widgets import Plain
from companion.care.plan import Plan, schedule
from companion.files.untrusted import visible
from companion.reports.data import FunctionTrend, ReportData
from companion.reports.sections import painkillers_text
from companion.reports.wording import activity_label, done_text, trend_text
from companion.texts.content import Localizer
from companion.texts.i18n import N_

NO_PLAN = N_("You have no activity plan yet.")
PLAN_HEADING = N_("Your plan, week by week")
WEEK = N_("Week no.")
CHART_HEADING = N_("Day goal and what you did")
CHART_LEGEND = N_("Top bar: day goal. Bottom bar: what you did.")
PAIN_HEADING = N_("Your pain (0 to 10)")
NO_CHECKINS = N_("No daily questions answered yet.")
FUNCTION_HEADING = N_("What you can do again (0 to 10)")
FUNCTION_LEGEND = N_("0: you cannot do it at all. 10: as well as before the back pain.")
NO_ACTIVITIES = N_("You named no daily activities that are hard.")
RATINGS = N_("Your scores, oldest first: {scores}.")
MEDICINE_HEADING = N_("Painkillers per week")
NO_MEDICINE = N_("No questions about painkillers yet.")
MEDICINE_DAYS = N_("{painkillers}: on {days} of the 7 days")

BAR = "█"
BAR_WIDTH = 30


class PlanScreen(Page):
    def __init__(self, texts: Localizer, plan: Plan | None, data: ReportData) -> None:
        super().__init__(texts)
        self.plan = plan
        self.data = data

    def compose(self) -> ComposeResult:
        t = self.texts
        plan = self.plan
        data = self.data
        with VerticalScroll(classes="page"):
            yield Plain(t.ui(PLAN_HEADING), classes="heading")
            if plan is None:
                yield Plain(t.ui(NO_PLAN))
            else:
                yield self._table(plan)
            yield Plain(t.ui(CHART_HEADING), classes="heading")
            if plan is not None and any(c.quotas for c in data.checkins):
                yield Plain(t.ui(CHART_LEGEND), classes="legend")
                yield Plain(self._chart(data), id="quota-chart")
            else:
                yield Plain(t.ui(NO_CHECKINS))
            yield Plain(t.ui(PAIN_HEADING), classes="heading")
            pains = [c for c in data.checkins if c.pain_now is not None]
            if pains:
                chart = Text()
                for c in pains:
                    assert c.pain_now is not None
                    chart.append(f"{t.format_date(c.at.date(), 'short'):>10} ")
                    chart.append(BAR * (c.pain_now * 2), style="magenta")
                    chart.append(f" {c.pain_now}  {trend_text(t, c.pain_trend)}\n")
                yield Plain(chart, id="pain-chart")
            else:
                yield Plain(t.ui(NO_CHECKINS))
            yield from self._function(data)
            yield from self._medicine(data)
            yield self.back_button()

    def _function(self, data: ReportData) -> ComposeResult:
        t = self.texts
        yield Plain(t.ui(FUNCTION_HEADING), classes="heading")
        if not data.function:
            yield Plain(t.ui(NO_ACTIVITIES))
            return
        yield Plain(t.ui(FUNCTION_LEGEND), classes="legend")
        for trend in data.function:
            # The patient's own words: text (Plain), never markup.
            yield Plain(visible(trend.activity), classes="activity")
            yield Plain(self._ratings_chart(trend), id=f"function-chart-{trend.slot}")
            scores = ", ".join(t.format_number(score) for score in trend.scores) or "-"
            yield Plain(t.ui(RATINGS, scores=scores), id=f"function-scores-{trend.slot}")

    def _ratings_chart(self, trend: FunctionTrend) -> Text:
        """One bar per rating (two characters a point), its number beside it."""
        t = self.texts
        chart = Text()
        for rating in trend.ratings:
            chart.append(f"{t.format_date(rating.at.date(), 'short'):>10} ")
            if rating.score is None:
                chart.append(f"{t.text('report.value.unknown')}\n")
                continue
            chart.append(BAR * (rating.score * 2), style="green")
            chart.append(f" {t.format_number(rating.score)}\n")
        return chart

    def _medicine(self, data: ReportData) -> ComposeResult:
        t = self.texts
        yield Plain(t.ui(MEDICINE_HEADING), classes="heading")
        if not data.medicine:
            yield Plain(t.ui(NO_MEDICINE))
            return
        lines = []
        for week in data.medicine:
            taken = painkillers_text(t, week)
            if week.days is not None:
                taken = t.ui(MEDICINE_DAYS, painkillers=taken, days=t.format_number(week.days))
            lines.append(f"{t.format_date(week.at.date(), 'short'):>10} {taken}")
        yield Plain("\n".join(lines), id="medicine-weeks")

    def _table(self, plan: Plan) -> DataTable[str]:
        t = self.texts
        table: DataTable[str] = DataTable(id="plan-table", zebra_stripes=True)
        table.add_column(Text(t.ui(WEEK)))
        table.add_column(Text(t.text("report.col.date")))
        for index in range(len(plan.activities)):
            table.add_column(Text(visible(activity_label(t, plan, index))))
        for step in schedule(plan):
            week = (step.day - plan.start).days // 7 + 1
            table.add_row(
                t.format_number(week),
                t.format_date(step.day, "medium"),
                *(t.format_number(q) for q in step.quotas),
            )
        return table

    def _chart(self, data: ReportData) -> Text:
        """Per check-in and activity: the day goal and what was done, as two bars."""
        t = self.texts
        top = max((q for c in data.checkins for q in c.quotas), default=1) or 1
        share = {"done": 1.0, "partly": 0.5, "not": 0.0}
        chart = Text()
        for c in data.checkins:
            # Each check-in with the plan of its day and that activity's own "done?".
            plan = c.plan.plan if c.plan else None
            for index, quota in enumerate(c.quotas):
                name = visible(activity_label(t, plan, index)) if plan else ""
                goal = round(BAR_WIDTH * quota / top)
                did = round(goal * share.get(c.done_of(index) or "", 0.0))
                chart.append(f"{t.format_date(c.at.date(), 'short'):>10} {name[:10]:<10} ")
                chart.append(BAR * goal, style="blue")
                chart.append(f" {t.format_number(quota)}\n")
                chart.append(" " * 22)
                chart.append(BAR * did, style="green")
                chart.append(f" {done_text(t, c.done_of(index))}\n")
        return chart
