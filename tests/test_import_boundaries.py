"""The import boundaries in pyproject.toml, run by `lint-imports` as `make lint` runs them.

The repository keeps them; a copy of its packages with one deliberate violation added breaks
exactly the contract that names it, and the output says which import did it. The copies carry
the real pyproject.toml, so a contract loosened there makes these tests fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("app", "policies", "sheet_schema")


@dataclass(frozen=True)
class Lint:
    returncode: int
    stdout: str  # on one line: lint-imports wraps long contract names at 80 columns


def lint_imports(cwd: Path) -> Lint:
    # lint-imports puts its working directory first on sys.path, so a copy's packages are the
    # ones it reads (not the editable install's); --no-cache keeps no state between runs.
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Lint(result.returncode, " ".join((result.stdout + result.stderr).split()))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The repository's packages and pyproject.toml, as they are now, in a scratch folder."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def write(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(f'"""A deliberate violation."""\n\n{source}\n', encoding="utf-8")


def test_the_repository_keeps_every_import_boundary() -> None:
    """lint-imports on the repository itself: every contract kept, exit 0."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_the_unmodified_copy_keeps_every_boundary(copy: Path) -> None:
    """The scratch copy, before anything is added, is read as the repository is (exit 0): the
    violations below are what break it."""
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "source", "reported"),
    [
        (
            "app.sync.night_report",
            "import app.service",
            "app.sync.night_report -> app.service",
        ),
        (
            "app.sheets.retry_budget",
            "import app.api",
            "app.sheets.retry_budget -> app.api",
        ),
        (
            "policies.refund_hint",
            "import app.cli.common",
            "policies.refund_hint -> app.cli.common",
        ),
        (
            "sheet_schema.column_help",
            "from app.service.locks import PostgresLocks",
            "sheet_schema.column_help -> app.service.locks",
        ),
    ],
)
def test_the_core_importing_a_layer_above_it_breaks_the_check(
    copy: Path, module: str, source: str, reported: str
) -> None:
    """A core module (sync, sheets, policies, sheet_schema) that imports the API, the CLI, the
    coordinator layer or the composition root makes lint-imports exit 1 and name the import."""
    write(copy, module, source)
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout
    assert "never imports the layers that build or drive it BROKEN" in result.stdout
    assert reported in result.stdout


def test_the_core_importing_the_composition_root_breaks_the_check(copy: Path) -> None:
    """Once app/composition.py exists, a sheet backend importing it breaks the contract (the
    contract names it before it exists and holds either way)."""
    write(copy, "app.composition", "COMPOSED = True")
    write(copy, "app.sheets.wired", "from app.composition import COMPOSED")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout
    assert "app.sheets.wired -> app.composition" in result.stdout


def test_the_core_reaching_the_api_through_another_module_breaks_the_check(copy: Path) -> None:
    """An indirect path counts too: sync -> a helper outside the core -> the API is reported
    as the chain it is."""
    write(copy, "app.go_between", "import app.api")
    write(copy, "app.sync.detour", "import app.go_between")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout
    assert "app.sync.detour -> app.go_between" in result.stdout
    assert "app.go_between -> app.api" in result.stdout


def test_analytics_importing_the_store_breaks_the_check(copy: Path) -> None:
    """A new analytics module importing the store is reported even while the known imports of
    today are ignored: the ignores name their importer, they are not a blanket."""
    write(copy, "app.analytics.backlog", "from app.store.records import TimelineEvent")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout
    assert "Automation and analytics are pure: they never import the store BROKEN" in result.stdout
    assert "app.analytics.backlog -> app.store.records" in result.stdout


def test_a_private_module_imported_from_outside_its_package_breaks_the_check(
    copy: Path,
) -> None:
    """app/store/_pool.py may be imported inside app.store; the API importing it is reported."""
    write(copy, "app.store._pool", "SIZE = 5")
    write(copy, "app.store.pooled", "from app.store._pool import SIZE")
    write(copy, "app.api.pool_size", "from app.store._pool import SIZE")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout
    assert "imported only from inside its own package BROKEN" in result.stdout
    assert "app.api.pool_size -> app.store._pool" in result.stdout
    assert "app.store.pooled" not in result.stdout
