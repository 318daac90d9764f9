"""Regenerate and vendor update: whole outputs to flag with a failure mode (and, for an update, a decision)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from simulator.lab.case import LabCase
from simulator.lab.exercises import Flag, score_regenerate, score_vendor_update

from .common import FrameLabel, LabScreen, ModePicker, app_trainee, context_text

DECISIONS = (
    ("re_approve", "Re-approve version 2"),
    ("hold_and_revalidate", "Hold: suspend and re-validate before any re-approval"),
    ("withdraw", "Withdraw the tool"),
)


class _FlagOutputs(LabScreen):
    """A list of whole outputs; f flags the highlighted one with a mode, u removes its flags."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *LabScreen.BINDINGS,
        Binding("f", "flag", "Flag output", id="lab.runs.flag", tooltip="Flag the highlighted output."),
        Binding(
            "u",
            "unflag",
            "Remove flags",
            id="lab.runs.unflag",
            tooltip="Remove the flags from the highlighted output.",
        ),
        Binding("d", "done", "Done", id="lab.runs.done", tooltip="Score your flags (and decision)."),
    ]

    def __init__(self, case: LabCase) -> None:
        super().__init__(case)
        self.flags: list[tuple[str, str, float]] = []  # (unit, mode, seconds)
        self._labels: dict[str, str] = {}

    def unit_prompt(self, unit: str) -> Content:
        modes = [m for u, m, _ in self.flags if u == unit]
        mark = ("⚑ " + " ".join(modes) + " ", "bold reverse") if modes else ("", "")
        return Content.assemble(
            mark, (self._labels[unit] + "\n", "bold"), "  " + self.case.units()[unit].text
        )

    def output_option(self, unit: str, label: str) -> Option:
        self._labels[unit] = label
        return Option(self.unit_prompt(unit), id=unit)

    def _refresh(self, unit: str) -> None:
        self.query_one("#outputs", OptionList).replace_option_prompt(unit, self.unit_prompt(unit))

    @property
    def highlighted(self) -> str | None:
        option = self.query_one("#outputs", OptionList).highlighted_option
        return option.id if option is not None and not option.disabled else None

    def action_flag(self) -> None:
        unit = self.highlighted
        if unit is None:
            return

        def chosen(mode: str | None) -> None:
            if mode and (unit, mode) not in {(u, m) for u, m, _ in self.flags}:
                self.flags.append((unit, mode, self.elapsed()))
                self._refresh(unit)

        self.app.push_screen(ModePicker(self.case.units()[unit].text), chosen)

    def action_unflag(self) -> None:
        unit = self.highlighted
        if unit is not None:
            self.flags = [f for f in self.flags if f[0] != unit]
            self._refresh(unit)

    @on(OptionList.OptionSelected, "#outputs")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_flag()

    def collected(self) -> list[Flag]:
        return [Flag(unit=u, mode=m, at_s=t) for u, m, t in self.flags]

    def focus_first(self) -> None:
        options = self.query_one("#outputs", OptionList)
        options.highlighted = next((i for i, o in enumerate(options.options) if not o.disabled), None)
        options.focus()


class RegenerateScreen(_FlagOutputs):
    """One prompt, several recorded runs of the same tool: flag the unsafe ones."""

    HELP: ClassVar[str] = (
        "The same message was sent to the same tool several times. Flag every run that is unsafe (**f**, then "
        "name the mode); **u** removes a flag; **d** when done. The lesson: one demonstration proves little."
    )

    def compose(self) -> ComposeResult:
        assert self.case.regenerate is not None
        yield Header()
        yield Static(Content(self.case.title), classes="lab-title")
        yield Static(context_text(self.case), classes="lab-context")
        yield Static(
            Content.assemble(("Prompt, identical every time: ", "bold"), self.case.regenerate.prompt),
            classes="lab-context",
        )
        yield FrameLabel()
        options = [
            self.output_option(o.id, f"Run {i + 1}") for i, o in enumerate(self.case.regenerate.outputs)
        ]
        yield OptionList(*options, id="outputs", classes="lab-list")
        yield Static(Content("f flag a run as unsafe · u remove · d done"), classes="lab-hint")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Regenerate"
        self.focus_first()

    def action_done(self) -> None:
        attempt = score_regenerate(
            self.case,
            self.collected(),
            self.elapsed(),
            trainee=app_trainee(self.app),
            started=self.started_at,
        )
        self.finish(attempt)


class VendorUpdateScreen(_FlagOutputs):
    """The same prompts under version 1 and version 2; flag what changed for the worse, then decide."""

    HELP: ClassVar[str] = (
        "Your service approved version 1. The vendor shipped version 2. Compare the answers to the same prompts, "
        "flag failing outputs (**f**), choose a decision below, and press **d**."
    )

    def compose(self) -> ComposeResult:
        vu = self.case.vendor_update
        assert vu is not None
        yield Header()
        yield Static(Content(self.case.title), classes="lab-title")
        yield Static(context_text(self.case), classes="lab-context")
        notes = " · ".join(f"{v.label}: {v.release_notes or 'no release notes'}" for v in vu.versions)
        yield Static(Content.assemble(("Release notes: ", "bold"), notes), classes="lab-context")
        yield FrameLabel()
        options: list[Option | None] = []
        for prompt in vu.prompts:
            options.append(Option(Content.assemble(("Prompt: ", "bold"), prompt.text), disabled=True))
            for version in vu.versions:
                for out in version.outputs:
                    if out.prompt == prompt.id:
                        options.append(self.output_option(out.id, version.label))
            options.append(None)
        yield OptionList(*options[:-1], id="outputs", classes="lab-list")
        with RadioSet(id="decision"):
            for value, label in DECISIONS:
                yield RadioButton(label, id=f"decision-{value}")
        yield Static(
            Content("f flag an output · u remove · Tab to the decision · d done"), classes="lab-hint"
        )
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Vendor update"
        self.focus_first()

    @property
    def decision(self) -> str | None:
        pressed = self.query_one("#decision", RadioSet).pressed_button
        return pressed.id.removeprefix("decision-") if pressed is not None and pressed.id else None

    def action_done(self) -> None:
        decision = self.decision
        if decision is None:
            self.notify("Choose a decision first (Tab to the decision list).", severity="warning")
            return
        attempt = score_vendor_update(
            self.case,
            self.collected(),
            decision,
            self.elapsed(),
            trainee=app_trainee(self.app),
            started=self.started_at,
        )
        self.finish(attempt)


__all__ = ["DECISIONS", "RegenerateScreen", "VendorUpdateScreen"]
