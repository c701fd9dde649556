"""P3: where the log's receiver contradicts the config, not just the weighted pick.

A receiver that differs from the replay's pick is normal for weighted picks (R13). These
kinds are not: the config could never have sent the buyer there. Each is checked on an
inquiry the replay routed at once (nothing pooled or queued), when the log names a
receiver other than the replay's:

- ``unavailable_receiver``: received by an agent who was suspended or offline (R1, R9:
  a suspended agent takes only its recent contacts, the replay saw none);
- ``outside_group``: a group pick (R12/R13) received by an agent outside that group,
  while the group had a candidate;
- ``non_routing_receiver``: a routed buyer received by an agent with ``routing = false``
  (R3);
- ``dedicated_elsewhere``: a buyer with an available dedicated agent (R10) received by
  someone else.

A buyer whose earlier contact is older than the log can look like the first kind: the
replay knows only the contacts it saw.
"""

from __future__ import annotations

from collections.abc import Collection

from routectl.events import RULE_DEDICATED, RULE_GROUP, RULE_SPECIAL_PREFIX, Routed
from routectl.model import ShopConfig

KINDS = ("unavailable_receiver", "outside_group", "non_routing_receiver", "dedicated_elsewhere")
"""In the order the report lists them."""


def contradiction_kind(
    config: ShopConfig, routed: Routed, observed: str, available: Collection[str]
) -> str | None:
    """The kind of contradiction of ``observed`` receiving ``routed``'s inquiry, or None."""
    rule = routed.rule
    if rule == RULE_DEDICATED:
        return "dedicated_elsewhere"
    if observed not in available:
        return "unavailable_receiver"
    if rule != RULE_GROUP and not rule.startswith(RULE_SPECIAL_PREFIX):
        return None
    receiver = config.agent(observed)
    if receiver is not None and not receiver.routing:
        return "non_routing_receiver"
    picked = config.agent(routed.assignee)
    group = routed.group
    if (
        group is not None
        and config.group(group) is not None
        and picked is not None
        and group in picked.groups
        and (receiver is None or group not in receiver.groups)
    ):
        return "outside_group"
    return None
