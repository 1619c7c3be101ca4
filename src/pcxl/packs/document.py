"""Lay a service's results pack out as a short branded PDF (two A4 pages) with the PDF kit.

Page one says where the service stands: its overall level and change, how it sits against
the ICS, and the range chart of every foundation. Page two holds the figures as a table,
what to do next and the service's actions. Long lists are cut to what fits, and the page
says how many more there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak

from pcxl.branding import Branding
from pcxl.framework import Scale
from pcxl.packs.figures import ICS, MIN_GROUP, ORGANISATION, PLACE, ServicePack, Spread
from pcxl.pdf import DocumentInfo, PdfStyles, frame_width, table, write_pdf
from pcxl.pdf.ranges import Band, RangeRow, one_line, range_chart
from pcxl.tables import CLOSED_STATUSES
from pcxl.trend.figures import DECLINED, DEFAULT_THRESHOLD, IMPROVED, classify

MAX_NEXT_STEPS = 3
MAX_ACTIONS = 4
"""At most this many next steps and actions are listed (lowest and overdue first); the page
says how many more the workbook holds, so two pages are enough."""
BAND_COLOURS = ("#41B6E6", "#768692", "#AEB7BD")
"""Organisation, place and ICS bands: NHS Light Blue, Mid Grey and Pale Grey."""
SUPPRESSED = f"not shown: fewer than {MIN_GROUP} services"


def level_text(value: float | None, scale: Scale) -> str:
    """``2.3 (Developing)``: the mean and the level it has reached; ``not scored``."""
    if value is None:
        return "not scored"
    value = round(value, 1)  # the level named is the one the printed figure has reached
    reached = next(
        (lv.name for lv in reversed(scale.scored) if lv.score is not None and value >= lv.score),
        scale.scored[0].name,
    )
    return f"{value:.1f} ({reached})"


def change_word(change: float) -> str:
    """``improved``, ``declined`` or ``about the same`` (see the trend's threshold)."""
    return {IMPROVED: "improved", DECLINED: "declined"}.get(
        classify(0.0, change, DEFAULT_THRESHOLD), "about the same"
    )


def change_text(change: float | None, *, word: bool = True) -> str:
    """``+0.4 (improved)``, ``0.0 (about the same)``; blank when not comparable."""
    if change is None:
        return ""
    number = "0.0" if abs(change) < 0.05 else f"{change:+.1f}"
    return f"{number} ({change_word(change)})" if word else number


def spread_text(spread: Spread) -> str:
    """``2.0 (1.5–2.5)``: the median and the middle half; ``*`` when not shown."""
    if spread.suppressed or spread.median is None:
        return "*"
    return f"{spread.median:.1f} ({spread.q1:.1f}–{spread.q3:.1f})"


def position(value: float | None, spread: Spread) -> str:
    """``above``, ``within`` or ``below`` the middle half of a spread; ``""`` if not comparable."""
    if value is None or spread.suppressed or spread.q1 is None or spread.q3 is None:
        return ""
    if value > spread.q3:
        return "above"
    return "below" if value < spread.q1 else "within"


def _band(spread: Spread, name: str) -> Band:
    """A chart band; a suppressed one says so when ``name`` is given (else stays empty)."""
    if spread.suppressed:
        return Band(note=f"{name}: {SUPPRESSED}" if name else "")
    return Band(spread.low, spread.q1, spread.median, spread.q3, spread.high)


def _refs(refs: Sequence[str]) -> str:
    return ", ".join(refs) if refs else "none"


def against_median(pack: ServicePack) -> dict[str, list[str]]:
    """Foundation refs where the service is ``higher``, ``same`` (within 0.05) or ``lower``
    than the ICS median (foundations it did not score, or with no ICS figure, left out)."""
    out: dict[str, list[str]] = {"higher": [], "same": [], "lower": []}
    for line in pack.foundations:
        ics = line.spreads[ICS]
        if line.level is None or ics.suppressed or ics.median is None:
            continue
        gap = line.level - ics.median
        out["same" if abs(gap) < 0.05 else "higher" if gap > 0 else "lower"].append(line.ref)
    return out


def glance(pack: ServicePack, scale: Scale, ics_name: str) -> list[str]:
    """The at-a-glance lines of page one."""
    since = (
        f"{change_text(pack.change)} since {pack.previous_round}, over the statements you "
        "answered in both rounds"
        if pack.previous_round and pack.change is not None
        else "no earlier return of yours to compare with"
    )
    vs = against_median(pack)
    lower = f" ({', '.join(vs['lower'])})" if vs["lower"] else ""
    return [
        f"Overall level {level_text(pack.level, scale)}, on the scale 0 to 4; {since}.",
        f"Against the {ics_name} median: higher in {len(vs['higher'])} foundation(s), the same "
        f"in {len(vs['same'])}, lower in {len(vs['lower'])}{lower}.",
        f"Actions: {len(pack.actions)} in your plan, {pack.open_actions} open, "
        f"{pack.overdue_actions} overdue. Next steps: {len(pack.next_steps)} statement(s) "
        "below Established with no action yet (page 2).",
    ]


def _suppression_note(pack: ServicePack, names: dict[str, str]) -> str:
    hidden = {
        kind: sum(line.spreads[kind].suppressed for line in pack.foundations)
        for kind in (ORGANISATION, PLACE, ICS)
    }
    parts = [f"{names[k]} in {n} foundation(s)" for k, n in hidden.items() if n]
    rule = (
        f"Comparisons over fewer than {MIN_GROUP} services are not shown, so that no "
        "small group can be picked out"
    )
    told = f"; here: {', '.join(parts)}." if parts else "; none is hidden on this page."
    return rule + told + " No service is ranked or named: this is not a league table."


def story(pack: ServicePack, styles: PdfStyles, branding: Branding, scale: Scale) -> list[Flowable]:
    """The pack's flowables, page one then page two."""
    s = pack.service
    width = frame_width(DocumentInfo(title=""))
    names = {
        ORGANISATION: "Organisation",
        PLACE: "Place",
        ICS: branding.system_short_name or "ICS",
    }
    kinds = (ORGANISATION, PLACE, ICS)
    where = " · ".join(x for x in (s.organisation, s.place, branding.system_name) if x)
    # A group hidden in every foundation is said once, in the caption, not on every row.
    partly = {k for k in kinds if not all(ln.spreads[k].suppressed for ln in pack.foundations)}
    title = f"{s.service}: results, {pack.round}"
    fits = stringWidth(title, styles.title.fontName, styles.title.fontSize) <= width
    rows = [
        RangeRow(
            line.label,
            line.level,
            f"{line.level:.1f}" if line.level is not None else "n/a",
            [_band(line.spreads[k], names[k] if k in partly else "") for k in kinds],
        )
        for line in pack.foundations
    ]
    above = [ln.ref for ln in pack.foundations if position(ln.level, ln.spreads[ICS]) == "above"]
    below = [ln.ref for ln in pack.foundations if position(ln.level, ln.spreads[ICS]) == "below"]
    unscored = [ln.ref for ln in pack.foundations if ln.level is None]
    alt = (
        f"Your level in each of {len(rows)} foundations (dot) beside the spread of the levels "
        f"of services in your organisation, your place and the {names[ICS]}. Above the "
        f"{names[ICS]} middle half: {_refs(above)}. Below it: {_refs(below)}. "
        f"Not scored by you: {_refs(unscored)}. {_suppression_note(pack, names)}"
    )
    page_one: list[Flowable] = [
        styles.title_text(title) if fits else styles.heading(title),
        styles.paragraph(
            f"{where}. Your return answered {pack.answered} of {pack.statements} statements."
        ),
        styles.bullets(glance(pack, scale, names[ICS])),
        styles.heading("Where you stand, foundation by foundation"),
        range_chart(
            styles,
            rows,
            [names[k] for k in kinds],
            BAND_COLOURS,
            width=width,
            maximum=4,
            ticks=range(5),
            alt_text=alt,
        ),
    ]
    return [*page_one, PageBreak(), *_page_two(pack, styles, names, width, scale)]


def _page_two(
    pack: ServicePack, styles: PdfStyles, names: dict[str, str], width: float, scale: Scale
) -> list[Flowable]:
    cell, bold = styles.cell, styles.font
    fit = [width * w - 8 for w in (0.4, 0.08, 0.1, 0.14, 0.14, 0.14)]

    def line_of(text: str, col: float) -> str:
        return one_line(text, bold, cell.fontSize, col)

    figures = table(
        styles,
        ["Foundation", "You", "Change", *(names[k] for k in (ORGANISATION, PLACE, ICS))],
        [
            [
                line_of(line.label, fit[0]),
                f"{line.level:.1f}" if line.level is not None else "n/a",
                change_text(line.change, word=False) or "–",
                *(spread_text(line.spreads[k]) for k in (ORGANISATION, PLACE, ICS)),
            ]
            for line in pack.foundations
        ],
        widths=[w + 8 for w in fit],
        align=["LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"],
    )
    steps = sorted(pack.next_steps, key=lambda n: n.score)
    shown = steps[:MAX_NEXT_STEPS]
    next_items = [
        one_line(f"{n.ref} ({n.level}): {n.statement}", bold, styles.body.fontSize, width - 30)
        for n in shown
    ]
    order = sorted(
        pack.actions,
        key=lambda a: (not a.overdue, a.status in CLOSED_STATUSES, a.ref),
    )
    acts = order[:MAX_ACTIONS]
    act_fit = [width * w - 8 for w in (0.09, 0.44, 0.15, 0.12, 0.20)]
    out: list[Flowable] = [
        styles.heading("Your figures"),
        figures,
        styles.caption_text(
            "Your level (the mean of your scored answers, Not applicable and blanks left out), "
            "its change over the statements answered in both rounds "
            f"({DEFAULT_THRESHOLD} or more counts as a real change), and for each group the "
            "median and (in brackets) the middle half, lower to upper quartile, of its "
            f"services' levels. * not shown: fewer than {MIN_GROUP} services scored it."
        ),
        styles.heading("What to do next"),
    ]
    if next_items:
        out.append(
            styles.caption_text(
                f"{len(shown)} of the {len(steps)} statements you placed below Established "
                "(0–2) with no action in your plan, lowest first"
                + (" (the rest are in your workbook):" if len(steps) > len(shown) else ":")
            )
        )
        out.append(styles.bullets(next_items))
    else:
        out.append(styles.paragraph("Every statement below Established has an action."))
    more = f" ({len(acts)} of {len(order)}, overdue first)" if len(order) > len(acts) else ""
    out.append(styles.heading(f"Your actions{more}"))
    if acts:
        out.append(
            table(
                styles,
                ["Ref", "Action", "Lead", "Deadline", "Status"],
                [
                    [
                        a.ref,
                        line_of(a.action or "(no action written)", act_fit[1]),
                        line_of(a.lead, act_fit[2]),
                        f"{a.deadline:%d/%m/%Y}" if a.deadline else "",
                        line_of(f"{a.status} (overdue)" if a.overdue else a.status, act_fit[4]),
                    ]
                    for a in acts
                ],
                widths=[w + 8 for w in act_fit],
            )
        )
    else:
        out.append(styles.paragraph("Your return has no actions in its plan."))
    return out


def write_pack(
    pack: ServicePack,
    target: str | Path | IO[bytes],
    *,
    branding: Branding,
    scale: Scale,
    styles: PdfStyles | None = None,
) -> None:
    """Write one service's pack as a PDF."""
    s = pack.service
    info = DocumentInfo(
        title=f"{s.service} ({s.organisation}): results, round {pack.round}",
        subject=f"Personalised Care maturity checklist results for {s.label}",
        keywords=("personalised care", "results pack", pack.round),
    )
    styles = styles or PdfStyles(branding)
    write_pdf(
        target, story(pack, styles, branding, scale), branding=branding, info=info, styles=styles
    )
