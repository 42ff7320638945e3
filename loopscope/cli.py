"""The ``loopscope`` command: ``serve``, ``lessons check``, ``trace``, ``challenge``, ``db``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
lessons_app = typer.Typer(no_args_is_help=True, help="Work with lesson sources.")
app.add_typer(lessons_app, name="lessons")
challenge_app = typer.Typer(no_args_is_help=True, help="Check code against a lesson's challenges.")
app.add_typer(challenge_app, name="challenge")
db_app = typer.Typer(no_args_is_help=True, help="Look after the database.")
app.add_typer(db_app, name="db")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the app (data in $LOOPSCOPE_DATA_DIR, default ~/.loopscope; every setting is a
    LOOPSCOPE_* variable, see the README). Use --host 0.0.0.0 to let learners on your network
    join a workshop room."""
    import logging

    import uvicorn

    from loopscope.app import create_app
    from loopscope.rooms.network import settings_for_listening
    from loopscope.settings import Settings
    from loopscope.web.server import server_config

    settings = settings_for_listening(Settings(), host)
    config = server_config(create_app(settings), settings, host=host, port=port)
    # Open live streams (workshop rooms) would otherwise hold a graceful shutdown forever.
    config.timeout_graceful_shutdown = 3
    from visualizer.pool.sandbox import describe  # the config has set up uvicorn's loggers

    logging.getLogger("uvicorn.error").info(describe(settings.bwrap_path))
    uvicorn.Server(config).run()


@lessons_app.command("check")
def lessons_check(
    lessons: Annotated[
        list[str] | None,
        typer.Argument(help="Check only these lessons (slugs); every lesson is validated."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=0, max=16, help="Runs traced at once (0: three per core).")
    ] = 0,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Trace every run again, ignoring kept traces.")
    ] = False,
) -> None:
    """Validate every lesson and run every example against the demo upstream."""
    from lessons.check import DEFAULT_CACHE, WORKERS
    from lessons.check import main as check_main

    cache = None if no_cache else DEFAULT_CACHE
    only = tuple(lessons) if lessons else None
    raise typer.Exit(check_main(cache=cache, workers=workers or WORKERS, only=only))


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def trace(ctx: typer.Context) -> None:
    """Run FILE's EXPR for real under instrumentation and print what happened."""
    # main() hands `trace` to loopscope.trace_cli before Typer parses; this is the way in
    # for callers of `app` itself (Typer's test runner)
    from loopscope.trace_cli import main as trace_main

    trace_main(ctx.args)


@challenge_app.command("check")
def challenge_check(
    lesson: Annotated[str, typer.Argument(help="The lesson's slug.")],
    challenge: Annotated[str, typer.Argument(help="A challenge id, or project/<milestone id>.")],
    file: Annotated[Path, typer.Argument(help="The Python file to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Check FILE in the sandbox as the app does: exit 0 all pass, 1 some fail, 2 bad input."""
    from lessons.challenge_command import challenge_check as check_command

    raise typer.Exit(check_command(lesson, challenge, file, json_output=as_json))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database's schema to the newest migration (the server also does at start)."""
    import asyncio

    from loopscope.settings import Settings
    from loopscope.storage.commands import upgrade_database

    revision = asyncio.run(upgrade_database(Settings()))
    typer.echo(f"database schema at revision {revision}")


@db_app.command("prune")
def db_prune() -> None:
    """Apply the retention settings once: drop old runs and forget idle learners."""
    import asyncio

    from loopscope.settings import Settings
    from loopscope.storage.commands import prune_database

    pruned = asyncio.run(prune_database(Settings()))
    typer.echo(f"pruned {pruned.runs} runs and {pruned.learners} idle learners")


def main() -> None:
    if sys.argv[1:2] == ["trace"]:  # the fast way in: no Typer parsing (see loopscope.trace_cli)
        from loopscope.trace_cli import main as trace_main

        trace_main(sys.argv[2:])
    app()
