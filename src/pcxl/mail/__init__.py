"""E-mail the workbooks to service leads, collect the returns, send receipts, and chase
who has no usable return.

Library functions return result objects; only the CLI prints.
"""

from pcxl.mail.advice import Advice, load_advice
from pcxl.mail.chase import ChaseResult, chase, read_tracker, write_reminders
from pcxl.mail.collect import CollectResult, Entry, collect_returns, safe_filename
from pcxl.mail.dispatch import DispatchResult, Outcome, mail_workbooks
from pcxl.mail.receipts import ReceiptsResult, write_receipts
from pcxl.mail.smtp import SmtpConfig, SmtpError, load_smtp_config
from pcxl.mail.templates import MessageTemplate, load_template, template_fields

__all__ = [
    "Advice",
    "ChaseResult",
    "CollectResult",
    "DispatchResult",
    "Entry",
    "MessageTemplate",
    "Outcome",
    "ReceiptsResult",
    "SmtpConfig",
    "SmtpError",
    "chase",
    "collect_returns",
    "load_advice",
    "load_smtp_config",
    "load_template",
    "mail_workbooks",
    "read_tracker",
    "safe_filename",
    "template_fields",
    "write_receipts",
    "write_reminders",
]
