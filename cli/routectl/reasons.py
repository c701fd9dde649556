"""The engine's reasons and trace steps in the user's language, translated where printed.

The engine stays pure and speaks English: its reasons (``replay``'s ``reason`` column,
``diff``'s changed messages) and ``replay --explain`` steps are composed of the
templates below. :func:`translate_reason` matches a text against them (whole text first,
else each ``; ``-separated part) and rebuilds it from the template's translation in the
``report`` catalogue; the values (agent ids, groups, rule ids, log values) stay as they
are, except the nested reasons, durations and states, translated in turn. A text no
template matches prints as it came. English output is never touched.
"""

from __future__ import annotations

import re
from functools import lru_cache

from routectl.i18n import N_, current_lang, in_lang
from routectl.report import labels

TEMPLATES: tuple[str, ...] = (
    # conversations, transfers
    N_("open conversation with the bot"),
    N_("open conversation with {agent} (transferred from {source})"),
    N_("open conversation with {agent}"),
    N_("conversation closed while waiting"),
    N_("R6: conversation timed out"),
    N_("R6: conversation closed"),
    N_("R11: the bot transfers to a human (R7, R9, R10, R12, R13)"),
    N_("R17b: transferred from {source} to {agent}"),
    # direct messages (R16)
    N_("direct: {why}; max_concurrent does not apply"),
    N_("addressed to {agent}, who is online"),
    N_("addressed to {agent}, who is suspended (R16)"),
    N_("R16: {why}; routed by R7/R8 without {agent}"),
    # R5, R7, R11, R12
    N_("R5: no open conversation → new inquiry ({details})"),
    N_("R5: no open conversation → new inquiry"),
    N_("no routing agent online and not suspended (R7)"),
    N_("no routing agent online and not suspended any more (R7)"),
    N_("pooled"),
    N_("R7: {why} by policy {policy}"),
    N_("R7: {count} routing agent(s) available"),
    N_("R11: bot priority reception is on → bot"),
    N_("bot priority reception"),
    N_("R11: bot priority reception: {state}"),
    N_("not for a transfer or an R15 re-route"),
    N_("R12: {why}"),
    N_("entry {entry} → group {group}"),
    N_("{kind} rule matches {value} → group {group}"),
    N_("crowd rule: buyer in crowd {crowd} → group {group}"),
    N_("no special rule or entry group: all routing agents"),
    # R9 recent contact, R10 dedicated
    N_("R9: no recent contact"),
    N_("R9: {seen}: {why} → next rule"),
    N_("R9: {seen} → next rule"),
    N_("R9: {why} → {agent}"),
    N_("recent contact {agent} {ago} ago, {state}"),
    N_("recent contact {ago} ago (24-72h)"),
    N_("recent contact {ago} ago"),
    N_("excluded (R15/R16)"),
    N_("not a routing agent"),
    N_("{divert} diverts to agents online and not suspended only"),
    N_("{agent} suspended but within 24h"),
    N_("R10: no dedicated agent with priority reception"),
    N_("R10: dedicated {agent} is {state} → next rule"),
    N_("R10: {why} → {agent}"),
    N_("dedicated agent {agent}, online"),
    # R13 groups, fallbacks, queue
    N_("R13: candidates in {group}: {candidates}"),
    N_("R13: {empty}; fallback offline → pool (R14)"),
    N_("R13: {empty}; fallback shop → all routing agents"),
    N_("R13: {gone}; fallback"),
    N_("R13: every candidate at max_concurrent → queue {group}"),
    N_("R13b: fewest open per weight, then (pass, agent order) → {agent}"),
    N_("R13: lowest (pass, agent order) → {agent}"),
    N_("no agent of group {group} online any more"),
    N_("no agent of group {group} online"),
    N_("no candidate in group {group} (all at max_concurrent)"),
    N_("no candidate in the shop (all at max_concurrent)"),
    N_("{empty} (fallback offline): pooled"),
    N_("{empty} (fallback offline)"),
    N_("{empty}, so any agent of the shop (fallback)"),
    N_("{empty}: pooled"),
    N_("every candidate at max_concurrent, queued"),
    N_("fewest open per weight: {loads} (+{more} more candidates, none less busy)"),
    N_("fewest open per weight: {loads}"),
    N_("{agent} has the {busyness}"),
    N_("{agent} next by weight ({weight}) among available agents"),
    # waiting: queue and pool (R14, R17)
    N_("waiting with the inquiry it belongs to"),
    N_("{agent} took it at once"),
    N_("{agent} took it {waited} later"),
    N_("with the inquiry of line {line}, taken by {agent} at once"),
    N_("with the inquiry of line {line}, taken by {agent} after {waited}"),
    N_("waited {waited}: → {agent}"),
    N_("R17: expired after {days} in the pool"),
    N_("expired after {days} in the pool"),
    N_("still waiting at the end of the log"),
    # offline agents (R15, R17)
    N_("R15: {why} by R7/R8 without {agent}"),
    N_("R15: {why}"),
    N_("{agent} offline for {lasted} (past the {lag} lag); re-routed"),
    N_("{agent} offline (past the {lag} lag); re-routed"),
    N_("{agent} went offline {ago} ago, inside the {lag} detection lag; held"),
    N_("{agent} offline and offline routing is off; held as an offline message"),
    N_("{agent} back online: held row reached it"),
    N_("{agent} back online {waited} later"),
    N_("held for {agent}, who was offline and did not come back within {days}: expired"),
    N_("held for {agent}, who was offline and did not come back by the end of the log"),
    N_("R17: held row expired after {days}"),
    N_("{count} day"),
    N_("{count} days"),
    # replay --explain, diff
    N_("the log: received by {observed}, not {agent} (replay rule {rule})"),
    N_("this config cannot use this row (left out)"),
    # states and short words
    N_("online"),
    N_("suspended"),
    N_("offline"),
    N_("off"),
    N_("{agent} online"),
)
"""Every reason and step the engine writes, as English templates (the msgids)."""

NESTED = frozenset({"why", "seen", "state", "empty", "gone", "busyness", "days", "policy"})
"""Placeholders holding more engine text: translated in turn."""
DURATIONS = frozenset({"ago", "waited", "lasted", "lag"})
"""Placeholders holding a duration (``3h05m``): written in the language's units."""
_SPECIAL = {"candidates", "loads", "details", "kind"}
SPANNING = frozenset({"why", "candidates"})
"""Placeholders whose value may hold ``; `` (a reason of several parts, the candidates)."""

_FIELD = re.compile(r"\{(\w+)\}")


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regex: a value is never two parts (``; ``) unless it spans."""
    parts = _FIELD.split(template)
    regex = "".join(
        (f"(?P<{part}>.+?)" if part in SPANNING else f"(?P<{part}>(?:(?!; ).)+?)")
        if i % 2
        else re.escape(part)
        for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


_PATTERNS = tuple((template, _pattern(template)) for template in TEMPLATES)


def translate_reason(text: str, lang: str | None = None) -> str:
    """``text`` (an engine reason or trace step) in ``lang`` (default: the current one)."""
    lang = lang or current_lang()
    if lang == "en" or not text:
        return text
    return _translate(text, lang)


@lru_cache(maxsize=1 << 15)
def _translate(text: str, lang: str) -> str:
    parts = text.split("; ")
    out: list[str] = []
    start = 0
    while start < len(parts):  # the longest run of parts a template matches, from the left
        for end in range(len(parts), start, -1):
            found = _match("; ".join(parts[start:end]), lang)
            if found is not None:
                out.append(found)
                start = end
                break
        else:
            out.append(parts[start])
            start += 1
    return in_lang(lang, N_("; ")).join(out)


def _match(text: str, lang: str) -> str | None:
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values = {name: _value(name, value, lang) for name, value in found.groupdict().items()}
        return in_lang(lang, template).format(**values)
    return None


def _value(name: str, value: str, lang: str) -> str:
    if name in NESTED:
        return _translate(value, lang)
    if name in DURATIONS:
        return labels.duration_text(value, lang)
    if name == "source" and value == "bot":  # the bot's id, in a sentence
        return in_lang(lang, N_("the bot"))
    if name in _SPECIAL:
        words = _WORDS.sub(lambda m: _word(m, lang), value)
        return words.replace("; ", in_lang(lang, N_("; "))).replace(", ", labels.enumeration(lang))
    return value


_WORDS = re.compile(
    r"(?:(?<=\()|(?<=, )|^)"
    r"(online|suspended|offline|weight|load|pass|to|entry|item|order_status|intent)"
    r"(?= |,|\)|$)"
)


def _word(found: re.Match[str], lang: str) -> str:
    return in_lang(lang, _SHORT[found.group(1)])


_SHORT = {
    "online": N_("online"),
    "suspended": N_("suspended"),
    "offline": N_("offline"),
    "weight": N_("weight"),
    "load": N_("load"),
    "pass": N_("pass"),
    "to": N_("to"),
    "entry": N_("entry"),
    "item": N_("item"),
    "order_status": N_("order_status"),
    "intent": N_("intent"),
}
