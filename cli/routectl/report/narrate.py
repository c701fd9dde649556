"""R22 in words: one imbalance as a sentence, in English or Chinese.

The sentence walks from the reference point to the actual share, each step naming what
moved it: even split -> by weight -> by weight x online time -> expected (who was online
at each inquiry) -> actual, so every "+2.9 points" follows the share it starts from.
"""

from __future__ import annotations

from routectl.report.labels import percent as _pct
from routectl.report.labels import plain, word
from routectl.report.result import Imbalance


def imbalance_text(item: Imbalance, lang: str = "en", verbose: bool = True) -> str:
    points = {cause.name: cause.points for cause in item.causes}

    def pts(name: str) -> str:
        return word("points", lang).format(points=points.get(name, 0.0) * 100)

    head = word("imb_head", lang).format(
        agent=item.agent, share=_pct(item.share), inquiries=item.inquiries, total=item.total
    )
    chain = word("imb_chain", lang).format(
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
    details, note = _details(item, lang)
    main = next(i for i, cause in enumerate(item.causes) if cause.name == item.main_cause)
    cause = word("cause_" + item.main_cause, lang)
    tail = word("imb_main", lang).format(cause=cause, detail=details[main])
    text = f"{head} {chain} {tail}" if lang == "en" else f"{head}{chain}{tail}"
    if note:
        text += " " + note if lang == "en" else note
    return text if verbose else plain(text, lang)


def _details(item: Imbalance, lang: str) -> tuple[tuple[str, ...], str]:
    """The causes' details and the note in ``lang`` (English when not translated)."""
    for local in item.local:
        if local.lang == lang:
            return local.details, local.note
    return tuple(cause.detail for cause in item.causes), item.note
