"""The command line: one Typer app; every command is a thin wrapper over a stage.

Stages add their commands through ``register(app)`` in their own ``commands`` module, so the
pipeline's packages stay independent of each other. A stage's module is imported only when
one of its commands runs (or shows its own help): most stage packages pull in SQLAlchemy,
aiohttp, numpy or selectolax on import, and ``clausewatch --help`` should not wait for them.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from clausewatch import __version__
from clausewatch.errors import ClausewatchError

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click import Command, Context, HelpFormatter
    from typer._click.shell_completion import CompletionItem

    from clausewatch.config import Settings

COMMAND_MODULES = (
    "clausewatch.store.commands",
    "clausewatch.declarations.commands",
    "clausewatch.fetch.commands",
    "clausewatch.archive.commands",
    "clausewatch.extract.commands",
    "clausewatch.versions.commands",
    "clausewatch.provisions.commands",
    "clausewatch.classify.commands",
    "clausewatch.analysis.commands",
    "clausewatch.track.commands",
    "clausewatch.web.commands",
    "clausewatch.demo.commands",
)


class CommandEntry(NamedTuple):
    """What the top-level help lists for a command without importing its stage."""

    help: str
    modules: tuple[str, ...]


def _stage(*stages: str) -> tuple[str, ...]:
    return tuple(f"clausewatch.{stage}.commands" for stage in stages)


# In the order the help listed them when every stage was imported up front. The help is the
# first paragraph of the command's own; tests/test_cli_start.py fails when the two drift.
# A group names every stage that adds subcommands to it.
COMMANDS: dict[str, CommandEntry] = {
    "fetch": CommandEntry(
        "Fetch URL through the SSRF guard and limits; print what came back, or why nothing did.",
        _stage("fetch"),
    ),
    "verify": CommandEntry(
        "Re-hash every blob and the whole ledger chain; print each problem on one line.",
        _stage("archive"),
    ),
    "extract": CommandEntry(
        "Print the Markdown OTA would record for SNAPSHOT_FILE under a declaration.",
        _stage("extract"),
    ),
    "diff": CommandEntry(
        "Show the word-level differences between two versions, with counts.",
        _stage("versions"),
    ),
    "classify": CommandEntry(
        'Classify provisions: JSON lines {"text": ...} in, one JSON line of labels out each.',
        _stage("classify"),
    ),
    "train": CommandEntry(
        "Rebuild the classifier from the labelled corpora (reproducible: same data and seed,\n"
        "same arrays): the English model in the target folder and German, Italian and Polish\n"
        "models in its de/, it/ and pl/ sub-folders (their types are the English model's,\n"
        "carried over sentence by sentence to CLAUDETTE's translations). Never trains on\n"
        "Amazon, Snap, LinkedIn, Uber, Evernote or on the UNFAIR-ToS dev services.",
        _stage("classify"),
    ),
    "taxonomy": CommandEntry(
        "Print the provision types: id, category, default severity, CLAUDETTE mapping,\n"
        'how many cue phrases the language has for each ("+N next": phrases that state the\n'
        "type in a sentence after one that follow_after matches), and the languages whose\n"
        "cue phrases make the type explicit (--json adds the patterns and reading rules).",
        _stage("classify"),
    ),
    "analyse": CommandEntry(
        "Cut versions that have no provisions yet into provisions, diff and classify them.",
        _stage("track"),
    ),
    "track": CommandEntry(
        "Fetch every due document and run it through the pipeline.",
        _stage("track"),
    ),
    "reextract": CommandEntry(
        "Rebuild versions from stored snapshots after an extractor or declaration change.",
        _stage("track"),
    ),
    "replay": CommandEntry(
        "Ingest dated snapshots as if fetched at those times; print a JSON summary.",
        _stage("track"),
    ),
    "serve": CommandEntry(
        "Serve the web pages and the JSON API (every page has a `.json` twin; docs at /api/docs).",
        _stage("web"),
    ),
    "demo": CommandEntry(
        "Track fictional platforms' documents through four revisions, offline, then serve the app.",
        _stage("demo"),
    ),
    "db": CommandEntry("Create or migrate the database schema.", _stage("store")),
    "declarations": CommandEntry("Check Open Terms Archive declarations.", _stage("declarations")),
    "import": CommandEntry(
        "Bring platforms, documents and history in from elsewhere.",
        _stage("declarations", "versions"),
    ),
    "export": CommandEntry(
        "Write the archive in a standard format for other tools.", _stage("archive", "track")
    ),
    "versions": CommandEntry("List the versions of a document.", _stage("versions")),
    "provisions": CommandEntry(
        "Provisions: segment versions into clauses, diff them, read their histories.",
        _stage("provisions"),
    ),
}

_registered: set[str] = set()


def _load(modules: tuple[str, ...]) -> bool:
    """Import and register stage command modules once each; True when any was new."""
    added = False
    for name in modules:
        if name in _registered:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                _registered.add(name)
                continue
            raise
        module.register(app)
        _registered.add(name)
        added = True
    return added


def shared_group(app: typer.Typer, name: str) -> typer.Typer:
    """The group ``name`` of ``app`` that several stages add subcommands to (``export`` holds
    the archive's WARC and the tracker's dataset and provisions), made by whichever stage
    registers first, so neither stage has to import the other's package."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=COMMANDS[name].help, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def register_all() -> None:
    """Register every stage's commands, for callers that want the whole tree built at once."""
    _load(COMMAND_MODULES)


def reflow(text: str | None) -> str | None:
    """``text`` with the line breaks of its source wrapping removed, paragraph by paragraph.

    Typer's rich help keeps every single line break of a docstring's later paragraphs, so a
    docstring wrapped at the source's width came out cut mid-sentence on a terminal of
    another width. Paragraphs stay apart; one that starts with click's ``\\b`` marker is
    left as written."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def _reflowed(command: Command) -> Command:
    """``command`` (and a group's subcommands) with their help texts reflowed."""
    command.help = reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        _reflowed(sub)
    return command


class LazyGroup(TyperGroup):
    """The root group: lists commands from ``COMMANDS`` and imports a stage on first use."""

    _listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands:
            return _reflowed(self.commands[cmd_name])
        entry = COMMANDS.get(cmd_name)
        if entry is not None and self._listing:
            return TyperCommand(name=cmd_name, help=entry.help)
        # A command missing from COMMANDS still runs: load every stage to find it.
        if _load(entry.modules if entry is not None else COMMAND_MODULES) or entry is None:
            built = typer.main.get_command(app)
            if isinstance(built, TyperGroup):
                for name, command in built.commands.items():
                    self.commands.setdefault(name, command)
        found = self.commands.get(cmd_name)
        return None if found is None else _reflowed(found)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False


app = typer.Typer(
    name="clausewatch",
    cls=LazyGroup,
    help=(
        "Watch the legal documents of online platforms: fetch them, keep a verifiable archive "
        "of every version, cut them into provisions, classify and compare them, and alert "
        "when their meaning changes."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class PendingSettings:
    """The top-level options, turned into ``Settings`` only when a command asks for them:
    building them imports pydantic, which help screens never need."""

    overrides: dict[str, Any] = field(default_factory=dict)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clausewatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Where the SQLite database and the blob store live "
            "(env CLAUSEWATCH_DATA_DIR; default ~/.local/share/clausewatch).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="A PostgreSQL URL to use instead of SQLite (env CLAUSEWATCH_DATABASE_URL).",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    ctx.obj = PendingSettings(overrides)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings built by the top-level options, for commands defined in stage modules."""
    from clausewatch.config import Settings

    root = ctx.find_root()
    obj = root.obj
    if isinstance(obj, Settings):
        return obj
    if isinstance(obj, PendingSettings):
        settings = Settings(**obj.overrides)
        root.obj = settings
        return settings
    return Settings()


def run() -> None:
    """Entry point that turns user errors into one line and a non-zero exit."""
    try:
        app()
    except ClausewatchError as exc:
        _stderr().print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _stderr().print("interrupted; rerun the same command to resume safely")
        sys.exit(130)


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)
