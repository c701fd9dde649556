"""Every warning code: exact message and line, exit 0, and exit 1 with --strict."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from routectl.cli import cli
from routectl.config.lint import CHECKS, WARNINGS
from test_config_errors import Doc, agent, clean_document, line_of, rule, setting

ROOT = Path(__file__).resolve().parent.parent


def crowd_vip(doc: Doc) -> None:
    doc["crowds"] = {"vip": ["b1"]}
    doc["rules"] = [{"kind": "crowd", "match": ["vip"], "group": "presale"}]


def both(*mutations: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        for mutation in mutations:
            mutation(doc)

    return mutate


def no_group(index: int) -> Callable[[Doc], None]:
    return lambda doc: doc["agents"][index].pop("groups")


# (mutation, needle on the expected line, expected "path: message [code name]")
CASES = [
    pytest.param(
        agent(0, mobile=True),
        "mobile",
        "agents[0].mobile: 'shop:a' has mobile = true but routing.mobile_reception is "
        "false, so its mobile presence never counts for routing (R2) [W001 "
        "mobile-not-allowed]",
        id="W001",
    ),
    pytest.param(
        both(
            lambda d: d["groups"].append({"name": "vip"}),
            rule(kind="item", match=["9"], group="vip"),
        ),
        ("[[groups]]", 3),
        "groups[2]: group 'vip' has no agents [W002 empty-group]",
        id="W002",
    ),
    pytest.param(
        agent(1, routing=False),
        "routing",
        "agents[1].routing: 'shop:b' has routing = false: it never receives routed "
        "buyers, only messages written to it directly (R3) [W003 not-routing]",
        id="W003",
    ),
    pytest.param(
        lambda d: d["groups"][1].update(entries=[]),
        "[[groups]]",
        "groups: no group serves entry 'order': its inquiries go to all routing agents "
        "unless a rule matches (R12) [W004 unserved-entry]",
        id="W004",
    ),
    pytest.param(
        setting("bot", priority_reception=True),
        "priority_reception",
        "bot.priority_reception: is true but bot.enabled is false, so the bot never "
        "takes a buyer (R11) [W005 bot-priority-without-bot]",
        id="W005",
    ),
    pytest.param(
        lambda d: d.pop("auto_reply"),
        None,
        "auto_reply.offline: not set: buyers whose inquiry waits in the offline pool "
        "or stays with an offline agent get no reply at all (R14, R15) [W006 "
        "no-offline-auto-reply]",
        id="W006",
    ),
    pytest.param(
        agent(1, weight=20),
        "weight = 300",
        "agents[0].weight: 300 is more than 10x the smallest weight in group 'presale' "
        "(20, 'shop:b'): 'shop:b' gets almost no buyers (R13) [W007 weight-spread]",
        id="W007",
    ),
    pytest.param(
        lambda d: d.update(
            rules=[
                {"kind": "item", "match": ["1", "2"], "group": "presale"},
                {"kind": "item", "match": ["2"], "group": "aftersale"},
            ]
        ),
        ("[[rules]]", 2),
        "rules[1]: never matches: every value of match is taken by an earlier 'item' "
        "rule (rules[0]) (R12) [W008 shadowed-rule]",
        id="W008",
    ),
    pytest.param(
        lambda d: d.update(
            rules=[
                {"kind": "item", "match": ["1"], "group": "presale"},
                {"kind": "item", "match": ["2", "1"], "group": "aftersale"},
            ]
        ),
        ('"1"', 2),
        "rules[1].match[1]: '1' never matches here: rules[0] takes it first (R12) "
        "[W008 shadowed-rule]",
        id="W008-value",
    ),
    pytest.param(
        both(
            lambda d: d["agents"].append({"id": "shop:d"}),
            setting("dedicated", priority_reception=True, buyers={"b1": "shop:d"}),
        ),
        "b1",
        "dedicated.buyers.b1: dedicated agent 'shop:d' is in no group: apart from its "
        "dedicated buyers it gets buyers only when routing falls back to the whole "
        "shop (R10, R13) [W009 dedicated-agent-no-group]",
        id="W009",
    ),
    pytest.param(
        both(lambda d: d["groups"].append({"name": "vip"}), agent(0, groups=["presale", "vip"])),
        ("[[groups]]", 3),
        "groups[2]: group 'vip' serves no entry and no rule or offline policy sends "
        "buyers to it (R12) [W010 unused-group]",
        id="W010",
    ),
    pytest.param(
        setting("routing", offline_routing=True, offline_delay="1m"),
        "offline_delay",
        "routing.offline_delay: 1m is outside the platform's 2-5 min detection lag, so "
        "replays will not match what Qianniu does (R15) [W011 offline-delay-unusual]",
        id="W011",
    ),
    pytest.param(
        setting("routing", offline_routing=True, offline_delay="6m"),
        "offline_delay",
        "routing.offline_delay: 6m is outside the platform's 2-5 min detection lag, so "
        "replays will not match what Qianniu does (R15) [W011 offline-delay-unusual]",
        id="W011-high",
    ),
    pytest.param(
        setting("dedicated", buyers={"b1": "shop:a", "b2": "shop:b"}),
        "[dedicated",
        "dedicated.priority_reception: is false, so the 2 dedicated buyers are never "
        "routed to their dedicated agent (R10) [W012 dedicated-without-priority]",
        id="W012",
    ),
    pytest.param(
        both(
            agent(2, routing=False),
            setting("dedicated", priority_reception=True, buyers={"b1": "shop:c"}),
        ),
        "b1",
        "dedicated.buyers.b1: dedicated agent 'shop:c' has routing = false, so R10 "
        "never picks it [W013 dedicated-agent-not-routing]",
        id="W013",
    ),
    pytest.param(
        both(agent(2, routing=False), setting("offline", policy="group:aftersale")),
        "policy",
        "offline.policy: group 'aftersale' has no agent with routing = true, so pooled "
        "inquiries are never assigned (R14) [W014 offline-target-not-routing]",
        id="W014",
    ),
    pytest.param(
        lambda d: d["agents"].append({"id": "shop:d"}),
        ("[[agents]]", 4),
        "agents[3].groups: 'shop:d' is in no group: it gets buyers only when no group "
        "applies or a group falls back to the whole shop (R12, R13) [W015 "
        "agent-no-group]",
        id="W015",
    ),
    pytest.param(
        agent(2, max_concurrent=2),
        "max_concurrent",
        "agents[2].max_concurrent: 2 open conversations at most: 'shop:c' will queue "
        "most buyers at busy times (R13) [W016 low-max-concurrent]",
        id="W016",
    ),
    pytest.param(
        both(crowd_vip, lambda d: d["crowds"].update(old=["b2"])),
        "old",
        "crowds.old: crowd 'old' is used by no crowd rule [W017 unused-crowd]",
        id="W017",
    ),
    pytest.param(
        lambda d: [a.update(routing=False) for a in d["agents"]],
        ("[[agents]]", 1),
        "agents: the shop has no agent with routing = true: every new inquiry goes to "
        "the offline pool (R7, R14) [W018 no-routing-agents]",
        id="W018",
    ),
    pytest.param(
        setting("routing", offline_delay="5m"),
        "offline_delay",
        "routing.offline_delay: 5m has no effect: offline_routing is false (the default), "
        "so messages to an offline agent always stay with it; set offline_routing = true "
        "if the shop ticked 离线分流 (R15) [W019 offline-delay-unused]",
        id="W019",
    ),
]


def _validate(runner: CliRunner, path: Path, *args: str) -> Any:
    return runner.invoke(cli, ["validate", *args, str(path)])


@pytest.mark.parametrize(("mutate", "needle", "message"), CASES)
def test_warning_message_line_and_exit_codes(
    runner: CliRunner,
    write_config: Callable[..., Path],
    mutate: Callable[[Doc], None],
    needle: str | tuple[str, int] | None,
    message: str,
) -> None:
    document = clean_document()
    mutate(document)
    path = write_config(document)
    result = _validate(runner, path)
    where = f"{path}:{line_of(path, needle)}" if needle else str(path)
    assert result.exit_code == 0, result.output
    assert f"{where}: warning: {message}" in result.stdout.splitlines()
    assert re.search(r"^.*: ok: .*$", result.stdout, re.M)
    strict = _validate(runner, path, "--strict")
    assert strict.exit_code == 1
    assert f"{path}: invalid with --strict: " in strict.stdout


def test_every_code_has_a_case_a_check_and_documentation() -> None:
    tested = {re.search(r"\[(W\d{3}) ", str(case.values[2])).group(1) for case in CASES}  # type: ignore[union-attr]
    assert tested == set(WARNINGS)
    assert len(CHECKS) == len(WARNINGS)
    docs = (ROOT / "docs" / "config.md").read_text("utf-8")
    for code, name in WARNINGS.items():
        assert f"{code} {name}" in docs


def test_warnings_only_once_the_config_has_no_errors(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    document = clean_document()
    document.pop("auto_reply")  # W006 ...
    document["agents"][0]["weight"] = 0  # ... but an error first
    result = _validate(runner, write_config(document))
    assert result.exit_code == 1
    assert ": warning: " not in result.stdout


@pytest.mark.parametrize(
    "path",
    ["shopconfig.example.toml", "cli/routectl/templates/starter.toml",
     "cli/routectl/templates/starter.zh.toml"],
)  # fmt: skip
def test_shipped_configs_have_no_warnings(runner: CliRunner, path: str) -> None:
    result = runner.invoke(cli, ["validate", "--strict", str(ROOT / path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("1 file, 0 invalid, 0 errors, 0 warnings\n")
