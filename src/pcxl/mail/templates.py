"""Message templates as data: ``templates/messages/<name>/`` rendered with jinja2.

A template is a folder holding ``subject.txt``, ``body.txt`` and optionally ``body.html``.
Rendering is strict: a field the template names but pcxl does not provide is an error that
names the template file, the line and the field, never a blank in a sent e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from pcxl.branding import Branding
from pcxl.errors import DataFileError
from pcxl.register import Service
from pcxl.resources import templates_dir
from pcxl.text import squash

SUBJECT = "subject.txt"
TEXT = "body.txt"
HTML = "body.html"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Rendered:
    """One message's subject (a single line), plain-text body and HTML body (or None)."""

    subject: str
    text: str
    html: str | None


def format_date(day: date | None) -> str:
    """``31 March 2025`` (English month names whatever the locale); empty for no date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def template_fields(
    service: Service,
    *,
    round_name: str,
    deadline: date | None,
    return_id: str,
    workbook: str,
    branding: Branding,
) -> dict[str, str]:
    """Every field a message template can use for one service (see the messages README)."""
    return {
        **service.as_dict(),
        "round": round_name,
        "deadline": format_date(deadline),
        "return_id": return_id,
        "workbook": workbook,
        "system_name": branding.system_name,
        "system_short_name": branding.system_short_name,
        "programme_name": branding.programme_name,
        "contact_name": branding.contact_name,
        "contact_email": branding.contact_email,
        "returns_email": branding.returns_email,
        "brand_colour": branding.colours.primary,
    }


def _line_in(tb: TracebackType | None, filename: str) -> int | None:
    """The template line an error was raised at (jinja2 maps frames to template lines)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class MessageTemplate:
    """A loaded message template; :meth:`render` fills it for one service."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder
        for part in (SUBJECT, TEXT):
            if not (folder / part).is_file():
                raise DataFileError(
                    f"message template {folder}: {part} not found; a template folder holds "
                    f"{SUBJECT}, {TEXT} and optionally {HTML}"
                )
        self._env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(folder)),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html",), default_for_string=False
            ),
            keep_trailing_newline=True,
        )
        self.has_html = (folder / HTML).is_file()

    def _render(self, part: str, fields: Mapping[str, object]) -> str:
        path = self.folder / part
        try:
            return self._env.get_template(part).render(fields)
        except jinja2.TemplateSyntaxError as exc:
            raise DataFileError(
                f"message template {path}, line {exc.lineno}: {exc.message}"
            ) from None
        except jinja2.UndefinedError as exc:
            line = _line_in(exc.__traceback__, str(path))
            where = f"{path}, line {line}" if line else str(path)
            raise DataFileError(
                f"message template {where}: unknown field ({exc.message}). Fields templates "
                f"can use: {', '.join(sorted(fields))}"
            ) from None
        except jinja2.TemplateError as exc:
            raise DataFileError(f"message template {path}: {exc}") from None

    def render(self, fields: Mapping[str, object]) -> Rendered:
        """Render subject and bodies; raises :class:`DataFileError` naming file and field."""
        return Rendered(
            subject=squash(self._render(SUBJECT, fields)),
            text=self._render(TEXT, fields),
            html=self._render(HTML, fields) if self.has_html else None,
        )


def load_template(spec: str) -> MessageTemplate:
    """A template by name (``templates/messages/<name>/``) or a folder path (with a slash)."""
    is_path = "/" in spec or "\\" in spec
    folder = Path(spec) if is_path else templates_dir() / "messages" / spec
    if not folder.is_dir():
        known = sorted(p.name for p in (templates_dir() / "messages").iterdir() if p.is_dir())
        raise DataFileError(
            f"message template {spec!r} not found: give a folder or one of "
            f"{', '.join(known)} (in templates/messages)"
        )
    return MessageTemplate(folder.name, folder.resolve())
