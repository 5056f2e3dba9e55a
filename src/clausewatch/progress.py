"""The progress bar every long command shows (track, reextract, analyse, verify, export,
dataset import), built in one place so they look and behave alike.

rich is imported when a bar is built, not when a command module is, so help screens stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


def progress_bar(
    console: Console, *, label: str = "", enabled: bool = True, transient: bool = False
) -> Progress:
    """A bar on ``console`` (stderr in every command): the job's label, the current item's
    description, done/total and elapsed time. ``enabled=False`` draws nothing (``--json``,
    ``--quiet`` or output that is not a terminal)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns: list[ProgressColumn] = [TextColumn(f"[bold]{label}")] if label else []
    columns += [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    return Progress(*columns, console=console, transient=transient, disable=not enabled)
