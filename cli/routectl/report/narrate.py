"""R22 in words: one imbalance as a sentence, in English or Chinese.

The sentence walks from the reference point to the actual share, each step naming what
moved it: even split -> by weight -> by weight x online time -> expected (who was online
at each inquiry) -> actual, so every "+2.9 points" follows the share it starts from.
"""

from __future__ import annotations

from routectl.report.labels import TEXT, plain
from routectl.report.labels import percent as _pct
from routectl.report.result import Imbalance


def imbalance_text(item: Imbalance, lang: str = "en", verbose: bool = True) -> str:
    words = TEXT[lang]
    points = {cause.name: cause.points for cause in item.causes}

    def pts(name: str) -> str:
        return words["points"].format(points=points.get(name, 0.0) * 100)

    head = words["imb_head"].format(
        agent=item.agent, share=_pct(item.share), inquiries=item.inquiries, total=item.total
    )
    chain = words["imb_chain"].format(
        equal=_pct(item.equal_share),
        weight=_pct(item.weight_share),
        online=_pct(item.online_share),
        expected=_pct(item.expected_share),
        share=_pct(item.share),
        p_weight=pts("weight"),
        p_online=pts("online time"),
        p_hours=pts("hours of day"),
        p_rules=pts("caps and rules"),
    )
    main = next(cause for cause in item.causes if cause.name == item.main_cause)
    cause = words["cause_" + main.name]
    tail = words["imb_main"].format(cause=cause, detail=main.detail)
    text = f"{head} {chain} {tail}" if lang == "en" else f"{head}{chain}{tail}"
    if item.note and lang == "en":
        text += " " + item.note
    return text if verbose else plain(text)
