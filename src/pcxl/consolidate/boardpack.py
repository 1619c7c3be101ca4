"""The board pack: a short PDF for the board papers, drafted from a round's figures.

Key messages in words, the headline charts (the share of answers at each level and the
share Established or better, by component), what needs attention, returns by
organisation and who is missing, and overdue actions, on the programme's branded,
``OFFICIAL``-marked and numbered pages (:mod:`pcxl.pdf`). Every figure is one of the
summary workbook's (the same :class:`~pcxl.consolidate.figures.Figures`), formatted the
same way. Lead names and e-mail addresses are never printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

import pandas as pd
from reportlab.platypus import Flowable, KeepTogether, Spacer

from pcxl.branding import DEFAULT_BRANDING, Branding, load_branding
from pcxl.consolidate.attention import ChangeLine
from pcxl.consolidate.figures import ALL_NAME, NO_PLACE, Figures, compute
from pcxl.consolidate.headline import Tile, good_name, tiles
from pcxl.consolidate.run import read_round
from pcxl.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from pcxl.pdf import (
    DocumentInfo,
    PdfStyles,
    Series,
    bar_chart,
    frame_width,
    percent,
    stacked_bar_chart,
    table,
    write_pdf,
)
from pcxl.register import Service, read_register
from pcxl.returns.record import ReturnRecord
from pcxl.rounds import check_round
from pcxl.scoring import ALL
from pcxl.text import slug
from pcxl.verdict import FEW_SERVICES

FEW = "few services"
"""Printed beside a figure over fewer than FEW_SERVICES services."""
UNKNOWN = "Not known: no earlier round is held in the history store."


def board_pack_filename(round_name: str) -> str:
    """``Board_pack_<round>.pdf``, safe for any round name."""
    return f"Board_pack_{slug(round_name)}.pdf"


def show(value: float | None, kind: str) -> str:
    """A figure as the pack and the summary's tiles print it."""
    if value is None or value != value:
        return "–"
    if kind == "share":
        return percent(value)
    if kind == "mean":
        return f"{value:.1f}"  # a level, as the summary shows it; changes have two decimals
    return f"{int(value)}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _services_text(n: int) -> str:
    return f"{n} ({FEW})" if n < FEW_SERVICES else str(n)


def key_messages(fig: Figures) -> list[str]:
    """The key messages, drafted from the figures (plain sentences, no lead details)."""
    c = fig.counts
    good = good_name(fig)
    out = [
        f"{c.returned} of {c.services} services returned a checklist that could be used "
        f"({show(c.returned / c.services if c.services else None, 'share')}); "
        f"{_count(c.outstanding, 'has', 'have')} not returned and {c.invalid} returned one "
        "that could not "
        "be used."
    ]
    overall = fig.overall.iloc[0] if len(fig.overall) else None
    if overall is not None and overall["scored"]:
        out.append(
            f"Across the system {show(overall['good_share'], 'share')} of scored answers are "
            f"{good} or better (all components, each component weighted equally); the "
            f"mean level is {show(overall['mean'], 'mean')} of {fig.framework.scale.max_score}."
        )
        comps = fig.components[fig.components["scored"] > 0].sort_values("good_share")
        if len(comps) > 1:
            low, high = comps.iloc[0], comps.iloc[-1]
            out.append(
                f"Strongest component: {high['component']} "
                f"({show(high['good_share'], 'share')} {good} or better); weakest: "
                f"{low['component']} ({show(low['good_share'], 'share')})."
            )
    mean_tile = next(t for t in tiles(fig) if t.kind == "mean")
    out.append(f"Change in the mean level since the previous round: {mean_tile.change}.")
    att = fig.attention
    if att.lowest_foundations:
        f = att.lowest_foundations[0]
        spread = (
            f"the one service scoring it is at {f.lowest:.1f}"
            if f.services == 1
            else f"the {f.services} services scoring it range from "
            f"{f.lowest:.1f} to {f.highest:.1f}"
        )
        out.append(
            f"Lowest foundation: {f.foundation} ({show(f.good_share, 'share')} {good} "
            f"or better; {spread})."
        )
    if att.not_returned_twice is not None:
        n = len(att.not_returned_twice)
        out.append(f"{_count(n, 'service has', 'services have')} not returned two rounds running.")
    if att.declined_services:
        n = len(att.declined_services)
        out.append(f"{_count(n, 'service', 'services')} declined like for like.")
    overdue = att.overdue
    text = (
        f"{c.actions} improvement actions are recorded; {c.overdue} are overdue at "
        f"{fig.as_of:%d/%m/%Y}"
    )
    if overdue:
        text += f", most in {overdue[0].organisation} ({overdue[0].overdue})"
    out.append(text + ".")
    return out


def _tile_table(styles: PdfStyles, items: Sequence[Tile], width: float) -> Flowable:
    return table(
        styles,
        ["Headline figure", "This round", "Since the previous round"],
        [[t.label, show(t.value, t.kind), t.change] for t in items],
        widths=[width * 0.36, width * 0.14, width * 0.50],
        align=["LEFT", "CENTER", "LEFT"],
    )


def _component_rows(fig: Figures) -> pd.DataFrame:
    """Components then All components, with the columns the charts and table need."""
    comps = fig.components.copy()
    overall = fig.overall.iloc[0].to_dict() if len(fig.overall) else {}
    total = {**overall, "component_id": ALL, "component": ALL_NAME}
    return pd.concat([comps, pd.DataFrame([total])], ignore_index=True)


def _charts(styles: PdfStyles, fig: Figures, width: float) -> list[Flowable]:
    rows = _component_rows(fig)
    scale = fig.framework.scale
    names = list(rows["component"])
    series = [
        Series(
            lv.name,
            [float(v) if v == v else 0.0 for v in rows[f"share_{lv.score}"]],
            lv.chart_colour,
        )
        for lv in scale.scored
    ]
    good = good_name(fig)
    described = "; ".join(
        f"{r['component']}: "
        + ", ".join(f"{show(r[f'share_{lv.score}'], 'share')} {lv.name}" for lv in scale.scored)
        for _, r in rows.iterrows()
    )
    shares = [None if v != v else float(v) for v in rows["good_share"]]
    return [
        KeepTogether(
            [
                styles.heading("Where the system stands", 2),
                stacked_bar_chart(
                    styles,
                    names,
                    series,
                    width=width,
                    alt_text="Share of scored answers at each level, by component. "
                    + described
                    + ".",
                ),
            ]
        ),
        Spacer(1, 8),
        bar_chart(
            styles,
            names,
            shares,
            width=width,
            maximum=1.0,
            ticks=(0, 0.25, 0.5, 0.75, 1.0),
            tick_format=percent,
            value_labels=[show(v, "share") for v in shares],
            alt_text=f"Share of scored answers {good} or better, by component: "
            + "; ".join(f"{n} {show(v, 'share')}" for n, v in zip(names, shares, strict=True))
            + ".",
        ),
    ]


def _component_table(styles: PdfStyles, fig: Figures, width: float) -> Flowable:
    rows = _component_rows(fig)
    good = good_name(fig)
    trend = fig.trend
    change: dict[str, pd.Series] = {}
    if trend is not None and len(trend.round_names) > 1:
        last = trend.components[trend.components["round"] == trend.round_names[-1]]
        change = {r["component_id"]: r for _, r in last.iterrows()}
    body = []
    for _, r in rows.iterrows():
        ch = change.get(r["component_id"])
        lfl = (
            "–"
            if ch is None or ch["services_compared"] == 0
            else f"{ch['like_for_like_previous']:.2f} → {ch['like_for_like_mean']:.2f} "
            f"({ch['change']:+.2f}, {ch['status']})"
        )
        body.append(
            [
                r["component"],
                _services_text(int(r["services"])),
                show(r["good_share"], "share"),
                show(r["mean"], "mean"),
                lfl,
                "–" if ch is None else _services_text(int(ch["services_compared"])),
            ]
        )
    return table(
        styles,
        [
            "Component",
            "Services answering",
            f"{good} or better",
            "Mean level",
            "Like for like since the previous round",
            "Services compared",
        ],
        body,
        widths=[width * w for w in (0.26, 0.12, 0.12, 0.09, 0.30, 0.11)],
        align=["LEFT", "CENTER", "CENTER", "CENTER", "LEFT", "CENTER"],
    )


def _attention(styles: PdfStyles, fig: Figures, width: float) -> list[Flowable]:
    att = fig.attention
    good = good_name(fig)
    out: list[Flowable] = [styles.heading("What needs attention", 1)]
    out.append(styles.heading("Services not returned two rounds running", 2))
    if att.not_returned_twice is None:
        out.append(styles.paragraph(UNKNOWN))
    elif not att.not_returned_twice:
        out.append(styles.paragraph("None."))
    else:
        out.append(
            table(
                styles,
                ["Organisation", "Service", "Place"],
                [[s.organisation, s.service, s.place or NO_PLACE] for s in att.not_returned_twice],
                widths=[width * 0.35, width * 0.45, width * 0.20],
            )
        )
    for title, lines, header in (
        ("Services that declined (like for like)", att.declined_services, "Organisation"),
        ("Foundations that declined (like for like)", att.declined_foundations, "Component"),
    ):
        out.append(styles.heading(title, 2))
        if lines is None:
            out.append(styles.paragraph(UNKNOWN))
        elif not lines:
            out.append(styles.paragraph("None."))
        else:
            out.append(_decline_table(styles, lines, header, width))
    out.append(styles.heading(f"Lowest foundations ({good} or better)", 2))
    out.append(
        table(
            styles,
            [
                "Foundation",
                "Component",
                f"{good} or better",
                "Mean",
                "Services",
                "Range of service means",
            ],
            [
                [
                    f.foundation,
                    f.component,
                    show(f.good_share, "share"),
                    show(f.mean, "mean"),
                    _services_text(f.services),
                    f"{f.lowest:.1f} to {f.highest:.1f}",
                ]
                for f in att.lowest_foundations
            ],
            widths=[width * w for w in (0.36, 0.18, 0.12, 0.08, 0.12, 0.14)],
            align=["LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER"],
        )
    )
    return out


def _decline_table(
    styles: PdfStyles, lines: Sequence[ChangeLine], context: str, width: float
) -> Flowable:
    services = context == "Component"  # a foundation is compared over several services
    header = [context, "Service" if not services else "Foundation", "Before", "After", "Change"]
    widths = [0.26, 0.38, 0.12, 0.12, 0.12] if not services else [0.2, 0.36, 0.1, 0.1, 0.1, 0.14]
    body = [
        [x.context, x.name, f"{x.before:.2f}", f"{x.after:.2f}", f"{x.change:+.2f}"]
        + ([_services_text(x.services)] if services else [])
        for x in lines
    ]
    return table(
        styles,
        header + (["Services compared"] if services else []),
        body,
        widths=[width * w for w in widths],
        align=["LEFT", "LEFT", *["CENTER"] * (len(widths) - 2)],
    )


def _returns(styles: PdfStyles, fig: Figures, width: float) -> list[Flowable]:
    orgs = fig.organisations
    out: list[Flowable] = [
        styles.heading("Returns", 1),
        table(
            styles,
            ["Organisation", "Services", "Returned", "Outstanding", "Invalid", "Returned share"],
            [
                [
                    r["organisation"],
                    int(r["services"]),
                    int(r["returned"]),
                    int(r["outstanding"]),
                    int(r["invalid"]),
                    show(r["completion"], "share"),
                ]
                for _, r in orgs.iterrows()
            ],
            widths=[width * w for w in (0.36, 0.11, 0.11, 0.14, 0.12, 0.16)],
            align=["LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "CENTER"],
        ),
        styles.heading("Who is missing", 2),
    ]
    missing = [line for line in fig.tracker_lines if line.status != "returned"]
    if missing:
        out.append(
            table(
                styles,
                ["Organisation", "Service", "Status"],
                [[m.organisation, m.service, m.status] for m in missing],
                widths=[width * 0.35, width * 0.45, width * 0.20],
            )
        )
    else:
        out.append(styles.paragraph("Every service in the register returned a usable checklist."))
    return out


def _actions(styles: PdfStyles, fig: Figures, width: float) -> list[Flowable]:
    overdue = fig.attention.overdue
    out: list[Flowable] = [styles.heading(f"Actions overdue at {fig.as_of:%d/%m/%Y}", 1)]
    if not overdue:
        out.append(styles.paragraph(f"No action is overdue ({fig.counts.actions} recorded)."))
        return out
    out.append(
        table(
            styles,
            ["Organisation", "Overdue", "Actions recorded", "Longest overdue (days)"],
            [[o.organisation, o.overdue, o.actions, o.oldest_days] for o in overdue],
            widths=[width * w for w in (0.46, 0.14, 0.2, 0.2)],
            align=["LEFT", "CENTER", "CENTER", "CENTER"],
        )
    )
    return out


def _method(styles: PdfStyles, fig: Figures) -> list[Flowable]:
    good = good_name(fig)
    return [
        styles.heading("How the figures are worked out", 2),
        styles.paragraph(
            "Every figure comes from the levels services chose in their checklists, never "
            "from spreadsheet formulas. Within a component each scored answer counts once; "
            f"'All components' gives each of the {len(fig.framework.components)} components "
            "the same weight, whatever its number of statements. Not applicable and blank "
            f"answers are left out. '{good} or better' is the share of scored answers at "
            f"level {fig.framework.scale.good_from} or above.",
            small=True,
        ),
        styles.paragraph(
            "A change since the previous round is like for like: only answers scored in "
            "both rounds by the same service count. It is printed with the before and after "
            "it comes from, both to two decimals; the verdict (improved, same, declined) is "
            "decided on the change as printed. Figures over fewer than "
            f"{FEW_SERVICES} services are marked '{FEW}'. The ICS summary workbook's About "
            "sheet defines every figure.",
            small=True,
        ),
    ]


def write_board_pack(
    fig: Figures,
    target: str | Path | IO[bytes],
    *,
    branding: Branding,
    generated_at: datetime,
) -> None:
    """Write the board pack for ``fig`` as a PDF to a path or binary file object."""
    styles = PdfStyles(branding)
    info = DocumentInfo(
        title=f"Personalised Care maturity: board pack, {fig.round}",
        subject=f"{fig.framework.title}, {fig.round}, {branding.system_name}",
        keywords=("personalised care", "maturity checklist", "board pack", fig.round),
    )
    width = frame_width(info)
    story: list[Flowable] = [
        styles.title_text(info.title),
        styles.paragraph(
            f"{branding.system_name} · {branding.programme_name}. Returns as received by "
            f"{generated_at:%d/%m/%Y}; actions overdue as at {fig.as_of:%d/%m/%Y}."
        ),
        styles.heading("Key messages", 1),
        styles.bullets(key_messages(fig)),
        styles.heading("Headline figures", 2),
        _tile_table(styles, tiles(fig), width),
        *_charts(styles, fig, width),
        _component_table(styles, fig, width),
        *_attention(styles, fig, width),
        *_returns(styles, fig, width),
        *_actions(styles, fig, width),
        *_method(styles, fig),
    ]
    write_pdf(target, story, branding=branding, info=info, styles=styles)


@dataclass(frozen=True)
class PackResult:
    """The board pack written and the figures it shows."""

    path: Path
    figures: Figures


def board_pack(
    returns: Iterable[str | Path] | Sequence[ReturnRecord],
    services: str | Path | Sequence[Service],
    round_name: str,
    out_dir: str | Path,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    as_of: date | None = None,
    branding: str | Branding = DEFAULT_BRANDING,
    db: str | Path | None = None,
    generated_at: datetime | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> PackResult:
    """Read a round's returns (files or folders, or records already read) and write its
    board pack into ``out_dir``.

    ``db`` (a SQLite path or database URL) is read, never written: when it holds earlier
    rounds the pack shows the change since the previous one. A SQLite file that does not
    exist is treated as an empty history.
    """
    round_name = check_round(round_name)
    roster = read_register(services) if isinstance(services, str | Path) else list(services)
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    brand = branding if isinstance(branding, Branding) else load_branding(branding)
    as_of = as_of or date.today()
    records, _ = read_round(
        returns, services, roster, round_name, workers=workers, progress=progress
    )
    fig = compute(records, roster, fw, round_name, as_of)
    if db is not None and (not _is_file_path(db) or Path(db).is_file()):
        from pcxl.store import open_store
        from pcxl.trend import trend_sheet_data

        with open_store(db) as history:
            fig.trend = trend_sheet_data(history, round_name, roster, current=fig.responses)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / board_pack_filename(round_name)
    write_board_pack(
        fig,
        path,
        branding=brand,
        generated_at=generated_at or datetime.now().replace(microsecond=0),
    )
    return PackResult(path, fig)


def _is_file_path(db: str | Path) -> bool:
    return isinstance(db, Path) or "://" not in db
