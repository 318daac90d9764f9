"""Spot the failure: read an AI transcript sentence by sentence, flag what fails and name the mode; then, where
the case asks for it, write the clinical reply yourself. Scored by precision, recall and time."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from simulator.lab.case import LabCase, Speaker
from simulator.lab.exercises import Flag, score_reply, score_spot, sentences

from ...wording import counted
from .common import FrameLabel, LabScreen, ModePicker, app_trainee, context_text

WHOLE = "*"


def option_id(unit: str, start: int | None, end: int | None) -> str:
    """Id of a flaggable line: ``unit:start:end``, or ``unit:*`` for the whole unit."""
    return f"{unit}:{WHOLE}" if start is None else f"{unit}:{start}:{end}"


def parse_option_id(value: str) -> tuple[str, int | None, int | None]:
    unit, _, rest = value.partition(":")
    if rest == WHOLE:
        return unit, None, None
    start, _, end = rest.partition(":")
    return unit, int(start), int(end)


class SpotScreen(LabScreen):
    """One transcript; AI sentences can be flagged with a failure mode."""

    HELP: ClassVar[str] = (
        "Read the transcript. Move to a sentence of AI output and press **f** to flag it and name the failure "
        "mode, **t** to flag the whole AI turn, **u** to remove a flag. Press **d** when you are done. Patient and "
        "source lines cannot be flagged. Precision counts how many of your flags were right, recall how many "
        "planted failures you caught and named."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *LabScreen.BINDINGS,
        Binding("f", "flag", "Flag sentence", id="lab.spot.flag", tooltip="Flag the highlighted sentence."),
        # t and u are named in the status line under the transcript (and in F1), so the footer fits 80 columns.
        Binding(
            "t",
            "flag_turn",
            "Flag whole turn",
            id="lab.spot.flag_turn",
            tooltip="Flag the whole AI turn the highlighted sentence belongs to.",
            show=False,
        ),
        Binding(
            "u",
            "unflag",
            "Remove flag",
            id="lab.spot.unflag",
            tooltip="Remove the flag from the highlighted line.",
            show=False,
        ),
        Binding("d", "done", "Done", id="lab.spot.done", tooltip="Score your flags."),
    ]

    def __init__(self, case: LabCase) -> None:
        super().__init__(case)
        self.flags: dict[str, tuple[str, float]] = {}  # option id -> (mode, seconds when flagged)
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content(self.case.title), classes="lab-title")
        yield Static(context_text(self.case), classes="lab-context")
        yield FrameLabel()
        yield OptionList(*self._options(), id="transcript", classes="lab-list")
        yield Static(id="spot-status", classes="lab-hint")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = "Spot the failure"
        options = self.query_one("#transcript", OptionList)
        first = next((i for i, o in enumerate(options.options) if not o.disabled), None)
        options.highlighted = first
        options.focus()
        self._status()

    def _options(self) -> list[Option | None]:
        out: list[Option | None] = []
        tool = self.case.tool.name
        for turn in self.case.transcript:
            who = {
                Speaker.AI: f"AI · {tool}",
                Speaker.PATIENT: "Patient",
                Speaker.CLINICIAN: "Clinician",
                Speaker.SOURCE: "Source",
            }[turn.speaker]
            if turn.note:
                who += f" — {turn.note}"
            if turn.speaker is Speaker.AI:
                self._texts[option_id(turn.id, None, None)] = self.case.units()[turn.id].text
                out.append(
                    Option(
                        Content.assemble((f"{who}  [{turn.id}]", "bold")), id=option_id(turn.id, None, None)
                    )
                )
            else:
                out.append(Option(Content.assemble((who, "bold")), disabled=True))
            text = self.case.units()[turn.id].text
            for start, end in sentences(text):
                oid = option_id(turn.id, start, end)
                self._texts[oid] = text[start:end]
                out.append(
                    Option(Content("    " + text[start:end]), id=oid, disabled=turn.speaker is not Speaker.AI)
                )
        return out

    def _prompt(self, oid: str) -> Content:
        unit, start, _ = parse_option_id(oid)
        flag = self.flags.get(oid)
        if start is None:
            who = f"AI · {self.case.tool.name}  [{unit}]"
            return Content.assemble((f"⚑ {flag[0]} " if flag else "", "bold reverse"), (who, "bold"))
        return Content.assemble(
            (f"⚑ {flag[0]} " if flag else "    ", "bold reverse" if flag else ""), self._texts[oid]
        )

    def _status(self) -> None:
        n = len(self.flags)
        self.query_one("#spot-status", Static).update(
            Content(f"{counted(n, 'flag')}. f flags a sentence, t the whole turn, u removes a flag, d when done.")
        )

    @property
    def highlighted(self) -> str | None:
        options = self.query_one("#transcript", OptionList)
        option = options.highlighted_option
        return option.id if option is not None and not option.disabled else None

    def action_flag(self) -> None:
        oid = self.highlighted
        if oid is None:
            return
        self._ask_mode(oid)

    def action_flag_turn(self) -> None:
        oid = self.highlighted
        if oid is None:
            return
        unit, _, _ = parse_option_id(oid)
        self._ask_mode(option_id(unit, None, None))

    def _ask_mode(self, oid: str) -> None:
        def chosen(mode: str | None) -> None:
            if mode:
                self.flags[oid] = (mode, self.elapsed())
                self.query_one("#transcript", OptionList).replace_option_prompt(oid, self._prompt(oid))
                self._status()

        self.app.push_screen(ModePicker(self._texts.get(oid, "")), chosen)

    def action_unflag(self) -> None:
        oid = self.highlighted
        if oid is None or oid not in self.flags:
            return
        del self.flags[oid]
        self.query_one("#transcript", OptionList).replace_option_prompt(oid, self._prompt(oid))
        self._status()

    @on(OptionList.OptionSelected, "#transcript")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_flag()

    def collected(self) -> list[Flag]:
        """The flags raised, in the order they were raised."""
        ordered = sorted(self.flags.items(), key=lambda item: item[1][1])
        out = []
        for oid, (mode, at) in ordered:
            unit, start, end = parse_option_id(oid)
            out.append(Flag(unit=unit, mode=mode, start=start, end=end, at_s=at))
        return out

    def action_done(self) -> None:
        seconds = self.elapsed()
        flags = self.collected()
        if self.case.reply_task is None:
            self.finish(
                score_spot(self.case, flags, seconds, trainee=app_trainee(self.app), started=self.started_at)
            )
            return

        def replied(text: str | None) -> None:
            reply = score_reply(self.case, text) if text and text.strip() else None
            attempt = score_spot(
                self.case, flags, seconds, trainee=app_trainee(self.app), reply=reply, started=self.started_at
            )
            self.finish(attempt)

        self.app.push_screen(ReplyScreen(self.case), replied)


class ReplyScreen(Screen[str | None]):
    """Write the clinical reply the case asks for; Ctrl+S submits it, Escape skips it."""

    DEFAULT_CSS = """
    ReplyScreen #reply-patient { padding: 1 2; text-style: italic; }
    ReplyScreen #reply-task { padding: 0 2; }
    ReplyScreen #reply-text { height: 1fr; margin: 1 2; }
    """
    HELP: ClassVar[str] = (
        "Write what you would say. Your reply is coded (questions, reflections, advice, risk questions) and scored "
        "with the rubric items the case names. Ctrl+S submits; Escape skips the reply."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "submit",
            "Submit reply",
            id="lab.reply.submit",
            priority=True,
            tooltip="Submit your reply to be coded and scored.",
        ),
        Binding(
            "escape", "skip", "Skip reply", id="lab.reply.skip", tooltip="Finish without writing a reply."
        ),
    ]

    def __init__(self, case: LabCase) -> None:
        super().__init__()
        self.case = case

    def compose(self) -> ComposeResult:
        from simulator.lab.exercises import patient_words

        task = self.case.reply_task
        assert task is not None
        yield Header()
        yield Static(
            Content.assemble(("Your turn: ", "bold"), " ".join(task.prompt.split())), id="reply-task"
        )
        yield Static(Content(f"Patient: “{patient_words(self.case, task.reply_to)}”"), id="reply-patient")
        yield TextArea(id="reply-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Write your reply"
        self.query_one("#reply-text", TextArea).focus()

    def action_submit(self) -> None:
        self.dismiss(self.query_one("#reply-text", TextArea).text)

    def action_skip(self) -> None:
        self.dismiss(None)


__all__ = ["ReplyScreen", "SpotScreen", "option_id", "parse_option_id"]
