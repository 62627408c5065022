"""`steeltrace`: the command line of a steeltrace node.

Every read command takes ``--json``. The node's home is ``--home DIR``, else
``$STEELTRACE_HOME``, else ``./.steeltrace``. Exit codes: see cli/output.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from steeltrace.cli.output import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    console,
    die,
    emit_json,
    err_console,
)
from steeltrace.errors import InvalidInput, NotFound, SteeltraceError

app = typer.Typer(
    name="steeltrace",
    help="A permissioned blockchain for steel provenance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Benchmarks (results go to docs/benchmarks.md).", no_args_is_help=True)
users_app = typer.Typer(help="API users of this node.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(users_app, name="users")

_state: dict[str, Any] = {"home": None}
T = TypeVar("T")

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Node home directory (default $STEELTRACE_HOME or ./.steeltrace)"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def home_dir(home: Path | None = None) -> Path:
    if home is not None:
        return home
    if _state["home"] is not None:
        return Path(_state["home"])
    return Path(os.environ.get("STEELTRACE_HOME", ".steeltrace"))


@app.callback()
def _main(home: HomeOpt = None) -> None:
    _state["home"] = home


def _open(home: Path | None, *, start: bool = False) -> Any:
    from steeltrace.node.service import Node

    return Node.open(home_dir(home), start=start)


def _query(home: Path | None, as_json: bool, fn: Callable[[Any], T]) -> T:
    """Open the node read-only, run ``fn`` on it, close it; errors become exit codes."""
    try:
        node = _open(home)
    except SteeltraceError as e:
        die(e, as_json)
    try:
        return fn(node)
    except SteeltraceError as e:
        die(e, as_json)
    finally:
        node.close()


def _show(value: Any, as_json: bool, missing: SteeltraceError) -> None:
    if value is None:
        die(missing, as_json)
    if as_json:
        emit_json(value)
    else:
        console.print_json(data=value)


# --- setup ---------------------------------------------------------------------------
@app.command()
def init(
    home: HomeOpt = None,
    chain_id: Annotated[str, typer.Option(help="Chain id")] = "steeltrace-demo",
    threshold: Annotated[
        int, typer.Option(help="Admin approvals needed for membership changes")
    ] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Create a node home with the demo consortium's genesis (keys held locally)."""
    from steeltrace.bootstrap import init_home

    try:
        config = init_home(home_dir(home), chain_id=chain_id, threshold=threshold)
    except SteeltraceError as e:
        die(e, as_json)
    out = {
        "home": str(home_dir(home)),
        "chain_id": config["chain_id"],
        "organisations": len(config["organisations"]),
    }
    if as_json:
        emit_json(out)
    else:
        console.print(
            f"initialised [bold]{out['chain_id']}[/] in {out['home']} "
            f"with {out['organisations']} organisations"
        )


@app.command()
def demo(
    home: HomeOpt = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Do not serve the dashboard afterwards")
    ] = False,
    host: Annotated[str, typer.Option(help="Dashboard address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Dashboard port")] = 8000,
) -> None:
    """Build the demo consortium and run the main story, printing what happened."""
    from steeltrace.demo.runner import run_demo

    h = home_dir(home)
    try:
        run_demo(h, console=console)
    except SteeltraceError as e:
        die(e, False)
    if not no_serve:
        _serve(h, host, port)


# --- ledger reads --------------------------------------------------------------------
@app.command()
def status(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Height, head block hash and state root of this node."""

    def read(node: Any) -> dict[str, Any]:
        b = node.block(node.height())
        return {
            "chain_id": node.chain_id,
            "height": node.height(),
            "block_hash": b["block_hash"],
            "state_root": b["header"]["state_root"],
            "time": b["header"]["time"],
            "home": str(node.home),
        }

    out = _query(home, as_json, read)
    if as_json:
        emit_json(out)
    else:
        for k, v in out.items():
            console.print(f"[bold]{k:>10}[/] {v}")


@app.command()
def block(height: int, home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Show block HEIGHT: header, hash and transactions with their status."""
    b = _query(home, as_json, lambda node: node.block(height))
    if b is None:
        die(NotFound("BLOCK_NOT_FOUND", f"no block at height {height}"), as_json)
    if as_json:
        emit_json(b)
        return
    t = Table(title=f"block {height}  {b['block_hash']}")
    t.add_column("field")
    t.add_column("value")
    for k in sorted(b["header"]):
        t.add_row(k, str(b["header"][k]))
    console.print(t)
    tt = Table(title="transactions")
    for c in ("#", "tx_id", "type", "signer", "status", "code"):
        tt.add_column(c)
    for tx in b["transactions"]:
        tt.add_row(
            str(tx["index"]),
            tx["tx_id"][:16] + "…",
            tx["type"],
            tx["signer"],
            tx["status"],
            tx["code"] or "",
        )
    console.print(tt)


@app.command()
def tx(tx_id: str, home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Show a transaction, its block height and its status."""
    t = _query(home, as_json, lambda node: node.tx(tx_id))
    _show(t, as_json, NotFound("TX_NOT_FOUND", f"no committed transaction {tx_id}"))


@app.command()
def proof(
    tx_id: str,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    bundle: Annotated[
        bool, typer.Option("--bundle", help="Everything needed to check it offline")
    ] = False,
) -> None:
    """An RFC 6962 inclusion proof of a transaction in its block's tx_root."""
    from steeltrace.node.queries import proof_bundle

    if bundle:
        b = _query(home, as_json, lambda node: proof_bundle(node.store, tx_id))
        _show(b, as_json, NotFound("TX_NOT_FOUND", f"no committed transaction {tx_id}"))
        return
    p = _query(home, as_json, lambda node: node.proof(tx_id))
    _show(p, as_json, NotFound("TX_NOT_FOUND", f"no committed transaction {tx_id}"))


@app.command("verify-proof")
def verify_proof(
    file: Annotated[Path, typer.Argument(help="A bundle from `steeltrace proof TX --bundle`")],
    orderer_key: Annotated[
        str | None,
        typer.Option(help="The orderer's public key (hex) from the genesis configuration"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a proof bundle offline, without a node: leaf, audit path, header, signature,
    verdict."""
    from steeltrace.core.canonical import parse_strict
    from steeltrace.core.ledger.bundle import verify_bundle

    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        out = verify_bundle(
            parse_strict(data, max_bytes=4 * 1024 * 1024), orderer_public_key=orderer_key
        )
    except OSError as e:
        die(InvalidInput("FILE_UNREADABLE", str(e)), as_json)
    except SteeltraceError as e:
        die(e, as_json)
    if as_json:
        emit_json(out)
        return
    trust = (
        ""
        if out["orderer_key_trusted"]
        else " (orderer key taken from the bundle: pass --orderer-key)"
    )
    console.print(
        f"[bold green]proof verified[/]: {out['type']} {out['tx_id'][:16]}… "
        f"by {out['signer']} is in block {out['block_height']} of {out['chain_id']}, "
        f"status {out['status']}"
        f"{' ' + out['code'] if out['code'] else ''}{trust}"
    )


@app.command()
def verify(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Re-check the whole chain from genesis; exit 0 only when it is sound."""
    from steeltrace.adapters.storage.sqlite import SqliteStore
    from steeltrace.node.verify import verify_store

    path = home_dir(home) / "ledger.sqlite3"
    if not path.exists():
        die(NotFound("NODE_NOT_INITIALISED", f"{path} does not exist"), as_json)
    try:
        store = SqliteStore(path)
    except SteeltraceError as e:
        die(e, as_json)
    try:
        report = verify_store(store)
    finally:
        store.close()
    if as_json:
        emit_json(report.to_dict())
    elif report.ok:
        console.print(
            f"[bold green]chain verified[/]: {report.blocks} blocks, "
            f"{report.transactions} transactions, "
            f"height {report.height}, state root {report.state_root}"
        )
    else:
        err_console.print(
            f"[bold red]verification failed[/] at block {report.first_bad_block}: "
            f"{report.code}: {report.message}"
        )
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


@app.command()
def orgs(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Organisations, their roles and keys."""

    def read(node: Any) -> list[dict[str, Any]]:
        return [
            {**org, "keys": [k for _, k in node.scan(f"key/{org['id']}/", limit=100)]}
            for _, org in node.scan("org/", limit=10_000)
        ]

    out = _query(home, as_json, read)
    if as_json:
        emit_json(out)
        return
    t = Table(title="organisations")
    for c in ("id", "legal name", "country", "roles", "status", "keys"):
        t.add_column(c)
    for o in out:
        t.add_row(
            o["id"],
            o["legal_name"],
            o["country"],
            ", ".join(o["roles"]),
            o["status"],
            str(len(o["keys"])),
        )
    console.print(t)


# --- writes ------------------------------------------------------------------------
@app.command()
def submit(
    file: Annotated[
        Path,
        typer.Option("--file", help='JSON Lines: {"as", "type", "payload"} or signed envelopes'),
    ],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Submit transactions from a JSON Lines file; print a result per line."""
    from steeltrace.node.bulk import submit_lines

    try:
        node = _open(home, start=True)
    except SteeltraceError as e:
        die(e, as_json)
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        results = submit_lines(node, text.splitlines())
    except OSError as e:
        die(InvalidInput("FILE_UNREADABLE", str(e)), as_json)
    finally:
        node.close()
    failed = [r for r in results if r["status"] != "valid"]
    if as_json:
        emit_json(results)
    else:
        t = Table(title=f"{len(results)} transactions, {len(failed)} not valid")
        for c in ("line", "type", "tx_id", "status", "code", "message"):
            t.add_column(c)
        for r in results:
            t.add_row(
                str(r["line"]),
                r.get("type") or "",
                (r.get("tx_id") or "")[:16],
                r["status"],
                r.get("code") or "",
                (r.get("message") or "")[:60],
            )
        console.print(t)
    if failed:
        raise typer.Exit(EXIT_FAILED)


# --- steel reads (origin engine) --------------------------------------------------
@app.command()
def trace(
    lot_id: str,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    country: Annotated[
        str | None, typer.Option(help="Foreign content relative to this country")
    ] = None,
) -> None:
    """A lot's genealogy, heats, melt-and-pour shares, origin and explanation."""
    from steeltrace.core.origin.trace import render_trace
    from steeltrace.node.queries import trace_lot

    if as_json:
        emit_json(_query(home, as_json, lambda n: trace_lot(n, lot_id, reference_country=country)))
        return
    lines = _query(home, as_json, lambda n: render_trace(n, lot_id, reference_country=country))
    for line in lines:
        console.print(line, markup=False, highlight=False)


@app.command()
def lots(
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    owner: Annotated[str | None, typer.Option(help="Only lots of this owner")] = None,
    limit: Annotated[int, typer.Option(help="At most this many")] = 1000,
) -> None:
    """List lots."""
    rows = _query(
        home,
        as_json,
        lambda node: [
            v for _, v in node.scan("lot/", limit=limit) if owner is None or v.get("owner") == owner
        ],
    )
    if as_json:
        emit_json(rows)
        return
    t = Table(title=f"{len(rows)} lots")
    for c in ("id", "form", "hs", "grade", "kg", "owner", "state"):
        t.add_column(c)
    for v in rows:
        t.add_row(
            v["id"],
            str(v.get("form")),
            str(v.get("hs")),
            str(v.get("grade")),
            f"{v.get('remaining_kg', 0):,}",
            str(v.get("owner")),
            str(v.get("state")),
        )
    console.print(t)


@app.command()
def risk(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Circumvention risk signals: unit values, surges, capacity (analytics, not rules)."""
    from steeltrace.analytics.risk import risk_report

    out = _query(home, as_json, risk_report)
    if as_json:
        emit_json(out)
        return
    t = Table(title=f"{len(out['flags'])} risk signals over {out['declarations']} declarations")
    for c in ("code", "subject", "why"):
        t.add_column(c)
    for f in out["flags"]:
        t.add_row(f["code"], f["subject"], f["message"])
    console.print(t)


# --- serving ------------------------------------------------------------------------
def _serve(home: Path, host: str, port: int) -> None:
    import uvicorn

    from steeltrace.api.app import create_app
    from steeltrace.node.service import Node

    node = Node.open(home)
    try:
        application = create_app(node, home=home)
        console.print(
            f"[bold]steeltrace dashboard[/] at http://{host}:{port}/  "
            "(API docs at /docs; Ctrl-C stops)"
        )
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        node.close()


@app.command()
def serve(
    home: HomeOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the REST API and the dashboard."""
    try:
        _serve(home_dir(home), host, port)
    except SteeltraceError as e:
        die(e, False)


@users_app.command("add")
def users_add(
    org_id: str,
    name: str,
    role: Annotated[str, typer.Option("--role", help="One of the organisation's roles, or viewer")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API user; prints its token once."""
    from steeltrace.api.users import users_add_command

    try:
        out = users_add_command(home_dir(home), org_id, name, role)
    except SteeltraceError as e:
        die(e, as_json)
    if as_json:
        emit_json(out)
    else:
        console.print(f"user [bold]{out['user']}[/] of {out['org']} ({out['role']})")
        console.print(f"token (shown once): [bold]{out['token']}[/]")


@users_app.command("list")
def users_list(
    org_id: Annotated[str | None, typer.Argument(help="Only this organisation's users")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """API users of this node (never their tokens)."""
    from steeltrace.api.users import list_users

    try:
        rows = list_users(home_dir(home), org_id)
    except SteeltraceError as e:
        die(e, as_json)
    if as_json:
        emit_json(rows)
        return
    t = Table(title=f"{len(rows)} users")
    for c in sorted({k for r in rows for k in r}):
        t.add_column(c)
    for r in rows:
        t.add_row(*(str(r.get(c)) for c in sorted({k for r in rows for k in r})))
    console.print(t)


@users_app.command("revoke")
def users_revoke(org_id: str, name: str, home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Revoke a user's token at once (its dashboard sessions end too)."""
    from steeltrace.api.users import revoke_user

    try:
        out = revoke_user(home_dir(home), org_id, name)
    except SteeltraceError as e:
        die(e, as_json)
    if as_json:
        emit_json(out)
    else:
        console.print(f"revoked {name} of {org_id}")


# --- benchmarks ------------------------------------------------------------------------
@bench_app.command("ledger")
def bench_ledger(
    txs: Annotated[int, typer.Option("--txs", help="Transactions to commit")] = 20_000,
    as_json: JsonOpt = False,
) -> None:
    """Signed ~1 KB transactions through submit -> order -> validate -> commit, fsync on."""
    from steeltrace.bench.ledger import run_ledger_bench

    out = run_ledger_bench(txs)
    _bench_out(out, as_json)


@bench_app.command("trace")
def bench_trace(
    ancestors: Annotated[int, typer.Option(help="Ancestors in the genealogy")] = 10_000,
    repeats: Annotated[int, typer.Option(help="Timed repeats")] = 30,
    node: Annotated[
        bool, typer.Option("--node/--no-node", help="Also replay it through a real node")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Trace + origin report of a lot with a 10,000-ancestor genealogy."""
    from steeltrace.bench.trace import run_node_trace_bench
    from steeltrace.core.origin.bench import run_trace_bench

    run = run_node_trace_bench if node else run_trace_bench
    _bench_out(run(ancestors=ancestors, repeats=repeats), as_json)


@bench_app.command("api")
def bench_api(
    writes: Annotated[int, typer.Option(help="Writes through the API")] = 2_000,
    lots: Annotated[int, typer.Option(help="Lots on the ledger for the passport read")] = 100_000,
    as_json: JsonOpt = False,
) -> None:
    """API write throughput with 16 clients; passport read p95 with many lots."""
    from steeltrace.bench.api import run_api_bench

    _bench_out(run_api_bench(writes=writes, lots=lots), as_json)


def _bench_out(out: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(out)
    else:
        for k, v in out.items():
            console.print(f"[bold]{k:>16}[/] {v}")


def main() -> None:
    from steeltrace.bootstrap import tune_runtime

    tune_runtime()
    try:
        app()
    except SteeltraceError as e:  # a last resort: never a traceback for a known error
        err_console.print(f"[bold red]error[/] {e.code}: {e.message}")
        sys.exit(
            EXIT_INVALID
            if isinstance(e, InvalidInput)
            else EXIT_NOT_FOUND
            if isinstance(e, NotFound)
            else EXIT_FAILED
        )


if __name__ == "__main__":
    main()
