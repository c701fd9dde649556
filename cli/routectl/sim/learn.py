"""One streaming pass over a replayed log: the evidence a reply model is fitted from.

:class:`Learner` takes the ``(event, outputs)`` pairs of :func:`routectl.replay.run`
(the engine's outputs only name a question's holder when the log does not, P2) and
counts, per agent and load level, how long first replies took. Memory grows with
buyers, agents and days, never with rows: delays go into histograms.

Definitions shared with the simulation (:mod:`.core`), so that what is learned is what
is replayed:

- **load**: the other conversations an agent holds when a question starts: buyers whose
  last message or reply with that agent is less than ``session_timeout`` old and not
  closed (:class:`Loads`).
- **delay**: from the question's first message, or the moment it reached its holder
  (pool, queue, lag) or the holder logged in, whichever is last, to the holder's reply.
  Time spent offline is presence, which the simulation takes from the log.
- a question is **never answered** for its holder when no reply came and the holder was
  logged in at some point after it started.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from zoneinfo import ZoneInfo

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
)
from routectl.model import ShopConfig
from routectl.report.clock import LocalClock
from routectl.sim.hist import bin_of, new_histogram

LOAD_LEVELS = ("0", "1", "2", "3", "4-5", "6+")
DELAY_EDGES = (30.0, 60.0, 180.0, 600.0)
"""First-response buckets for buyer behaviour and conversion: <30 s, <1 min, <3 min,
<10 min, later; one more bucket for never answered."""
DELAY_LEVELS = ("<30s", "30-60s", "1-3m", "3-10m", ">=10m", "never")
NEVER = len(DELAY_LEVELS) - 1


TOP_LEVEL = len(LOAD_LEVELS) - 1


def load_level(load: int) -> int:
    if load < 4:
        return load
    return 4 if load < 6 else 5


def delay_level(delay_s: float | None) -> int:
    if delay_s is None:
        return NEVER
    for index, edge in enumerate(DELAY_EDGES):
        if delay_s < edge:
            return index
    return len(DELAY_EDGES)


class Loads:
    """Conversations each agent holds (see the module docstring)."""

    __slots__ = ("held", "timeout")

    def __init__(self, timeout_s: float) -> None:
        self.timeout = timeout_s
        self.held: dict[str, dict[str, float]] = {}

    def touch(self, agent: str, buyer: str, moment: float) -> None:
        buyers = self.held.get(agent)
        if buyers is None:
            buyers = self.held[agent] = {}
        buyers[buyer] = moment

    def drop(self, agent: str, buyer: str) -> None:
        buyers = self.held.get(agent)
        if buyers is not None:
            buyers.pop(buyer, None)

    def load(self, agent: str, buyer: str, moment: float) -> int:
        """Conversations ``agent`` holds at ``moment`` besides ``buyer``'s."""
        buyers = self.held.get(agent)
        if not buyers:
            return 0
        oldest = moment - self.timeout
        stale = [name for name, last in buyers.items() if last < oldest]
        for name in stale:
            del buyers[name]
        return len(buyers) - (1 if buyer in buyers else 0)


class Presence:
    """Which agents are logged in (any device, online or suspended) and since when."""

    __slots__ = ("devices", "since")

    def __init__(self) -> None:
        self.devices: dict[str, dict[str, bool]] = {}
        self.since: dict[str, float] = {}

    def status(self, event: StatusChange) -> bool:
        """Apply a status row; True when the agent has just logged in."""
        devices = self.devices.setdefault(event.agent, {})
        was = any(devices.values())
        devices[event.device] = event.status != "offline"
        now = any(devices.values())
        if now and not was:
            self.since[event.agent] = event.time
            return True
        return False

    def logged_in(self, agent: str) -> bool:
        devices = self.devices.get(agent)
        return devices is not None and any(devices.values())


class AgentEvidence:
    """One agent's first replies: histograms by load level, log-delay sums by hour."""

    __slots__ = ("asked", "by_level", "cross_n", "cross_sum", "top_load", "unanswered")

    def __init__(self) -> None:
        self.by_level = [new_histogram() for _ in LOAD_LEVELS]
        self.cross_n = [0] * (24 * len(LOAD_LEVELS))
        self.cross_sum = [0.0] * (24 * len(LOAD_LEVELS))
        self.asked = [0] * len(LOAD_LEVELS)
        self.unanswered = [0] * len(LOAD_LEVELS)
        self.top_load = 0
        """The sum of the loads of the questions at the top level (6+): their mean is
        where the model's extrapolation to higher loads starts."""

    def answered(self, load: int, hour: int, delay_s: float) -> None:
        level = self._counted(load)
        self.by_level[level][bin_of(delay_s)] += 1
        cell = hour * len(LOAD_LEVELS) + level
        self.cross_n[cell] += 1
        self.cross_sum[cell] += math.log(delay_s + 1.0)

    def never(self, load: int) -> None:
        self.unanswered[self._counted(load)] += 1

    def _counted(self, load: int) -> int:
        level = load_level(load)
        self.asked[level] += 1
        if level == TOP_LEVEL:
            self.top_load += load
        return level


class Evidence:
    """Everything :func:`routectl.sim.model.fit` needs, in counts."""

    def __init__(self) -> None:
        self.agents: dict[str, AgentEvidence] = {}
        self.days: dict[str, dict[str, list[float]]] = {}
        """Per local date, per agent: [answered, sum of log(delay + 1), never answered]."""
        self.day_delays: dict[str, dict[str, list[int]]] = {}
        """Per local date, per agent: the histogram of answered delays (calibration)."""
        self.follow_gap = new_histogram()
        """Gaps from a waiting question's message to the buyer's next one..."""
        self.follow_censored = new_histogram()
        """... and to the reply (or the end of the visit) that came first (censored)."""
        self.follow_ups = 0
        self.questions = 0
        self.next_gap = new_histogram()
        self.next_asked = [0] * len(DELAY_LEVELS)
        """After a question answered within each delay level: the buyer asked again..."""
        self.next_ended = [0] * len(DELAY_LEVELS)
        """... or the visit ended."""
        self.tail = new_histogram()
        """From the answering reply to the holder's last reply before the buyer writes."""
        self.visits = 0
        self.closed_visits = 0
        """Visits the buyer closed after an answer, without asking again."""
        self.close_gap = new_histogram()
        self.bot_visits = 0
        self.bot_transfers = 0
        self.bot_gap = new_histogram()
        self.pass_gap = new_histogram()
        """From a question reaching its agent to the agent handing it to a colleague
        (R17b, 转交)..."""
        self.pass_censored = new_histogram()
        """... or to the agent's own reply, which came first (censored)."""
        self.converted = [0] * len(DELAY_LEVELS)
        self.inquired = [0] * len(DELAY_LEVELS)
        """Visits by their first question's first-response level, and those paid after."""
        self.pay_lag = new_histogram()
        self.amounts = new_histogram()
        self.unpriced = 0
        self.first: float | None = None
        self.last: float | None = None

    def agent(self, agent: str) -> AgentEvidence:
        found = self.agents.get(agent)
        if found is None:
            found = self.agents[agent] = AgentEvidence()
        return found

    def day_delay(self, day: str, agent: str) -> list[int]:
        agents = self.day_delays.get(day)
        if agents is None:
            agents = self.day_delays[day] = {}
        counts = agents.get(agent)
        if counts is None:
            counts = agents[agent] = new_histogram()
        return counts

    def day(self, day: str, agent: str) -> list[float]:
        agents = self.days.get(day)
        if agents is None:
            agents = self.days[day] = {}
        cell = agents.get(agent)
        if cell is None:
            cell = agents[agent] = [0.0, 0.0, 0.0]
        return cell


class _Buyer:
    __slots__ = (
        "answered_at", "answered_level", "closed", "first_level", "holder", "last",
        "last_message", "last_reply", "paid", "q_avail", "q_chance", "q_day", "q_first",
        "q_holder", "q_line", "q_load", "q_passed", "q_start", "visit_start",
    )  # fmt: skip

    def __init__(self) -> None:
        self.last: float | None = None
        self.closed = False
        self.holder: str | None = None
        self.q_start: float | None = None
        self.q_line = 0
        self.q_holder: str | None = None
        self.q_avail = 0.0
        self.q_load = 0
        self.q_day = ""
        self.q_first = False
        self.q_passed = False
        """The question was handed to a colleague once (the simulation hands on once)."""
        self.q_chance = False
        """The holder was logged in when the question reached it."""
        self.last_message = 0.0
        self.answered_at: float | None = None
        self.answered_level = 0
        self.last_reply = 0.0
        self.visit_start = 0.0
        self.first_level: int | None = None
        """The first-response level of the visit's first question (None: not yet)."""
        self.paid = False


class Learner:
    """Feed it ``(event, outputs)`` pairs in log order; :meth:`finish` gives the evidence."""

    def __init__(self, config: ShopConfig) -> None:
        self.timeout = float(config.routing.session_timeout_s)
        self.window = float(config.sales.conversion_window_s)
        self.clock = LocalClock(ZoneInfo(config.shop.timezone))
        self.evidence = Evidence()
        self.loads = Loads(self.timeout)
        self.presence = Presence()
        self.buyers: dict[str, _Buyer] = {}
        self.waiting: dict[int, _Buyer] = {}
        """Questions whose first message the engine has not placed yet, by line."""

    def feed(self, event: Event, outputs: Iterable[Output]) -> None:
        evidence = self.evidence
        if evidence.first is None:
            evidence.first = event.time
        evidence.last = event.time
        if isinstance(event, BuyerMessage):
            self._message(event, outputs)
        elif isinstance(event, HumanReply):
            self._reply(event)
            self._routed(outputs)
        elif isinstance(event, StatusChange):
            self.presence.status(event)
            self._routed(outputs)
        elif isinstance(event, Close):
            self._close(event)
            self._routed(outputs)
        elif isinstance(event, Transfer):
            self._transfer(event)
            self._routed(outputs)
        elif isinstance(event, Paid):
            self._paid(event)
            self._routed(outputs)

    def finish(self, outputs: Iterable[Output] = ()) -> Evidence:
        self._routed(outputs)
        for buyer in self.buyers.values():
            if buyer.q_start is not None:
                if buyer.last is not None:
                    self._censor_follow_up(buyer, buyer.last_message + self.timeout)
                self._never(buyer)
            self._end_visit(buyer)
        self.buyers.clear()
        return self.evidence

    # --- events ---------------------------------------------------------------------

    def _buyer(self, name: str) -> _Buyer:
        buyer = self.buyers.get(name)
        if buyer is None:
            buyer = self.buyers[name] = _Buyer()
        return buyer

    def _message(self, message: BuyerMessage, outputs: Iterable[Output]) -> None:
        buyer = self._buyer(message.buyer)
        moment = message.time
        routed: Routed | None = None
        for output in outputs:
            if isinstance(output, Routed) and output.line == message.line:
                routed = output
        self._routed(outputs, skip=message.line)
        new_visit = buyer.last is None or buyer.closed or moment - buyer.last > self.timeout
        if new_visit:
            if buyer.q_start is not None:
                # The simulation starts a new visit afresh (its arrival is the log's):
                # a question the last visit left unanswered is over, never answered.
                self._censor_follow_up(buyer, min(moment, buyer.last_message + self.timeout))
                self._never(buyer)
            self._end_visit(buyer)
            self.evidence.visits += 1
            buyer.visit_start = moment
            buyer.first_level = None
            buyer.paid = False
            buyer.closed = False
            buyer.holder = None
        buyer.last = moment
        bot = message.received_by is None and routed is not None and routed.assignee == ASSIGNEE_BOT
        if bot:
            if new_visit:
                self.evidence.bot_visits += 1
            return
        if buyer.q_start is not None:  # a follow-up of a waiting question
            self.evidence.follow_ups += 1
            self.evidence.follow_gap[bin_of(moment - buyer.last_message)] += 1
            buyer.last_message = moment
            if buyer.q_holder is not None:
                self.loads.touch(buyer.q_holder, message.buyer, moment)
            return
        self._ask_again(buyer, moment, new_visit)
        self._start(buyer, message.buyer, message.line, moment, new_visit)
        holder = message.received_by
        if (
            holder is None
            and routed is not None
            and routed.assigned_at is not None
            and routed.assignee not in (ASSIGNEE_BOT, ASSIGNEE_OFFLINE)
        ):
            holder = routed.assignee
            buyer.q_avail = routed.assigned_at
        if holder is None and routed is None and not new_visit:
            holder = buyer.holder
        if holder is None and routed is None:
            self.waiting[message.line] = buyer
        else:
            self._hold(buyer, message.buyer, holder, moment)

    def _ask_again(self, buyer: _Buyer, moment: float, new_visit: bool) -> None:
        if buyer.answered_at is None:
            return
        if not new_visit:
            self.evidence.next_asked[buyer.answered_level] += 1
            self.evidence.next_gap[bin_of(moment - buyer.answered_at)] += 1
            self.evidence.tail[bin_of(buyer.last_reply - buyer.answered_at)] += 1
        buyer.answered_at = None

    def _start(self, buyer: _Buyer, name: str, line: int, moment: float, first: bool) -> None:
        self.evidence.questions += 1
        buyer.q_start = moment
        buyer.q_line = line
        buyer.q_holder = None
        buyer.q_avail = moment
        buyer.q_first = buyer.first_level is None
        buyer.q_passed = False
        buyer.last_message = moment

    def _hold(self, buyer: _Buyer, name: str, holder: str | None, moment: float) -> None:
        buyer.q_holder = holder
        if holder is None:
            return
        buyer.holder = holder
        # A pooled or queued question reaches its holder when the engine assigns it:
        # the load is the holder's then (what the simulation draws its delay at).
        start = buyer.q_avail if buyer.q_avail > moment else moment
        buyer.q_load = self.loads.load(holder, name, start)
        buyer.q_day = self.clock.day(start)
        buyer.q_chance = self.presence.logged_in(holder)
        self.loads.touch(holder, name, start)

    def _routed(self, outputs: Iterable[Output], skip: int = -1) -> None:
        if not self.waiting:
            return
        for output in outputs:
            if not isinstance(output, Routed):
                continue
            routed: Routed = output
            if routed.line == skip:
                continue
            buyer = self.waiting.pop(routed.line, None)
            if buyer is None or buyer.q_start is None or buyer.q_line != routed.line:
                continue
            if routed.assigned_at is None or routed.assignee in (ASSIGNEE_BOT, ASSIGNEE_OFFLINE):
                continue
            buyer.q_avail = routed.assigned_at
            self._hold(buyer, routed.buyer, routed.assignee, routed.time)

    def _reply(self, reply: HumanReply) -> None:
        buyer = self._buyer(reply.buyer)
        moment = reply.time
        agent = reply.agent or buyer.q_holder or buyer.holder
        buyer.last = moment
        if agent is not None:
            self.loads.touch(agent, reply.buyer, moment)
        if buyer.q_start is None:
            buyer.last_reply = moment
            return
        holder = buyer.q_holder or agent
        if holder is None:
            buyer.q_start = None
            return
        self._censor_follow_up(buyer, moment)
        if buyer.q_holder is None:
            buyer.q_load = self.loads.load(holder, reply.buyer, buyer.q_start)
            buyer.q_day = self.clock.day(buyer.q_start)
        self.waiting.pop(buyer.q_line, None)
        start = max(buyer.q_start, buyer.q_avail, self.presence.since.get(holder, 0.0))
        delay = max(moment - start, 0.0)
        if not buyer.q_passed:
            self.evidence.pass_censored[bin_of(max(moment - buyer.q_avail, 0.0))] += 1
        hour = self.clock.hour(start)
        self.evidence.agent(holder).answered(buyer.q_load, hour, delay)
        day = self.evidence.day(buyer.q_day, holder)
        day[0] += 1.0
        day[1] += math.log(delay + 1.0)
        if start <= buyer.q_start:
            # Calibration compares these with a simulation's: only questions that met a
            # logged-in holder, whose delay is the buyer's wait. One that waited for a
            # login or the pool is answered at the login burst; a simulation with more
            # of them (its routing is the config's) would otherwise look fast and be
            # slowed everywhere.
            self.evidence.day_delay(buyer.q_day, holder)[bin_of(delay)] += 1
        level = delay_level(moment - buyer.q_start)
        if buyer.q_first:
            buyer.first_level = level
        buyer.answered_at = moment
        buyer.answered_level = level
        buyer.last_reply = moment
        buyer.holder = holder
        buyer.q_start = None

    def _censor_follow_up(self, buyer: _Buyer, moment: float) -> None:
        self.evidence.follow_censored[bin_of(max(moment - buyer.last_message, 0.0))] += 1

    def _never(self, buyer: _Buyer) -> None:
        holder = buyer.q_holder
        buyer.q_start = None
        if holder is None:
            return
        if not buyer.q_chance and self.presence.since.get(holder, -1.0) < buyer.q_avail:
            return  # the holder never came back: presence, not behaviour
        self.evidence.agent(holder).never(buyer.q_load)
        self.evidence.day(buyer.q_day, holder)[2] += 1.0

    def _close(self, close: Close) -> None:
        buyer = self._buyer(close.buyer)
        if buyer.last is not None and not buyer.closed and buyer.answered_at is not None:
            self.evidence.closed_visits += 1
            self.evidence.close_gap[bin_of(close.time - buyer.last)] += 1
        buyer.closed = True
        if buyer.holder is not None:
            self.loads.drop(buyer.holder, close.buyer)
        buyer.last = close.time

    def _transfer(self, transfer: Transfer) -> None:
        buyer = self._buyer(transfer.buyer)
        if buyer.holder is None and buyer.last is not None:
            self.evidence.bot_transfers += 1
            self.evidence.bot_gap[bin_of(transfer.time - buyer.visit_start)] += 1
        if transfer.agent is not None:
            if buyer.holder is not None and buyer.q_start is not None and not buyer.q_passed:
                buyer.q_passed = True
                since = max(buyer.q_start, buyer.q_avail)
                self.evidence.pass_gap[bin_of(max(transfer.time - since, 0.0))] += 1
            if buyer.holder is not None:
                self.loads.drop(buyer.holder, transfer.buyer)
            buyer.holder = transfer.agent
            if buyer.q_start is not None:
                buyer.q_start = transfer.time
                buyer.q_avail = transfer.time
                self._hold(buyer, transfer.buyer, transfer.agent, transfer.time)
        buyer.last = transfer.time

    def _paid(self, paid: Paid) -> None:
        buyer = self.buyers.get(paid.buyer)
        if buyer is None or buyer.last is None or buyer.paid:
            return
        if paid.time - buyer.visit_start > self.window:
            return
        buyer.paid = True
        evidence = self.evidence
        since = buyer.answered_at if buyer.answered_at is not None else buyer.visit_start
        evidence.pay_lag[bin_of(max(paid.time - since, 0.0))] += 1
        if paid.amount is None:
            evidence.unpriced += 1
        else:
            evidence.amounts[bin_of(paid.amount)] += 1

    def _end_visit(self, buyer: _Buyer) -> None:
        if buyer.last is None:
            return
        evidence = self.evidence
        if buyer.answered_at is not None:
            evidence.next_ended[buyer.answered_level] += 1
            evidence.tail[bin_of(buyer.last_reply - buyer.answered_at)] += 1
            buyer.answered_at = None
        level = NEVER if buyer.first_level is None else buyer.first_level
        evidence.inquired[level] += 1
        if buyer.paid:
            evidence.converted[level] += 1
        buyer.first_level = None
        buyer.paid = False
        buyer.last = None


def learn(config: ShopConfig, replayed: Iterable[tuple[Event | None, list[Output]]]) -> Evidence:
    """Evidence from the ``(event, outputs)`` pairs of :func:`routectl.replay.run`."""
    learner = Learner(config)
    for event, outputs in replayed:
        if event is None:
            return learner.finish(outputs)
        learner.feed(event, outputs)
    return learner.finish()
