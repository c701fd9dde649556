"""Which log column each header cell names: English names, Chinese headings, ``--columns``.

Shops export logs from Qianniu (千牛) or 赤兔 with Chinese headings (时间, 买家昵称,
客服账号 ...). Each heading is compared after Unicode NFKC, trimming and lower-casing, so
``时间``, `` Time `` and a full-width ``ｔｉｍｅ`` all name ``time``. A heading that is
neither a column name nor a known alias is ignored, as an unknown English one is.

Resolution is one pass over the header (a dict look-up per cell): a header of 40,000
columns resolves as fast as one of 12.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routectl.i18n import _

COLUMNS = (
    "time", "event", "buyer", "agent", "device", "status",
    "entry", "item", "order_status", "intent", "text", "amount", "received_by",
    "sub_account",
)  # fmt: skip

HEADING_ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("时间", "发送时间", "消息时间", "日期时间", "事件时间", "time_stamp", "timestamp"),
    "event": ("事件", "事件类型", "类型", "消息类型"),
    "buyer": ("买家", "买家昵称", "买家旺旺", "买家账号", "顾客", "客户", "会员名"),
    "agent": ("指定客服", "联系客服", "addressed_to"),
    "device": ("设备", "终端", "登录设备"),
    "status": ("状态", "客服状态", "在线状态"),
    "entry": ("入口", "咨询入口", "来源", "进店入口"),
    "item": ("商品", "商品id", "宝贝", "宝贝id", "商品名称"),
    "order_status": ("订单状态",),
    "intent": ("意图", "咨询意图"),
    "text": ("内容", "消息内容", "聊天内容", "消息"),
    "amount": ("金额", "付款金额", "实付金额", "支付金额"),
    "received_by": ("接待客服", "接待人", "接待账号", "接待子账号", "received by", "receiver"),
    "sub_account": ("客服", "客服账号", "客服昵称", "客服旺旺", "旺旺", "子账号"),
}
"""Chinese (and a few English) headings accepted for each column, as shops export them.

``sub_account`` is a chat export's one 客服 column: the sub-account of the row. On a
``message`` row it names who received the message (``received_by``), on every other row
the agent (``agent``); a row's own ``agent`` or ``received_by`` cell wins over it."""


def normal_heading(heading: str) -> str:
    """The form headings are compared in: NFKC, no BOM, trimmed, lower case."""
    return unicodedata.normalize("NFKC", heading.lstrip("\ufeff")).strip().lower()


_COLUMN_OF: dict[str, str] = {
    **{normal_heading(alias): column for column, aliases in HEADING_ALIASES.items()
       for alias in aliases},
    **{column: column for column in COLUMNS},
}  # fmt: skip


@dataclass(frozen=True)
class HeaderLayout:
    """Index of each known column in a row, and the problems found in the header."""

    index: dict[str, int]
    duplicates: tuple[str, ...]
    missing_mapped: tuple[str, ...]
    """``--columns`` headings that are not in the header."""


def resolve_header(header: Sequence[str], mapping: Mapping[str, str] | None = None) -> HeaderLayout:
    """Find each column in ``header``; ``mapping`` (column -> heading) wins over aliases.

    A column named by two headings is a duplicate, unless ``mapping`` picked one of them.
    """
    wanted = {normal_heading(heading): column for column, heading in (mapping or {}).items()}
    index: dict[str, int] = {}
    duplicates: dict[str, None] = {}
    found_mapped: set[str] = set()
    for position, cell in enumerate(header):
        heading = normal_heading(cell)
        if not heading:
            continue
        mapped = wanted.get(heading)
        if mapped is not None:
            if heading in found_mapped:
                duplicates[mapped] = None
            found_mapped.add(heading)
            index[mapped] = position
            continue
        column = _COLUMN_OF.get(heading)
        if column is None or column in wanted.values():
            continue
        if column in index:
            duplicates[column] = None
        else:
            index[column] = position
    missing = tuple(heading for heading in wanted if heading not in found_mapped)
    return HeaderLayout(index, tuple(sorted(duplicates)), missing)


def column_named(heading: str) -> str | None:
    """The column a heading names by itself (its name or an alias), if any."""
    return _COLUMN_OF.get(normal_heading(heading))


def parse_column_mapping(text: str) -> dict[str, str]:
    """``time=发送时间,buyer=买家昵称`` -> ``{"time": "发送时间", "buyer": "买家昵称"}``.

    Raises ValueError naming the first part that is not ``COLUMN=HEADING`` with a known
    column.
    """
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        column, equals, heading = part.partition("=")
        column = column.strip().lower()
        if not equals or not heading.strip():
            message = _("{part}: expected COLUMN=HEADING, e.g. time=发送时间")
            raise ValueError(message.format(part=repr(part.strip())))
        if column not in COLUMNS:
            message = _("unknown column {column}").format(column=repr(column))
            raise ValueError(message + did_you_mean(column, COLUMNS))
        mapping[column] = heading.strip()
    return mapping


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice most like ``word``, when one is close enough to be a typo."""
    from routectl.similar import closest as most_like  # only on an error path

    return most_like(word, choices)


def did_you_mean(word: str, choices: Sequence[str], list_up_to: int = 12) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, else ``"; expected one of: ..."``
    when there are at most ``list_up_to`` choices, else nothing."""
    from routectl.similar import close_names, one_of  # only on an error path

    close = close_names(word, choices)
    if close:
        return _("; did you mean {names}?").format(names=one_of(close))
    if len(choices) <= list_up_to:
        return _("; expected one of: {names}").format(names=", ".join(choices))
    return ""
