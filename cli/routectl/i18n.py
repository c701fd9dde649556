"""Human-facing words in the user's language, from gettext catalogues.

Source strings are English and are the message ids; the Chinese words live in the
catalogues ``routectl/locale/zh/LC_MESSAGES/<domain>.po`` (compiled to ``.mo`` beside
them, both shipped). Three domains keep the parts of the tool apart: ``cli`` (help,
usage errors, config problems, log errors), ``report`` (reports, explanations, diff,
test results) and ``sim`` (model, backtest, ``diff --predict``, plan). A message
missing from the catalogues prints in English.

The language is ``--lang`` when a command was given one (:func:`set_lang`), else the
locale: the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (POSIX order), so
``LANG=zh_CN.UTF-8`` gives Chinese. Machine outputs (CSV/JSON keys) never go through here.

Translate where text is made for a person, never at import: help texts are translated
when ``--help`` is printed (:mod:`routectl.helptext`, which also gives Click's own words
our catalogue), messages when they are worded. Adding a message: mark it (``_``, ``N_``
or ``ngettext``), add its Chinese to the ``.po``, run ``msgfmt -o cli.mo cli.po``;
tests/test_i18n.py fails on a marked message without Chinese and on a stale ``.mo``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

LANGS = ("en", "zh")
DOMAINS = ("cli", "report", "sim")
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
"""(``os.path``, not ``pathlib``: this module loads with every command, and start-up counts.)"""

_chosen: list[str] = []  # the language set by --lang, if any (last one wins)


def lang_from_environ(environ: Mapping[str, str]) -> str:
    """``zh`` when the locale is Chinese, else ``en``."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_lang(lang: str | None) -> None:
    """Use ``lang`` from now on; ``None`` goes back to the locale."""
    _chosen.clear()
    if lang is not None:
        _chosen.append(lang)


def current_lang() -> str:
    """The language messages are printed in now."""
    return _chosen[-1] if _chosen else lang_from_environ(os.environ)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """Every domain's catalogue for ``lang`` chained into one (English: none)."""
    import gettext

    chain = gettext.NullTranslations()
    if lang == "en":
        return chain
    for domain in reversed(DOMAINS):
        catalogue = gettext.translation(
            domain, localedir=LOCALE_DIR, languages=[lang], fallback=True
        )
        catalogue.add_fallback(chain)
        chain = catalogue
    return chain


def _(message: str) -> str:
    """``message`` in the current language."""
    lang = current_lang()
    return message if lang == "en" else translations(lang).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the current language."""
    lang = current_lang()
    if lang == "en":
        return singular if count == 1 else plural
    return translations(lang).ngettext(singular, plural, count)


def in_lang(lang: str, message: str) -> str:
    """``message`` in ``lang`` regardless of the current language (tables built per lang)."""
    return message if lang == "en" else translations(lang).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message
