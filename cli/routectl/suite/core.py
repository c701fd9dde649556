"""Routing test suites (``routectl test``): load, check and run them.

A suite is a TOML file (CONTRACT.md, ``test`` suites): a ``config`` path relative to the
suite, a ``date`` and ``[[tests]]``, each with a short inline CSV ``log`` whose times are
``HH:MM[:SS]`` on that date in shop time, ``expect`` items per buyer message and an
optional ``expect_report`` of report summary figures.

:func:`load_suite` reads and checks a whole suite up front (logs parsed into events), so a
bad suite is one :class:`SuiteError` ``FILE:LINE: reason`` (exit 2) before any test runs;
:func:`run_test` is pure: events in, :class:`TestResult` out.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from routectl.config.loader import check_config_file
from routectl.config.locate import find_line, key_lines
from routectl.config.problems import KeyPath, did_you_mean, toml_repr
from routectl.errors import BadLogRow, RoutectlError, UsageProblem
from routectl.events import Event, Routed
from routectl.i18n import N_, _
from routectl.logio.headers import resolve_header
from routectl.logio.reader import read_events
from routectl.logio.timefmt import TimeFormatter
from routectl.model import ShopConfig
from routectl.replay import replay, run
from routectl.report import build_report
from routectl.report.result import Summary

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SUITE_KEYS = ("config", "date", "tests")
TEST_KEYS = ("name", "log", "expect", "expect_report", "config", "date")
EXPECT_KEYS = ("buyer", "nth", "assignee", "rule", "assigned_at")
CHECKED_FIELDS = ("assignee", "rule", "assigned_at")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
NEVER = ("", "none")
"""``assigned_at`` values meaning "no agent ever got it" (TOML has no null)."""
RATE_TOLERANCE = 5e-5
"""Report rates are rounded to 4 decimals: expected and actual within this are equal."""


class SuiteError(RoutectlError):
    """A suite that cannot run: ``FILE:LINE: reason``; exit 2."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Expectation:
    buyer: str
    nth: int | None
    fields: dict[str, Any]
    """assignee/rule: str; assigned_at: POSIX seconds or None (never assigned)."""
    line: int


@dataclass(frozen=True, slots=True)
class RoutingTest:
    name: str
    line: int
    config: ShopConfig
    events: tuple[Event, ...]
    expect: tuple[Expectation, ...]
    expect_report: dict[str, Any]
    expect_report_line: int
    log_offset: int
    """File line of the log's line 0: log line N is suite line ``log_offset + N``."""


@dataclass(frozen=True, slots=True)
class Suite:
    path: str
    tests: tuple[RoutingTest, ...]


@dataclass(frozen=True, slots=True)
class Failure:
    """One expected-against-actual mismatch."""

    message: str
    """``buyer u1, message 2 (log line 4): assignee expected 'a', got 'b'``"""
    reason: str = ""
    """The replay's reason for the actual decision."""
    template: str = ""
    """``message`` before its values were filled in (a msgid: printed translated)."""
    values: tuple[tuple[str, str], ...] = ()


def failure(template: str, reason: str = "", **values: object) -> Failure:
    """A :class:`Failure` from a message template (marked ``N_``) and its values."""
    texts = tuple((name, str(value)) for name, value in values.items())
    return Failure(template.format(**dict(texts)), reason, template, texts)


@dataclass(frozen=True, slots=True)
class TestResult:
    suite: str
    name: str
    line: int
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


# --- loading --------------------------------------------------------------------------


class _Loader:
    """Checks one suite document, naming ``FILE:LINE`` for the first problem."""

    def __init__(self, path: str, text: str, configs: dict[Path, ShopConfig]) -> None:
        self.path = path
        self.text = text
        self.text_lines = text.splitlines()
        """The suite's lines, split once (per test, splitting made loading quadratic)."""
        self.lines = key_lines(text)
        self.folder = Path(path).parent
        self.configs = configs

    def fail(self, parts: KeyPath, message: str) -> SuiteError:
        line = find_line(self.lines, parts) or 1
        return SuiteError(f"{self.path}:{line}: {message}")

    def line_of(self, parts: KeyPath) -> int:
        return find_line(self.lines, parts) or 1

    def unknown_keys(self, parts: KeyPath, table: dict[str, Any], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                hint = did_you_mean(key, known) or _("; expected one of {keys}").format(
                    keys=", ".join(known)
                )
                raise self.fail(
                    (*parts, key),
                    _("{key}: unknown key{hint}").format(key=_dotted(parts, key), hint=hint),
                )

    def suite(self, document: dict[str, Any]) -> Suite:
        self.unknown_keys((), document, SUITE_KEYS)
        tests = document.get("tests")
        if not isinstance(tests, list) or not tests:
            raise self.fail(("tests",), _("a suite needs [[tests]] (at least one)"))
        loaded, names = [], set()
        for index, test in enumerate(tests):
            if not isinstance(test, dict):
                raise self.fail(("tests", index), _("each test must be a table ([[tests]])"))
            routing_test = self.test(index, test, document)
            if routing_test.name in names:
                raise self.fail(
                    ("tests", index, "name"),
                    _("duplicate test name {name}").format(name=repr(routing_test.name)),
                )
            names.add(routing_test.name)
            loaded.append(routing_test)
        return Suite(self.path, tuple(loaded))

    def test(self, index: int, test: dict[str, Any], suite: dict[str, Any]) -> RoutingTest:
        at: KeyPath = ("tests", index)
        self.unknown_keys(at, test, TEST_KEYS)
        name = test.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(
                (*at, "name"), _("tests[{index}].name: every test needs a name").format(index=index)
            )
        config_key = (*at, "config") if "config" in test else ("config",)
        config = self.config(test.get("config", suite.get("config")), config_key)
        date = self.date(
            test.get("date", suite.get("date")), (*at, "date") if "date" in test else ("date",)
        )
        zone = ZoneInfo(config.shop.timezone)
        events = self.log(test.get("log"), (*at, "log"), config, date, zone)
        raw_expect = test.get("expect", [])
        if not isinstance(raw_expect, list) or not all(isinstance(e, dict) for e in raw_expect):
            raise self.fail(
                (*at, "expect"), _("expect must be an array of tables: [{ buyer = ... }]")
            )
        expect = tuple(
            self.expectation(item, (*at, "expect", position), date, zone)
            for position, item in enumerate(raw_expect)
        )
        report = test.get("expect_report", {})
        if not isinstance(report, dict):
            raise self.fail(
                (*at, "expect_report"), _("expect_report must be a table of summary figures")
            )
        figures = tuple(field.name for field in dataclasses.fields(Summary))
        for key in report:
            if key not in figures:
                hint = did_you_mean(key, figures) or _(
                    "; see the summary of routectl report --format json"
                )
                raise self.fail(
                    (*at, "expect_report", key),
                    _("expect_report.{key}: not a report summary figure{hint}").format(
                        key=key, hint=hint
                    ),
                )
            value = report[key]
            if isinstance(value, bool) or not isinstance(value, int | float | str | dict | list):
                raise self.fail(
                    (*at, "expect_report", key),
                    _(
                        "expect_report.{key}: a report figure is a number (or a table of "
                        "them), got {value}"
                    ).format(key=key, value=toml_repr(value)),
                )
        if not expect and not report:
            raise self.fail(
                at,
                _("test {name} expects nothing: give expect or expect_report").format(
                    name=repr(name)
                ),
            )
        return RoutingTest(
            name.strip(), self.line_of(at), config, events, expect, report,
            self.line_of((*at, "expect_report")),
            self.log_offset((*at, "log")),
        )  # fmt: skip

    def config(self, value: Any, parts: KeyPath) -> ShopConfig:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                parts, _('a suite needs config = "path/to/shopconfig.toml" (relative to the suite)')
            )
        path = (self.folder / value).resolve()
        if path not in self.configs:
            try:
                checked = check_config_file(str(path))
            except UsageProblem as exc:
                raise self.fail(parts, f"config: {exc.message}") from None
            if checked.config is None:
                first = checked.errors[0]
                raise self.fail(
                    parts,
                    f"config {value} is invalid: {first.where}: {first.text} "
                    f"(routectl validate {value})",
                )
            self.configs[path] = checked.config
        return self.configs[path]

    def date(self, value: Any, parts: KeyPath) -> dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(
            parts,
            _('date must be a day like "2026-11-02", got {value}').format(value=toml_repr(value)),
        )

    def log(
        self, value: Any, parts: KeyPath, config: ShopConfig, date: dt.date, zone: ZoneInfo
    ) -> tuple[Event, ...]:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(parts, _('every test needs a log = """ CSV with a header row """'))
        offset = self.log_offset(parts)
        source = f"{self.path}"
        try:
            text = _dated_log(value, date)
            events = read_events(
                io.StringIO(text, newline=""), source, zone,
                known_agents=frozenset(agent.id for agent in config.agents),
            )  # fmt: skip
            return tuple(events)
        except BadLogRow as exc:
            raise SuiteError(
                f"{self.path}:{offset + exc.line}: log line {exc.line}: {exc.reason}"
            ) from None
        except csv.Error as exc:
            raise self.fail(parts, f"log: unreadable CSV: {exc}") from None

    def log_offset(self, parts: KeyPath) -> int:
        """File line of the log's line 0: the ``log =`` line, one less when the string
        starts on that same line (TOML drops a newline right after the opening quotes)."""
        line = self.line_of(parts)
        source_line = self.text_lines[line - 1] if line <= len(self.text_lines) else ""
        after = re.split(r'"""|\'\'\'', source_line, maxsplit=1)
        starts_on_next_line = len(after) == 2 and not after[1].strip()
        return line if starts_on_next_line else line - 1

    def expectation(
        self, item: dict[str, Any], parts: KeyPath, date: dt.date, zone: ZoneInfo
    ) -> Expectation:
        self.unknown_keys(parts, item, EXPECT_KEYS)
        buyer = item.get("buyer")
        if not isinstance(buyer, str) or not buyer.strip():
            raise self.fail(parts, _('every expect item needs the buyer it checks: buyer = "..."'))
        nth = item.get("nth")
        if nth is not None and (not isinstance(nth, int) or isinstance(nth, bool) or nth < 1):
            raise self.fail(
                (*parts, "nth"),
                _("nth must be a message number from 1, got {value}").format(value=toml_repr(nth)),
            )
        fields: dict[str, Any] = {}
        for key in ("assignee", "rule"):
            if key in item:
                if not isinstance(item[key], str):
                    raise self.fail(
                        (*parts, key),
                        _("{key} must be a string, got {value}").format(
                            key=key, value=toml_repr(item[key])
                        ),
                    )
                fields[key] = item[key]
        if "assigned_at" in item:
            fields["assigned_at"] = self.moment(
                item["assigned_at"], (*parts, "assigned_at"), date, zone
            )
        if not fields:
            raise self.fail(
                parts, _("an expect item must name what it checks: assignee, rule or assigned_at")
            )
        return Expectation(buyer, nth, fields, self.line_of(parts))

    def moment(self, value: Any, parts: KeyPath, date: dt.date, zone: ZoneInfo) -> float | None:
        if isinstance(value, str) and value.strip().lower() in NEVER:
            return None
        seconds = _clock_seconds(value, date, zone) if isinstance(value, str) else None
        if seconds is None:
            raise self.fail(
                parts,
                _(
                    'assigned_at must be "HH:MM[:SS]" on the suite date, or "" for never, '
                    "got {value}"
                ).format(value=toml_repr(value)),
            )
        return seconds


def load_suite(path: str, configs: dict[Path, ShopConfig] | None = None) -> Suite:
    """Read and check a suite; SuiteError (``FILE:LINE``) or UsageProblem if unreadable.

    ``configs`` caches loaded configs by resolved path across suites.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"{path}: is a folder, not a suite file") from None
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SuiteError(f"{path}:1: not UTF-8 text; save the suite as UTF-8") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = at.group(1) if at else "1"
        reason = message[: at.start()].strip() if at else message
        raise SuiteError(f"{path}:{line}: not valid TOML: {reason}") from None
    return _Loader(path, text, {} if configs is None else configs).suite(document)


# --- the inline log ---------------------------------------------------------------------


def _dated_log(text: str, date: dt.date) -> str:
    """The log with ``HH:MM[:SS]`` times made ``DATE`` + ``THH:MM:SS``; others unchanged.

    Read as the log reader reads it: the time column found by its name or any heading the
    log format accepts (``时间`` ...), rows read as CSV (a quoted cell may hold a line
    break). Line numbers are kept (a rewritten row spans the lines it spanned), so errors
    point into the suite. From a row the csv module cannot read on, the text is left as it
    is, for the log reader to report that row at its line.
    """
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, [])
    except csv.Error:
        return text
    column = resolve_header(header).index.get("time")
    if column is None:
        return text
    out = lines[: reader.line_num]
    done = reader.line_num
    try:
        for cells in reader:
            row_lines = lines[done : reader.line_num]
            done = reader.line_num
            match = _CLOCK.match(cells[column].strip()) if len(cells) > column else None
            if match:
                hour, minute, second = match.group(1), match.group(2), match.group(3) or "00"
                cells[column] = f"{date.isoformat()}T{int(hour):02d}:{minute}:{second}"
                buffer = io.StringIO()  # "\r\n": a cell with CR or LF is quoted
                csv.writer(buffer, lineterminator="\r\n").writerow(cells)
                row_lines = buffer.getvalue()[:-2].split("\n")
            out += row_lines
    except csv.Error:
        pass  # the rows before it are dated; the log reader reports this one at its line
    return "\n".join(out + lines[done:])


def _clock_seconds(text: str, date: dt.date, zone: ZoneInfo) -> float | None:
    match = _CLOCK.match(text.strip())
    if match is None:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    moment = dt.datetime.combine(date, dt.time(hour, minute, second), tzinfo=zone)
    return moment.timestamp()


# --- running ----------------------------------------------------------------------------


def run_test(suite: str, test: RoutingTest) -> TestResult:
    """Replay the test's log and check each expectation (pure; SuiteError if the engine
    refuses a row, e.g. a transfer the bot does not hold)."""
    try:
        rows = list(replay(test.config, test.events, source=suite))
        at = f"{suite}:{{}}"
        failures = [f for item in test.expect for f in _check(item, rows, test, at.format)]
        if test.expect_report:
            report = build_report(test.config, run(test.config, test.events, source=suite))
            failures += _check_report(test.expect_report, dataclasses.asdict(report.summary))
    except BadLogRow as exc:
        raise SuiteError(
            f"{suite}:{test.line}: test {test.name!r}: log line {exc.line}: {exc.reason}"
        ) from None
    return TestResult(suite, test.name, test.line, tuple(failures))


def _check(
    item: Expectation, rows: list[Routed], test: RoutingTest, at: Callable[[int], str]
) -> Iterator[Failure]:
    mine = [row for row in rows if row.buyer == item.buyer]
    if not mine:
        yield failure(N_("buyer {buyer}: no message rows in the log"), buyer=repr(item.buyer))
        return
    if item.nth is not None:
        if item.nth > len(mine):
            yield failure(
                N_("buyer {buyer}: no message {nth} (the log has {count})"),
                buyer=repr(item.buyer), nth=item.nth, count=len(mine),
            )  # fmt: skip
            return
        chosen = [(item.nth, mine[item.nth - 1])]
    else:
        chosen = list(enumerate(mine, start=1))
    show = _time_text(test.config)
    for number, row in chosen:
        for key, expected in item.fields.items():
            actual = getattr(row, key)
            if key == "assigned_at":
                if _same_moment(expected, actual):
                    continue
                expected_text, actual_text = show(expected), show(actual)
            elif expected == actual:
                continue
            else:
                expected_text, actual_text = repr(expected), repr(actual)
            yield failure(
                MISMATCH, row.reason, buyer=repr(item.buyer), number=number,
                at=at(test.log_offset + row.line), key=key, expected=expected_text,
                actual=actual_text,
            )  # fmt: skip


def _same_moment(expected: float | None, actual: float | None) -> bool:
    if expected is None or actual is None:
        return expected is actual
    return math.floor(actual) == math.floor(expected)


MISMATCH = N_("buyer {buyer}, message {number} ({at}): {key} expected {expected}, got {actual}")
NEVER_GOT = N_("never (no agent got it)")
"""What an ``assigned_at`` of no agent reads as."""
SEE_SUMMARY = N_("; see routectl report --format json, summary")
WORDS = (NEVER_GOT, SEE_SUMMARY)
"""Failure values that are words of ours (translated with the message)."""


def _time_text(config: ShopConfig) -> Callable[[float | None], str]:
    formatter = TimeFormatter(ZoneInfo(config.shop.timezone)).format

    def show(moment: float | None) -> str:
        return NEVER_GOT if moment is None else formatter(moment)

    return show


def _check_report(expected: dict[str, Any], summary: dict[str, Any]) -> Iterator[Failure]:
    for key, want in expected.items():
        if key not in summary:
            hint = did_you_mean(key, summary) or SEE_SUMMARY
            yield failure(
                N_("expect_report.{key}: not a report summary figure{hint}"), key=key, hint=hint
            )
            continue
        got = summary[key]
        if _figures_equal(want, got):
            continue
        yield failure(
            N_("report {key} expected {expected}, got {actual}"),
            key=key, expected=repr(want), actual=repr(got),
        )  # fmt: skip


def _figures_equal(want: Any, got: Any) -> bool:
    if isinstance(want, bool) != isinstance(got, bool):
        return False  # true is not 1
    if isinstance(want, bool) or got is None:
        return bool(want == got)
    if isinstance(want, int | float) and isinstance(got, int | float):
        return abs(want - got) <= RATE_TOLERANCE
    return bool(want == got)


def _dotted(parts: KeyPath, key: str) -> str:
    text = ""
    for part in (*parts, key):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
