"""A values:batchGet answer decoded as it arrives reads every cell as the json module reads the
whole answer; what the streaming parser would read otherwise is read whole instead."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import requests

from app.sheets.backend import LetGo
from app.sheets.google import GoogleBackend
from app.sheets.google_stream import value_ranges
from app.sheets.redirect import GOOGLE_HOSTS, RedirectAdapter, redirected_session
from app.sheets.retry import RetryPolicy
from tests.emulator.auth import ServiceAccount
from tests.emulator.emulator import Emulator
from tests.json_values import typed

# What a team's tabs hold, as Google answers them: serial dates, Chinese text, links, emoji,
# ragged rows, an empty tab (no "values" at all), numbers of every shape.
ANSWER: dict[str, Any] = {
    "spreadsheetId": "1AbC",
    "valueRanges": [
        {
            "range": "'售后 Cases'!A1:Z4",
            "majorDimension": "ROWS",
            "values": [
                ["Case ID", "Opened", "客户", "Link", "Amount"],
                ["AS-0001", 45933.604166666664, "王小明 😀", "https://item.taobao.com/?id=1", 12],
                ["AS-0002", 45934, 'Ана "quoted" \\ back\\slash\nnew line', "", -0.5],
                ["AS-0003", True, None, 1e-7, 9007199254740993, 1.7976931348623157e308],
            ],
        },
        {"range": "Holidays!A1:Z1000", "majorDimension": "ROWS"},
        {"range": "KPIs!A1:B2", "majorDimension": "ROWS", "values": [[], ["x"]]},
    ],
}


def _response(body: bytes) -> requests.Response:
    """A response whose body arrives from a file-like object, as it does off a socket."""
    response = requests.Response()
    response.status_code = 200
    response.raw = io.BytesIO(body)
    return response


def _chunked(body: bytes, size: int) -> list[dict[str, Any]] | None:
    response = _response(body)
    original = response.iter_content
    response.iter_content = lambda *_a, **_k: original(size)  # type: ignore[method-assign]
    return value_ranges(response)


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["utf-8", "ascii-escapes"])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 16])
def test_ranges_read_as_the_json_module_reads_them_however_the_bytes_are_split(
    ensure_ascii: bool, size: int
) -> None:
    """Split into chunks of any size (1 byte: every multi-byte character and escape is cut),
    the ranges are the json module's, types included."""
    answer = json.loads(json.dumps(ANSWER))
    # An escaped astral character is a surrogate pair: the ascii variant leaves it out (it is
    # read whole, see below), keeping every other escape (Chinese, quotes, newlines).
    if ensure_ascii:
        answer["valueRanges"][0]["values"][1][2] = "王小明"
    body = json.dumps(answer, ensure_ascii=ensure_ascii).encode()
    ranges = _chunked(body, size)
    assert ranges is not None
    assert typed(ranges) == typed(json.loads(body)["valueRanges"])


@pytest.mark.parametrize("size", [1, 3, 4, 5, 6, 64])
@pytest.mark.parametrize(
    "text",
    [b'"\\ud800 half a pair"', b'"a \\uDFFF"', b'"\\ud83d\\ude00"'],
    ids=["lone-high", "lone-low-upper-case", "escaped-pair"],
)
def test_an_escaped_surrogate_is_left_to_the_whole_read(text: bytes, size: int) -> None:
    """yajl reads a lone surrogate's escape as "?": any escaped surrogate, wherever the chunks
    cut it, makes the decoder give up so the caller reads the answer whole."""
    body = b'{"valueRanges": [{"values": [["AS-1", ' + text + b"]]}]}"
    assert _chunked(body, size) is None
    assert json.loads(body)["valueRanges"][0]["values"][0][1]  # (the json module reads it)


@pytest.mark.parametrize("number", [b"1e400", b"123456789012345678901234567890"])
def test_what_the_streaming_parser_refuses_is_left_to_the_whole_read(number: bytes) -> None:
    """A number beyond a double (the json module reads infinity) or a 64-bit integer (Google
    sends neither) is not an error here: the answer is read whole, as before."""
    assert _chunked(b'{"valueRanges": [{"values": [[' + number + b"]]}]}", 64) is None


class _EscapingAdapter(RedirectAdapter):
    """The emulator answers in UTF-8 and cannot hold a lone surrogate: this transport puts the
    escape of one into every values:batchGet answer where a cell says LONE."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.batch_gets = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().send(request, **kwargs)
        if "values:batchGet" in (request.url or ""):
            self.batch_gets += 1
            body = response.content.replace(b"LONE", b"\\ud800")
            response._content = body  # what iter_content and .content give from now on
        return response


def _escaping_backend(
    emulator: Emulator, service_account: ServiceAccount, sheet: str
) -> tuple[GoogleBackend, _EscapingAdapter]:
    """A backend on `sheet` whose values:batchGet answers escape a lone surrogate for LONE."""
    adapter = _EscapingAdapter(emulator.base_url)

    def session(credentials: Any) -> Any:
        made = redirected_session(credentials, emulator.base_url)
        for host in GOOGLE_HOSTS:
            made.mount(host, adapter)
        return made

    backend = GoogleBackend.from_service_account(
        sheet,
        service_account.path,
        session_factory=session,
        retry=RetryPolicy(base_delay=0.01, max_delay=0.05, budget=5),
        timeout=10,
    )
    return backend, adapter


def test_a_lone_surrogate_in_a_cell_is_read_as_the_json_module_reads_it(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """Through the backend: the streamed read gives up on the escaped surrogate, one more
    values:batchGet reads the answer whole, and the cell holds the same text as before
    streaming (never "?"); both requests are counted."""
    sheet = emulator.create_spreadsheet("Surrogate", shared_with={service_account.email: "writer"})
    emulator.set_values(sheet, "Sheet1!A1", [["Case ID", "Customer"], ["AS-1", "a LONE b"]])
    backend, adapter = _escaping_backend(emulator, service_account, sheet)
    data = backend.read(lambda titles: list(titles))
    assert data.tabs["Sheet1"].rows[1] == ["AS-1", "a \ud800 b"]
    assert adapter.batch_gets == 2
    assert backend.calls.by_kind["values.batchGet"] == 2


@pytest.mark.parametrize("size", [1, 5, 64, 1 << 16])
def test_rows_let_go_as_they_arrive_and_the_rest_read_as_the_json_module_reads_them(
    size: int,
) -> None:
    """Decoded row by row for a rule that lets the Cases tab's AS-0002 go: that row reads as a
    LetGo of its width and token, the rule sees each data row (never the header) with its
    sheet row, and every other row and range is the json module's, types included."""
    body = json.dumps(ANSWER, ensure_ascii=False).encode()
    seen: list[int] = []

    def let_go(row: int, cells: list[Any]) -> bytes | None:
        seen.append(row)
        return b"AS-0002's digest" if cells[0] == "AS-0002" else None

    response = _response(body)
    original = response.iter_content
    response.iter_content = lambda *_a, **_k: original(size)  # type: ignore[method-assign]
    ranges = value_ranges(response, [(1, let_go), None, None])

    assert ranges is not None
    expected = json.loads(body)["valueRanges"]
    rows = ranges[0]["values"]
    assert type(rows[2]) is LetGo and (len(rows[2]), rows[2].token) == (5, b"AS-0002's digest")
    assert seen == [2, 3, 4]
    assert typed([rows[0], rows[1], rows[3]]) == typed(
        [expected[0]["values"][i] for i in (0, 1, 3)]
    )
    assert typed(ranges[1:]) == typed(expected[1:])
    assert [r["range"] for r in ranges] == [r["range"] for r in expected]


def test_a_whole_read_after_a_lone_surrogate_lets_the_same_rows_go(
    emulator: Emulator, service_account: ServiceAccount
) -> None:
    """The answer holding an escaped surrogate is read again whole (the json module): the rows
    the rule picks are let go there too, and the kept row's text is intact."""
    sheet = emulator.create_spreadsheet("Surrogate", shared_with={service_account.email: "writer"})
    emulator.set_values(
        sheet, "Sheet1!A1", [["Case ID", "Customer"], ["AS-1", "a LONE b"], ["AS-2", "李雷"]]
    )
    backend, adapter = _escaping_backend(emulator, service_account, sheet)
    rule = {"Sheet1": lambda row, cells: b"kept-plan" if cells[0] == "AS-2" else None}
    data = backend.read(lambda titles: list(titles), None, rule)
    rows = data.tabs["Sheet1"].rows
    assert rows[1] == ["AS-1", "a \ud800 b"]
    assert type(rows[2]) is LetGo and rows[2].token == b"kept-plan"
    assert adapter.batch_gets == 2
