"""What the report keeps per buyer: one record, so each row costs one lookup.

The question tracker (R18-R24), the sales ledger (R25) and the builder's watches read
and write the same record; nothing here grows with rows, only with buyers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routectl.report.questions import Question

NO_GROUP = "-"
"""Group label of inquiries not routed by group (recent contact, dedicated, bot, pool)."""


class BuyerFigures:
    """One buyer's report state."""

    __slots__ = (
        "bot_run", "group", "last_message", "last_reply", "question", "receipt", "watch",
    )  # fmt: skip

    def __init__(self) -> None:
        self.question: Question | None = None
        """The open question (R18), or None; a shared placeholder when it does not count."""
        self.bot_run = False
        """The bot holds the buyer's messages since the last human reply (R21)."""
        self.group = NO_GROUP
        """The group label the buyer's inquiry (or transfer) was credited to."""
        self.last_message: float | None = None
        self.last_reply = -math.inf
        self.watch: float | None = None
        """When the open 10-minute watch of an assigned inquiry runs out."""
        self.receipt: tuple[float, str, str] | None = None
        """R25: the last receipt inside the window: (time, agent, group)."""
