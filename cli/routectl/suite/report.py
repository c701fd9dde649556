"""Results of ``routectl test`` as text lines (one per test) and as JUnit XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from routectl.i18n import _, ngettext
from routectl.reasons import translate_reason
from routectl.safetext import printable
from routectl.suite.core import WORDS, Failure, TestResult


def result_lines(result: TestResult) -> list[str]:
    """``PASS  FILE:LINE  name``; a failure adds expected-vs-actual and the replay reason
    (in the current language: ``通过`` / ``失败``, the reason as ``replay`` prints it)."""
    status = _("PASS") if result.passed else _("FAIL")
    lines = [f"{status}  {printable(result.suite)}:{result.line}  {printable(result.name)}"]
    for failure in result.failures:
        lines.append(f"      {printable(failure_text(failure))}")
        if failure.reason:
            reason = _("reason: {reason}").format(reason=translate_reason(failure.reason))
            lines.append(f"        {printable(reason)}")
    return lines


def failure_text(failure: Failure) -> str:
    """A failure's message in the current language."""
    if not failure.template:
        return failure.message
    values = {name: _(text) if text in WORDS else text for name, text in failure.values}
    return _(failure.template).format(**values)


def totals(results: Sequence[TestResult]) -> str:
    failed = sum(1 for r in results if not r.passed)
    count = len(results)
    tests = ngettext("{count} test", "{count} tests", count).format(count=count)
    return _("{tests}: {passed} passed, {failed} failed").format(
        tests=tests, passed=count - failed, failed=failed
    )


def to_junit(results: Iterable[TestResult]) -> str:
    """JUnit XML: ``<testsuites>``, one ``<testsuite>`` per suite file, a ``<testcase>``
    per test with a ``<failure>`` (message: the first mismatch; text: all of them)."""
    by_suite: dict[str, list[TestResult]] = {}
    for result in results:
        by_suite.setdefault(result.suite, []).append(result)
    root = ET.Element("testsuites", name="routectl test")
    all_tests = all_failures = 0
    for suite, members in by_suite.items():
        failures = sum(1 for r in members if not r.passed)
        all_tests += len(members)
        all_failures += failures
        element = ET.SubElement(
            root, "testsuite", name=_xml(suite), tests=str(len(members)),
            failures=str(failures), errors="0", skipped="0",
        )  # fmt: skip
        for result in members:
            case = ET.SubElement(
                element, "testcase", classname=_xml(suite), name=_xml(result.name),
                file=_xml(suite), line=str(result.line),
            )  # fmt: skip
            if result.failures:
                failure = ET.SubElement(
                    case, "failure", message=_xml(result.failures[0].message),
                    type="RoutingMismatch",
                )  # fmt: skip
                failure.text = _xml(
                    "".join(
                        f"{f.message}\n" + (f"  reason: {f.reason}\n" if f.reason else "")
                        for f in result.failures
                    )
                )
    root.set("tests", str(all_tests))
    root.set("failures", str(all_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# XML 1.0 allows tab, LF, CR and the characters from U+0020 on, less the surrogates (a log
# read with surrogateescape holds them for undecodable bytes), U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot hold written as visible escapes (as
    :func:`~routectl.safetext.printable` writes them), so that the file stays well-formed."""
    return _NOT_XML.sub(lambda found: _escape_char(found.group()), text)


def _escape_char(char: str) -> str:
    """One character as :func:`~routectl.safetext.printable` writes it."""
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
