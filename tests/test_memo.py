"""tracker/memo.py: a value is made once per key, the memo starts over when full, and a bound
of 0 keeps nothing."""

from tracker.memo import Memo


def test_memo_makes_once_per_key_and_is_bounded():
    made = []

    def make(key):
        return lambda: made.append(key) or f"v{key}"

    memo = Memo(3)
    assert [memo.get(k, make(k)) for k in (1, 2, 1, 2)] == ["v1", "v2", "v1", "v2"]
    assert made == [1, 2]
    memo.get(3, make(3))
    assert len(memo) == 3
    memo.get(4, make(4))  # full: starts over with the new key
    assert len(memo) == 1 and made == [1, 2, 3, 4]
    memo.get(1, make(1))
    assert made[-1] == 1  # made again after the reset
    memo.get(5, make(5), size=0)
    memo.get(5, make(5), size=0)
    assert made[-2:] == [5, 5]  # nothing kept with a bound of 0
    memo.get(None, lambda: None)  # None is a value like any other
    assert memo.get(None, make(6)) is None and 6 not in made
