"""The 8 invariants of RELIABILITY.md, checked after every scenario test.

``check_invariants(node)`` reads the whole committed state and the whole chain of a real
node and asserts each invariant independently of the contracts that maintain it:

1. one owner (an existing organisation) and one lifecycle state per lot;
2. at most one active pledge per lot or receipt, ``lot.pledge`` consistent with the
   pledge records, and no title change of a pledged lot except the bank's enforcement
   (checked transaction by transaction while replaying the chain);
3. mass balance per transformation and per heat, no negative or inflated balance, every
   input's consumed mass equal to the kilograms the transformations took from it;
4. melt-and-pour countries and shares recomputed here from the parents (exact fractions)
   equal the origin engine's, and sum to 1;
5. (mill, heat number) unique and every key / identifier ASCII;
6. the genealogy is a DAG (and every parent was created at an earlier height);
7. the signer of every valid transaction held a role the contract admits, and a key
   valid at that height (against the replayed state at that point of the chain);
8. ``verify_store`` replays everything; a fresh state built from genesis plus only the
   valid transactions, re-executed block by block with ``execute_block``, has the node's
   state root.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any

import orjson

from steeltrace.core import schema
from steeltrace.core.contracts.registry import lookup
from steeltrace.core.ledger.executor import execute_block, validate_tx
from steeltrace.core.membership.genesis import genesis_writes, key_valid_at
from steeltrace.core.origin.report import origin_report
from steeltrace.core.state import MemoryState, Overlay
from steeltrace.node.service import Node
from steeltrace.node.verify import verify_store

LOT_STATES = {"active", "consumed", "exported", "scrapped"}


def _state(node: Node) -> dict[str, Any]:
    return {k: orjson.loads(v) for k, v in node.store.iter_state()}


def _kind(state: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}


def check_invariants(node: Node) -> None:
    node.flush()
    state = _state(node)
    lots = _kind(state, "lot/")
    orgs = _kind(state, "org/")
    heats = _kind(state, "heat/")
    transformations = _kind(state, "transformation/")
    pledges = _kind(state, "pledge/")
    certs = _kind(state, "cert/")
    _inv1_owner_and_state(lots, orgs)
    _inv2_pledges(lots, pledges, state)
    _inv3_mass(lots, heats, transformations, certs)
    _inv4_melt_and_pour(node, lots, heats)
    _inv5_identifiers(state, heats)
    _inv6_dag(lots)
    _inv7_inv8_replay(node)


# --- 1 -------------------------------------------------------------------------------
def _inv1_owner_and_state(lots: dict[str, Any], orgs: dict[str, Any]) -> None:
    for lid, lot in lots.items():
        assert lot["id"] == lid, f"lot/{lid} holds id {lot['id']!r}"
        owner = lot.get("owner")
        assert isinstance(owner, str) and owner in orgs, f"lot {lid}: owner {owner!r}"
        assert lot.get("custodian") in orgs, f"lot {lid}: custodian {lot.get('custodian')!r}"
        assert lot.get("state") in LOT_STATES, f"lot {lid}: state {lot.get('state')!r}"


# --- 2 -------------------------------------------------------------------------------
def _inv2_pledges(lots: dict[str, Any], pledges: dict[str, Any], state: dict[str, Any]) -> None:
    active_by_lot: dict[str, list[str]] = defaultdict(list)
    active_by_receipt: dict[str, list[str]] = defaultdict(list)
    open_by_lot: dict[str, list[str]] = defaultdict(list)
    for pid, p in pledges.items():
        assert p["id"] == pid
        assert p["status"] in {"offered", "active", "released", "withdrawn", "enforced"}, p
        if p["status"] in {"offered", "active"}:
            for lid in p["lots"]:
                open_by_lot[lid].append(pid)
        if p["status"] == "active":
            for lid in p["lots"]:
                active_by_lot[lid].append(pid)
            if p.get("receipt"):
                active_by_receipt[p["receipt"]].append(pid)
    for lid, ids in open_by_lot.items():
        assert len(ids) == 1, f"lot {lid} is collateral of several open pledges: {ids}"
    for rid, ids in active_by_receipt.items():
        assert len(ids) == 1, f"receipt {rid} backs several active pledges: {ids}"
    for lid, lot in lots.items():
        expected = active_by_lot.get(lid, [None])[0]
        assert lot.get("pledge") == expected, (
            f"lot {lid}: lot.pledge {lot.get('pledge')!r}, active pledges {expected!r}"
        )
    for lid, ids in open_by_lot.items():
        idx = state.get(f"idx/pledge-lot/{lid}")
        assert idx is not None and idx["pledge"] == ids[0], f"lot {lid}: reservation {idx!r}"
    for rid, receipt in _kind(state, "receipt/").items():
        p = receipt.get("pledge")
        if p is not None:
            assert pledges[p]["status"] in {"offered", "active"}, (rid, pledges[p])
            assert pledges[p]["receipt"] == rid


# --- 3 -------------------------------------------------------------------------------
def _inv3_mass(
    lots: dict[str, Any],
    heats: dict[str, Any],
    transformations: dict[str, Any],
    certs: dict[str, Any],
) -> None:
    consumed: dict[str, int] = defaultdict(int)
    for tid, t in transformations.items():
        ins = [i["lot"] for i in t["inputs"]]
        assert len(ins) == len(set(ins)), f"transformation {tid} lists an input twice"
        total_in = sum(i["kg"] for i in t["inputs"])
        total_out = sum(lots[o]["mass_kg"] for o in t["outputs"])
        assert total_out <= total_in, f"transformation {tid}: {total_out} kg out of {total_in}"
        assert t["loss_kg"] == total_in - total_out, f"transformation {tid}: loss_kg"
        for i in t["inputs"]:
            assert i["kg"] > 0
            consumed[i["lot"]] += i["kg"]
        for o in t["outputs"]:
            assert lots[o]["transformation"] == tid
            assert sorted((p["lot"], p["kg"]) for p in lots[o]["parents"]) == sorted(
                (i["lot"], i["kg"]) for i in t["inputs"]
            ), f"lot {o}: parents differ from transformation {tid}'s inputs"
    cast_by_heat: dict[str, int] = defaultdict(int)
    for lid, lot in lots.items():
        mass, rem = lot["mass_kg"], lot["remaining_kg"]
        assert isinstance(mass, int) and isinstance(rem, int), lid
        assert 0 <= rem <= mass, f"lot {lid}: remaining {rem} of {mass}"
        assert consumed.get(lid, 0) == mass - rem, (
            f"lot {lid}: transformations took {consumed.get(lid, 0)} kg, balance says {mass - rem}"
        )
        if lot["state"] == "consumed":
            assert rem == 0, f"consumed lot {lid} has {rem} kg left"
        if lot["state"] == "active":
            assert rem > 0, f"active lot {lid} has nothing left"
        if lot.get("heat") is not None:
            assert not lot["parents"], lid
            cast_by_heat[lot["heat"]] += mass
        else:
            assert lot["parents"], f"lot {lid} has neither a heat nor parents"
    live_certified: dict[str, int] = defaultdict(int)
    for cid, c in certs.items():
        assert c["certified_kg"] == sum(x["kg"] for x in c["lots"]), cid
        if c.get("counts_toward_heat") and c["status"] != "revoked":
            live_certified[c["heat"]] += c["heat_kg"]
    for hid, h in heats.items():
        assert cast_by_heat.get(hid, 0) == h["cast_kg"], f"heat {hid}: cast_kg"
        assert h["cast_kg"] <= h["tonnage_kg"], f"heat {hid}: overcast"
        assert h["certified_kg"] <= h["tonnage_kg"], f"heat {hid}: over-certified"
        assert h["certified_kg"] == live_certified.get(hid, 0), f"heat {hid}: certified_kg"


# --- 4 -------------------------------------------------------------------------------
def _heat_shares(lots: dict[str, Any], lid: str, memo: dict[str, dict[str, Fraction]]) -> Any:
    if lid in memo:
        return memo[lid]
    lot = lots[lid]
    if lot.get("heat") is not None:
        out = {lot["heat"]: Fraction(1)}
    else:
        total = sum(p["kg"] for p in lot["parents"])
        out: dict[str, Fraction] = defaultdict(Fraction)
        for p in lot["parents"]:
            for h, s in _heat_shares(lots, p["lot"], memo).items():
                out[h] += s * Fraction(p["kg"], total)
        out = dict(out)
    memo[lid] = out
    return out


def _inv4_melt_and_pour(node: Node, lots: dict[str, Any], heats: dict[str, Any]) -> None:
    memo: dict[str, dict[str, Fraction]] = {}
    for lid in lots:
        by_heat = _heat_shares(lots, lid, memo)
        assert sum(by_heat.values()) == 1, lid
        expected: dict[str, Fraction] = defaultdict(Fraction)
        for h, s in by_heat.items():
            expected[heats[h]["country"]] += s
        report = origin_report(node, lid)
        got = report["melt_and_pour"]
        assert set(got) == set(expected), f"lot {lid}: melt and pour {got} vs heats {expected}"
        for c, s in expected.items():
            assert abs(got[c] - float(s)) < 1e-9, f"lot {lid}: {c} {got[c]} != {float(s)}"
        assert abs(sum(got.values()) - 1.0) < 1e-9, f"lot {lid}: shares sum {sum(got.values())}"
        assert {x["heat"] for x in report["heats"]} == set(by_heat), lid
        assert report["traced_share"] == 1.0, f"lot {lid}: untraced mass"


# --- 5 -------------------------------------------------------------------------------
def _inv5_identifiers(state: dict[str, Any], heats: dict[str, Any]) -> None:
    for key in state:
        assert key.isascii(), f"non-ASCII key {key!r}"
    seen: set[tuple[str, str]] = set()
    for hid, h in heats.items():
        assert hid == f"{h['mill']}/{h['heat_no']}" == h["id"], hid
        assert h["heat_no"].isascii() and h["heat_no"].isprintable(), hid
        pair = (h["mill"], h["heat_no"].upper())
        assert pair not in seen, f"heat number {pair} registered twice"
        seen.add(pair)
        fac = state[f"facility/{h['facility']}"]
        assert fac["org"] == h["mill"], hid
        assert h["country"] == fac["country"], f"heat {hid}: country {h['country']}"
    for lid, lot in _kind(state, "lot/").items():
        assert lid.isascii() and lot["id"].isascii(), lid


# --- 6 -------------------------------------------------------------------------------
def _inv6_dag(lots: dict[str, Any]) -> None:
    colour: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in lots:
        if start in colour:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        colour[start] = 1
        while stack:
            lid, i = stack.pop()
            parents = lots[lid]["parents"]
            if i < len(parents):
                stack.append((lid, i + 1))
                pid = parents[i]["lot"]
                assert pid in lots, f"lot {lid}: parent {pid} does not exist"
                assert schema.parse_time(lots[pid]["created_at"]) <= schema.parse_time(
                    lots[lid]["created_at"]
                ), f"lot {lid} created before its parent {pid}"
                c = colour.get(pid)
                assert c != 1, f"genealogy cycle through {pid} (reached from {lid})"
                if c is None:
                    colour[pid] = 1
                    stack.append((pid, 0))
            else:
                colour[lid] = 2


# --- 7 and 8 --------------------------------------------------------------------------
def _inv7_inv8_replay(node: Node) -> None:
    report = verify_store(node.store)
    assert report.ok, report.to_dict()
    config = orjson.loads(node.store.meta("genesis"))
    state = MemoryState()
    state.apply(genesis_writes(config))
    chain_id = config["chain_id"]
    window = int(state.get("config")["tx_window_seconds"])
    seen: set[str] = set()
    for block in node.store.iter_blocks(1):
        height = block.height
        block_time = schema.parse_time(block.header["time"])
        valid = [
            tx
            for tx, r in zip(block.transactions, block.results, strict=True)
            if r.status == "valid"
        ]
        # 7 (and the "moves only with the bank" half of 2), transaction by transaction
        overlay = Overlay(state)
        for tx in valid:
            org = overlay.get(f"org/{tx.signer_org}")
            assert org is not None and org["status"] == "active", (height, tx.tx_id)
            spec = lookup(tx.type)
            assert spec is not None, tx.type
            if spec.roles is not None:
                assert spec.roles & set(org["roles"]), (
                    f"block {height}: {tx.signer_org} {org['roles']} sent {tx.type} (valid)"
                )
            key = state.get(f"key/{tx.signer_org}/{tx.signer_key}")
            assert key is not None and key_valid_at(key, height), (height, tx.tx_id, key)
            writes = validate_tx(
                overlay,
                tx,
                chain_id=chain_id,
                height=height,
                block_time=block_time,
                window_seconds=window,
                is_duplicate=lambda tid: tid in seen,
                key_state=state,
            )
            for k, new in writes.items():
                if not k.startswith("lot/") or new is None:
                    continue
                old = overlay.get(k)
                if old is not None and old.get("pledge") and old["owner"] != new["owner"]:
                    assert tx.type == "pledge.enforce", (
                        f"block {height}: pledged {k} changed owner by {tx.type}"
                    )
                if old is not None and old.get("pledge") and old["custodian"] != new["custodian"]:
                    raise AssertionError(f"block {height}: pledged {k} moved by {tx.type}")
            overlay.apply(writes)
            seen.add(tx.tx_id)
        # 8: only the valid transactions, through the block executor
        replay_seen = seen - {tx.tx_id for tx in valid}
        execution = execute_block(
            state,
            valid,
            chain_id=chain_id,
            height=height,
            block_time=block_time,
            window_seconds=window,
            is_committed=lambda tid, s=replay_seen: tid in s,
        )
        bad = [r for r in execution.results if r.status != "valid"]
        assert not bad, f"block {height}: a valid transaction fails on replay: {bad}"
        assert execution.writes == overlay.writes, f"block {height}: replay writes differ"
        state.apply(execution.writes)
        for tx in block.transactions:
            seen.add(tx.tx_id)
    assert state.root() == node.state_root(), "replay of the valid transactions differs"
