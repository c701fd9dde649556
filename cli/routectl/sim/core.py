"""The simulation core (P8, P9): inputs + reply model + config + seed -> engine events.

:class:`Simulation` merges the recorded inputs (arrivals, status rows, silent orders,
in time order) with what the model makes happen (follow-ups, replies, next questions,
closes, bot hand-overs, payments) on one heap keyed ``(time, sequence)``, feeds every
event to the real :class:`~routectl.engine.Engine` and yields the ``(event, outputs)``
pairs a :class:`~routectl.report.ReportBuilder` consumes. At equal times the inputs go
first, then actions in the order they were scheduled.

**Common random numbers**: every draw is a hash of ``(seed, buyer, visit, question,
purpose)`` (:func:`uniform`), not a position in one stream, so a buyer's luck does not
depend on what happened to other buyers: two configs simulated with the same seed differ
only where the config makes them differ.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol
from zoneinfo import ZoneInfo

from routectl.engine import Engine
from routectl.events import (
    ASSIGNEE_BOT,
    ASSIGNEE_OFFLINE,
    BuyerMessage,
    Close,
    Event,
    HumanReply,
    Output,
    Paid,
    Routed,
    StatusChange,
    Transfer,
    Transferred,
)
from routectl.model import ShopConfig
from routectl.report.clock import LocalClock
from routectl.sim.inputs import Record
from routectl.sim.learn import Loads, Presence, delay_level, load_level
from routectl.sim.model import ReplyModel

MASK = (1 << 64) - 1
MAX_FOLLOW_UPS = 20
PAY_DECISION_S = 3600.0
"""A visit whose first question is still unanswered this long after it started is
judged on the never-answered conversion rate."""

# Purposes of a draw (the last part of its key).
_NEVER, _DELAY, _AGAIN, _GAP, _TAIL, _CLOSE, _CLOSE_GAP = 0, 1, 2, 3, 4, 5, 6
_PAY, _PAY_LAG, _AMOUNT, _UNPRICED, _BOT, _BOT_GAP, _FOLLOW = 7, 8, 9, 10, 11, 12, 16
_PASS, _PASS_GAP, _PASS_TO = 13, 14, 15

# Actions on the heap.
_REPLY, _EXTRA, _FOLLOW_UP, _ASK, _CLOSE_NOW, _HAND_OVER, _HUMAN, _PAY_NOW, _PAY_CHECK = range(9)
_PASS_NOW = 9


def uniform(seed: int, buyer: int, visit: int, purpose: int) -> float:
    """A uniform in [0, 1) from a key (splitmix64's finaliser over a mixed key)."""
    x = (
        seed * 0x9E3779B97F4A7C15
        + buyer * 0xBF58476D1CE4E5B9
        + visit * 0x94D049BB133111EB
        + purpose * 0xD6E8FEB86659FD93
    ) & MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    x ^= x >> 31
    return (x >> 11) * (1.0 / 9007199254740992.0)


class _Buyer:
    __slots__ = (
        "bot_held",
        "decided",
        "first_open",
        "follow_ups",
        "holder",
        "index",
        "line",
        "name",
        "open",
        "passed",
        "question",
        "start",
        "token",
        "visit",
        "visit_start",
    )  # fmt: skip

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.index = index
        self.visit = 0
        self.question = 0
        self.token = 0
        self.open = False
        """A question is waiting for a human reply."""
        self.start = 0.0
        self.line = 0
        self.holder: str | None = None
        self.bot_held = False
        self.visit_start = 0.0
        self.decided = True
        """The visit's payment is decided (no visit yet counts as decided)."""
        self.first_open = False
        self.follow_ups = 0
        self.passed = False
        """The open question was drawn for a hand-over to a colleague (once a question)."""


class Handovers(Protocol):
    """Transfers a simulation adds to the model's plain bot hand-overs (R17b).

    ``generate-log`` passes one (:class:`routectl.sim.synthetic_model.Handovers`) whose
    bot hand-overs sometimes name an agent and whose agents sometimes hand a question to
    a colleague. A protocol, not a base class: this module is compiled (mypyc), and an
    interpreted class cannot inherit from a compiled one.
    """

    def bot_target(self, buyer: str, moment: float) -> str | None:
        """The agent the bot's hand-over of ``buyer`` names, or None: a plain one (R11)."""

    def colleague(self, holder: str, buyer: str, moment: float) -> str | None:
        """The agent ``holder`` hands ``buyer``'s open question to when it would answer
        it, or None: it answers."""


class Simulation:
    """One run: ``run(records)`` yields ``(event, outputs)``, then ``(None, finish)``.

    Optional, for ``generate-log``: ``handovers`` adds R17b transfers (:class:`Handovers`);
    ``settle`` maps the moment of every action scheduled to the moment it happens (whole
    seconds a log can say), so the engine sees exactly what the written log says.
    """

    def __init__(
        self,
        config: ShopConfig,
        model: ReplyModel,
        seed: int,
        handovers: Handovers | None = None,
        settle: Callable[[float], float] | None = None,
    ) -> None:
        self.config = config
        self.model = model
        self.seed = seed
        self.handovers = handovers
        self.settle = settle
        self.engine = Engine(config)
        self.clock = LocalClock(ZoneInfo(config.shop.timezone))
        self.loads = Loads(float(config.routing.session_timeout_s))
        self.presence = Presence()
        self.buyers: dict[str, _Buyer] = {}
        self.by_line: dict[int, _Buyer] = {}
        """Question-opening messages the engine has not placed yet."""
        self.colleagues = _colleagues(config)
        self.on_login: dict[str, list[tuple[_Buyer, int, int]]] = {}
        """Per offline agent: the questions it holds, with their tokens and load levels
        (the level when the question reached it, as the learner measures it)."""
        self.heap: list[tuple[float, int, int, _Buyer, int]] = []
        self.seq = 0
        self.line = 1
        self.refused = 0
        """Events the engine refused under this config (left out)."""

    # --- the loop -----------------------------------------------------------------

    def run(self, records: Iterable[Record]) -> Iterator[tuple[Event | None, list[Output]]]:
        heap = self.heap
        source = iter(records)
        record = next(source, None)
        while record is not None or heap:
            if record is not None and (not heap or record.time <= heap[0][0]):
                pair = self._input(record)
                record = next(source, None)
            else:
                moment, _, action, buyer, token = heapq.heappop(heap)
                pair = self._act(moment, action, buyer, token)
            if pair is not None:
                yield pair
        yield None, self.engine.finish()

    def _push(self, moment: float, action: int, buyer: _Buyer, token: int) -> None:
        if self.settle is not None:
            moment = self.settle(moment)
        self.seq += 1
        heapq.heappush(self.heap, (moment, self.seq, action, buyer, token))

    def _u(self, buyer: _Buyer, purpose: int) -> float:
        return uniform(self.seed, buyer.index, buyer.visit, buyer.question * 64 + purpose)

    def _feed(self, event: Event) -> tuple[Event, list[Output]] | None:
        try:
            outputs = self.engine.feed(event)
        except ValueError:
            if isinstance(event, BuyerMessage) and event.agent is not None:
                event = _unaddressed(event)
                return self._feed(event)
            self.refused += 1
            return None
        if outputs:
            self._outputs(outputs)
        return event, outputs

    def _next_line(self) -> int:
        self.line += 1
        return self.line

    # --- inputs -------------------------------------------------------------------

    def _input(self, record: Record) -> tuple[Event, list[Output]] | None:
        if isinstance(record, StatusChange):
            status = record
            event = StatusChange(self._next_line(), status.time, status.agent, status.status,
                                 status.device)  # fmt: skip
            pair = self._feed(event)
            if self.presence.status(event):
                for buyer, token, load in self.on_login.pop(status.agent, ()):
                    if buyer.token == token and buyer.open:
                        self._schedule_reply(buyer, status.agent, status.time, token, load)
            return pair
        if isinstance(record, Paid):
            paid = record
            return self._feed(Paid(self._next_line(), paid.time, paid.buyer, paid.amount))
        return self._arrive(record)

    def _arrive(self, message: BuyerMessage) -> tuple[Event, list[Output]] | None:
        buyer = self.buyers.get(message.buyer)
        if buyer is None:
            buyer = self.buyers[message.buyer] = _Buyer(message.buyer, len(self.buyers))
        buyer.visit += 1
        buyer.question = 0
        buyer.visit_start = message.time
        buyer.decided = False
        buyer.first_open = True
        buyer.open = False  # a new visit: the last one's unanswered question is over
        event = BuyerMessage(
            self._next_line(), message.time, message.buyer, message.agent, message.entry,
            message.item, message.order_status, message.intent, None, None,
        )  # fmt: skip
        return self._message(buyer, event)

    # --- buyers -------------------------------------------------------------------

    def _message(self, buyer: _Buyer, event: BuyerMessage) -> tuple[Event, list[Output]] | None:
        opens = not buyer.open
        if opens:
            buyer.open = True
            buyer.token += 1
            buyer.question += 1
            buyer.start = event.time
            buyer.line = event.line
            buyer.follow_ups = 0
            buyer.passed = False
            self.by_line[event.line] = buyer
        pair = self._feed(event)
        if pair is None:
            if opens:
                buyer.open = False
                self.by_line.pop(event.line, None)
            return None
        if opens and buyer.first_open:
            buyer.first_open = False
            self._push(buyer.visit_start + PAY_DECISION_S, _PAY_CHECK, buyer, buyer.visit)
        if buyer.holder is not None and not buyer.bot_held:
            self.loads.touch(buyer.holder, buyer.name, event.time)
        if buyer.open and not buyer.bot_held:
            self._maybe_follow(buyer, event.time)
        return pair

    def _maybe_follow(self, buyer: _Buyer, moment: float) -> None:
        if buyer.follow_ups >= MAX_FOLLOW_UPS:
            return
        purpose = _FOLLOW + 2 * buyer.follow_ups
        if self._u(buyer, purpose) >= self.model.buyers.follow_up:
            return
        gap = self.model.buyers.follow_gap.sample(self._u(buyer, purpose + 1))
        self._push(moment + max(gap, 1.0), _FOLLOW_UP, buyer, buyer.token)

    # --- engine outputs -----------------------------------------------------------

    def _outputs(self, outputs: list[Output]) -> None:
        for output in outputs:
            if isinstance(output, Routed):
                routed = output
                buyer = self.by_line.pop(routed.line, None)
                if buyer is not None and buyer.line == routed.line:
                    self._placed(buyer, routed)
            elif isinstance(output, Transferred):
                moved = output
                buyer = self.buyers.get(moved.buyer)
                if buyer is not None:
                    self._hold(buyer, moved.to_agent, moved.time)

    def _placed(self, buyer: _Buyer, routed: Routed) -> None:
        assignee = routed.assignee
        if assignee == ASSIGNEE_BOT:
            buyer.open = False  # R21: the bot's questions are not a human's
            if not buyer.bot_held:
                buyer.bot_held = True
                buyer.token += 1
                buyers = self.model.buyers
                if self._u(buyer, _BOT) < buyers.bot_transfer:
                    gap = buyers.bot_gap.sample(self._u(buyer, _BOT_GAP))
                    self._push(routed.time + max(gap, 1.0), _HAND_OVER, buyer, buyer.token)
            return
        if assignee == ASSIGNEE_OFFLINE or routed.assigned_at is None:
            return
        moment = routed.assigned_at if routed.assigned_at > routed.time else routed.time
        self._hold(buyer, assignee, moment)

    def _hold(self, buyer: _Buyer, agent: str, moment: float) -> None:
        buyer.bot_held = False
        buyer.holder = agent
        if not buyer.open:
            self.loads.touch(agent, buyer.name, moment)
            return
        buyer.token += 1
        model = self.model.agent(agent)
        load = self.loads.load(agent, buyer.name, moment)
        self.loads.touch(agent, buyer.name, moment)
        transfers = self.model.transfers
        if not buyer.passed and self._u(buyer, _PASS) < transfers.share:
            buyer.passed = True
            gap = transfers.gap.sample(self._u(buyer, _PASS_GAP))
            self._push(moment + max(gap, 1.0), _PASS_NOW, buyer, buyer.token)
        if self._u(buyer, _NEVER) < model.never[load_level(load)]:
            return
        if self.presence.logged_in(agent):
            self._schedule_reply(buyer, agent, moment, buyer.token, load)
        else:
            self.on_login.setdefault(agent, []).append((buyer, buyer.token, load))

    def _schedule_reply(
        self, buyer: _Buyer, agent: str, moment: float, token: int, load: int = -1
    ) -> None:
        if load < 0:
            load = self.loads.load(agent, buyer.name, moment)
        model = self.model.agent(agent)
        hour = self.clock.hour(moment)
        delay = model.delay(load_level(load), hour, self._u(buyer, _DELAY), moment, load)
        self._push(moment + delay, _REPLY, buyer, token)

    # --- actions ------------------------------------------------------------------

    def _act(
        self, moment: float, action: int, buyer: _Buyer, token: int
    ) -> tuple[Event, list[Output]] | None:
        if action == _PAY_CHECK:
            if token == buyer.visit and not buyer.decided:
                self._decide_payment(buyer, moment, None)
            return None
        if action == _PAY_NOW:
            return self._pay(buyer, moment, token)
        if token != buyer.token:
            return None
        if action == _REPLY:
            if not buyer.open:
                return None
            holder = buyer.holder
            if holder is not None and not self.presence.logged_in(holder):
                # Logged out before answering: the question waits for the next login
                # (a new delay from then, as the learner measures it), unless the
                # buyer's next message is routed elsewhere first.
                self.on_login.setdefault(holder, []).append((buyer, token, -1))
                return None
            if self.handovers is not None:
                passed = self._pass_on(buyer, moment)
                if passed is not None:
                    return passed
            return self._reply(buyer, moment)
        if action == _FOLLOW_UP:
            if not buyer.open:
                return None
            buyer.follow_ups += 1
            return self._message(buyer, BuyerMessage(self._next_line(), moment, buyer.name))
        if action == _EXTRA:
            return self._human_reply(buyer, moment) if not buyer.open else None
        if action == _ASK:
            return self._message(buyer, BuyerMessage(self._next_line(), moment, buyer.name))
        if action == _CLOSE_NOW:
            if buyer.holder is not None:
                self.loads.drop(buyer.holder, buyer.name)
            return self._feed(Close(self._next_line(), moment, buyer.name))
        if action == _PASS_NOW:
            return self._hand_on(buyer, moment) if buyer.open else None
        if action == _HAND_OVER:
            if not buyer.bot_held:
                return None
            pair = self._hand_over(buyer, moment)
            if pair is not None:
                self._push(moment + 3.0, _HUMAN, buyer, buyer.token)
            return pair
        if action == _HUMAN:
            buyer.bot_held = False
            return self._message(buyer, BuyerMessage(self._next_line(), moment, buyer.name))
        return None

    def _hand_over(self, buyer: _Buyer, moment: float) -> tuple[Event, list[Output]] | None:
        """The bot hands ``buyer`` to a human: to the agent ``handovers`` names if the
        engine accepts that, else plainly (R11)."""
        if self.handovers is not None:
            target = self.handovers.bot_target(buyer.name, moment)
            if target is not None:
                pair = self._feed(Transfer(self._next_line(), moment, buyer.name, target))
                if pair is not None:
                    return pair
        return self._feed(Transfer(self._next_line(), moment, buyer.name, None))

    def _pass_on(self, buyer: _Buyer, moment: float) -> tuple[Event, list[Output]] | None:
        """The holder hands the open question to the colleague ``handovers`` names (R17b);
        None when it does not (or the engine refuses), and the holder answers."""
        holder = buyer.holder
        if holder is None or self.handovers is None:
            return None
        target = self.handovers.colleague(holder, buyer.name, moment)
        if target is None or target == holder:
            return None
        pair = self._feed(Transfer(self._next_line(), moment, buyer.name, target))
        if pair is not None:
            self.loads.drop(holder, buyer.name)
        return pair

    def _hand_on(self, buyer: _Buyer, moment: float) -> tuple[Event, list[Output]] | None:
        """The learned hand-over (R17b): the holder passes the waiting question to a
        colleague of its groups who is logged in (drawn in id order); none, or the engine
        refuses: the holder keeps it."""
        holder = buyer.holder
        if holder is None:
            return None
        logged_in = [a for a in self.colleagues.get(holder, ()) if self.presence.logged_in(a)]
        if not logged_in:
            return None
        target = logged_in[int(self._u(buyer, _PASS_TO) * len(logged_in))]
        return self._feed(Transfer(self._next_line(), moment, buyer.name, target))

    def _human_reply(self, buyer: _Buyer, moment: float) -> tuple[Event, list[Output]] | None:
        agent = buyer.holder
        if agent is None:
            return None
        self.loads.touch(agent, buyer.name, moment)
        return self._feed(HumanReply(self._next_line(), moment, buyer.name, agent))

    def _reply(self, buyer: _Buyer, moment: float) -> tuple[Event, list[Output]] | None:
        pair = self._human_reply(buyer, moment)
        if pair is None:
            return None
        buyer.open = False
        buyer.token += 1
        level = delay_level(moment - buyer.start)
        if not buyer.decided:
            self._decide_payment(buyer, moment, level)
        buyers = self.model.buyers
        tail = buyers.tail.sample(self._u(buyer, _TAIL))
        if tail >= 1.0:
            self._push(moment + tail, _EXTRA, buyer, buyer.token)
        last = moment + (tail if tail >= 1.0 else 0.0)
        if self._u(buyer, _AGAIN) < min(buyers.ask_again[level], 0.95):
            gap = buyers.next_gap.sample(self._u(buyer, _GAP))
            self._push(moment + max(gap, 1.0, tail + 1.0), _ASK, buyer, buyer.token)
        elif self._u(buyer, _CLOSE) < buyers.close:
            gap = buyers.close_gap.sample(self._u(buyer, _CLOSE_GAP))
            self._push(last + max(gap, 1.0), _CLOSE_NOW, buyer, buyer.token)
        return pair

    def _decide_payment(self, buyer: _Buyer, moment: float, level: int | None) -> None:
        buyer.decided = True
        conversion = self.model.conversion
        rate = conversion.rate[level if level is not None else -1]
        if self._u(buyer, _PAY) >= rate:
            return
        lag = conversion.lag.sample(self._u(buyer, _PAY_LAG))
        self._push(moment + max(lag, 1.0), _PAY_NOW, buyer, buyer.visit)

    def _pay(self, buyer: _Buyer, moment: float, visit: int) -> tuple[Event, list[Output]] | None:
        conversion = self.model.conversion
        key = (self.seed, buyer.index, visit)
        amount: float | None = None
        if uniform(*key, _UNPRICED) >= conversion.unpriced:
            amount = round(conversion.amount.sample(uniform(*key, _AMOUNT)), 2)
        return self._feed(Paid(self._next_line(), moment, buyer.name, amount))


def _unaddressed(message: BuyerMessage) -> BuyerMessage:
    return BuyerMessage(
        message.line, message.time, message.buyer, None, message.entry, message.item,
        message.order_status, message.intent, message.text, None,
    )  # fmt: skip


def _colleagues(config: ShopConfig) -> dict[str, tuple[str, ...]]:
    """Per agent, the other routing agents that share one of its groups, by id."""
    out: dict[str, tuple[str, ...]] = {}
    for agent in config.agents:
        groups = set(agent.groups)
        out[agent.id] = tuple(sorted(
            other.id for other in config.agents
            if other.id != agent.id and other.routing and groups & set(other.groups)
        ))  # fmt: skip
    return out
