"""Loading policy files into a `PolicySet`, and applying a team's override rows to it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from policies.errors import PolicyError, display_path, from_validation_error
from policies.models import Policy, Window, WindowRule
from policies.overrides import PolicyOverride
from policies.vocab import BUYER_REASON_ISSUES, SELLER_FAULT_ISSUES, fold

DATA_DIR = Path(__file__).resolve().parent / "data"
NOT_POLICY_FILES = frozenset({"team.yaml"})


class PolicySet:
    """All versions of all platforms' policies; immutable.

    Versions of a platform are ordered by effective date; on the same date a later-added version
    (a team override) comes after. `in_force` answers with the last version whose effective date
    is on or before the given date.
    """

    def __init__(self, policies: Iterable[Policy], *, where: str = "policies") -> None:
        by_platform: dict[str, list[Policy]] = {}
        for policy in list(policies):
            versions = by_platform.setdefault(policy.platform, [])
            if any(p.version == policy.version for p in versions):
                raise PolicyError(
                    where, "version", f"{policy.platform} version {policy.version!r} exists twice"
                )
            versions.append(policy)
        # stable sort keeps the order of addition for equal dates: overrides win ties
        self._versions: dict[str, tuple[Policy, ...]] = {
            key: tuple(sorted(vs, key=lambda p: p.effective_from))
            for key, vs in sorted(by_platform.items())
        }
        self._names: dict[str, str] = {}
        for key, known in self._versions.items():
            for policy in known:
                for alias in (key, policy.name, *policy.aliases):
                    folded = fold(alias)
                    owner = self._names.setdefault(folded, key)
                    if owner != key:
                        raise PolicyError(
                            where,
                            "aliases",
                            f"{alias!r} names both {owner!r} and {key!r}",
                        )

    @property
    def platforms(self) -> tuple[str, ...]:
        """Canonical platform keys, sorted."""
        return tuple(self._versions)

    def resolve(self, platform_text: str | None) -> str | None:
        """The platform key a Platform cell means (key, name or alias; case/space-insensitive)."""
        if platform_text is None:
            return None
        return self._names.get(fold(platform_text))

    def versions(self, platform_key: str) -> tuple[Policy, ...]:
        """All versions of one platform, oldest first."""
        return self._versions.get(platform_key, ())

    def in_force(self, platform_key: str, on: date) -> Policy | None:
        """The version of a platform in force on a date, or None before its first version."""
        current: Policy | None = None
        for policy in self._versions.get(platform_key, ()):
            if policy.effective_from <= on:
                current = policy
        return current

    def latest(self, platform_key: str) -> Policy | None:
        versions = self._versions.get(platform_key, ())
        return versions[-1] if versions else None

    def all_versions(self) -> tuple[Policy, ...]:
        """Every version of every platform, by platform then effective date."""
        return tuple(p for versions in self._versions.values() for p in versions)

    def display_name(self, platform_key: str) -> str:
        latest = self.latest(platform_key)
        return latest.name if latest is not None else platform_key

    def __len__(self) -> int:
        return len(self.all_versions())

    def __repr__(self) -> str:
        return f"PolicySet({', '.join(p.ref for p in self.all_versions())})"


def _documents(path: Path) -> list[Any]:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(name, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        raise PolicyError(name, "(yaml)", f"is not valid YAML: {exc}") from None


def load_policy_file(path: Path) -> tuple[Policy, ...]:
    """Every version in one policy file. The file name (without .yaml) is the platform key."""
    name = display_path(path)
    docs = _documents(path)
    if not docs:
        raise PolicyError(name, "(document)", "the file holds no policy")
    out: list[Policy] = []
    for index, doc in enumerate(docs, start=1):
        where = name if len(docs) == 1 else f"{name} (document {index})"
        if not isinstance(doc, Mapping):
            raise PolicyError(where, "(document)", "expected a mapping of policy fields")
        try:
            policy = Policy.model_validate(dict(doc))
        except ValidationError as exc:
            raise from_validation_error(where, exc) from None
        if policy.platform != path.stem:
            raise PolicyError(
                where,
                "platform",
                f"is {policy.platform!r} but the file is named {path.name!r}; they must match",
            )
        out.append(policy)
    return tuple(out)


def load_policies(directory: Path | None = None) -> PolicySet:
    """Load every `<platform>.yaml` in a directory (default: the shipped `policies/data`).

    `team.yaml` in the same directory is not a policy file and is skipped. Any broken file raises
    one PolicyError naming the file, the field and the problem.
    """
    folder = directory if directory is not None else DATA_DIR
    files = sorted(
        p for p in folder.glob("*.yaml") if p.is_file() and p.name not in NOT_POLICY_FILES
    )
    if not files:
        raise PolicyError(display_path(folder), "(directory)", "contains no policy files")
    policies: list[Policy] = []
    for path in files:
        policies.extend(load_policy_file(path))
        where = display_path(path)
        PolicySet(policies, where=where)  # report duplicates against the file that made them
    return PolicySet(policies, where=display_path(folder))


def _override_window(window: Window, override: PolicyOverride) -> Window:
    rules = list(window.rules)
    default_days, default_hours = window.default_days, window.default_hours
    if override.window_days is not None or override.window_hours is not None:
        # every issue type that has a window gets the new length; "no window" rules stay
        rules = [r for r in rules if r.length is None]
        default_days, default_hours = override.window_days, override.window_hours
    groups = (
        (override.buyer_reason_days, BUYER_REASON_ISSUES),
        (override.seller_fault_days, SELLER_FAULT_ISSUES),
    )
    for days, issues in groups:
        if days is not None:
            rules.insert(
                0, WindowRule.model_validate({"when": {"issue_types": issues}, "days": days})
            )
    holiday_rule = override.holiday_rule or window.holiday_rule
    return Window.model_validate(
        {
            **window.model_dump(),
            "rules": [r.model_dump(exclude_unset=False) for r in rules],
            "default_days": default_days,
            "default_hours": default_hours,
            "holiday_rule": holiday_rule,
            "starts_at": override.window_starts or window.starts_at,
        }
    )


def apply_override(policies: PolicySet, override: PolicyOverride) -> PolicySet:
    """A new PolicySet in which the override is a version of its platform.

    The new version starts from the version in force on the override's effective date (or the
    platform's first version if the override is older than all of them) with the override's
    fields replaced. A bad override raises PolicyError naming the Policies-tab row.
    """
    where = f"Policies tab ({override.platform} {override.version})"
    key = policies.resolve(override.platform)
    if key is None:
        known = ", ".join(policies.platforms)
        raise PolicyError(
            where, "platform", f"unknown platform {override.platform!r}; known: {known}"
        )
    try:
        return _apply_override(policies, override, key, where)
    except ValidationError as exc:  # e.g. hours with a holiday rule that counts days
        raise from_validation_error(where, exc, prefix="window.") from None


def _apply_override(
    policies: PolicySet, override: PolicyOverride, key: str, where: str
) -> PolicySet:
    versions = policies.versions(key)
    if any(p.version == override.version for p in versions):
        raise PolicyError(where, "version", f"{key} version {override.version!r} already exists")
    base = policies.in_force(key, override.effective_from) or versions[0]
    data: dict[str, Any] = base.model_dump()
    data.update(
        version=override.version,
        effective_from=override.effective_from,
        source=override.source,
        window=_override_window(base.window, override).model_dump(),
        overridden_from=base.ref,
    )
    if override.refund_kinds is not None:
        data["refunds"] = {"kinds": list(override.refund_kinds), "rules": []}
    if override.requires is not None:
        data["evidence"] = [{"kind": kind} for kind in override.requires]
    if override.notes:
        data["notes"] = [override.notes]
    if override.excluded_categories is not None:
        data["excluded_categories"] = list(override.excluded_categories)
    if override.aliases is not None:
        data["aliases"] = [*base.aliases, *override.aliases]
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(where, exc) from None
    return PolicySet((*policies.all_versions(), policy), where=where)
