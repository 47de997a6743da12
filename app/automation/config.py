"""Loading the automation's data files (priority rules, escalation levels, reply templates).

Every file is YAML validated by a pydantic model at load. A broken file is one
`AutomationConfigError` whose message names the file, the field and the problem, e.g.
``app/automation/data/triage.yaml: rules[2].priority: expected one of P1, P2, P3, P4``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from policies.errors import DataFileError, describe_error, display_path, validation_problems

__all__ = [
    "DATA_DIR",
    "AutomationConfigError",
    "describe_error",
    "display_path",
    "load_yaml_model",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

M = TypeVar("M", bound=BaseModel)


class AutomationConfigError(DataFileError):
    """An automation data file is unusable; names the file, the field and the problem."""


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
