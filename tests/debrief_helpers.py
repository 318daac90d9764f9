"""Pilot tests of the debrief screen: the app with a stored session's debrief on top, and the notices shown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from simulator.config import Config
from simulator.library import Library
from simulator.store import Store


@asynccontextmanager
async def running_debrief(
    lib: Library, session_id: str, config: Config, *, coach_client=None
) -> AsyncIterator[tuple]:
    """(app, pilot, screen) with the debrief of ``session_id`` shown at 100x34; the store stays open inside."""
    from simulator.tui.app import MhsimApp
    from simulator.tui.data import DebriefData
    from simulator.tui.screens import DebriefScreen

    app = MhsimApp(library=lib, chunk_delay=0, config=config)
    with Store.open_default() as store:
        async with app.run_test(size=(100, 34)) as pilot:
            await asyncio.wait_for(app.library_loaded.wait(), 60)
            screen = DebriefScreen(DebriefData.from_store(store, session_id, lib), back="pop", store=store)
            if coach_client is not None:
                screen.coach_client = coach_client
            await app.push_screen(screen)
            await pilot.pause()
            yield app, pilot, screen


def notices(app) -> str:
    """Every notification the app has shown, message and title."""
    return "\n".join(n.message + " " + (n.title or "") for n in app._notifications)
