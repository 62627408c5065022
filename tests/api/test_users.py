"""API users and tokens: roles from the ledger, hashed storage, revocation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from steeltrace.api.users import (
    DB_NAME,
    UserStore,
    add_user,
    list_users,
    revoke_user,
    users_add_command,
)
from steeltrace.errors import Forbidden, InvalidInput, NotFound
from tests.api.world import World


def test_users_add_command_returns_the_token_once(world: World) -> None:
    out = users_add_command(world.home, "mill-ca", "clerk", "mill", node=world.node)
    assert out["user"] == "clerk" and out["org"] == "mill-ca" and out["role"] == "mill"
    assert out["token"].startswith("st_")
    with UserStore.in_home(world.home) as store:
        user = store.authenticate(out["token"])
    assert user is not None and user.org == "mill-ca" and user.role == "mill"


def test_token_is_stored_only_as_a_hash(world: World) -> None:
    token = add_user(world.home, "bank-2", "auditor", "viewer", node=world.node)
    secret = token[20:]  # st_ + 16 hex + _ ; the secret itself may hold "_"
    assert len(secret) == 43
    raw = b"".join(p.read_bytes() for p in Path(world.home).glob(DB_NAME + "*"))
    assert secret.encode() not in raw
    conn = sqlite3.connect(world.home / DB_NAME)
    try:
        rows = conn.execute("SELECT * FROM users").fetchall()
    finally:
        conn.close()
    assert all(secret not in repr(row) for row in rows)


def test_role_must_be_held_by_the_organisation(world: World) -> None:
    with pytest.raises(Forbidden) as info:
        add_user(world.home, "mill-ca", "impostor", "customs", node=world.node)
    assert info.value.code == "USER_ROLE_NOT_HELD"
    assert "mill" in info.value.message and "viewer" in info.value.message


def test_viewer_is_always_allowed(world: World) -> None:
    assert add_user(world.home, "carrier-rail", "watcher", "viewer", node=world.node)


def test_unknown_organisation(world: World) -> None:
    with pytest.raises(NotFound) as info:
        add_user(world.home, "no-such-org", "x", "viewer", node=world.node)
    assert info.value.code == "ORG_UNKNOWN"


@pytest.mark.parametrize("name", ["", "a b", "ümlaut", "x" * 65, "-lead", "a/b"])
def test_bad_user_names(world: World, name: str) -> None:
    with pytest.raises(InvalidInput) as info:
        add_user(world.home, "mill-ca", name, "mill", node=world.node)
    assert info.value.code == "USER_NAME_INVALID"


def test_duplicate_user(world: World) -> None:
    add_user(world.home, "wh-ca", "keeper", "warehouse", node=world.node)
    with pytest.raises(InvalidInput) as info:
        add_user(world.home, "wh-ca", "keeper", "warehouse", node=world.node)
    assert info.value.code == "USER_EXISTS"


def test_list_and_revoke(world: World) -> None:
    token = add_user(world.home, "inspect-1", "eye", "inspection", node=world.node)
    listed = {u["user"]: u for u in list_users(world.home, "inspect-1")}
    assert listed["eye"]["role"] == "inspection" and not listed["eye"]["revoked"]
    assert "token" not in listed["eye"]
    assert revoke_user(world.home, "inspect-1", "eye")["revoked"] is True
    with UserStore.in_home(world.home) as store:
        assert store.authenticate(token) is None
    with pytest.raises(NotFound):
        revoke_user(world.home, "inspect-1", "nobody")


@pytest.mark.parametrize(
    "token",
    ["", "st_", "garbage", "st_0123456789abcdef_" + "A" * 43, "Bearer x", "st_zz_zz"],
)
def test_bad_tokens_do_not_authenticate(world: World, token: str) -> None:
    with UserStore.in_home(world.home) as store:
        assert store.authenticate(token) is None


def test_a_wrong_secret_for_a_real_id_fails(world: World) -> None:
    token = world.tokens["mill-cn/melter"]
    prefix, secret = token[:19], token[20:]
    other = ("B" if secret[0] != "B" else "C") + secret[1:]
    with UserStore.in_home(world.home) as store:
        assert store.authenticate(f"{prefix}_{other}") is None
        assert store.authenticate(token) is not None


def test_add_user_opens_the_node_itself_when_none_is_given(tmp_path: Path) -> None:
    from steeltrace.bootstrap import init_home

    init_home(tmp_path)
    token = add_user(tmp_path, "mill-us", "solo", "mill")
    with UserStore.in_home(tmp_path) as store:
        user = store.authenticate(token)
    assert user is not None and user.id == "mill-us/solo"
