"""`app.fast_json`: decode_json reads every JSON text the json module reads, to the same value;
encode_json writes text that reads back as the json module's own."""

from __future__ import annotations

import json

import pytest

from app.fast_json import decode_json, encode_json
from tests.json_values import typed

TEXTS = [
    pytest.param(
        b'{"values": [["AS-1", 45933.604166666664, true, null, "\\u5ba2\\u6237"]]}', id="batchGet"
    ),
    pytest.param('{"客户": "王小明", "n": -17, "big": 123456789012345678}', id="str-input"),
    pytest.param(b'["\\ud800 half a surrogate pair"]', id="lone-surrogate"),
    pytest.param(b"[NaN, Infinity, -Infinity]", id="nan"),
    pytest.param(b"[1e400]", id="beyond-a-double"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_decodes_what_the_json_module_decodes(text: bytes | str) -> None:
    """Every text decodes to the json module's value, types included (NaN compared as NaN)."""
    assert typed(decode_json(text)) == typed(json.loads(text))


def test_text_that_is_not_json_is_still_refused() -> None:
    """Broken JSON raises the json module's ValueError, as before."""
    with pytest.raises(ValueError):
        decode_json(b'{"values": [')


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"t": "str", "v": "王芳 =SUM(A1)"}, id="tagged-text"),
        pytest.param({"t": "int", "v": 2**80}, id="beyond-64-bits"),
        pytest.param({"t": "str", "v": "\ud800 half a surrogate pair"}, id="lone-surrogate"),
        pytest.param({1: "a key that is not a string"}, id="int-key"),
        pytest.param([{"t": "float", "v": "0.1"}, {"t": "null"}, True, None, -3], id="mixed"),
    ],
)
def test_encoded_text_reads_back_as_the_json_module_would_write_it(value: object) -> None:
    """What `encode_json` writes decodes to what the json module's own text decodes to."""

    assert json.loads(encode_json(value)) == json.loads(json.dumps(value))
