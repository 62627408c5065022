"""The committed-state cache never serves a value older than the last commit."""

from __future__ import annotations

from steeltrace.node.cache import CommittedCache


class Source:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {"k": b'"old"'}
        self.during_read = None

    def get_raw(self, key: str) -> bytes | None:
        value = self.data.get(key)
        if self.during_read is not None:  # a block commits while this read is in flight
            hook, self.during_read = self.during_read, None
            hook()
        return value


def test_invalidated_keys_are_read_again() -> None:
    src = Source()
    cache = CommittedCache(src)
    assert cache.get("k") == "old"
    src.data["k"] = b'"new"'
    assert cache.get("k") == "old"  # cached until the commit says otherwise
    cache.invalidate(["k"])
    assert cache.get("k") == "new"


def test_a_read_racing_a_commit_does_not_put_the_stale_value_back() -> None:
    src = Source()
    cache = CommittedCache(src)

    def commit() -> None:
        src.data["k"] = b'"new"'
        cache.invalidate(["k"])

    src.during_read = commit
    assert cache.get("k") == "old"  # the racing reader saw the old value...
    assert cache.get("k") == "new"  # ...but did not cache it


def test_values_are_fresh_objects_and_the_size_is_bounded() -> None:
    src = Source()
    src.data["d"] = b'{"a":[1]}'
    cache = CommittedCache(src, max_entries=2)
    cache.get("d")["a"].append(2)
    assert cache.get("d") == {"a": [1]}
    for i in range(5):
        cache.get(f"x{i}")
    assert len(cache._raw) <= 2


def test_seen_ids_are_exact_despite_the_bloom_filter() -> None:
    import hashlib

    from steeltrace.node.seen import SeenIds

    committed = {hashlib.sha256(str(i).encode()).hexdigest() for i in range(5000)}
    asked: list[str] = []

    def exact(tx_id: str) -> bool:
        asked.append(tx_id)
        return tx_id in committed

    seen = SeenIds(exact, expected=1000)  # a small filter: many false "maybe"s
    seen.add_all(committed)
    others = [hashlib.sha256(f"x{i}".encode()).hexdigest() for i in range(5000)]
    assert all(t in seen for t in committed)
    assert not any(t in seen for t in others)  # a "maybe" is settled by the exact check
    asked.clear()
    big = SeenIds(exact, expected=100_000)
    big.add_all(committed)
    assert not any(t in big for t in others)
    assert len(asked) < 100  # a well-sized filter rarely asks the store
    assert "short-id" not in big


def test_seen_ids_load_the_committed_ids_before_answering() -> None:
    import hashlib

    from steeltrace.node.seen import SeenIds

    committed = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(100)]
    loads = []

    def initial() -> list[str]:
        loads.append(1)
        return committed

    seen = SeenIds(lambda t: t in committed, expected=1000, initial=initial)
    assert loads == []  # nothing read until asked
    assert committed[42] in seen and loads == [1]
    assert committed[7] in seen and loads == [1]  # read once
