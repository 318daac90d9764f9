"""The AI failure lab: how AI tools behave and fail in mental-health care, taught before an organisation
deploys one.

- :mod:`~simulator.lab.taxonomy`: the 19 failure modes and the seven challenges they touch.
- :mod:`~simulator.lab.case`: the lab case format (``*.lab.yaml``), its checks and JSON Schema.
- :mod:`~simulator.lab.redact`: method, means and dose detail refused in files and withheld from model output.
- :mod:`~simulator.lab.library`: built-in and user lab folders.
- :mod:`~simulator.lab.exercises`: scoring of spot the failure, inbox, regenerate, vendor update, procurement.
- :mod:`~simulator.lab.probe`: the live probe of a real model; :mod:`~simulator.lab.report` its evaluation
  report, inter-rater agreement and detection rates; :mod:`~simulator.lab.debrief` an attempt's debrief.
- :mod:`~simulator.lab.storage`: the ``lab_*`` tables of the session database.

Headless: nothing here imports textual or litellm at module level (the TUI is in ``simulator.tui.lab``).
"""

from __future__ import annotations
