"""Printing for the CLI: JSON for scripts, Rich for people, one exit code table.

Exit codes (docs/cli.md):
  0 success / chain verified       1 verification failed or a transaction was rejected
  2 usage error                    3 not found
  4 invalid input                  5 local fault (disk, database, timeout)
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console

from steeltrace.errors import (
    IntegrityError,
    InvalidInput,
    LocalFault,
    NotFound,
    Rejected,
    SteeltraceError,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_INVALID = 4
EXIT_FAULT = 5

console = Console()
err_console = Console(stderr=True)


def emit_json(value: Any) -> None:
    sys.stdout.write(
        orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    )
    sys.stdout.write("\n")
    sys.stdout.flush()


def exit_code_for(e: SteeltraceError) -> int:
    if isinstance(e, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(e, InvalidInput):
        return EXIT_INVALID
    if isinstance(e, (Rejected, IntegrityError)):
        return EXIT_FAILED
    if isinstance(e, LocalFault):
        return EXIT_FAULT
    return EXIT_FAILED


def die(e: SteeltraceError, as_json: bool) -> NoReturn:
    if as_json:
        emit_json({"error": e.to_dict()})
    else:
        err_console.print(f"[bold red]error[/] {e.code}: {e.message}")
    raise typer.Exit(exit_code_for(e))
