"""Language and region together: dates, times, numbers and money written as the reader's locale
writes them (en-US vs en-GB, fr-FR vs fr-CA, es-ES vs es-MX, zh-Hans vs zh-Hant), times in the
store's zone."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.formats import number_format

from catalog.money import babel_locale, format_money
from clienteling.dates import format_clock, format_day, format_moment

DAY = date(2026, 3, 4)
# 02:05 UTC on 5 March is still 4 March in Toronto (21:05) and already 5 March in Tokyo (11:05).
MOMENT = datetime(2026, 3, 5, 2, 5, tzinfo=UTC)
TORONTO = SimpleNamespace(tzinfo=ZoneInfo("America/Toronto"))
TOKYO = SimpleNamespace(tzinfo=ZoneInfo("Asia/Tokyo"))
DECLARED = [code for code, _name in settings.LANGUAGES]


def in_language(code, function, *args, **kwargs):
    with translation.override(code):
        return function(*args, **kwargs)


def test_the_regional_variants_are_offered():
    for code in ("en", "en-gb", "fr", "fr-ca", "es", "es-mx", "zh-hans", "zh-hant"):
        assert code in DECLARED


def test_every_declared_language_has_a_distinct_name_in_the_menu():
    """The menu shows each language's own name (Django's LANG_INFO, fr-ca added by the settings)."""
    names = [translation.get_language_info(code)["name_local"] for code in DECLARED]
    assert len(set(names)) == len(names), names


@pytest.mark.parametrize(("code", "short", "long"), [
    ("en", "03/04/2026", "March 4, 2026"),
    ("en-gb", "04/03/2026", "4 Mar 2026"),
    ("fr", "04/03/2026", "4 mars 2026"),
    ("fr-ca", "2026-03-04", "4 mars 2026"),
    ("es", "04/03/2026", "4 de marzo de 2026"),
    ("es-mx", "04/03/2026", "4 de Marzo de 2026"),
    ("zh-hans", "2026年3月4日", "2026年3月4日"),
    ("zh-hant", "2026年3月4日", "2026年3月4日"),
])
def test_templates_write_dates_for_the_language_and_region(code, short, long):
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }}|{{ day|date:"DATE_FORMAT" }}')
    with translation.override(code):
        rendered = template.render(Context({"day": DAY}))
    assert rendered == f"{short}|{long}"


@pytest.mark.parametrize(("code", "expected"), [
    ("en", "1,234.50"), ("en-gb", "1,234.50"), ("fr", "1\u202f234,50"), ("de", "1.234,50"),
    ("es-mx", "1,234.50"),
])
def test_numbers_are_grouped_as_the_locale_groups_them(code, expected):
    with translation.override(code):
        written = number_format(Decimal("1234.5"), 2, use_l10n=True, force_grouping=True)
    assert written.replace("\xa0", "\u202f") == expected


@pytest.mark.parametrize(("code", "amount", "currency", "expected"), [
    ("en", "1200", "USD", "$1,200.00"),
    ("en-gb", "1200", "USD", "US$1,200.00"),
    ("en-gb", "1200", "GBP", "£1,200.00"),
    ("fr", "1200", "EUR", "1\u202f200,00\xa0€"),
    ("fr-ca", "1200", "CAD", "1\xa0200,00\xa0$"),
    ("fr", "1200", "CAD", "1\u202f200,00\xa0$CA"),
    ("es", "1200", "EUR", "1.200,00\xa0€"),
    ("es-mx", "1200", "MXN", "$1,200.00"),
    ("ja", "1200", "JPY", "￥1,200"),
    ("zh-hant", "1200", "TWD", "$1,200.00"),
    ("zh-hans", "1200", "CNY", "¥1,200.00"),
])
def test_money_is_written_for_the_language_and_region(code, amount, currency, expected):
    assert in_language(code, format_money, Decimal(amount), currency) == expected


def test_the_money_filter_follows_the_active_language():
    template = Template("{% load atelier %}{{ amount|money:'CAD' }}")
    with translation.override("fr-ca"):
        assert template.render(Context({"amount": Decimal("15")})) == "15,00\xa0$"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("15")})) == "CA$15.00"


def test_babel_reads_each_declared_language():
    for code in DECLARED:
        locale = babel_locale(code)
        assert locale.language == code.split("-")[0]
    assert str(babel_locale("zh-hant")) == "zh_Hant" and str(babel_locale("fr-ca")) == "fr_CA"
    assert str(babel_locale("fr-xx")) == "fr"  # a region Babel does not know: its language


@pytest.mark.parametrize(("code", "day", "clock", "moment"), [
    ("en", "Mar 4, 2026", "9:05\u202fPM", "3/4/26, 9:05\u202fPM"),
    ("en-gb", "4 Mar 2026", "21:05", "04/03/2026, 21:05"),
    ("fr", "4 mars 2026", "21:05", "04/03/2026 21:05"),
    ("fr-ca", "4 mars 2026", "21 h 05", "2026-03-04 21 h 05"),
    ("es-mx", "4 mar 2026", "9:05\u202fp.m.", "04/03/26, 9:05\u202fp.m."),
    ("zh-hant", "2026年3月4日", "晚上9:05", "2026/3/4 晚上9:05"),
])
def test_text_made_in_python_writes_the_stores_time_for_the_reader(code, day, clock, moment):
    with translation.override(code):
        written = (format_day(MOMENT, store=TORONTO), format_clock(MOMENT, store=TORONTO),
                   format_moment(MOMENT, store=TORONTO))
    # CLDR puts narrow no-break spaces where a space is kept; compare them as such.
    assert tuple(text.replace("\xa0", "\u202f") for text in written) == (day, clock, moment)


def test_the_stores_zone_decides_the_day():
    assert in_language("en-gb", format_day, MOMENT, store=TORONTO) == "4 Mar 2026"
    assert in_language("en-gb", format_day, MOMENT, store=TOKYO) == "5 Mar 2026"
    assert in_language("ja", format_clock, MOMENT, store=TOKYO) == "11:05"
    assert in_language("en", format_day, DAY, width="long") == "March 4, 2026"


@override_settings(TIME_ZONE="UTC")
def test_without_a_store_the_active_zone_is_used():
    with timezone.override(ZoneInfo("Europe/Paris")), translation.override("fr"):
        assert format_clock(MOMENT) == "03:05"
        assert format_clock(MOMENT.replace(tzinfo=None)) == "03:05"  # naive: UTC
