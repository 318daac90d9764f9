"""Live probe: run the lab's probes against the configured model, grade the answers, write the report.

Without a model configured the screen says how to configure one. Before the first call to a remote provider it
says what will be sent and to whom and asks. Every answer is shown under the live-output label, with method,
means and dose detail already withheld; crisis resources come from the configuration, never from the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from simulator.lab.probe import CRITERION_GRADES, OVERALL, OVERALL_GRADES, OVERALL_LABELS
from simulator.lab.taxonomy import LIVE_FRAME

from ...wording import counted
from .common import LAB_CSS, CrisisPanel, FrameLabel, app_config, app_store, app_trainee

if TYPE_CHECKING:
    from simulator.config import ModelConfig
    from simulator.lab.case import LabCase
    from simulator.lab.probe import Complete, ProbeOutput


class SendConsent(ModalScreen[bool]):
    """Before the first call to a remote provider: what is sent, to whom; send or cancel."""

    DEFAULT_CSS = """
    SendConsent { align: center middle; }
    #consent-box { width: 84; max-width: 95%; height: auto; padding: 1 2; border: thick $warning; background: $surface; }
    #consent-box Horizontal { height: auto; margin-top: 1; }
    #consent-box Button { margin-right: 2; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="consent-box"):
            yield Static(Content(self.text))
            with Horizontal():
                yield Button("Send the probes", id="consent-yes", variant="warning")
                yield Button("Cancel", id="consent-no")

    @on(Button.Pressed, "#consent-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#consent-no")
    def _no(self) -> None:
        self.dismiss(False)


class ProbeScreen(Screen[None]):
    """Run the battery, grade each answer against its lab case's criteria, write the evaluation report."""

    DEFAULT_CSS = (
        LAB_CSS
        + """
    ProbeScreen #probe-setup { height: auto; padding: 0 1; }
    ProbeScreen #probe-body { height: 1fr; min-height: 6; }
    ProbeScreen #probe-support-box { height: auto; max-height: 25%; }
    ProbeScreen #probe-outputs { width: 2fr; }
    ProbeScreen #probe-detail { width: 3fr; padding: 0 1; }
    ProbeScreen #probe-rater { width: 40; }
    ProbeScreen RadioSet { height: auto; width: 1fr; }
    ProbeScreen .criterion { height: auto; margin-top: 1; }
    """
    )
    HELP: ClassVar[str] = (
        "Probe the model your organisation plans to deploy. **r** runs the battery (each lab probe, **+**/**-** "
        "sets how many times), then grade each answer: type your name as rater, answer each criterion "
        "(yes is safe), give an overall judgement and press **Ctrl+S**. Several staff can grade the same run; "
        "the report shows their agreement. **w** writes the report (Markdown and HTML) to the exports folder."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="lab.probe.back", tooltip="Leave the live probe."),
        Binding(
            "r",
            "run",
            "Run",
            id="lab.probe.run",
            tooltip="Send every probe to the model and record the answers.",
        ),
        Binding(
            "plus",
            "more",
            "More runs",
            id="lab.probe.more",
            show=False,
            tooltip="Send each probe one more time.",
        ),
        Binding(
            "minus",
            "fewer",
            "Fewer runs",
            id="lab.probe.fewer",
            show=False,
            tooltip="Send each probe one time fewer.",
        ),
        Binding(
            "ctrl+s",
            "save_grades",
            "Save grades",
            id="lab.probe.save",
            priority=True,
            tooltip="Save your grades of the highlighted answer.",
        ),
        Binding(
            "w",
            "report",
            "Report",
            id="lab.probe.report",
            tooltip="Write the evaluation report (Markdown and HTML) to the exports folder.",
        ),
    ]

    def __init__(
        self,
        cases: list[LabCase],
        *,
        complete: Complete | None = None,
        settings: ModelConfig | None = None,
    ) -> None:
        super().__init__()
        self.cases = {c.id: c for c in cases if c.probe is not None}
        self._complete = complete
        self._settings = settings
        self.problem: str | None = None
        self.repeats = 1
        self.run_id: str | None = None
        self.outputs: list[dict[str, Any]] = []
        self.running = False

    # -- layout -----------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Live probe of a real model"), classes="lab-title")
        yield Static(id="probe-setup")
        yield FrameLabel(LIVE_FRAME)
        with Horizontal(id="probe-body"):
            yield OptionList(id="probe-outputs", classes="lab-list")
            with VerticalScroll(id="probe-detail"):
                yield Input(placeholder="your name or pseudonym as rater", id="probe-rater")
                yield Static(id="probe-text")
                yield Vertical(id="probe-criteria")
        # Height-capped, so a long resources text (or the note on how to add them) leaves room for the answers.
        with VerticalScroll(id="probe-support-box"):
            yield CrisisPanel(app_config(self.app), id="probe-support")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Live probe"
        self.query_one("#probe-rater", Input).value = app_trainee(self.app)
        self._resolve_settings()
        self._load_latest()
        self._show_setup()

    def _resolve_settings(self) -> None:
        if self._settings is not None:
            return
        from simulator.lab.probe import ModelNotConfigured, probe_settings

        config = app_config(self.app)
        if config is None:
            self.problem = (
                "The configuration file has problems; fix it (mhsim config) before probing a model."
            )
            return
        try:
            self._settings = probe_settings(config)
        except ModelNotConfigured as exc:
            self.problem = str(exc)

    @property
    def can_run(self) -> bool:
        """A model (or an injected completion) to send the probes to."""
        return self._complete is not None or self._settings is not None

    def _show_setup(self) -> None:
        setup = self.query_one("#probe-setup", Static)
        if not self.can_run:
            # One line here; how to configure a model is in the answer pane while there is no answer to show.
            first = (self.problem or "No model is configured.").split("\n", 1)[0]
            if self.outputs:  # an earlier run is shown for grading
                setup.update(Content(f"{first} Press r to see how to add one."))
            else:
                setup.update(Content(f"{first} How to add one is shown on the right."))
                self.query_one("#probe-text", Static).update(Content(self.problem or ""))
            return
        model = self._settings.model if self._settings is not None else "the injected model"
        where = (
            self._settings.api_base
            if self._settings is not None and self._settings.api_base
            else "its provider"
        )
        status = (
            "running…"
            if self.running
            else f"r runs {counted(len(self.cases), 'probe')} × {self.repeats} (+/- to change)"
        )
        run = f" · showing run {self.run_id[:10]}" if self.run_id else ""
        setup.update(Content(f"Model: {model} at {where} · {status}{run}"))

    def _load_latest(self) -> None:
        """Show the latest stored run, so several raters can grade the same answers."""
        store = app_store(self.app)
        if store is None:
            return
        runs = store.probe_runs(limit=1)
        if runs:
            self.run_id = runs[0]["id"]
            self.outputs = store.probe_outputs(self.run_id)
            self._list_outputs()

    def _list_outputs(self) -> None:
        options = self.query_one("#probe-outputs", OptionList)
        options.clear_options()
        for row in self.outputs:
            case = self.cases.get(row["case_id"])
            title = case.title if case else row["case_id"]
            state = "failed call" if row.get("error") else f"{len(row.get('output') or '')} chars"
            options.add_option(Option(Content(f"{title} · run {row['repeat']} · {state}"), id=str(row["id"])))
        if self.outputs:
            options.highlighted = 0

    # -- running ----------------------------------------------------------------------------------------

    def _cannot_run(self) -> bool:
        """Say why nothing can be sent (no model, or a run in progress); True when that is so."""
        if not self.can_run:
            self.notify(self.problem or "No model is configured.", severity="error", timeout=12)
            return True
        if self.running:
            self.notify("A run is in progress: wait for its answers.", severity="warning", timeout=4)
            return True
        return False

    def action_more(self) -> None:
        if self._cannot_run():
            return
        if self.repeats == 10:
            self.notify("10 runs of each probe is the most.", timeout=4)
        self.repeats = min(10, self.repeats + 1)
        self._show_setup()

    def action_fewer(self) -> None:
        if self._cannot_run():
            return
        if self.repeats == 1:
            self.notify("Each probe is sent at least once.", timeout=4)
        self.repeats = max(1, self.repeats - 1)
        self._show_setup()

    def action_run(self) -> None:
        if self._cannot_run():
            return
        if self._complete is not None or self._settings is None:
            self._start()
            return
        from simulator.lab.probe import disclosure
        from simulator.llm.consent import has_consent, recipient, record_consent

        who = recipient(self._settings.model or "", self._settings.api_base)
        remote, text = disclosure(self._settings)
        if not remote or has_consent(who):
            self._start()
            return

        def answered(ok: bool | None) -> None:
            if ok:
                record_consent(who)
                self._start()

        self.app.push_screen(SendConsent(text), answered)

    def _start(self) -> None:
        self.running = True
        self.outputs = []
        self._list_outputs()
        self._show_setup()
        self.run_battery()

    @work(exclusive=True, group="lab-probe", exit_on_error=False)
    async def run_battery(self) -> None:
        from simulator.lab.probe import adapter_complete, run_battery

        complete = self._complete
        if complete is None:
            assert self._settings is not None
            complete = adapter_complete(self._settings)
        model = self._settings.model if self._settings is not None else "injected"
        store = app_store(self.app)

        def arrived(out: ProbeOutput) -> None:
            self.outputs.append(out.row())
            case = self.cases.get(out.case_id)
            title = case.title if case else out.case_id
            state = "failed call" if out.error else f"{len(out.output)} chars"
            options = self.query_one("#probe-outputs", OptionList)
            options.add_option(Option(Content(f"{title} · run {out.repeat} · {state}"), id=str(out.id)))
            if options.highlighted is None:
                options.highlighted = 0

        try:
            run = await run_battery(
                list(self.cases.values()),
                complete,
                model=model or "",
                repeats=self.repeats,
                api_base=self._settings.api_base if self._settings is not None else None,
                store=store,
                on_output=arrived,
            )
        finally:
            self.running = False
        self.run_id = run.id
        failed = sum(o.error is not None for o in run.outputs)
        self.notify(
            f"Recorded {counted(len(run.outputs) - failed, 'answer')}; {counted(failed, 'call')} failed.", timeout=8
        )
        self._show_setup()

    # -- grading ----------------------------------------------------------------------------------------

    @property
    def current(self) -> dict[str, Any] | None:
        option = self.query_one("#probe-outputs", OptionList).highlighted_option
        if option is None:
            return None
        return next((r for r in self.outputs if str(r["id"]) == option.id), None)

    @on(OptionList.OptionHighlighted, "#probe-outputs")
    async def _show_output(self, event: OptionList.OptionHighlighted) -> None:
        row = self.current
        text = self.query_one("#probe-text", Static)
        box = self.query_one("#probe-criteria", Vertical)
        await box.remove_children()
        if row is None:
            text.update("")
            return
        case = self.cases.get(row["case_id"])
        prompt = next(
            (m["content"] for m in reversed(row.get("messages") or []) if m.get("role") == "user"), ""
        )
        body = f"The call failed: {row['error']}" if row.get("error") else row.get("output") or ""
        withheld = f"\n(withheld: {', '.join(row['redactions'])})" if row.get("redactions") else ""
        text.update(
            Content.assemble(("Prompt: ", "bold"), prompt, "\n\n", ("Answer: ", "bold"), body, withheld)
        )
        if row.get("error") or case is None or case.probe is None:
            return
        given = self._my_grades(row["id"])  # what this rater already said, so re-opening shows it
        widgets = []
        for criterion in case.probe.criteria:
            widgets.append(
                Static(Content(f"{criterion.text} ({criterion.severity.value})"), classes="criterion")
            )
            buttons = [RadioButton(g, value=given.get(criterion.id) == g) for g in CRITERION_GRADES]
            widgets.append(RadioSet(*buttons, id=f"crit-{criterion.id}"))
        widgets.append(Static(Content("Overall judgement"), classes="criterion"))
        buttons = [RadioButton(OVERALL_LABELS[g], value=given.get(OVERALL) == g) for g in OVERALL_GRADES]
        widgets.append(RadioSet(*buttons, id="crit-overall"))
        await box.mount_all(widgets)

    def _my_grades(self, output_id: int) -> dict[str, str]:
        """This rater's stored grades of one output: criterion id (or OVERALL) -> grade."""
        store = app_store(self.app)
        rater = self.query_one("#probe-rater", Input).value.strip()
        if store is None or self.run_id is None or not rater:
            return {}
        return {
            g["criterion"]: g["grade"]
            for g in store.probe_grades(self.run_id)
            if g["output_id"] == output_id and g["rater"] == rater
        }

    def action_save_grades(self) -> None:
        from simulator.lab.probe import grade

        row = self.current
        store = app_store(self.app)
        rater = self.query_one("#probe-rater", Input).value.strip()
        if row is None:
            self.notify(
                "No answer to grade: press r to run the battery, then choose an answer in the list.",
                severity="warning",
                timeout=6,
            )
            return
        if row.get("error"):
            self.notify("This call failed, so there is no answer to grade.", severity="warning")
            return
        if store is None:
            self.notify("Grades cannot be saved: storing is off.", severity="warning")
            return
        if not rater:
            self.notify("Type your name or pseudonym as rater first.", severity="warning")
            return
        case = self.cases.get(row["case_id"])
        if case is None or case.probe is None:
            self.notify(
                f"The lab case {row['case_id']} is no longer installed, so its criteria cannot be graded.",
                severity="warning",
            )
            return
        saved = 0
        for criterion in case.probe.criteria:
            index = self.query_one(f"#crit-{criterion.id}", RadioSet).pressed_index
            if index >= 0:
                grade(store, row["id"], rater, criterion.id, CRITERION_GRADES[index])
                saved += 1
        index = self.query_one("#crit-overall", RadioSet).pressed_index
        if index >= 0:
            grade(store, row["id"], rater, OVERALL, OVERALL_GRADES[index])
            saved += 1
        if not saved:
            self.notify("Nothing to save: choose an answer for a criterion first.", severity="warning")
            return
        self.notify(f"Saved {counted(saved, 'grade')} by {rater}.", timeout=5)

    def action_report(self) -> None:
        from simulator.lab.report import evaluation, report_html, report_markdown
        from simulator.paths import locations

        store = app_store(self.app)
        if store is None or self.run_id is None:
            self.notify("No stored run to report on yet: press r to run the battery.", severity="warning")
            return
        run = store.probe_runs(self.run_id)[0]
        ev = evaluation(run, store.probe_outputs(self.run_id), store.probe_grades(self.run_id), self.cases)
        folder = locations().exports
        stem = folder / f"evaluation-{self.run_id[:10]}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stem.with_suffix(".md").write_text(report_markdown(ev), encoding="utf-8")
            stem.with_suffix(".html").write_text(report_html(ev), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Could not write the report: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Wrote {stem}.md and {stem}.html", timeout=10)

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = ["ProbeScreen", "SendConsent"]
