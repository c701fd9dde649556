"""The did-you-mean behind every suggestion of a name: config keys, columns, agents, groups.

``difflib`` alone misses short names: ``小莉`` and ``小丽`` share one character of two, a
ratio of 0.5 under its 0.6 cutoff, and agent and group names in Chinese are mostly two or
three characters. So a choice is also close when its edit distance (insertions,
deletions, substitutions and swaps of neighbours, case ignored) is one on names of two
characters or more, or at most a third of the longer name.
"""

from __future__ import annotations

from collections.abc import Iterable

from routectl.i18n import _


def close_names(word: str, choices: Iterable[str], most: int = 3) -> list[str]:
    """The choices most like ``word`` when close enough to be a typo (none: ``[]``).

    ``difflib``'s pick (ratio 0.6 or more) when it has one. Else every choice at the
    least edit distance within the bounds above, up to ``most`` in ``choices`` order:
    ``小莉`` is one edit from ``小丽`` and from ``小美`` alike, and only the person can
    tell which was meant.
    """
    import difflib  # only on an error path: keep start-up light

    options = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return close
    folded = word.casefold()
    distances = {option: edit_distance(folded, option.casefold()) for option in options}
    near_ones = [o for o, d in distances.items() if near(d, len(word), len(o))]
    if not near_ones:
        return []
    least = min(distances[option] for option in near_ones)
    return [option for option in near_ones if distances[option] == least][:most]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The first of :func:`close_names`, or None."""
    names = close_names(word, choices, most=1)
    return names[0] if names else None


def one_of(names: list[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return _("{names} or {last}").format(names=_(", ").join(quoted[:-1]), last=quoted[-1])


def near(distance: int, length: int, other_length: int) -> bool:
    """Whether two names this far apart are one typo apart (see the module docstring)."""
    if distance == 0:
        return True
    return (distance == 1 and min(length, other_length) >= 2) or distance * 3 <= max(
        length, other_length
    )


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: a swap of two neighbours counts as one edit."""
    if len(a) < len(b):
        a, b = b, a
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            cost = 0 if char == other else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                value = min(value, before[j - 2] + 1)
            current.append(value)
        before, previous = previous, current
    return previous[-1]
