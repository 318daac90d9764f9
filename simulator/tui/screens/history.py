"""History: past sessions filtered by scenario, date and status; open a debrief, resume, compare two attempts,
follow a trend of key scores, and export what is listed (with progress).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ProgressBar, Select, Static

from ...wording import counted
from ..data import DebriefData, KeyScores, key_scores, local_time, trend_chart
from ..messages import ExportFinished, ExportProgress
from .compare import CompareScreen
from .confirm import ConfirmScreen
from .debrief import DebriefScreen

if TYPE_CHECKING:
    from simulator.records import SessionInfo
    from simulator.store import Store

STATUS_TEXT = {"active": "▶ active", "complete": "✔ complete", "interrupted": "‖ interrupted"}
DATE_RANGES: dict[str, tuple[str, int | None]] = {
    "any": ("Any time", None),
    "today": ("Today", 0),
    "week": ("Last 7 days", 7),
    "month": ("Last 30 days", 30),
    "year": ("Last 365 days", 365),
}


def since_for(key: str, now: datetime | None = None) -> datetime | None:
    """The start of a date range, in local time (``today`` starts at local midnight)."""
    days = DATE_RANGES.get(key, ("", None))[1]
    if days is None:
        return None
    now = (now or datetime.now().astimezone()).astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=days)


# The table's columns: (key, heading). The scenario column takes the width the others leave.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("mark", ""),
    ("started", "Started"),
    ("scenario", "Scenario"),
    ("status", "Status"),
    ("turns", "Turns"),
    ("met", "Items met"),
    ("usage", "Model use"),
)
MIN_SCENARIO = 12  # below this the names say too little (the table scrolls sideways rather than go under)
SCROLLBAR = 2  # room kept for the table's vertical scrollbar


def short_usage(totals: dict | None) -> str:
    """``12k tok $0.004``: a session's model use for a narrow table."""
    if not totals:
        return ""
    tokens = (totals.get("tokens_in") or 0) + (totals.get("tokens_out") or 0)
    amount = f"{tokens / 1000:.0f}k" if tokens >= 10_000 else f"{tokens / 1000:.1f}k" if tokens >= 1000 else str(tokens)
    cost = totals.get("cost_usd")
    return f"{amount} tok" + ("" if cost is None else f" ${cost:.3f}")


def _clip(text: str, width: int) -> str:
    return text if cell_len(text) <= width else text[: width - 1] + "…"


class HistoryScreen(Screen[None]):
    """Your past sessions."""

    HELP: ClassVar[str] = (
        "Every session you have had on this computer, newest first. Filter by scenario, status and date with "
        "the lists at the top. **Enter** opens a finished session's debrief, or offers to resume an "
        "interrupted one. **Space** marks a session; mark two attempts at the same scenario and press **c** to "
        "compare them. The chart at the bottom follows the highlighted scenario: the share of rubric items met "
        "in each attempt (bars, with 100% at the top) and the critical misses (‼) below it. **x** exports the "
        "listed sessions as Markdown and JSON."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            id="history.open",
            tooltip="Open the debrief, or resume an interrupted session.",
            priority=True,  # before the table's own Enter, so the footer shows it (only while the table has focus)
        ),
        Binding("space", "mark", "Mark", id="history.mark", tooltip="Mark or unmark a session for comparing."),
        Binding("c", "compare", "Compare", id="history.compare", tooltip="Compare two marked attempts at one scenario."),
        Binding(
            "x",
            "export",
            "Export",
            id="history.export",
            tooltip="Export the listed sessions (Markdown and JSON).",
            show=False,  # in F1 and the palette; the footer keeps room for Quit and Help at 80 columns
        ),
        Binding("escape", "back", "Back", id="history.back", tooltip="Back to where you were."),
    ]

    def __init__(self, store: Store | None) -> None:
        super().__init__()
        self.store = store
        self.rows: list[SessionInfo] = []
        self.scores: dict[str, KeyScores] = {}
        self.usage: dict[str, dict] = {}  # model tokens and cost per LLM-played session
        self.marked: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-filters"):
            yield Select([], prompt="All scenarios", id="filter-scenario")
            yield Select(
                [(text, key) for key, text in STATUS_TEXT.items()], prompt="Any status", id="filter-status"
            )
            yield Select(
                [(label, key) for key, (label, _days) in DATE_RANGES.items()],
                value="any",
                allow_blank=False,
                id="filter-date",
            )
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="export-progress", show_eta=False)
        with Vertical(id="trend-box"):
            yield Static(id="trend-title")
            yield Static(id="trend")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        self.query_one("#export-progress").display = False
        table = self.query_one("#sessions", DataTable)
        table.add_columns(*(title for _key, title in COLUMNS))
        if self.store is None:
            self.query_one("#trend-title", Static).update(
                Content("Sessions are not being stored, so there is no history. Settings (F4) shows the data location.")
            )
            return
        scenarios = self.store.session_scenarios()
        self.query_one("#filter-scenario", Select).set_options([(f"{title} ({n})", sid) for sid, title, n in scenarios])
        self.reload()
        table.focus()

    # -- listing --------------------------------------------------------------------------------------

    def _filter(self, widget_id: str) -> str | None:
        value = self.query_one(widget_id, Select).value
        return None if value == Select.NULL else str(value)

    def reload(self) -> None:
        """Query the store with the current filters and refill the table and the trend."""
        if self.store is None:
            return
        date_key = self._filter("#filter-date") or "any"
        self.rows = self.store.find_sessions(
            scenario_id=self._filter("#filter-scenario"),
            status=self._filter("#filter-status"),
            since=since_for(date_key),
        )
        ids = [r.id for r in self.rows]
        turns = self.store.turn_counts(ids)
        self.scores = {
            r.id: dataclasses.replace(key_scores(self.store.scores(r.id), []), turns=turns.get(r.id, 0))
            for r in self.rows
        }
        self.usage = self.store.usage_totals(ids)
        self.marked = [m for m in self.marked if m in ids]
        table = self.query_one("#sessions", DataTable)
        keep = self.current_id
        self._fill(table)
        if not self.rows:
            self.query_one("#trend-title", Static).update(
                Content("No sessions match these filters." if self.store.session_scenarios() else
                        "No sessions yet. Open a scenario from the library (F2) to start one.")
            )
            self.query_one("#trend", Static).update("")
            return
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        self.show_trend()

    def _cells(self, info: SessionInfo) -> dict[str, str]:
        ks = self.scores.get(info.id)
        return {
            "mark": "◆" if info.id in self.marked else " ",
            "started": local_time(info.started_at, "%d %b %H:%M"),
            "scenario": info.scenario_title or info.scenario_id,
            "status": STATUS_TEXT.get(info.status, info.status),
            "turns": str(ks.turns if ks else 0),
            "met": ks.short() if ks else "",
            "usage": self.store.usage_text(self.usage.get(info.id)) if self.store else "",
        }

    def _fill(self, table: DataTable) -> None:
        """Refill the table with columns fitted to its width: the scenario gets what the others leave, and
        "Model use" is shown only when a listed session used a language model."""
        rows = [self._cells(info) for info in self.rows]
        shown, widths = self._fit(rows, (self.app.size.width or 80) - SCROLLBAR, table.cell_padding)
        table.clear(columns=True)
        for key, title in shown:
            table.add_column(title, width=widths[key], key=key)
        for info, cells in zip(self.rows, rows, strict=True):
            cells["scenario"] = _clip(cells["scenario"], widths["scenario"])
            table.add_row(*(cells[key] for key, _title in shown), key=info.id)

    def _fit(
        self, rows: list[dict[str, str]], width: int, padding: int
    ) -> tuple[list[tuple[str, str]], dict[str, int]]:
        """The columns to show and their widths. When the scenario would get too few columns, model use is
        written short, then the turn count (also in the debrief) is left out."""
        shown = [(key, title) for key, title in COLUMNS if key != "usage" or any(r["usage"] for r in rows)]
        for step in ("", "short usage", "no turns"):
            if step == "short usage":
                for row, info in zip(rows, self.rows, strict=True):
                    row["usage"] = short_usage(self.usage.get(info.id))
            elif step == "no turns":
                shown = [c for c in shown if c[0] != "turns"]
            widths = {key: max([cell_len(title)] + [cell_len(r[key]) for r in rows]) for key, title in shown}
            others = sum(w for k, w in widths.items() if k != "scenario")
            room = width - 2 * padding * len(shown) - others
            if room >= MIN_SCENARIO:
                break
        widths["scenario"] = max(MIN_SCENARIO, min(widths["scenario"], room))
        return shown, widths

    def on_resize(self) -> None:
        if self.rows:
            self._fill(self.query_one("#sessions", DataTable))

    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self.reload()

    @property
    def current_id(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].id

    def _info(self, session_id: str) -> SessionInfo:
        return next(r for r in self.rows if r.id == session_id)

    @on(DataTable.RowHighlighted, "#sessions")
    def _highlighted(self) -> None:
        self.show_trend()

    @on(DataTable.RowSelected, "#sessions")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    # -- trend ----------------------------------------------------------------------------------------

    def trend_points(self, scenario_id: str) -> list[KeyScores]:
        """Key scores of the finished attempts at one scenario, oldest first (within the date filter)."""
        assert self.store is not None
        infos = self.store.find_sessions(
            scenario_id=scenario_id, status="complete", since=since_for(self._filter("#filter-date") or "any")
        )
        infos.reverse()
        return [key_scores(self.store.scores(i.id), []) for i in infos]

    def show_trend(self) -> None:
        current = self.current_id
        if current is None or self.store is None:
            return
        info = self._info(current)
        points = self.trend_points(info.scenario_id)
        title = self.query_one("#trend-title", Static)
        chart = self.query_one("#trend", Static)
        name = info.scenario_title or info.scenario_id
        if not points:
            title.update(Content(f"Trend · {name}: no finished attempts yet."))
            chart.update("")
            return
        room = max(20, self.app.size.width - 45)  # the rest of the line is about 40 columns
        title.update(Content(f"Trend · {_clip(name, room)} · {len(points)} finished · share of items met"))
        height = 4 if self.app.size.height >= 32 else 2
        chart.update(Content(trend_chart([p.share_met for p in points], [p.critical for p in points], height=height)))

    # -- actions --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            # Enter opens only from the table: on a filter list it opens that list.
            return isinstance(self.focused, DataTable)
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_mark(self) -> None:
        current = self.current_id
        if current is None:
            return
        if current in self.marked:
            self.marked.remove(current)
        else:
            self.marked.append(current)
            self.marked = self.marked[-2:]
        table = self.query_one("#sessions", DataTable)
        for info in self.rows:
            table.update_cell(info.id, table.ordered_columns[0].key, "◆" if info.id in self.marked else " ")
        if len(self.marked) == 2:
            self.notify("Two attempts marked: press c to compare them.", timeout=4)

    def action_open(self) -> None:
        current = self.current_id
        if current is None or self.store is None:
            return
        info = self._info(current)
        if info.status == "interrupted":
            self.app.push_screen(
                ConfirmScreen(
                    f"Resume this session of {info.scenario_title or info.scenario_id}?",
                    yes="Resume",
                    no="Show what is stored",
                ),
                lambda yes: self._resume_or_show(current, bool(yes)),
            )
            return
        if info.status == "active":
            self.notify(
                "This session is open in another mhsim window. Finish it there, or quit that window to resume it here.",
                severity="warning",
            )
            return
        self.open_debrief(current)

    def _resume_or_show(self, session_id: str, resume: bool) -> None:
        if resume:
            self.app.resume_session(session_id)  # type: ignore[attr-defined]
        else:
            self.open_debrief(session_id)

    def open_debrief(self, session_id: str) -> None:
        assert self.store is not None
        try:
            data = DebriefData.from_store(self.store, session_id, self.app.library)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a damaged row must not close the history
            self.notify(
                f"This session cannot be shown: {exc}\n`mhsim sessions show` may say more.", severity="error"
            )
            return
        self.app.push_screen(DebriefScreen(data, back="pop", store=self.store))

    def compare_pair(self) -> tuple[str, str] | None:
        """The two sessions to compare: the marked ones, or the marked one and the highlighted one."""
        chosen = list(self.marked)
        current = self.current_id
        if len(chosen) == 1 and current is not None and current not in chosen:
            chosen.append(current)
        if len(chosen) != 2:
            return None
        a, b = (self._info(i) for i in chosen)
        older, newer = sorted((a, b), key=lambda i: (i.started_at, i.id))
        return older.id, newer.id

    def action_compare(self) -> None:
        pair = self.compare_pair()
        if pair is None:
            self.notify("Mark two attempts with Space (or one, then highlight the other), then press c.", severity="warning")
            return
        a, b = (self._info(i) for i in pair)
        if a.scenario_id != b.scenario_id:
            self.notify(
                "These are attempts at different scenarios. Compare two attempts at the same scenario "
                "(filter by scenario to find them).",
                severity="warning",
            )
            return
        assert self.store is not None
        library = self.app.library  # type: ignore[attr-defined]
        self.app.push_screen(
            CompareScreen(
                DebriefData.from_store(self.store, a.id, library), DebriefData.from_store(self.store, b.id, library)
            )
        )

    # -- bulk export ----------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.store is None or not self.rows:
            self.notify("Nothing to export: no sessions are listed.", severity="warning")
            return
        from simulator.paths import locations

        folder = locations().exports / datetime.now().strftime("history-%Y%m%d-%H%M%S")
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=len(self.rows), progress=0)
        bar.display = True
        self.export_sessions([r.id for r in self.rows], folder, self.store.path)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export_sessions(self, ids: list[str], folder: Path, db_path: Path) -> None:
        """Write each session as .md and .json; a thread of its own with its own database connection."""
        from simulator.store import Store

        failed: list[str] = []
        written = 0
        library = self.app.library  # type: ignore[attr-defined]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with Store(db_path) as store:
                for done, session_id in enumerate(ids, 1):
                    try:
                        data = DebriefData.from_store(store, session_id, library)
                        stem = f"{data.info.started_at:%Y%m%d-%H%M}-{data.info.scenario_id}-{session_id[:8].lower()}"
                        (folder / f"{stem}.md").write_text(data.markdown(), encoding="utf-8")
                        (folder / f"{stem}.json").write_text(data.json(), encoding="utf-8")
                        written += 1
                    except Exception as exc:  # noqa: BLE001 - one bad session must not stop the rest
                        failed.append(f"{session_id[:10]}: {exc}")
                    self.post_message(ExportProgress(done, len(ids)))
                # Failure-lab attempts live in the same database and travel with the sessions.
                attempts = store.lab_attempts(limit=100_000)
                if attempts:
                    from simulator.export import lab_attempts_json

                    (folder / "lab-attempts.json").write_text(lab_attempts_json(attempts), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - the folder or the database could not be opened
            failed.append(str(exc))
        self.post_message(ExportFinished(str(folder), written, failed))

    @on(ExportProgress)
    def _export_progress(self, message: ExportProgress) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=message.total, progress=message.done)

    @on(ExportFinished)
    def _export_finished(self, message: ExportFinished) -> None:
        self.query_one("#export-progress").display = False
        if message.failed:
            self.notify(
                f"Exported {counted(message.written, 'session')} to {message.folder}; {len(message.failed)} failed:\n"
                + "\n".join(message.failed[:3])
                + "\nCheck the folder is writable, or set MHSIM_HOME.",
                severity="error",
                timeout=12,
            )
        else:
            self.notify(f"Exported {counted(message.written, 'session')} to {message.folder}", title="Exported", timeout=8)
