"""User scenario folders: the config's ``scenario_dirs`` and ``--scenarios DIR``, listed with the built-ins,
with conflicts (the same id twice) reported and every file loaded once."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from simulator.commands.new import render
from simulator.library import Library

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def scenario(folder: Path, ident: str, file: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{file or ident}.scenario.yaml"
    path.write_text(render("scenario.yaml", id=ident, title=ident, path=str(path)), encoding="utf-8")
    return path


def configure(home: Path, *dirs: str) -> None:
    (home / "config.yaml").write_text("scenario_dirs:\n" + "".join(f"  - {d}\n" for d in dirs))


def listed(*args: str) -> dict:
    result = invoke("scenarios", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_config_folders_are_listed_with_the_builtins(mhsim_home: Path, tmp_path: Path) -> None:
    scenario(tmp_path / "absolute", "from-absolute")
    scenario(mhsim_home / "relative", "from-relative")
    configure(mhsim_home, str(tmp_path / "absolute"), "relative")  # relative to the config file's folder
    rows = {s["id"]: s for s in listed()["scenarios"]}
    assert rows["from-absolute"]["source"] == "config" and rows["from-relative"]["source"] == "config"
    assert rows["low-mood-passive-si"]["source"] == "built-in"


def test_scenarios_option_adds_a_folder_everywhere(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    scenario(folder, "extra-case")
    rows = {s["id"]: s for s in listed("--scenarios", str(folder))["scenarios"]}
    assert rows["extra-case"]["source"] == "command line"
    assert invoke("scenarios", "validate", "--scenarios", str(folder)).exit_code == 0
    tested = invoke("scenarios", "test", "extra-case", "--scenarios", str(folder))
    assert tested.exit_code == 0 and "extra-case" in tested.stdout
    assert "extra-case" not in invoke("scenarios", "test", "low-mood-passive-si").stdout


def test_a_broken_file_in_an_extra_folder_fails_validation(tmp_path: Path) -> None:
    (tmp_path / "bad.scenario.yaml").write_text("schema_version: 1\nid: bad\n")
    result = invoke("scenarios", "validate", "--scenarios", str(tmp_path))
    assert result.exit_code == 1 and f"{tmp_path / 'bad.scenario.yaml'}:" in result.stdout


def test_same_id_in_two_folders_is_a_reported_conflict(mhsim_home: Path, tmp_path: Path) -> None:
    first = scenario(mhsim_home / "scenarios", "shared-id", "first")  # the user's own folder comes first
    second = scenario(tmp_path / "team", "shared-id", "second")
    configure(mhsim_home, str(tmp_path / "team"))
    data = listed()
    assert data["conflicts"] == {"shared-id": [str(first), str(second)]}
    used = {s["path"]: s["used"] for s in data["scenarios"] if s["id"] == "shared-id"}
    assert used == {str(first): True, str(second): False}
    text = invoke("scenarios", "list").stdout
    assert "conflict" in text and "shared-id" in text
    assert Library.discover().get("shared-id")  # resolving the id still works: the first one wins


def test_a_folder_named_twice_or_nested_is_read_once(mhsim_home: Path, tmp_path: Path) -> None:
    team = tmp_path / "team"
    scenario(team / "nested", "only-once")
    configure(mhsim_home, str(team))
    data = listed("--scenarios", str(team), "--scenarios", str(team / "nested"))
    assert [s["id"] for s in data["scenarios"]].count("only-once") == 1
    assert data["conflicts"] == {}


def test_missing_folders_and_a_broken_config(mhsim_home: Path, tmp_path: Path) -> None:
    missing = invoke("scenarios", "list", "--scenarios", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "no such folder" in missing.output
    configure(mhsim_home, str(tmp_path / "gone"))
    noted = invoke("scenarios", "list")
    assert noted.exit_code == 0 and "does not exist" in noted.output
    (mhsim_home / "config.yaml").write_text("scenario_dirz: []\n")
    broken = invoke("scenarios", "list", "--json")
    assert broken.exit_code == 0 and "unknown key 'scenario_dirz'" in broken.output
    assert "low-mood-passive-si" in broken.stdout


def test_discover_can_ignore_the_config(mhsim_home: Path, tmp_path: Path) -> None:
    scenario(tmp_path / "team", "team-case")
    configure(mhsim_home, str(tmp_path / "team"))
    assert "team-case" in [s.id for s in Library.discover().scenarios]
    assert "team-case" not in [s.id for s in Library.discover(use_config=False).scenarios]


# --- the cache of files already found valid ------------------------------------------------------------------


def fresh_process() -> None:
    """Forget the in-memory cache, as a new process would (the file on disk stays)."""
    from simulator import library

    library._caches.clear()


def test_unchanged_files_load_from_the_cache(mhsim_home: Path, tmp_path: Path, monkeypatch) -> None:
    from simulator import library

    path = scenario(tmp_path / "team", "cached-case")
    first = library.load_scenario(path, {"mi"})
    library.valid_cache().save()
    assert (mhsim_home / "cache" / "valid-files.json").exists()
    fresh_process()

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("an unchanged valid file was parsed again")

    monkeypatch.setattr(library, "load_model", no_parsing)
    assert library.load_scenario(path, {"mi"}) == first


def test_an_edited_file_is_validated_again(mhsim_home: Path, tmp_path: Path) -> None:
    import pytest

    from simulator import library
    from simulator.yamlfile import FileProblems

    path = scenario(tmp_path, "edited-case")
    library.load_scenario(path, {"mi"})
    library.valid_cache().save()
    fresh_process()
    path.write_text(path.read_text().replace("title:", "titel:"))
    with pytest.raises(FileProblems) as info:
        library.load_scenario(path, {"mi"})
    assert "unknown key 'titel'" in str(info.value) and f"{path}:" in str(info.value)


def test_a_cached_file_still_gets_the_checks_with_positions(mhsim_home: Path, tmp_path: Path) -> None:
    import pytest

    from simulator import library
    from simulator.yamlfile import FileProblems

    path = scenario(tmp_path, "rubric-gone")
    library.load_scenario(path, {"mi"})
    # The same bytes, but the rubric it names is no longer known: the full check runs and says where.
    with pytest.raises(FileProblems) as info:
        library.load_scenario(path, {"risk"})
    (problem,) = info.value.problems
    assert "unknown rubric 'mi'" in problem.message and problem.line > 1


def test_a_broken_or_foreign_cache_is_ignored(mhsim_home: Path, tmp_path: Path) -> None:
    from simulator import library

    path = scenario(tmp_path, "any-case")
    cache_file = mhsim_home / "cache" / "valid-files.json"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text("{not json")
    assert library.load_scenario(path, {"mi"}).id == "any-case"
    library.valid_cache().save()
    fresh_process()
    data = json.loads(cache_file.read_text())
    data["stamp"] = "another version of mhsim"
    (key,) = [k for k in data["entries"] if k.startswith("scenario:")]
    data["entries"][key]["title"] = "planted by an old version"
    cache_file.write_text(json.dumps(data))
    assert library.load_scenario(path, {"mi"}).title == "any-case"


def test_the_cache_can_be_turned_off(mhsim_home: Path, tmp_path: Path, monkeypatch) -> None:
    from simulator import library

    monkeypatch.setenv("MHSIM_NO_CACHE", "1")
    library.load_scenario(scenario(tmp_path, "uncached"), {"mi"})
    assert library.valid_cache() is None
    assert not (mhsim_home / "cache").exists()
