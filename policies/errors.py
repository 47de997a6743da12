"""The errors raised for a broken data file (policy, team or automation file, policy override),
and the one formatter that turns what pydantic found into (field, problem) pairs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import ValidationError

_PACKAGE_DIR = Path(__file__).resolve().parent


class DataFileError(ValueError):
    """A data file is unusable. Names the file, the field and the problem.

    `str(error)` reads like ``policies/data/team.yaml: sla.first_response: expected a duration
    like '4h' or '2d', got 'soon'``. When pydantic found several problems, the first one is the
    message and all of them are in `problems` as (field, problem) pairs.
    """

    def __init__(
        self,
        file: str,
        field: str,
        problem: str,
        problems: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        self.problems: tuple[tuple[str, str], ...] = tuple(problems) or ((field, problem),)
        super().__init__(f"{file}: {field}: {problem}")


class PolicyError(DataFileError):
    """A policy/team file or a policy override is unusable."""


def display_path(path: Path) -> str:
    """Shipped files are shown as ``policies/data/x.yaml``; any other file as given."""
    try:
        return path.resolve().relative_to(_PACKAGE_DIR.parent).as_posix()
    except ValueError:
        return str(path)


def field_path(loc: Sequence[int | str]) -> str:
    """Turn a pydantic error location into ``window.rules[1].days``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


def describe_error(error: Mapping[str, object]) -> str:
    """A pydantic error as a short sentence a person can act on."""
    msg = str(error.get("msg", "invalid value"))
    if error.get("type") == "value_error" and msg.startswith("Value error, "):
        msg = msg.removeprefix("Value error, ")
    if error.get("type") == "missing":
        return "is required"
    if error.get("type") == "extra_forbidden":
        return "is not a known field (check the spelling)"
    return msg


def validation_problems(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """(field path, problem) for every error pydantic found, each path after `prefix`."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        name = field_path(loc)
        problems.append((f"{prefix}{name}" if prefix else name, describe_error(dict(err))))
    return problems


def from_validation_error(file: str, exc: ValidationError, prefix: str = "") -> PolicyError:
    """One PolicyError for everything pydantic found wrong in a document."""
    problems = validation_problems(exc, prefix)
    field, problem = problems[0] if problems else ("(document)", str(exc))
    return PolicyError(file, field, problem, problems)
