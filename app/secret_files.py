"""Secrets read from files, the way container platforms hand them over.

Cloud Run, Kubernetes, Docker and systemd mount a secret as a file (e.g. `/run/secrets/...`)
rather than put it in the environment, where `docker inspect`, crash reports and child
processes would see it. For every secret setting (every `SecretStr` field of `Settings`, nested
ones included) the variable `AFTERSALES_<NAME>_FILE` may name such a file instead of
`AFTERSALES_<NAME>` holding the value: `AFTERSALES_AUTH__HMAC_MASTER_SECRET_FILE=/run/secrets/hmac`.

Only secret fields get a `_FILE` twin, on purpose: `AFTERSALES_TEAM_FILE` is the ordinary
setting `team_file`, not "the team read from a file".
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from app.errors import ConfigurationError

ENV_PREFIX = "AFTERSALES_"
NESTED_DELIMITER = "__"
FILE_SUFFIX = "_FILE"


def secret_field_paths(model: type[BaseModel]) -> list[tuple[str, ...]]:
    """The path of every `SecretStr` field of `model`, descending into nested models
    (`("auth", "hmac_master_secret")`); fields inside lists are not reachable by one variable."""
    paths: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        for kind in _plain_types(field.annotation):
            if kind is SecretStr:
                paths.append((name,))
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                paths.extend((name, *inner) for inner in secret_field_paths(kind))
    return paths


def _plain_types(annotation: Any) -> list[Any]:
    """`X | None` and `Optional[X]` as [X, NoneType]; any other annotation as itself."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return list(typing.get_args(annotation))
    return [annotation]


def variable_name(path: tuple[str, ...]) -> str:
    """The environment variable of a settings path: ("auth", "metrics_token") ->
    AFTERSALES_AUTH__METRICS_TOKEN."""
    return ENV_PREFIX + NESTED_DELIMITER.join(part.upper() for part in path)


def read_secret_file(file_variable: str, location: str) -> str:
    """The secret in `location` without its trailing newline (what `echo` and most editors
    add); a file that is missing, unreadable or empty is a ConfigurationError naming the
    variable, the path and the fix, never the contents."""
    path = Path(location)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"{file_variable} names {location}, which cannot be read ({exc.strerror or exc}): "
            f"mount the secret at that path, or unset {file_variable}."
        ) from None
    except UnicodeDecodeError:
        raise ConfigurationError(
            f"{file_variable} names {location}, which is not UTF-8 text: store the secret as text."
        ) from None
    secret = text.rstrip("\r\n")
    if not secret:
        raise ConfigurationError(
            f"{file_variable} names {location}, which is empty: put the secret in it, "
            f"or unset {file_variable}."
        )
    return secret


class SecretFilesSource(PydanticBaseSettingsSource):
    """A settings source that reads each secret setting from the file its `_FILE` variable
    names. Giving both the value and the file is refused: which one wins would be a guess."""

    def __init__(
        self, settings_cls: type[BaseSettings], environ: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(settings_cls)
        source = os.environ if environ is None else environ
        # Environment names are matched case-insensitively, as pydantic-settings does.
        self._environ = {key.upper(): value for key, value in source.items()}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the whole (nested) dictionary at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for path in secret_field_paths(self.settings_cls):
            variable = variable_name(path)
            file_variable = variable + FILE_SUFFIX
            location = self._environ.get(file_variable, "").strip()
            if not location:
                continue
            if self._environ.get(variable):
                raise ConfigurationError(
                    f"Both {variable} and {file_variable} are set: keep one "
                    f"(with a mounted secret, unset {variable})."
                )
            target = values
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = read_secret_file(file_variable, location)
        return values
