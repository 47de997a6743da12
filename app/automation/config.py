"""Loading the automation's data files (priority rules, escalation levels, reply templates).

Every file is YAML validated by a pydantic model at load. A broken file is one
`AutomationConfigError` whose message names the file, the field and the problem, e.g.
``app/automation/data/triage.yaml: rules[2].priority: expected one of P1, P2, P3, P4``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from policies.errors import field_path

DATA_DIR = Path(__file__).resolve().parent / "data"
_REPO_ROOT = Path(__file__).resolve().parents[2]

M = TypeVar("M", bound=BaseModel)


class AutomationConfigError(ValueError):
    """An automation data file is unusable; names the file, the field and the problem.

    When pydantic found several problems, the first one is the message and all of them are in
    `problems` as (field, problem) pairs.
    """

    def __init__(
        self, file: str, field: str, problem: str, problems: Sequence[tuple[str, str]] = ()
    ) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        self.problems: tuple[tuple[str, str], ...] = tuple(problems) or ((field, problem),)
        super().__init__(f"{file}: {field}: {problem}")


def display_path(path: Path) -> str:
    """Shipped files are shown as ``app/automation/data/x.yaml``; any other file as given."""
    try:
        return path.resolve().relative_to(_REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def describe_error(error: dict[str, Any]) -> str:
    """A pydantic error as a short sentence a person can act on."""
    kind = error.get("type")
    msg = str(error.get("msg", "invalid value"))
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    return msg.removeprefix("Value error, ")


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(field path, problem) for every error pydantic found."""
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        out.append((field_path(loc), describe_error(dict(err))))
    return out


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read `path` as YAML and validate it as `model`, or raise `AutomationConfigError`."""
    name = display_path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AutomationConfigError(
            name, "(file)", f"cannot be read: {exc.strerror or exc}"
        ) from None
    except yaml.YAMLError as exc:
        raise AutomationConfigError(name, "(yaml)", f"is not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AutomationConfigError(name, "(document)", "expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc)
        field, problem = problems[0] if problems else ("(document)", str(exc))
        raise AutomationConfigError(name, field, problem, problems) from None
