"""The type-tagged JSON codec: a round trip returns the same Python type and value."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.store import CellValue, StoreError
from app.store.codec import (
    decode_value,
    decode_values,
    dumps,
    encode_shared,
    encode_value,
    encode_values,
    loads,
    same_value,
    sharing,
)

fixed_offsets = st.builds(
    timezone,
    st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23)),
)
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=fixed_offsets),
    st.datetimes(timezones=st.timezones()),
)


def through_json(value: CellValue) -> CellValue:
    """Encode, serialise as JSON text like a database would hold it, parse and decode."""
    return decode_value(json.loads(json.dumps(encode_value(value), allow_nan=False)))


@settings(deadline=None)  # no timing flakes on a busy CI machine
@given(cell_values)
def test_round_trip_keeps_type_and_value(value: CellValue) -> None:
    """Any cell value comes back with the same type and value, through JSON text too."""
    assert same_value(through_json(value), value)
    assert same_value(loads(dumps(value)), value)


@settings(deadline=None)
@given(st.dictionaries(st.text(), cell_values, max_size=8))
def test_mapping_round_trip(values: dict[str, CellValue]) -> None:
    """A column -> value mapping round-trips key by key."""
    back = decode_values(json.loads(json.dumps(encode_values(values))))
    assert back.keys() == values.keys()
    assert all(same_value(back[key], values[key]) for key in values)


@pytest.mark.parametrize(
    ("value", "expected_type"),
    [
        (date(2025, 10, 3), date),
        ("2025-10-03", str),
        (datetime(2025, 10, 3), datetime),
        (True, bool),
        (1, int),
        (1.0, float),
        ("1", str),
        (None, type(None)),
        ("", str),
    ],
)
def test_lookalikes_stay_distinct(value: CellValue, expected_type: type) -> None:
    """Values that plain JSON would confuse (date vs its text, bool vs int) keep their type."""
    assert type(loads(dumps(value))) is expected_type
    assert loads(dumps(value)) == value


def test_float_precision_and_specials() -> None:
    """Floats keep every bit, including -0.0, infinities and NaN."""
    for value in (0.1 + 0.2, 1e-310, 1.7976931348623157e308, -0.0, math.inf, -math.inf):
        back = loads(dumps(value))
        assert isinstance(back, float)
        assert back == value
        assert math.copysign(1, back) == math.copysign(1, value)
    nan = loads(dumps(math.nan))
    assert isinstance(nan, float)
    assert math.isnan(nan)


def test_datetimes_keep_offset_zone_and_naivety() -> None:
    """Aware datetimes keep their offset (and IANA zone); naive ones stay naive."""
    shanghai = datetime(2025, 10, 3, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    back = loads(dumps(shanghai))
    assert isinstance(back, datetime)
    assert back.tzinfo == ZoneInfo("Asia/Shanghai")
    assert back.utcoffset() == timedelta(hours=8)

    plus_five = datetime(2025, 10, 3, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=5)))
    back = loads(dumps(plus_five))
    assert isinstance(back, datetime)
    assert back.utcoffset() == timedelta(hours=5)
    assert back.microsecond == 123456

    naive = datetime(2025, 10, 3, 9, 30)
    back = loads(dumps(naive))
    assert isinstance(back, datetime)
    assert back.tzinfo is None

    assert same_value(
        loads(dumps(datetime(2025, 10, 3, tzinfo=UTC))), datetime(2025, 10, 3, tzinfo=UTC)
    )


def test_dst_gap_and_fold_survive() -> None:
    """A wall time in a DST gap and the second of two repeated times come back unchanged."""
    new_york = ZoneInfo("America/New_York")
    in_gap = datetime(2025, 3, 9, 2, 30, tzinfo=new_york)
    second = datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=new_york)
    for value in (in_gap, second):
        assert same_value(loads(dumps(value)), value)


def test_text_is_never_reinterpreted() -> None:
    """Formulas, unicode, control characters and number-like text stay exactly as given."""
    for text in ("=SUM(A1:A3)", "中文 客户", "line\nbreak\x00nul", "0012", "1e5", "true", "null"):
        assert loads(dumps(text)) == text


@pytest.mark.parametrize("value", [Decimal("1.5"), b"bytes", [1, 2], {"a": 1}, object()])
def test_unsupported_types_are_refused(value: Any) -> None:
    """Types outside CellValue raise StoreError naming the type instead of being coerced."""
    with pytest.raises(StoreError, match=type(value).__name__):
        encode_value(value)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        {"v": 1},
        {"t": "int", "v": "1"},
        {"t": "bool", "v": 1},
        {"t": "date", "v": "not a date"},
        {"t": "datetime", "v": "2025-10-03T00:00", "zone": "No/Such_Zone"},
        {"t": "weird", "v": 1},
    ],
)
def test_malformed_stored_data_is_an_error(data: object) -> None:
    """Corrupt stored data raises StoreError rather than returning a wrong value."""
    with pytest.raises(StoreError):
        decode_value(data)


def test_sub_minute_offsets_round_trip() -> None:
    """An offset with seconds or microseconds (fromisoformat drops them) comes back exact."""
    for offset in (timedelta(microseconds=1), timedelta(hours=-3, seconds=-7)):
        value = datetime(2000, 1, 1, tzinfo=timezone(offset))
        back = decode_value(json.loads(json.dumps(encode_value(value))))
        assert back == value and back.utcoffset() == offset


@pytest.mark.parametrize("order", [1, -1])
def test_shared_tags_keep_equal_values_of_other_types_apart(order: int) -> None:
    """Values tagged once and shared (a snapshot's repeated texts and numbers) never lend their
    tag to an equal value of another type: 1, True and 1.0, 0, False, -0.0 and 0.0, "1"."""
    values: list[tuple[str, Any, dict[str, Any]]] = [
        ("one", 1, {"t": "int", "v": 1}),
        ("yes", True, {"t": "bool", "v": True}),
        ("one_float", 1.0, {"t": "float", "v": "1.0"}),
        ("zero", 0, {"t": "int", "v": 0}),
        ("no", False, {"t": "bool", "v": False}),
        ("minus_zero", -0.0, {"t": "float", "v": "-0.0"}),
        ("zero_float", 0.0, {"t": "float", "v": "0.0"}),
        ("text", "1", {"t": "str", "v": "1"}),
        ("blank", None, {"t": "null"}),
        ("status", "已退款", {"t": "str", "v": "已退款"}),
    ][::order]
    with sharing():  # as a store write encodes them
        for _ in range(2):  # the second time from the shared tags
            encoded = encode_values({key: value for key, value, _ in values})
            assert encoded == {key: tag for key, _, tag in values}
            back = decode_values(json.loads(json.dumps(encoded)))
            assert [type(back[key]) for key, _, _ in values] == [type(v) for _, v, _ in values]


def test_equal_values_share_one_tag_only_within_a_store_write() -> None:
    """Within `sharing()` (a store write) a repeated status is tagged once; afterwards no tag
    is kept, so a long reply encoded in one write is not held by the process after it."""
    reply = "您好，王芳：我们已联系卖家，退款将在 3 个工作日内到账。" * 20
    with sharing():
        assert encode_shared("已退款") is encode_shared("已退款")
        kept = encode_shared(reply)
        assert encode_shared(reply) is kept
    assert encode_shared(reply) is not kept
    assert encode_shared(reply) == {"t": "str", "v": reply}
