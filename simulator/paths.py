"""Where mhsim keeps its files.

Everything lives under per-OS folders from platformdirs, unless ``MHSIM_HOME`` names one folder for all of it
(tests, portable installs, a shared training laptop).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "mhsim"
HOME_ENV = "MHSIM_HOME"


@dataclass(frozen=True)
class Locations:
    """The folders and files mhsim reads and writes."""

    config_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.yaml"

    @property
    def database(self) -> Path:
        return self.data_dir / "mhsim.db"

    @property
    def user_scenarios(self) -> Path:
        return self.data_dir / "scenarios"

    @property
    def user_rubrics(self) -> Path:
        return self.data_dir / "rubrics"

    @property
    def user_labs(self) -> Path:
        return self.data_dir / "labs"

    @property
    def exports(self) -> Path:
        return self.data_dir / "exports"


def locations() -> Locations:
    """Resolve the current locations (reads the environment each call, so tests can switch homes)."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        return Locations(config_dir=root, data_dir=root)
    import platformdirs  # deferred: only needed when no override is set

    return Locations(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
    )


def builtin_dir(kind: str) -> Path:
    """Folder of built-in ``scenarios`` or ``rubrics``.

    In a wheel they are shipped inside the package (``simulator/builtin``); in a source checkout or an
    editable install they sit at the top level of the repository.
    """
    package_dir = Path(__file__).resolve().parent
    shipped = package_dir / "builtin" / kind
    if shipped.is_dir():
        return shipped
    return package_dir.parent / kind
