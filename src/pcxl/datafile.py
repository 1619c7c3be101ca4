"""Load YAML/TOML data files into pydantic models with errors that name file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from pcxl.errors import DataFileError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for data-file models: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def read_mapping(path: Path) -> dict[str, Any]:
    """Parse a ``.yaml``/``.yml`` or ``.toml`` file into a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot be read ({exc})") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {exc}") from None
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping of keys at the top level")
    return data


def location(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as ``components[0].foundations[2].ref``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate(model: type[M], data: dict[str, Any], path: Path) -> M:
    """Validate ``data`` against ``model``, raising one error that lists every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [f"  - {location(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise DataFileError(f"{path}: invalid {model.__name__}:\n" + "\n".join(problems)) from None


def load(model: type[M], path: Path) -> M:
    """Read and validate a data file."""
    return validate(model, read_mapping(path), path)
