"""E-mail the workbooks to service leads, collect the returns, and chase who is outstanding.

Library functions return result objects; only the CLI prints.
"""

from pcxl.mail.chase import read_tracker, write_reminders
from pcxl.mail.collect import CollectResult, Entry, collect_returns, safe_filename
from pcxl.mail.dispatch import DispatchResult, Outcome, mail_workbooks
from pcxl.mail.smtp import SmtpConfig, SmtpError, load_smtp_config
from pcxl.mail.templates import MessageTemplate, load_template, template_fields

__all__ = [
    "CollectResult",
    "DispatchResult",
    "Entry",
    "MessageTemplate",
    "Outcome",
    "SmtpConfig",
    "SmtpError",
    "collect_returns",
    "load_smtp_config",
    "load_template",
    "mail_workbooks",
    "read_tracker",
    "safe_filename",
    "template_fields",
    "write_reminders",
]
