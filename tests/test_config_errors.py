"""Every class of config error: the exact message, its TOML line and exit code 1."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import minimal_document
from routectl.cli import cli

Doc = dict[str, Any]


def clean_document() -> Doc:
    """Valid and without a single warning; each case below breaks one thing."""
    return copy.deepcopy(
        minimal_document(
            auto_reply={"offline": "away"},
            groups=[
                {"name": "presale", "entries": ["shop_home", "item_detail", "contact_list"]},
                {"name": "aftersale", "entries": ["order"]},
            ],
            agents=[
                {"id": "shop:a", "groups": ["presale"], "weight": 300},
                {"id": "shop:b", "groups": ["presale"], "weight": 100},
                {"id": "shop:c", "groups": ["aftersale"]},
            ],
        )
    )


def line_of(path: Path, needle: str | tuple[str, int]) -> int:
    """The 1-based line of the (``nth``) line of ``path`` that contains ``needle``."""
    needle, nth = needle if isinstance(needle, tuple) else (needle, 1)
    hits = [n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in text]
    return hits[nth - 1]


def setting(section: str, **values: Any) -> Callable[[Doc], None]:
    return lambda doc: doc.setdefault(section, {}).update(values)


def agent(index: int, **values: Any) -> Callable[[Doc], None]:
    return lambda doc: doc["agents"][index].update(values)


def rule(**values: Any) -> Callable[[Doc], None]:
    return lambda doc: doc.setdefault("rules", []).append(values)


def rename(index: int, old: str, new: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc["agents"][index][new] = doc["agents"][index].pop(old)

    return mutate


def remove(*keys: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


# (mutation, needle: text on the expected line (None = no line), expected message)
CASES = [
    # unknown keys, with and without a suggestion
    pytest.param(
        rename(2, "groups", "gruops"),
        "gruops",
        "agents[2].gruops: unknown key; did you mean 'groups'?",
        id="unknown-key",
    ),
    pytest.param(
        agent(1, wieght=5),
        "wieght",
        "agents[1].wieght: unknown key; did you mean 'weight'?",
        id="unknown-key-2",
    ),
    pytest.param(
        agent(0, colour="red"),
        "colour",
        "agents[0].colour: unknown key; expected one of id, groups, weight, routing, "
        "mobile, max_concurrent",
        id="unknown-key-no-hint",
    ),
    pytest.param(
        setting("routing", fallbak="shop"),
        "fallbak",
        "routing.fallbak: unknown key; did you mean 'fallback'?",
        id="unknown-section-key",
    ),
    pytest.param(
        setting("agent", id="x"),
        "[agent]",
        "agent: unknown key; did you mean 'agents'?",
        id="unknown-table",
    ),
    # types and ranges
    pytest.param(
        agent(1, weight=0),
        "weight = 0",
        "agents[1].weight: must be an integer from 1 to 1000, got 0",
        id="weight-low",
    ),
    pytest.param(
        agent(1, weight=1001),
        "weight = 1001",
        "agents[1].weight: must be an integer from 1 to 1000, got 1001",
        id="weight-high",
    ),
    pytest.param(
        agent(1, weight="100"),
        'weight = "100"',
        'agents[1].weight: must be an integer from 1 to 1000, got "100"',
        id="weight-string",
    ),
    pytest.param(
        agent(1, weight=True),
        "weight = true",
        "agents[1].weight: must be an integer from 1 to 1000, got true",
        id="weight-bool",
    ),
    pytest.param(
        agent(1, weight=1.5),
        "weight = 1.5",
        "agents[1].weight: must be an integer from 1 to 1000, got 1.5",
        id="weight-float",
    ),
    pytest.param(
        agent(2, max_concurrent=0),
        "max_concurrent",
        "agents[2].max_concurrent: must be an integer from 1 to 200, got 0",
        id="max-concurrent-low",
    ),
    pytest.param(
        agent(2, max_concurrent=201),
        "max_concurrent",
        "agents[2].max_concurrent: must be an integer from 1 to 200, got 201",
        id="max-concurrent-high",
    ),
    pytest.param(
        agent(0, routing="yes"),
        "routing",
        'agents[0].routing: must be true or false, got "yes"',
        id="bool",
    ),
    pytest.param(
        setting("routing", mobile_reception=1),
        "mobile_reception",
        "routing.mobile_reception: must be true or false, got 1",
        id="bool-int",
    ),
    pytest.param(
        setting("offline", pool_retention_days=0),
        "pool_retention_days",
        "offline.pool_retention_days: must be an integer from 1 to 365, got 0",
        id="retention-low",
    ),
    pytest.param(
        setting("offline", pool_retention_days=400),
        "pool_retention_days",
        "offline.pool_retention_days: must be an integer from 1 to 365, got 400",
        id="retention-high",
    ),
    pytest.param(
        agent(0, groups="presale"),
        'groups = "presale"',
        'agents[0].groups: must be an array of group names, got "presale"',
        id="list-type",
    ),
    pytest.param(
        agent(0, groups=["presale", ""]),
        '""',
        'agents[0].groups[1]: must be a non-empty string, got ""',
        id="list-item",
    ),
    pytest.param(
        rule(kind="item", match=["1001", 1002], group="presale"),
        "1002",
        'rules[0].match[1]: must be a non-empty string, got 1002 (quote it: "1002")',
        id="list-item-number",
    ),
    pytest.param(
        setting("auto_reply", greeting=5),
        "greeting",
        "auto_reply.greeting: must be a string, got 5",
        id="text-type",
    ),
    pytest.param(
        setting("routing", fallback="any"),
        "fallback",
        "routing.fallback: must be one of 'shop', 'offline', got \"any\"",
        id="choice",
    ),
    pytest.param(
        setting("routing", fallback="shops"),
        "fallback",
        "routing.fallback: must be one of 'shop', 'offline', got \"shops\"; did you mean 'shop'?",
        id="choice-hint",
    ),
    pytest.param(
        lambda doc: doc.update(routing=5),
        "routing = 5",
        "routing: must be a table ([routing]), got 5",
        id="table-type",
    ),
    pytest.param(
        lambda doc: doc.update(agents={"id": "x"}),
        "[agents]",
        "agents: must be an array of tables ([[agents]]), got a table",
        id="array-type",
    ),
    pytest.param(
        lambda doc: doc.update(rules=["x"]),
        '"x"',
        'rules[0]: must be a table ([[rules]]), got "x"',
        id="array-item-type",
    ),
    # durations
    pytest.param(
        setting("routing", offline_delay="3 minutes"),
        "offline_delay",
        'routing.offline_delay: must be a duration from 0s to 10m (like "90s", "3m" or '
        '"1h"), got "3 minutes"',
        id="duration-syntax",
    ),
    pytest.param(
        setting("routing", offline_delay="11m"),
        "offline_delay",
        'routing.offline_delay: must be a duration from 0s to 10m (like "90s", "3m" or '
        '"1h"), got "11m"',
        id="duration-range",
    ),
    pytest.param(
        setting("routing", offline_delay=180),
        "offline_delay",
        'routing.offline_delay: must be a duration from 0s to 10m (like "90s", "3m" or '
        '"1h"), got 180',
        id="duration-int",
    ),
    pytest.param(
        setting("routing", session_timeout="30s"),
        "session_timeout",
        'routing.session_timeout: must be a duration from 1m to 1d (like "90s", "3m" '
        'or "1h"), got "30s"',
        id="session-timeout",
    ),
    pytest.param(
        setting("reply_rate", threshold="0s"),
        "threshold",
        'reply_rate.threshold: must be a duration from 1s to 1h (like "90s", "3m" or '
        '"1h"), got "0s"',
        id="threshold",
    ),
    # window
    pytest.param(
        setting("reply_rate", window="8-24"),
        "window",
        'reply_rate.window: must look like "08:00-24:00" (HH:MM-HH:MM), got "8-24"',
        id="window-syntax",
    ),
    pytest.param(
        setting("reply_rate", window="20:00-08:00"),
        "window",
        'reply_rate.window: the start must be before the end (end may be 24:00), got "20:00-08:00"',
        id="window-order",
    ),
    pytest.param(
        setting("reply_rate", window="08:00-08:00"),
        "window",
        'reply_rate.window: the start must be before the end (end may be 24:00), got "08:00-08:00"',
        id="window-empty",
    ),
    pytest.param(
        setting("reply_rate", window="08:00-24:30"),
        "window",
        "reply_rate.window: not a time of day: hours 00-23, minutes 00-59, end may be "
        '24:00, got "08:00-24:30"',
        id="window-after-24",
    ),
    pytest.param(
        setting("reply_rate", window="08:60-20:00"),
        "window",
        "reply_rate.window: not a time of day: hours 00-23, minutes 00-59, end may be "
        '24:00, got "08:60-20:00"',
        id="window-minutes",
    ),
    # time zone
    pytest.param(
        setting("shop", timezone="Asia/Shangai"),
        "timezone",
        "shop.timezone: unknown time zone \"Asia/Shangai\"; did you mean 'Asia/Shanghai'?",
        id="timezone-hint",
    ),
    pytest.param(
        setting("shop", timezone="Nowhere/Atlantis"),
        "timezone",
        'shop.timezone: unknown time zone "Nowhere/Atlantis"',
        id="timezone",
    ),
    pytest.param(
        setting("shop", timezone="../../etc/passwd"),
        "timezone",
        'shop.timezone: unknown time zone "../../etc/passwd"',
        id="timezone-path",
    ),
    pytest.param(
        setting("shop", timezone=8),
        "timezone",
        'shop.timezone: must be an IANA time zone name like "Asia/Shanghai", got 8',
        id="timezone-type",
    ),
    # required keys and empty values
    pytest.param(
        remove("shop"),
        None,
        'shop.name: missing; every config needs a shop name: name = "..." under [shop]',
        id="shop-missing",
    ),
    pytest.param(
        setting("shop", name=""),
        "name",
        'shop.name: must be a non-empty string, got ""',
        id="shop-name-empty",
    ),
    pytest.param(
        remove("agents", 1, "id"),
        ("[[agents]]", 2),
        'agents[1].id: missing; every agent needs an id: id = "shop:alice"',
        id="agent-id-missing",
    ),
    pytest.param(
        rule(kind="item", match=[], group="presale"),
        "match",
        "rules[0].match: must be a non-empty array of values to match, got []",
        id="match-empty",
    ),
    pytest.param(
        rule(kind="item", group="presale"),
        "kind",
        'rules[0].match: missing; every rule needs the values it matches: match = ["..."]',
        id="match-missing",
    ),
    pytest.param(
        rule(kind="items", match=["1"], group="presale"),
        "kind",
        "rules[0].kind: must be one of 'crowd', 'intent', 'item', 'order_status', got "
        "\"items\"; did you mean 'item'?",
        id="rule-kind",
    ),
    # names and references
    pytest.param(
        agent(2, id="shop:a"),
        ('id = "shop:a"', 2),
        "agents[2].id: duplicate agent id 'shop:a'; agents[0] has it already",
        id="duplicate-agent",
    ),
    pytest.param(
        lambda doc: doc["groups"].append({"name": "presale"}),
        ('name = "presale"', 2),
        "groups[2].name: duplicate group name 'presale'; groups[0] has it already",
        id="duplicate-group",
    ),
    pytest.param(
        agent(1, groups=["presal"]),
        '"presal"',
        "agents[1].groups[0]: unknown group 'presal'; did you mean 'presale'?",
        id="agent-group",
    ),
    pytest.param(
        agent(1, groups=["kitchen"]),
        '"kitchen"',
        "agents[1].groups[0]: unknown group 'kitchen'; groups are 'presale', 'aftersale'",
        id="agent-group-no-hint",
    ),
    pytest.param(
        rule(kind="item", match=["1"], group="vip"),
        "vip",
        "rules[0].group: unknown group 'vip'; groups are 'presale', 'aftersale'",
        id="rule-group",
    ),
    pytest.param(
        rule(kind="crowd", match=["vips"], group="presale"),
        "vips",
        "rules[0].match[0]: unknown crowd 'vips'; no crowds are defined",
        id="rule-crowd",
    ),
    pytest.param(
        lambda doc: doc["groups"][0].update(entries=["shop-home"]),
        "shop-home",
        "groups[0].entries[0]: unknown entry 'shop-home'; did you mean 'shop_home'?",
        id="entry",
    ),
    pytest.param(
        lambda doc: doc["groups"][1].update(entries=["订单"]),
        "订单",
        "groups[1].entries[0]: unknown entry '订单'; did you mean 'order'?",
        id="entry-chinese",
    ),
    pytest.param(
        setting("dedicated", buyers={"b1": "shop:aa"}),
        "b1",
        "dedicated.buyers.b1: unknown agent 'shop:aa'; did you mean 'shop:a'?",
        id="dedicated-agent",
    ),
    pytest.param(
        setting("offline", policy="group:presael"),
        "policy",
        "offline.policy: unknown group 'presael'; did you mean 'presale'?",
        id="policy-group",
    ),
    pytest.param(
        setting("offline", policy="agent:boss"),
        "policy",
        "offline.policy: unknown agent 'boss'; agents are 'shop:a', 'shop:b', 'shop:c'",
        id="policy-agent",
    ),
    pytest.param(
        setting("offline", policy="first-available"),
        "policy",
        'offline.policy: must be "first_available", "recent_contact", "group:<name>" '
        'or "agent:<id>", got "first-available"; did you mean \'first_available\'?',
        id="policy-syntax",
    ),
    pytest.param(
        setting("crowds", vip="b1"),
        "vip",
        'crowds.vip: must be an array of buyer names, got "b1"',
        id="crowd-type",
    ),
]


@pytest.mark.parametrize(("mutate", "needle", "message"), CASES)
def test_error_message_line_and_exit_code(
    runner: CliRunner,
    write_config: Callable[..., Path],
    mutate: Callable[[Doc], None],
    needle: str | tuple[str, int] | None,
    message: str,
) -> None:
    document = clean_document()
    mutate(document)
    path = write_config(document)
    result = runner.invoke(cli, ["validate", str(path)])
    where = f"{path}:{line_of(path, needle)}" if needle else str(path)
    assert result.exit_code == 1, result.output
    assert f"{where}: error: {message}" in result.stdout.splitlines()


def test_clean_document_is_clean(runner: CliRunner, write_config: Callable[..., Path]) -> None:
    path = write_config(clean_document())
    result = runner.invoke(cli, ["validate", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}: ok: 2 groups, 3 agents, 0 rules, 0 dedicated buyers\n"
        "1 file, 0 invalid, 0 errors, 0 warnings\n"
    )


def test_every_problem_is_reported_in_one_run(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    document = clean_document()
    document["agents"][0]["weight"] = 0
    document["agents"][1]["wieght"] = 5
    document["routing"] = {"offline_delay": "1 h"}
    document["rules"] = [{"kind": "item", "match": ["1"], "group": "nope"}]
    path = write_config(document)
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:23: error: agents[0].weight: must be an integer from 1 to 1000, got 0",
        f"{path}:31: error: agents[1].wieght: unknown key; did you mean 'weight'?",
        f"{path}:43: error: routing.offline_delay: must be a duration from 0s to 10m "
        '(like "90s", "3m" or "1h"), got "1 h"',
        f"{path}:50: error: rules[0].group: unknown group 'nope'; groups are 'presale', "
        "'aftersale'",
        f"{path}: invalid: 4 errors",
        "1 file, 1 invalid, 4 errors, 0 warnings",
    ]


WRONG_TYPES_EVERYWHERE = """\
shop = "x"
routing = []
offline = { policy = 3, pool_retention_days = "30" }
auto_reply = { greeting = [], offline = {} }
bot = { enabled = "no", priority_reception = 0 }
reply_rate = { window = 8, threshold = [] }
groups = { name = 1 }
agents = [1, "a", { id = 2, groups = 3, weight = "x", routing = 1, mobile = "y" }]
rules = [{ kind = 1, match = 2, group = 3 }]
crowds = 5
dedicated = { priority_reception = "yes", buyers = [] }
"""


def test_wrong_types_everywhere_all_reported(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(WRONG_TYPES_EVERYWHERE, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 24
    assert (
        f'{path}:8: error: agents[2].weight: must be an integer from 1 to 1000, got "x"' in errors
    )
    assert result.stdout.endswith("1 file, 1 invalid, 24 errors, 0 warnings\n")


MALFORMED = [
    pytest.param(
        '[shop\nname = "x"\n',
        "1: error: not valid TOML: expected ']' at the end of a table declaration (column 6)",
        id="header",
    ),
    pytest.param(
        '[shop]\nname = "x"\nname = "y"\n',
        "3: error: not valid TOML: cannot overwrite a value (column 11)",
        id="duplicate-key",
    ),
    pytest.param(
        '[shop]\nname = "x\n',
        "2: error: not valid TOML: illegal character '\\n' (column 10)",
        id="unterminated-string",
    ),
    pytest.param(
        "[shop]\nname = \n",
        "2: error: not valid TOML: invalid value (column 8)",
        id="missing-value",
    ),
    pytest.param(
        '[shop]\nname = "x"\n[[agents]]\nid = "a"\ngroups = ["p"\n',
        "6: error: not valid TOML: unclosed array (at the end of the file)",
        id="end-of-document",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED)
def test_malformed_toml_gives_parser_line_and_column(
    runner: CliRunner, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"{path}:{expected}"
