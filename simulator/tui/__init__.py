"""The Textual interface of mhsim: scenario picker → briefing → encounter → debrief.

Nothing here is imported by the core; ``simulator.tui.app.run`` is the entry point for a bare ``mhsim``.
"""
