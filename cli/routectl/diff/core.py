"""What a config change would have done to a log: the pure core of ``routectl diff``.

One pass over the events feeds two engines (the base and the new config) and, per side,
a :class:`~routectl.report.ReportBuilder`, exactly as :func:`routectl.replay.run` and
:func:`routectl.report.build_report` do for one config. The two sides' ``Routed`` rows
are paired by log line as they come (a pooled or queued row may come later than its
message, on either side), so memory grows with waiting inquiries, never with rows.

Replies are the log's own: on both sides a reply reaches whoever holds the buyer then,
at the time the log says. The new side's response figures therefore assume the log's
reply times (see :data:`REPLY_NOTE`).
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from routectl.engine import Engine
from routectl.errors import BadLogRow
from routectl.events import BuyerMessage, Event, Output, Routed, Rows
from routectl.i18n import N_
from routectl.logio.reader import BadRowHandler
from routectl.model import ShopConfig
from routectl.report import Report, ReportBuilder, Window, assemble_report
from routectl.report.result import AgentRow

REPLY_NOTE = N_(
    "The new side assumes the log's reply times: a reply in the log goes to whoever holds "
    "the buyer then, on both sides. A config change also changes who would have replied "
    "and how fast, so read the new response figures as an estimate."
)


@dataclass(frozen=True, slots=True)
class Decision:
    """One side's decision for a message row (``None`` fields: the side never routed it)."""

    assignee: str
    rule: str
    assigned_at: float | None
    reason: str


NOT_ROUTED = Decision("-", "-", None, N_("this config cannot use this row (left out)"))


@dataclass(frozen=True, slots=True)
class Change:
    """A message row routed differently (assignee or rule) by the two configs."""

    line: int
    time: float
    buyer: str
    base: Decision
    new: Decision


@dataclass(frozen=True, slots=True)
class AgentDelta:
    agent: str
    inquiries_base: int
    inquiries_new: int
    share_base: float | None
    share_new: float | None
    response_rate_base: float | None
    response_rate_new: float | None
    in_base: bool
    in_new: bool


@dataclass(frozen=True, slots=True)
class Move:
    """How many message rows went from one assignee (base) to another (new)."""

    from_assignee: str
    to_assignee: str
    messages: int


@dataclass(frozen=True, slots=True)
class DiffResult:
    messages: int
    changed_messages: int
    changed_assignee: int
    changed_rule_only: int
    base: Report
    new: Report
    agents: tuple[AgentDelta, ...]
    moves: tuple[Move, ...]
    changes: tuple[Change, ...]
    """The first ``limit`` changed rows, in log order."""
    limit: int
    ignored_on_base: int
    """Log rows the base config cannot use (a status row of an agent only NEW has)."""
    ignored_on_new: int
    """Log rows the new config cannot use (e.g. a status row of an agent it removed)."""

    @property
    def changed(self) -> bool:
        return self.changed_messages > 0 or self.summary_changed or self.agents_changed

    @property
    def summary_changed(self) -> bool:
        return summary_figures(self.base) != summary_figures(self.new)

    @property
    def agents_changed(self) -> bool:
        return any(
            (a.inquiries_base, a.in_base) != (a.inquiries_new, a.in_new) for a in self.agents
        )


def summary_figures(report: Report) -> dict[str, Any]:
    """The report's summary, key by key: whatever keys the report has (new ones too)."""
    return dataclasses.asdict(report.summary)


class _Pairs:
    """Pairs the two sides' Routed rows by line; counts and keeps the first changes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting: tuple[dict[int, Routed], dict[int, Routed]] = ({}, {})
        self.messages = 0
        self.changed_assignee = 0
        self.changed_rule_only = 0
        self.moves: Counter[tuple[str, str]] = Counter()
        self.first: list[tuple[int, Change]] = []  # max-heap on line (negated)

    def add(self, side: int, outputs: Iterable[Output]) -> None:
        mine, other = self.waiting[side], self.waiting[1 - side]
        for output in outputs:
            if type(output) is not Routed:
                if type(output) is Rows:
                    self.add(side, output)
                continue
            partner = other.pop(output.line, None)
            if partner is None:
                mine[output.line] = output
            elif partner.assignee == output.assignee and partner.rule == output.rule:
                self.messages += 1  # the common case of _pair, inlined: the same decision
            elif side == 0:
                self._pair(output, partner)
            else:
                self._pair(partner, output)

    def add_sides(self, base: list[Output], new: list[Output]) -> None:
        """:meth:`add` for both sides; rows settled together on both sides (a
        :class:`Rows` each, starting at the same line) are paired as they are read, so
        a waiting buyer's million messages are never all held for their partners."""
        base_rows = {o.line: o for o in base if type(o) is Rows}
        new_rows = {o.line: o for o in new if type(o) is Rows}
        if not (base_rows and new_rows):
            self.add(0, base)
            self.add(1, new)
            return
        self.add(0, [o for o in base if type(o) is not Rows])
        self.add(1, [o for o in new if type(o) is not Rows])
        for line, rows in base_rows.items():
            partner = new_rows.pop(line, None)
            if partner is None:
                self.add(0, rows)
                continue
            ours, theirs = iter(rows), iter(partner)
            one, two = next(ours, None), next(theirs, None)
            while one is not None or two is not None:
                if one is not None and (two is None or one.line < two.line):
                    self.add(0, (one,))
                    one = next(ours, None)
                elif two is not None and (one is None or two.line < one.line):
                    self.add(1, (two,))
                    two = next(theirs, None)
                else:
                    assert one is not None and two is not None
                    self.add(0, (one,))
                    self.add(1, (two,))
                    one, two = next(ours, None), next(theirs, None)
        for rows in new_rows.values():
            self.add(1, rows)

    def finish(self) -> None:
        """Rows one side left out (a message it could not use) pair with NOT_ROUTED."""
        base_only, new_only = self.waiting
        for line in sorted(base_only):
            self._pair(base_only.pop(line), None)
        for line in sorted(new_only):
            self._pair(None, new_only.pop(line))

    def _pair(self, base: Routed | None, new: Routed | None) -> None:
        """One message row's two decisions (None: that side could not use the row)."""
        self.messages += 1
        old = (base.assignee, base.rule) if base else (NOT_ROUTED.assignee, NOT_ROUTED.rule)
        fresh = (new.assignee, new.rule) if new else (NOT_ROUTED.assignee, NOT_ROUTED.rule)
        if old == fresh:
            return
        if old[0] != fresh[0]:
            self.changed_assignee += 1
            self.moves[old[0], fresh[0]] += 1
        else:
            self.changed_rule_only += 1
        row = base or new
        assert row is not None
        if self.limit <= 0:
            return
        if len(self.first) >= self.limit and row.line > -self.first[0][0]:
            return
        change = Change(row.line, row.time, row.buyer, _decision(base), _decision(new))
        if len(self.first) < self.limit:
            heapq.heappush(self.first, (-row.line, change))
        else:
            heapq.heapreplace(self.first, (-row.line, change))

    def changes(self) -> tuple[Change, ...]:
        return tuple(change for _, change in sorted(self.first, key=lambda item: -item[0]))


def _decision(row: Routed | None) -> Decision:
    if row is None:
        return NOT_ROUTED
    return Decision(row.assignee, row.rule, row.assigned_at, row.reason)


def compare(
    base: ShopConfig,
    new: ShopConfig,
    events: Iterable[Event],
    *,
    limit: int = 20,
    source: str = "<log>",
    on_bad: BadRowHandler | None = None,
    observe: Callable[[Event | None, list[Output]], None] | None = None,
) -> DiffResult:
    """Replay ``events`` once through both configs and compare, row by row and in sum.

    ``observe`` sees each event the base config accepted with its outputs, and the base
    engine's end-of-log outputs as ``(None, outputs)`` (``diff --predict`` learns there).

    A row both configs refuse is a bad row (raised, or passed to ``on_bad`` and skipped),
    as in ``replay``. A row only one side refuses is adapted for that side when it can be
    (a message addressed to an agent that config lacks becomes an unaddressed one) and
    otherwise left out on that side and counted.
    """
    # Rows settled together come as one Rows output, read as they are paired; not when a
    # study observes the base side (it reads Routed rows only).
    sides = (_Side(base, batches=observe is None), _Side(new, batches=observe is None))
    pairs = _Pairs(limit)
    add, add_sides = pairs.add, pairs.add_sides
    engine_base, engine_new = sides[0].engine.feed, sides[1].engine.feed
    report_base, report_new = sides[0].report.feed, sides[1].report.feed
    base_outputs: list[Output] | None
    new_outputs: list[Output] | None
    # The hot loop: once per log row, so the common path is inlined (no per-side calls).
    for event in events:
        try:
            base_outputs = engine_base(event)
        except ValueError as exc:
            base_outputs = sides[0].refused(event, exc)
        else:
            report_base(event, base_outputs)
            if observe is not None:
                observe(event, base_outputs)
        try:
            new_outputs = engine_new(event)
        except ValueError as exc:
            new_outputs = sides[1].refused(event, exc)
        else:
            report_new(event, new_outputs)
        if base_outputs is None and new_outputs is None:
            sides[0].ignored -= 1
            sides[1].ignored -= 1
            error = BadLogRow(source, event.line, sides[0].refusal)
            if on_bad is None:
                raise error from None
            on_bad(error)
            continue
        if base_outputs and new_outputs:
            add_sides(base_outputs, new_outputs)
        elif base_outputs:
            add(0, base_outputs)
        elif new_outputs:
            add(1, new_outputs)
    base_end, new_end = sides[0].engine.finish(), sides[1].engine.finish()
    if observe is not None:
        observe(None, base_end)
    pairs.add_sides(base_end, new_end)
    pairs.finish()
    base_report = assemble_report(sides[0].report.finish(base_end))
    new_report = assemble_report(sides[1].report.finish(new_end))
    return DiffResult(
        messages=pairs.messages,
        changed_messages=pairs.changed_assignee + pairs.changed_rule_only,
        changed_assignee=pairs.changed_assignee,
        changed_rule_only=pairs.changed_rule_only,
        base=base_report,
        new=new_report,
        agents=agent_deltas(base_report, new_report),
        moves=tuple(
            Move(old, new_assignee, count)
            for (old, new_assignee), count in sorted(
                pairs.moves.items(), key=lambda item: (-item[1], item[0])
            )
        ),
        changes=pairs.changes(),
        limit=limit,
        ignored_on_base=sides[0].ignored,
        ignored_on_new=sides[1].ignored,
    )


class _Side:
    """One config's engine and report builder, fed the same events as the other side."""

    def __init__(self, config: ShopConfig, *, batches: bool = False) -> None:
        self.engine = Engine(config, batches=batches)
        # The diff shows summary and agent figures only: no hour/day/group breakdowns.
        self.report = ReportBuilder(config, Window(), breakdowns=False)
        self.ignored = 0
        self.refusal = ""

    def refused(self, event: Event, exc: ValueError) -> list[Output] | None:
        """The engine refused ``event``: feed it adapted for this config (a message to an
        agent this config lacks, unaddressed) and return the outputs, or None when this
        config cannot use it (counted in ``ignored``; ``refusal`` says why)."""
        self.refusal = str(exc)
        adapted = _adapt(event)
        if adapted is not None:
            try:
                outputs = self.engine.feed(adapted)
            except ValueError:
                pass
            else:
                self.report.feed(adapted, outputs)
                return outputs
        self.ignored += 1
        return None


def reading_config(base: ShopConfig, new: ShopConfig) -> ShopConfig:
    """The config to read the log with: the base's time zone (the log was written under
    it), and the agents of both sides, so rows naming an agent either config has are
    valid; :func:`compare` adapts or leaves out those the new config does not know."""
    known = {agent.id for agent in base.agents}
    added = tuple(agent for agent in new.agents if agent.id not in known)
    return dataclasses.replace(base, agents=(*base.agents, *added)) if added else base


def _adapt(event: Event) -> Event | None:
    """A message addressed to an agent one config lacks: for that side, unaddressed."""
    if type(event) is not BuyerMessage or event.agent is None:
        return None
    return dataclasses.replace(event, agent=None)


def agent_deltas(base: Report, new: Report) -> tuple[AgentDelta, ...]:
    """Every agent of either side: the base config's order, then agents only the new has."""
    base_rows: Mapping[str, AgentRow] = {row.agent: row for row in base.agents}
    new_rows: Mapping[str, AgentRow] = {row.agent: row for row in new.agents}
    order = list(base_rows) + [agent for agent in new_rows if agent not in base_rows]
    deltas = []
    for agent in order:
        old, fresh = base_rows.get(agent), new_rows.get(agent)
        deltas.append(
            AgentDelta(
                agent=agent,
                inquiries_base=old.inquiries if old else 0,
                inquiries_new=fresh.inquiries if fresh else 0,
                share_base=old.share if old else None,
                share_new=fresh.share if fresh else None,
                response_rate_base=old.response_rate if old else None,
                response_rate_new=fresh.response_rate if fresh else None,
                in_base=old is not None,
                in_new=fresh is not None,
            )
        )
    return tuple(deltas)
