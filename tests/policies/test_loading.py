"""Loading policy and team files: shipped files, versions, aliases, overrides and errors."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from policies import (
    PolicyError,
    PolicyOverride,
    PolicySet,
    apply_override,
    load_policies,
    load_team_settings,
)
from policies.loader import DATA_DIR, load_policy_file

SHIPPED = sorted(p for p in DATA_DIR.glob("*.yaml") if p.name != "team.yaml")

VALID = textwrap.dedent(
    """\
    platform: {platform}
    name: Demo
    version: "1"
    effective_from: 2025-01-01
    source: test
    window:
      holiday_rule: calendar_days
      default_days: 10
    refunds:
      kinds: [store_credit]
    """
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_policy_file_loads(path: Path) -> None:
    """Each shipped policy file validates and names its source and a policy ref."""
    versions = load_policy_file(path)
    assert versions
    for policy in versions:
        assert policy.platform == path.stem
        # seed figures name the team's guide; published rules name their page and when it was read
        published = "https://" in policy.source
        assert policy.source.startswith("Team after-sales guide") or published
        assert (policy.read_on is not None) == published
        assert policy.timezone == "Asia/Shanghai"
        assert policy.ref == f"{path.stem}@{policy.version}"


def test_shipped_team_file_loads() -> None:
    """The shipped team.yaml loads with the documented defaults."""
    team = load_team_settings()
    assert team.timezone == "Asia/Shanghai"
    assert team.holidays_country == "CN"
    assert team.paused_statuses == ("Awaiting Customer",)
    assert team.closed_statuses == ("Resolved", "Closed")
    assert team.due_soon_fraction == 0.25
    assert team.business_day_length().total_seconds() == 8 * 3600
    assert team.sla.calendar_for("seller_response") == "china"


def test_shipped_set_has_six_platforms() -> None:
    """The shipped set holds the three seed platforms and the three published agents."""
    policies = load_policies()
    assert policies.platforms == ("bhiner", "mulebuy", "ponybuy", "superbuy", "wegobuy", "yoybuy")
    assert [p.ref for p in policies.all_versions()] == [
        "bhiner@2025.1",
        "mulebuy@2024.11",
        "ponybuy@2025.1",
        "superbuy@2025.1",
        "wegobuy@2025.1",
        "yoybuy@2025.1",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Yoybuy", "yoybuy"),
        ("  YOY BUY ", "yoybuy"),
        ("yoybuy.com", "yoybuy"),
        ("SuperBuy", "superbuy"),
        ("super buy", "superbuy"),
        ("bhiner", "bhiner"),
        ("Pandabuy", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_platform(text: str | None, key: str | None) -> None:
    """Platform names and aliases resolve case- and whitespace-insensitively."""
    assert load_policies().resolve(text) == key


def test_version_in_force_by_date(tmp_path: Path) -> None:
    """With two versions in one file, the one in force on a date is chosen."""
    second = VALID.format(platform="demo").replace('"1"', '"2"').replace("2025-01-01", "2025-07-01")
    write(tmp_path, "demo.yaml", VALID.format(platform="demo") + "---\n" + second)
    policies = load_policies(tmp_path)
    assert policies.in_force("demo", date(2024, 12, 31)) is None
    assert policies.in_force("demo", date(2025, 6, 30)).ref == "demo@1"  # type: ignore[union-attr]
    assert policies.in_force("demo", date(2025, 7, 1)).ref == "demo@2"  # type: ignore[union-attr]
    assert len(policies.all_versions()) == 2


@pytest.mark.parametrize(
    ("name", "text", "file", "field", "problem"),
    [
        (
            "demo.yaml",
            VALID.format(platform="demo").replace("default_days: 10", "default_days: ten"),
            "demo.yaml",
            "window.default_days",
            "valid integer",
        ),
        ("demo.yaml", VALID.format(platform="other"), "demo.yaml", "platform", "must match"),
        (
            "demo.yaml",
            VALID.format(platform="demo").replace("kinds: [store_credit]", "kinds: [cash]"),
            "demo.yaml",
            "refunds.kinds",
            "unknown refund kind 'cash'",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo") + "evidence:\n  - kind: selfie\n",
            "demo.yaml",
            "evidence[0].kind",
            "unknown evidence kind 'selfie'",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo").replace(
                "default_days: 10", "rules:\n    - when: {issue_types: [Smells Odd]}\n      days: 3"
            ),
            "demo.yaml",
            "window.rules[0].when.issue_types",
            "unknown issue type 'Smells Odd'",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo") + "windw: {}\n",
            "demo.yaml",
            "windw",
            "not a known field",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo").replace("source: test\n", ""),
            "demo.yaml",
            "source",
            "is required",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo").replace(
                "window:\n  holiday_rule: calendar_days\n  default_days: 10\n", ""
            ),
            "demo.yaml",
            "window",
            "is required",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo") + "timezone: Mars/Olympus\n",
            "demo.yaml",
            "timezone",
            "unknown time zone",
        ),
        ("demo.yaml", "platform: [unclosed\n", "demo.yaml", "(yaml)", "not valid YAML"),
        ("demo.yaml", "- a list\n", "demo.yaml", "(document)", "expected a mapping"),
        (
            "demo.yaml",
            VALID.format(platform="demo") + "---\n" + VALID.format(platform="demo"),
            "demo.yaml",
            "version",
            "exists twice",
        ),
        (
            "demo.yaml",
            VALID.format(platform="demo").replace(
                "holiday_rule: calendar_days", "holiday_rule: lunar"
            ),
            "demo.yaml",
            "window.holiday_rule",
            "calendar_days",
        ),
    ],
)
def test_broken_policy_file_names_file_field_and_problem(
    tmp_path: Path, name: str, text: str, file: str, field: str, problem: str
) -> None:
    """A broken policy file raises one PolicyError naming the file, the field and the problem."""
    write(tmp_path, name, text)
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    error = caught.value
    assert file in error.file
    assert error.field == field
    assert problem in error.problem
    assert str(error).startswith(error.file + ": " + field + ": ")


def test_alias_claimed_by_two_platforms(tmp_path: Path) -> None:
    """Two platforms may not share an alias."""
    write(tmp_path, "one.yaml", VALID.format(platform="one") + "aliases: [shared]\n")
    write(tmp_path, "two.yaml", VALID.format(platform="two") + "aliases: [Shared]\n")
    with pytest.raises(PolicyError, match="names both 'one' and 'two'"):
        load_policies(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    """A directory without policy files is reported, not loaded as an empty set."""
    with pytest.raises(PolicyError, match="contains no policy files"):
        load_policies(tmp_path)


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (
            "sla:\n  first_response: soon\n",
            "sla.first_response",
            "expected a duration like '4h' or '2d', got 'soon'",
        ),
        ("sla:\n  resolution: {target: 5x}\n", "sla.resolution.target", "expected a duration"),
        ("sla:\n  resolution: {target: 5d, calendar: moon}\n", "sla.resolution.calendar", "team"),
        ("working_hours:\n  mon: ['9-12']\n", "working_hours", "expected a time slot"),
        ("working_hours:\n  mon: ['12:00-09:00']\n", "working_hours", "ends before it starts"),
        ("working_hours:\n  mon: ['09:00-12:00', '11:00-13:00']\n", "working_hours", "overlap"),
        ("working_hours:\n  funday: ['09:00-12:00']\n", "working_hours", "unknown weekday"),
        ("working_hours:\n  mon: []\n", "working_hours", "no working hours"),
        ("paused_statuses: [Waiting]\n", "paused_statuses", "unknown status 'Waiting'"),
        ("due_soon_fraction: 1.5\n", "due_soon_fraction", "less than 1"),
        ("timezone: Asia/Nowhere\n", "timezone", "unknown time zone"),
        ("holidays_country: XX\n", "holidays_country", "unknown country code"),
        ("overtime: yes\n", "overtime", "not a known field"),
    ],
)
def test_broken_team_file(tmp_path: Path, text: str, field: str, problem: str) -> None:
    """A broken team file raises one PolicyError naming the file, the field and the problem."""
    path = write(tmp_path, "team.yaml", text)
    with pytest.raises(PolicyError) as caught:
        load_team_settings(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_shipped_file_error_names_repository_path() -> None:
    """Errors about shipped files name them as policies/data/<file>."""
    from policies.errors import display_path

    assert display_path(DATA_DIR / "team.yaml") == "policies/data/team.yaml"


def override(**fields: object) -> PolicyOverride:
    row = {
        "platform": "Yoybuy",
        "version": "team-2",
        "effective_from": "2025-06-01",
        "source": "Team lead, June memo",
        **fields,
    }
    return PolicyOverride.from_row(row)


def test_override_becomes_later_version(policies: PolicySet) -> None:
    """An override is a new version in force from its date; the shipped one stays before it."""
    updated = apply_override(policies, override(window_days="12", refund_kinds="Store Credit"))
    assert updated is not policies
    before = updated.in_force("yoybuy", date(2025, 5, 31))
    after = updated.in_force("yoybuy", date(2025, 6, 1))
    assert before is not None and before.ref == "yoybuy@2025.1"
    assert after is not None and after.ref == "yoybuy@team-2"
    assert after.overridden_from == "yoybuy@2025.1"
    assert after.window.decide("Defect", None) == (True, 12)
    assert after.window.decide("Lost Parcel", None) == (True, None)
    assert after.refunds.allowed("Defect", None) == ("store_credit",)
    assert after.source == "Team lead, June memo"
    assert policies.in_force("yoybuy", date(2025, 6, 1)).ref == "yoybuy@2025.1"  # type: ignore[union-attr]


def test_override_on_the_same_date_wins(policies: PolicySet) -> None:
    """An override effective on the same date as a shipped version takes precedence."""
    updated = apply_override(policies, override(effective_from="2025-01-01", window_days=20))
    assert updated.in_force("yoybuy", date(2025, 1, 1)).ref == "yoybuy@team-2"  # type: ignore[union-attr]


def test_override_requires_replaces_evidence(policies: PolicySet) -> None:
    """`requires` replaces the evidence list with unconditional requirements."""
    updated = apply_override(policies, override(platform="Bhiner", requires="photo, 视频"))
    policy = updated.in_force("bhiner", date(2025, 7, 1))
    assert policy is not None
    assert policy.required_evidence("Wrong Size", None) == ("photos", "video_proof")


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"platform": "Pandabuy"}, "platform", "unknown platform 'Pandabuy'"),
        ({"version": "2025.1"}, "version", "already exists"),
    ],
)
def test_bad_override_apply(
    policies: PolicySet, fields: dict[str, object], field: str, problem: str
) -> None:
    """An override that cannot be applied raises PolicyError naming the Policies-tab row."""
    with pytest.raises(PolicyError) as caught:
        apply_override(policies, override(**fields))
    assert caught.value.file.startswith("Policies tab")
    assert caught.value.field == field
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"window_days": "-3"}, "window_days", "greater than or equal to 0"),
        ({"window_days": "soon"}, "window_days", "valid integer"),
        ({"refund_kinds": "cash"}, "refund_kinds", "unknown refund kind 'cash'"),
        ({"requires": "selfie"}, "requires", "unknown evidence kind 'selfie'"),
        ({"holiday_rule": "lunar"}, "holiday_rule", "expected one of"),
        ({"effective_from": "someday"}, "effective_from", "valid date"),
        ({"source": ""}, "source", "at least 1 character"),
    ],
)
def test_bad_override_row(fields: dict[str, object], field: str, problem: str) -> None:
    """A Policies-tab row with a bad value raises PolicyError naming the field."""
    with pytest.raises(PolicyError) as caught:
        override(**fields)
    assert caught.value.field == field
    assert problem in caught.value.problem
