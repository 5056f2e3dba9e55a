"""`clausewatch --help` and `clausewatch <command> --help` stay free of the heavy libraries.

Each case starts a real `python -X importtime -m clausewatch ...` and reads the modules it
imported from stderr; nothing here measures time.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from clausewatch import cli

# Libraries that a help screen never needs and that cost tens of milliseconds each to import.
HEAVY = frozenset(
    {
        "aiohttp",
        "alembic",
        "dateparser",
        "fastapi",
        "jinja2",
        "lxml",
        "numpy",
        "playwright",
        "psycopg",
        "py3langid",
        "pydantic",
        "pydantic_settings",
        "pypdfium2",
        "rapidfuzz",
        "selectolax",
        "sklearn",
        "sqlalchemy",
        "starlette",
        "uvicorn",
        "warcio",
        "yaml",
    }
)

# `clausewatch --help` before the stages were imported lazily, in its order.
TOP_LEVEL_BEFORE = (
    "fetch",
    "verify",
    "extract",
    "diff",
    "classify",
    "train",
    "taxonomy",
    "analyse",
    "track",
    "reextract",
    "replay",
    "serve",
    "demo",
    "db",
    "declarations",
    "import",
    "export",
    "versions",
    "provisions",
)

# Every command and subcommand the app had then.
COMMANDS_BEFORE = (
    *((name,) for name in TOP_LEVEL_BEFORE),
    ("db", "upgrade"),
    ("db", "status"),
    ("declarations", "validate"),
    ("import", "ota"),
    ("import", "ota-dataset"),
    ("export", "warc"),
    ("export", "dataset"),
    ("export", "provisions"),
    ("versions", "list"),
    ("provisions", "segment"),
    ("provisions", "diff"),
    ("provisions", "list"),
    ("provisions", "history"),
    ("provisions", "record"),
)

# Commands whose stage packages import nothing heavy of their own: their help must import
# nothing heavy at all. The others (db, verify, export, classify, train, taxonomy, extract,
# fetch) live in packages whose __init__ re-exports heavy modules; for them the commands
# module must add nothing beyond what `import clausewatch.<stage>` already costs.
LIGHT = {"diff", "analyse", "track", "reextract", "replay", "serve", "demo"} | {
    "declarations",
    "import",
    "versions",
    "provisions",
}

# Typer itself coerces option values through pydantic TypeAdapters, so anything past the root
# group (whose --data-dir is then processed) imports pydantic, whatever clausewatch does.
TYPER_OWN = frozenset({"pydantic"})

IMPORT_LINE = re.compile(r"^import time:\s*\d+\s*\|\s*\d+\s*\|\s*(\S+)\s*$")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUSEWATCH_")}
    env["COLUMNS"] = "200"
    return env


def _imported(args: list[str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    modules = set()
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            modules.add(match.group(1))
    return done, modules


def _heavy(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules} & HEAVY


def _packages_of(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(module.rsplit(".", 1)[0] for module in cli.COMMANDS[path[0]].modules)


@pytest.fixture(scope="module")
def help_imports() -> dict[tuple[str, ...], tuple[int, str, set[str]]]:
    """Every command's `--help` and every stage package's bare import, run in parallel."""
    jobs: dict[tuple[str, ...], list[str]] = {
        (): ["-m", "clausewatch", "--help"],
        **{path: ["-m", "clausewatch", *path, "--help"] for path in COMMANDS_BEFORE},
    }
    packages = {package for path in COMMANDS_BEFORE for package in _packages_of(path)}
    for package in packages:
        jobs[("python -c", package)] = ["-c", f"import {package}"]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        futures = {key: pool.submit(_imported, args) for key, args in jobs.items()}
        results = {key: future.result() for key, future in futures.items()}
    return {key: (done.returncode, done.stdout, mods) for key, (done, mods) in results.items()}


def test_top_level_help_imports_no_heavy_library_and_no_stage(
    help_imports: dict[tuple[str, ...], tuple[int, str, set[str]]],
) -> None:
    returncode, _, modules = help_imports[()]
    assert returncode == 0
    assert _heavy(modules) == set()
    stages = {m for m in modules if m.startswith("clausewatch.") and m != "clausewatch.cli"}
    assert stages <= {"clausewatch.errors"}


def test_top_level_help_lists_every_command_it_listed_before(
    help_imports: dict[tuple[str, ...], tuple[int, str, set[str]]],
) -> None:
    _, stdout, _ = help_imports[()]
    listed = re.findall(r"^│ (\S+)\s{2,}\S", stdout, flags=re.MULTILINE)
    commands = [name for name in listed if not name.startswith("-")]
    assert commands[: len(TOP_LEVEL_BEFORE)] == list(TOP_LEVEL_BEFORE)
    assert "Rebuild the classifier from the labelled corpora" in stdout


@pytest.mark.parametrize("path", COMMANDS_BEFORE, ids=" ".join)
def test_command_help_adds_no_heavy_import(
    path: tuple[str, ...], help_imports: dict[tuple[str, ...], tuple[int, str, set[str]]]
) -> None:
    returncode, stdout, modules = help_imports[path]
    assert returncode == 0, stdout
    assert "Usage:" in stdout
    allowed: set[str] = set(TYPER_OWN)
    for package in _packages_of(path):
        allowed |= _heavy(help_imports[("python -c", package)][2])
    assert _heavy(modules) <= allowed
    if path[0] in LIGHT:
        assert _heavy(modules) <= TYPER_OWN


def test_table_matches_the_registered_commands() -> None:
    """The help listed from cli.COMMANDS is the commands' own, in registration order."""
    cli.register_all()
    built = typer.main.get_command(cli.app)
    assert isinstance(built, TyperGroup)
    real = {
        name: inspect.cleandoc(command.help or "").split("\n\n")[0]
        for name, command in built.commands.items()
    }
    assert real == {name: entry.help for name, entry in cli.COMMANDS.items()}
    tree = [(name,) for name in built.commands] + [
        (name, sub)
        for name, command in built.commands.items()
        if isinstance(command, TyperGroup)
        for sub in command.commands
    ]
    assert set(tree) == set(COMMANDS_BEFORE)


def test_unknown_command_still_suggests_the_closest() -> None:
    result = CliRunner().invoke(cli.app, ["fetc"])
    assert result.exit_code == 2
    assert "fetch" in result.output


def test_top_level_options_reach_the_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["--data-dir", str(tmp_path), "db", "upgrade"], env=_env())
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clausewatch.sqlite3").is_file()


def test_reflow_joins_source_wrapping_and_keeps_paragraphs() -> None:
    text = """First line.

        A paragraph wrapped
        at the source's width.

        \b
        kept
        as written
        """
    assert cli.reflow(text) == (
        "First line.\n\nA paragraph wrapped at the source's width.\n\n\b\nkept\nas written"
    )
    assert cli.reflow(None) is None
    assert cli.reflow("") == ""


@pytest.mark.parametrize(
    ("argv", "sentence"),
    [
        (
            ["classify", "--help"],
            "claudette (UNFAIR-ToS labels of which the text is a potentially or clearly unfair "
            "instance)",
        ),
        (
            ["import", "ota-dataset", "--help"],
            "rerunning adds nothing, and an interrupted import keeps every document it finished",
        ),
    ],
)
def test_help_paragraphs_are_not_cut_at_the_source_wrapping(argv: list[str], sentence: str) -> None:
    # A terminal wide enough for the sentence: before the fix, the docstring's own line
    # breaks cut it whatever the width.
    result = CliRunner().invoke(cli.app, argv, env={**_env(), "COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert sentence in result.output
