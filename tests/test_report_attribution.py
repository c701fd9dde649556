"""P1-P3: the log's own receivers (received_by) and repliers, and the replay's agreement.

Per-agent question figures count each question for who held it in the log: the
message's received_by, else the agent of the reply that answered it, else the replay.
Shop figures never depend on it.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from routectl.cli import cli as main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "examples" / "tiny-shop.toml"

HEADER = "time,event,buyer,agent,status,entry,received_by\n"
ONLINE = (
    "2026-11-02T09:00:00,status,,tiny:a,online,,\n2026-11-02T09:00:00,status,,tiny:b,online,,\n"
)


def _report(log: str, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(
        main, ["report", "-", "-c", str(TINY), "--format", "json", *args], input=log
    )
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _agents(document: dict[str, object]) -> dict[str, dict[str, object]]:
    return {row["agent"]: row for row in document["agents"]}  # type: ignore[attr-defined,index]


def _two_buyers(received: tuple[str, str], repliers: tuple[str, str]) -> str:
    """b1 answered after 30 s, b2 after 7 minutes; who received and replied is given."""
    return (
        HEADER
        + ONLINE
        + (
            f"2026-11-02T10:00:00,message,b1,,,shop_home,{received[0]}\n"
            f"2026-11-02T10:00:30,reply,b1,{repliers[0]},,,\n"
            f"2026-11-02T10:01:00,message,b2,,,shop_home,{received[1]}\n"
            f"2026-11-02T10:08:00,reply,b2,{repliers[1]},,,\n"
        )
    )


def test_P2_questions_count_for_the_logs_receiver_not_the_replays_pick() -> None:
    # tiny:b received and answered b1 fast; tiny:a received and answered b2 slowly.
    document = _report(_two_buyers(("tiny:b", "tiny:a"), ("tiny:b", "tiny:a")))
    agents = _agents(document)
    assert agents["tiny:b"]["response_rate"] == 1.0
    assert agents["tiny:a"]["response_rate"] == 0.0
    assert agents["tiny:b"]["avg_response_s"] == 30
    assert document["summary"]["attributed"] == {  # type: ignore[index]
        "received_by": 2,
        "replier": 0,
        "replayed": 0,
    }


def test_P2_without_received_by_the_replier_holds_the_question() -> None:
    document = _report(_two_buyers(("", ""), ("tiny:b", "tiny:a")))
    agents = _agents(document)
    assert (agents["tiny:b"]["response_rate"], agents["tiny:a"]["response_rate"]) == (1.0, 0.0)
    assert document["summary"]["attributed"]["replier"] == 2  # type: ignore[index]


def test_P2_with_neither_the_replays_assignee_holds_the_question() -> None:
    document = _report(_two_buyers(("", ""), ("", "")))
    assert document["summary"]["attributed"] == {  # type: ignore[index]
        "received_by": 0,
        "replier": 0,
        "replayed": 2,
    }


def test_P2_received_by_wins_over_the_replier() -> None:
    document = _report(_two_buyers(("tiny:b", "tiny:b"), ("tiny:a", "tiny:a")))
    agents = _agents(document)
    assert agents["tiny:b"]["questions_counted"] == 2
    assert agents["tiny:a"]["questions_counted"] == 0


@pytest.mark.parametrize(
    "received,repliers",
    [
        (("tiny:b", "tiny:a"), ("tiny:b", "tiny:a")),
        (("", ""), ("tiny:a", "tiny:a")),
        (("", "tiny:b"), ("", "")),
    ],
)
def test_P2_shop_figures_do_not_depend_on_who_the_log_names(
    received: tuple[str, str], repliers: tuple[str, str]
) -> None:
    plain = _report(_two_buyers(("", ""), ("", "")))["summary"]
    named = _report(_two_buyers(received, repliers))["summary"]
    skip = {"attributed", "routing_agreement", "agreement_by_rule"}
    assert {k: v for k, v in named.items() if k not in skip} == {  # type: ignore[attr-defined]
        k: v
        for k, v in plain.items()  # type: ignore[attr-defined]
        if k not in skip
    }


def _replay_rows(log: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(
        main, ["replay", "-", "-c", str(TINY), "--format", "csv"], input=log
    )
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_P3_agreement_is_one_when_the_receivers_are_the_replays_own() -> None:
    log = _two_buyers(("", ""), ("", ""))
    picks = [row["assignee"] for row in _replay_rows(log)]
    document = _report(_two_buyers((picks[0], picks[1]), ("", "")))
    assert document["summary"]["routing_agreement"] == 1.0  # type: ignore[index]
    by_rule = document["summary"]["agreement_by_rule"]  # type: ignore[index]
    assert by_rule["group"] == {"inquiries": 2, "agreed": 2, "agreement": 1.0}


def test_P3_agreement_is_the_exact_share_when_some_receivers_differ() -> None:
    log = _two_buyers(("", ""), ("", ""))
    picks = [row["assignee"] for row in _replay_rows(log)]
    other = {"tiny:a": "tiny:b", "tiny:b": "tiny:a"}
    document = _report(_two_buyers((picks[0], other[picks[1]]), ("", "")))
    assert document["summary"]["routing_agreement"] == 0.5  # type: ignore[index]
    agents = _agents(document)
    observed = {agent: row["observed_inquiries"] for agent, row in agents.items()}
    assert sum(observed.values()) == 2  # type: ignore[arg-type]
    assert agents[picks[0]]["observed_share"] == (1.0 if picks[0] == other[picks[1]] else 0.5)


def test_P3_agreement_is_null_when_the_log_names_no_receiver() -> None:
    document = _report(_two_buyers(("", ""), ("tiny:a", "tiny:b")))
    assert document["summary"]["routing_agreement"] is None  # type: ignore[index]


def test_P3_replay_shows_observed_and_agrees() -> None:
    log = _two_buyers(("", ""), ("", ""))
    picks = [row["assignee"] for row in _replay_rows(log)]
    other = {"tiny:a": "tiny:b", "tiny:b": "tiny:a"}
    rows = _replay_rows(_two_buyers((picks[0], other[picks[1]]), ("", "")))
    assert [(r["observed"], r["agrees"]) for r in rows] == [
        (picks[0], "true"),
        (other[picks[1]], "false"),
    ]
    plain = _replay_rows(log)
    assert [(r["observed"], r["agrees"]) for r in plain] == [("", ""), ("", "")]


def test_P3_replay_jsonl_agrees_is_a_boolean() -> None:
    log = _two_buyers(("tiny:a", ""), ("", ""))
    result = CliRunner().invoke(
        main, ["replay", "-", "-c", str(TINY), "--format", "jsonl"], input=log
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert isinstance(rows[0]["agrees"], bool)
    assert rows[1]["agrees"] is None and rows[1]["observed"] is None


@pytest.mark.parametrize("heading", ["received_by", "接待客服", "接待人"])
def test_P1_receiver_headings_name_received_by(heading: str) -> None:
    log = _two_buyers(("tiny:b", "tiny:b"), ("", "")).replace("received_by", heading, 1)
    document = _report(log)
    assert _agents(document)["tiny:b"]["observed_inquiries"] == 2


def test_P1_received_by_is_never_an_input_to_routing() -> None:
    plain = _replay_rows(_two_buyers(("", ""), ("", "")))
    named = _replay_rows(_two_buyers(("tiny:b", "tiny:b"), ("", "")))
    assert [(r["assignee"], r["rule"]) for r in plain] == [
        (r["assignee"], r["rule"]) for r in named
    ]


def test_P1_an_unknown_receiver_is_a_bad_row_with_its_line() -> None:
    log = _two_buyers(("tiny:zz", ""), ("", ""))
    result = CliRunner().invoke(main, ["report", "-", "-c", str(TINY)], input=log)
    assert result.exit_code == 1
    assert "<stdin>:4:" in result.output and "tiny:zz" in result.output


def test_P1_a_chat_exports_kefu_column_is_the_receiver_on_messages_and_the_agent_elsewhere() -> (
    None
):
    log = (
        "时间,事件,买家,客服账号,状态\n"
        "2026-11-02T09:00:00,状态,,tiny:a,在线\n"
        "2026-11-02T09:00:00,状态,,tiny:b,在线\n"
        "2026-11-02T10:00:00,消息,b1,tiny:b,\n"
        "2026-11-02T10:00:30,回复,b1,tiny:b,\n"
    )
    rows = _replay_rows(log)
    assert [(r["observed"], r["rule"]) for r in rows] == [("tiny:b", "group")]  # not "direct"
    agents = _agents(_report(log))
    assert agents["tiny:b"]["observed_inquiries"] == 1
    assert agents["tiny:b"]["questions_counted"] == 1


def test_P1_an_addressed_to_heading_still_routes_beside_the_kefu_column() -> None:
    log = (
        "时间,事件,买家,客服账号,指定客服,状态\n"
        "2026-11-02T09:00:00,状态,,tiny:a,,在线\n"
        "2026-11-02T09:00:00,状态,,tiny:b,,在线\n"
        "2026-11-02T10:00:00,消息,b1,tiny:b,tiny:b,\n"
    )
    rows = _replay_rows(log)
    assert [(r["assignee"], r["rule"], r["observed"]) for r in rows] == [
        ("tiny:b", "direct", "tiny:b")
    ]


def test_P1_the_qianniu_export_reads_the_same_as_the_example_day() -> None:
    config = str(ROOT / "shopconfig.example.toml")
    runner = CliRunner()
    day = runner.invoke(
        main, ["report", str(ROOT / "examples" / "shop-day.csv"), "-c", config, "--format", "json"]
    )
    export = runner.invoke(
        main,
        [
            "report", str(ROOT / "examples" / "qianniu-export.csv"), "-c", config,
            "--format", "json", "--encoding", "gb18030", "--sort",
        ],
    )  # fmt: skip
    assert day.exit_code == export.exit_code == 0
    assert json.loads(day.stdout)["summary"]["attributed"]["received_by"] > 400
    assert json.loads(day.stdout) == json.loads(export.stdout)


DEDICATED_SHOP = """\
[shop]
name = "x"
[[groups]]
name = "presale"
entries = ["shop_home"]
[[groups]]
name = "aftersale"
entries = ["order"]
[[agents]]
id = "x:a"
groups = ["presale"]
[[agents]]
id = "x:b"
groups = ["presale"]
[[agents]]
id = "x:c"
groups = ["aftersale"]
[[agents]]
id = "x:n"
groups = ["presale"]
routing = false
[[agents]]
id = "x:s"
groups = ["presale"]
[dedicated]
priority_reception = true
buyers = { vip = "x:a" }
"""


def _contradictions(tmp_path: Path, rows: str) -> dict[str, dict[str, object]]:
    config = tmp_path / "shop.toml"
    config.write_text(DEDICATED_SHOP, encoding="utf-8")
    log = (
        "time,event,buyer,agent,status,entry,received_by\n"
        "2026-11-02T09:00:00,status,,x:a,online,,\n"
        "2026-11-02T09:00:00,status,,x:b,online,,\n"
        "2026-11-02T09:00:00,status,,x:c,online,,\n"
        "2026-11-02T09:00:00,status,,x:n,online,,\n"
        "2026-11-02T09:00:00,status,,x:s,suspended,,\n"
    ) + rows
    result = CliRunner().invoke(
        main, ["report", "-", "-c", str(config), "--format", "json"], input=log
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["summary"]["contradictions"]
    return {item["kind"]: item for item in items}


def test_P3_a_dedicated_buyer_received_by_someone_else_is_a_contradiction(tmp_path: Path) -> None:
    found = _contradictions(tmp_path, "2026-11-02T10:00:00,message,vip,,,shop_home,x:b\n")
    assert found["dedicated_elsewhere"]["count"] == 1
    assert found["dedicated_elsewhere"]["first_line"] == 7


def test_P3_a_group_pick_received_outside_the_group_is_a_contradiction(tmp_path: Path) -> None:
    found = _contradictions(tmp_path, "2026-11-02T10:00:00,message,b1,,,shop_home,x:c\n")
    assert list(found) == ["outside_group"]


def test_P3_a_non_routing_receiver_of_a_routed_buyer_is_a_contradiction(tmp_path: Path) -> None:
    found = _contradictions(tmp_path, "2026-11-02T10:00:00,message,b1,,,shop_home,x:n\n")
    assert list(found) == ["non_routing_receiver"]


def test_P3_a_new_buyer_received_by_an_unavailable_agent_is_a_contradiction(
    tmp_path: Path,
) -> None:
    config_rows = "2026-11-02T10:00:00,message,b1,,,shop_home,x:c\n"
    found = _contradictions(tmp_path, config_rows.replace("x:c", "x:s").replace("b1", "b2"))
    assert list(found) == ["unavailable_receiver"]


def test_P3_another_weighted_pick_in_the_group_is_no_contradiction(tmp_path: Path) -> None:
    rows = (
        "2026-11-02T10:00:00,message,b1,,,shop_home,x:a\n"
        "2026-11-02T10:00:01,message,b2,,,shop_home,x:a\n"
        "2026-11-02T10:00:02,message,b3,,,shop_home,x:b\n"
    )
    assert _contradictions(tmp_path, rows) == {}


def test_P3_the_table_lists_contradictions_in_words(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_text(DEDICATED_SHOP, encoding="utf-8")
    log = (
        "time,event,buyer,status,agent,entry,received_by\n"
        "2026-11-02T09:00:00,status,,online,x:a,,\n"
        "2026-11-02T09:00:00,status,,online,x:b,,\n"
        "2026-11-02T10:00:00,message,vip,,,shop_home,x:b\n"
    )
    for lang, words in (("en", "dedicated buyers received by someone else"), ("zh", "专属客服")):
        result = CliRunner().invoke(
            main, ["report", "-", "-c", str(config), "--lang", lang], input=log
        )
        assert result.exit_code == 0, result.output
        assert words in result.stdout and "line 4" in result.stdout.replace("第 4 行", "line 4")


WEIGHTED_SHOP = """\
[shop]
name = "w"
[[groups]]
name = "presale"
entries = ["shop_home"]
[[agents]]
id = "w:a"
groups = ["presale"]
weight = 300
[[agents]]
id = "w:b"
groups = ["presale"]
[[agents]]
id = "w:c"
groups = ["presale"]
[[agents]]
id = "w:d"
groups = ["presale"]
"""


def _weighted_log(receivers: list[str] | None, buyers: int = 600) -> str:
    rows = ["time,event,buyer,agent,status,entry,received_by"]
    rows += [f"2026-11-02T08:00:00,status,,w:{x},online,," for x in "abcd"]
    for n in range(buyers):
        minute, second = divmod(n * 20, 60)
        hour, minute = divmod(minute, 60)
        receiver = receivers[n] if receivers else ""
        rows.append(
            f"2026-11-02T{9 + hour:02d}:{minute:02d}:{second:02d},message,b{n},,,shop_home,"
            f"{receiver}"
        )
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_P3_implied_weights_recover_the_weights_the_picks_were_made_with(
    tmp_path: Path, seed: int
) -> None:
    import random

    config = tmp_path / "shop.toml"
    config.write_text(WEIGHTED_SHOP, encoding="utf-8")
    # The "platform" picks at random with weights 3:1:1:1 (not the replay's own order).
    rng = random.Random(seed)
    receivers = rng.choices(["w:a", "w:b", "w:c", "w:d"], weights=[3, 1, 1, 1], k=600)
    result = CliRunner().invoke(
        main,
        ["report", "-", "-c", str(config), "--format", "json"],
        input=_weighted_log(receivers),
    )
    assert result.exit_code == 0, result.output
    implied = {row["agent"]: row for row in json.loads(result.stdout)["implied_weights"]}
    assert set(implied) == {"w:a", "w:b", "w:c", "w:d"}
    ratio = implied["w:a"]["implied_weight"] / implied["w:b"]["implied_weight"]
    assert 2.2 < ratio < 4.0  # 3x, within the sampling error of 600 picks
    for row in implied.values():
        assert row["low"] <= row["implied_weight"] <= row["high"]
    assert sum(row["implied_weight"] for row in implied.values()) == pytest.approx(600, abs=1)


def test_P3_no_receivers_no_implied_weights(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_text(WEIGHTED_SHOP, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["report", "-", "-c", str(config), "--format", "json"], input=_weighted_log(None)
    )
    assert json.loads(result.stdout)["implied_weights"] == []


def test_P3_explain_says_what_the_log_did_when_it_differs() -> None:
    log = _two_buyers(("", ""), ("", ""))
    picks = [row["assignee"] for row in _replay_rows(log)]
    other = {"tiny:a": "tiny:b", "tiny:b": "tiny:a"}
    named = _two_buyers((picks[0], other[picks[1]]), ("", ""))
    result = CliRunner().invoke(
        main, ["replay", "-", "-c", str(TINY), "--explain", "b2", "--format", "csv"], input=named
    )
    assert result.exit_code == 0, result.output
    assert f"the log: received by {other[picks[1]]}, not {picks[1]}" in result.stdout
    quiet = CliRunner().invoke(
        main, ["replay", "-", "-c", str(TINY), "--explain", "b1", "--format", "csv"], input=named
    )
    assert "the log:" not in quiet.stdout


EXAMPLE_DAY = (ROOT / "examples" / "shop-day.csv").read_text(encoding="utf-8")
AGENT_IDS = [
    "旗舰店:小美",
    "旗舰店:小丽",
    "旗舰店:小王",
    "旗舰店:阿强",
    "旗舰店:阿芳",
    "旗舰店:安娜",
]


def _summary_without_attribution(log: str) -> dict[str, object]:
    result = CliRunner().invoke(
        main,
        ["report", "-", "-c", str(ROOT / "shopconfig.example.toml"), "--format", "json"],
        input=log,
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)["summary"]
    for key in ("attributed", "routing_agreement", "agreement_by_rule", "contradictions"):
        summary.pop(key)
    return summary


def _relabel(draw_agent: object, keep_receivers: bool, keep_repliers: bool) -> str:
    reader = csv.reader(io.StringIO(EXAMPLE_DAY))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = next(reader)
    writer.writerow(header)
    at = {name: n for n, name in enumerate(header)}
    for row in reader:
        if row[at["event"]] == "message":
            row[at["received_by"]] = draw_agent() if keep_receivers else ""  # type: ignore[operator]
        elif row[at["event"]] == "reply":
            row[at["agent"]] = draw_agent() if keep_repliers else ""  # type: ignore[operator]
        writer.writerow(row)
    return out.getvalue()


@functools.cache
def _plain_summary() -> str:
    return json.dumps(_summary_without_attribution(_relabel(lambda: "", False, False)))


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans(), st.booleans())
def test_P2_property_shop_figures_are_identical_with_and_without_receivers_and_repliers(
    rng: random.Random, receivers: bool, repliers: bool
) -> None:
    log = _relabel(lambda: rng.choice(AGENT_IDS), receivers, repliers)
    assert _summary_without_attribution(log) == json.loads(_plain_summary())
