"""R25: inquiry conversion (询单转化率) and sales (销售额), per shop, agent and group.

- An agent *receives* a buyer when it is assigned the buyer's new inquiry (the Routed of
  an inquiry, pooled and queued ones when they are taken) or when a transfer hands it
  the buyer's conversation (R11 from the bot, R17b from another agent). A receipt whose
  inquiry (or transfer) is inside the report window makes the buyer an *inquiring
  buyer* (询单人数) of that agent and of the receipt's group; the shop counts each buyer
  once.
- A ``paid`` row converts the buyer for the agent that received it last, when that
  receipt was inside the window and at most ``conversion_window`` before the payment
  (inclusive); its ``amount`` (missing = 0) is that agent's and group's sale. A
  payment may come after ``--until``: it completes an inquiry inside the window.
- A payment in the window with no message from the buyer in the ``conversion_window``
  before it is a silent order (静默下单), reported apart. One that follows a message no
  agent had received (the bot's, or still pooled) is neither: ``uncredited_orders``.

Memory: per buyer, the last receipt and the last message time (in its
:class:`~routectl.report.records.BuyerFigures`); per agent and group, the set of its
buyers. Never per row.
"""

from __future__ import annotations

from collections import defaultdict

from routectl.events import Paid
from routectl.report.records import BuyerFigures
from routectl.report.window import Window


class SalesCounts:
    """Inquiring buyers, converted buyers and sales of one row (shop, agent or group)."""

    __slots__ = ("buyers", "paid", "sales")

    def __init__(self) -> None:
        self.buyers: set[str] = set()
        self.paid: set[str] = set()
        self.sales = 0.0

    @property
    def conversion_rate(self) -> float | None:
        if not self.buyers:
            return None
        return round(len(self.paid) / len(self.buyers), 4)


class SalesLedger:
    def __init__(self, window: Window, conversion_window_s: float, *, rows: bool = True) -> None:
        self.rows = rows
        """Keep the agents' and groups' figures too; without, the shop's only (``diff``)."""
        self.window = window
        self.conversion_window_s = conversion_window_s
        self.shop = SalesCounts()
        self.by_agent: defaultdict[str, SalesCounts] = defaultdict(SalesCounts)
        self.by_group: defaultdict[str, SalesCounts] = defaultdict(SalesCounts)
        self.orders = 0
        self.silent_orders = 0
        self.silent_sales = 0.0
        self.uncredited_orders = 0

    def receipt(
        self, buyer: BuyerFigures, buyer_id: str, agent: str, group: str, moment: float
    ) -> None:
        """``agent`` received the buyer (an inquiry or a transfer) at ``moment``."""
        if not self.window.contains(moment):
            buyer.receipt = None
            return
        last = buyer.receipt
        buyer.receipt = (moment, agent, group)
        if last is not None and last[1] == agent and last[2] == group:
            return  # the same agent again (recent contact): already counted
        self.shop.buyers.add(buyer_id)
        if self.rows:
            self.by_agent[agent].buyers.add(buyer_id)
            self.by_group[group].buyers.add(buyer_id)

    def paid(self, buyer: BuyerFigures | None, payment: Paid) -> None:
        """A payment; ``buyer`` is None when the buyer never wrote (nor was received)."""
        moment = payment.time
        amount = payment.amount or 0.0
        limit = self.conversion_window_s
        in_window = self.window.contains(moment)
        if in_window:
            self.orders += 1
        receipt = buyer.receipt if buyer is not None else None
        if receipt is not None and 0 <= moment - receipt[0] <= limit:
            _, agent, group = receipt
            credited: tuple[SalesCounts, ...] = (self.shop,)
            if self.rows:
                credited = (self.shop, self.by_agent[agent], self.by_group[group])
            for counts in credited:
                counts.paid.add(payment.buyer)
                counts.sales += amount
            return
        if not in_window:
            return
        asked = buyer.last_message if buyer is not None else None
        if asked is not None and 0 <= moment - asked <= limit:
            self.uncredited_orders += 1
        else:
            self.silent_orders += 1
            self.silent_sales += amount
