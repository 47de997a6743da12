"""What the production image does, done without a container engine: the Dockerfile's final
stage read (ENV, USER, CMD), the wheel built from the same files it COPYs, and a fresh
virtual environment with that wheel and its runtime dependencies installed from wheels only
(`pip install --no-index`, as the image's runtime stage does)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
# Where the image keeps its state (the aftersales user's home and WORKDIR).
IMAGE_STATE_DIR = "/var/lib/aftersales"
# What the build stage COPYs; nothing else of the repository reaches the wheel.
BUILD_CONTEXT = ("pyproject.toml", "README.md", "app", "policies", "sheet_schema")
BUILD_TIMEOUT = 900


@dataclass(frozen=True)
class FinalStage:
    """The runtime stage of the Dockerfile: its environment, user and command."""

    env: dict[str, str]
    user: str
    cmd: list[str]


def logical_lines(text: str) -> list[str]:
    """Dockerfile instructions with `\\` continuations joined and comments dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    return lines


def final_stage(dockerfile: Path = DOCKERFILE) -> FinalStage:
    """ENV, USER and CMD of the Dockerfile's last stage, read the way docker reads them."""
    lines = logical_lines(dockerfile.read_text(encoding="utf-8"))
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    env: dict[str, str] = {}
    user = "root"
    cmd: list[str] = []
    for line in lines[last_from + 1 :]:
        instruction, _, rest = line.partition(" ")
        match instruction.upper():
            case "ENV":
                for pair in shlex.split(rest):
                    key, _, value = pair.partition("=")
                    env[key] = value
            case "USER":
                user = rest.strip()
            case "CMD":
                cmd = json.loads(rest)
    return FinalStage(env=env, user=user, cmd=cmd)


def build_wheels(work: Path) -> Path:
    """The build stage: the project's wheel and its runtime dependencies' wheels (no extras),
    built from a copy of exactly the files the Dockerfile COPYs. Returns the wheel folder."""
    source = work / "src"
    source.mkdir()
    for name in BUILD_CONTEXT:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(origin, source / name)
    wheels = work / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheels), str(source)])
    shutil.rmtree(source)
    return wheels


def interpreters() -> list[str]:
    """Pythons of the running version to build the venv on, this one first. The image has its
    Python in /usr/local; here the running one may live under a home folder the unprivileged
    user cannot enter (pyenv in /root), so the system's own Python of the same minor version
    is the fallback (wheels are built for the minor version, cp311)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = getattr(sys, "_base_executable", sys.executable)
    candidates = [base, f"/usr/local/bin/{version}", f"/usr/bin/{version}"]
    return [path for path in dict.fromkeys(candidates) if Path(path).exists()]


def install_venv(work: Path, wheels: Path, python: str) -> Path:
    """The runtime stage: a fresh virtual environment on `python` with every wheel installed,
    nothing from an index. Returns its bin folder."""
    venv = work / "venv"
    run([python, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index"]
    run([*pip, *sorted(str(path) for path in wheels.glob("*.whl"))])
    return venv / "bin"


def run(command: list[str]) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def head_revision(versions: Path = ROOT / "app/store/migrations/versions") -> str:
    """The newest Alembic revision, read from the migration files themselves: the one no
    other migration names as its down_revision."""
    revisions: dict[str, str | None] = {}
    for path in versions.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = re.search(r'^revision\s*=\s*"([^"]+)"', text, re.M)
        down = re.search(r'^down_revision[^=]*=\s*(?:"([^"]+)"|None)', text, re.M)
        if revision and down:
            revisions[revision.group(1)] = down.group(1)
    [head] = set(revisions) - {down for down in revisions.values() if down}
    return head
