"""The comparison report: one self-contained HTML file (plots embedded as base64 PNG) and the same tables as CSV.

Dutch by default, English with ``lang="en"``; the words are in analysis/texts.py, the indicators' names and
units in sim/indicator_table.py.
The CSV files carry the full-precision numbers with English column names, so
scripts do not depend on the report's language.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from samenkracht.analysis import cost_benefit
from samenkracht.analysis.compare import Comparison
from samenkracht.analysis.formatting import number
from samenkracht.analysis.texts import TEXT, interval, value
from samenkracht.sim.config import describe
from samenkracht.sim.indicator_table import FAMILIES, MEMBER_WORDS, is_percent, label
from samenkracht.tools.outputs import write_atomic

REPORT = "report.html"

CSS = """
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.45;
       color: #111; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.8em; margin-bottom: 0.1em; } h2 { border-bottom: 2px solid #333; margin-top: 2em; }
h3 { margin-top: 1.4em; } .subtitle { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #999; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #eee; text-align: left; } td.num { text-align: right; white-space: nowrap; }
td small { color: #444; } .sig { font-weight: bold; } .ref { background: #f6f6f6; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; height: auto; }
figcaption { font-style: italic; color: #333; }
.note { color: #333; font-size: 0.95em; }
@media print { body { max-width: none; margin: 0; font-size: 11pt; }
  h2 { page-break-after: avoid; } table, figure { page-break-inside: avoid; }
  figure { page-break-before: auto; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{_e(alt)}">'


def _seeds_text(seeds: Sequence[int]) -> str:
    seeds = sorted(seeds)
    if seeds and seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2:
        return f"{len(seeds)} ({seeds[0]}–{seeds[-1]})"
    return f"{len(seeds)} ({', '.join(map(str, seeds))})"


def _sig(r: pd.Series) -> bool:
    """Whether a difference's 95% interval excludes zero."""
    return r["ci_low"] > 0 or r["ci_high"] < 0


def _cell(r: pd.Series, indicator: str, lang: str, diff: bool = False, cls: str = "num") -> str:
    """A table cell: the mean and, below it, its 95% interval; a difference whose interval excludes zero in bold."""
    if diff and _sig(r):
        cls += " sig"
    return (
        f'<td class="{cls}">{_e(value(r["mean"], indicator, lang, diff=diff))}<br>'
        f'<small>{_e(interval(r["ci_low"], r["ci_high"], indicator, lang, diff=diff))}</small></td>'
    )


def _setup(cmp: Comparison, lang: str) -> str:
    t, s = TEXT[lang], cmp.setup
    rows = []
    arms = []
    for arm in cmp.arms:
        desc = describe(s.get("descriptions", {}).get(arm, ""), lang)
        arms.append(f"<b>{_e(arm)}</b>" + (f" — {_e(desc)}" if desc else ""))
    rows.append((t["scenarios"], "<br>".join(arms)))
    rows.append((t["reference"], _e(cmp.reference)))
    rows.append((t["seeds"], _e(_seeds_text(s.get("seeds", [])))))
    rows.append((t["population"], _e(", ".join(number(p, 0, lang) for p in s.get("population", [])))))
    rows.append((t["years"], _e(", ".join(map(str, s.get("years", []))))))
    rows.append((t["at_years"], _e(", ".join(map(str, cmp.at_years)))))
    if s.get("runs_from"):
        rows.append((t["runs_from"], "<br>".join(f"<code>{_e(p)}</code>" for p in s["runs_from"])))
    else:
        over = s.get("overrides") or []
        rows.append((t["overrides"], " ".join(f"<code>{_e(o)}</code>" for o in over) or t["none"]))
    rows.append((t["git"], "<br>".join(f"<code>{_e(g)}</code>" for g in s.get("git", []))))
    if s.get("command"):
        rows.append((t["command"], f"<code>{_e(s['command'])}</code>"))
    rows.append((t["created"], _e(s.get("created", ""))))
    body = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _headline(cmp: Comparison, lang: str) -> str:
    t = TEXT[lang]
    table = cmp.at(cmp.levels)
    n = int(table["n"].min()) if len(table) else 0
    parts = [f"<p>{_e(t['headline_intro'].format(n=n))}</p>"]
    for year in cmp.at_years:
        rows = table[table["year"] == year].set_index(["indicator", "arm"])
        head = "".join(f"<th>{_e(a)}</th>" for a in cmp.arms)
        body = []
        for indicator in pd.unique(table["indicator"]):
            words = label(indicator, lang)
            cells = []
            for arm in cmp.arms:
                if (indicator, arm) not in rows.index:
                    cells.append("<td>—</td>")
                    continue
                cells.append(
                    _cell(rows.loc[(indicator, arm)], indicator, lang, cls="num ref" if arm == cmp.reference else "num")
                )
            body.append(f"<tr><th>{_e(words.name)}<br><small>{_e(words.yearly_unit)}</small></th>{''.join(cells)}</tr>")
        parts.append(
            f"<h3>{_e(t['h_year'].format(year=year))}</h3>"
            f"<table><tr><th>{_e(t['indicator'])}</th>{head}</tr>{''.join(body)}</table>"
        )
    return "".join(parts)


def _narrowing(x: float, lang: str) -> str:
    if math.isnan(x):
        return "—"
    return "∞" if math.isinf(x) else f"×{number(x, 1, lang)}"


def _diff_unit(indicator: str, lang: str) -> str:
    return TEXT[lang]["unit_pp"] if is_percent(indicator) else label(indicator, lang).yearly_unit


def _differences(cmp: Comparison, lang: str) -> str:
    t = TEXT[lang]
    table = cmp.at(cmp.differences)
    year = cmp.at_years[-1]
    factor = cmp.narrowing_median(year)
    intro = t["diff_intro"]
    if not math.isnan(factor):
        intro += " " + t["narrowing_text"].format(year=year, factor=number(factor, 1, lang))
    parts = [f"<p>{_e(intro)}</p>"]
    for year in cmp.at_years:
        rows = table[table["year"] == year]
        head = (
            f"<tr><th>{_e(t['scenario'])}</th><th>{_e(t['indicator'])}</th><th>{_e(t['difference'])}</th>"
            f"<th>{_e(t['interval'])}</th><th>{_e(t['unpaired'])}</th><th>{_e(t['narrowing'])}</th></tr>"
        )
        body = []
        for _, r in rows.iterrows():
            ind = r["indicator"]
            cls = ' class="num sig"' if _sig(r) else ' class="num"'
            body.append(
                f"<tr><td>{_e(r['arm'])}</td><td>{_e(label(ind, lang).name)}<br>"
                f"<small>{_e(_diff_unit(ind, lang))}</small></td>"
                f"<td{cls}>{_e(value(r['mean'], ind, lang, diff=True))}</td>"
                f"<td{cls}>{_e(interval(r['ci_low'], r['ci_high'], ind, lang, diff=True))}</td>"
                f'<td class="num">'
                f'{_e(interval(r["unpaired_ci_low"], r["unpaired_ci_high"], ind, lang, diff=True))}</td>'
                f'<td class="num">{_e(_narrowing(r["narrowing"], lang))}</td></tr>'
            )
        parts.append(f"<h3>{_e(t['h_year'].format(year=year))}</h3><table>{head}{''.join(body)}</table>")
    return "".join(parts)


def _cost(cmp: Comparison, lang: str) -> str:
    t = TEXT[lang]
    parts = [f"<p>{_e(t['cost_intro'])}</p>"]
    for year in cmp.at_years:
        rows = cmp.cost[cmp.cost["year"] == year]
        head = (
            f"<tr><th>{_e(t['scenario'])}</th><th>{_e(t['effect'])}</th><th>{_e(t['improvement'])}</th>"
            f"<th>{_e(t['extra_cost'])}</th><th>{_e(t['cost_per_unit'])}</th></tr>"
        )
        body = []
        for _, r in rows.iterrows():
            unit = t[f"unit_{r['unit']}"]
            imp = (
                f"{number(r['improvement'], 2, lang, sign=True)} {unit}<br><small>"
                f"{number(r['improvement_ci_low'], 2, lang)} – {number(r['improvement_ci_high'], 2, lang)}</small>"
            )
            cost = (
                f"€ {number(r['extra_cost_eur_per_year'], 0, lang, sign=True)}<br><small>"
                f"€ {number(r['extra_cost_ci_low'], 0, lang)} – € {number(r['extra_cost_ci_high'], 0, lang)}"
                f"</small>"
            )
            per, cls = cost_verdict(r, lang), "num"
            if r["verdict"] in ("cheaper_and_better", "cost_per_effect"):
                cls = "num sig"
            body.append(
                f"<tr><td>{_e(r['arm'])}</td><td>{_e(label(r['effect'], lang).name)}</td>"
                f'<td class="num">{imp}</td><td class="num">{cost}</td><td class="{cls}">{_e(per)}</td></tr>'
            )
        parts.append(f"<h3>{_e(t['h_year'].format(year=year))}</h3><table>{head}{''.join(body)}</table>")
    return "".join(parts)


def cost_verdict(r: pd.Series, lang: str) -> str:
    """What a row of the cost table says to a council member: a cost (or saving) per unit where cost and effect
    move the usual way, otherwise the verdict in words ("cheaper and better", "more expensive and worse")."""
    t = TEXT[lang]
    said = r["verdict"]
    if said == "cost_per_effect":
        return f"€ {number(r['cost_per_unit_eur'], 0, lang)} {t['per_unit_' + r['unit']]}"
    if said == "saving_per_effect":
        return t["saving_per_effect"].format(
            amount=f"€ {number(r['cost_per_unit_eur'], 0, lang)}", unit=t["per_unit_" + r["unit"]]
        )
    return t[said]


def _layers(cmp: Comparison, lang: str) -> str:
    """Where the hours of each arm's effect come from: the paired difference per layer of care and in unmet need."""
    if cmp.layers is None or cmp.layers.empty:
        return ""
    t = TEXT[lang]
    year = cmp.at_years[-1]
    rows = cmp.layers[cmp.layers["year"] == year]
    indicators = list(pd.unique(rows["indicator"]))
    head = "".join(f"<th>{_e(_layer_name(i, lang))}</th>" for i in indicators)
    body = []
    for arm in [a for a in cmp.arms if a != cmp.reference]:
        r_arm = rows[rows["arm"] == arm].set_index("indicator")
        cells = [_cell(r_arm.loc[i], i, lang, diff=True) if i in r_arm.index else "<td>—</td>" for i in indicators]
        body.append(f"<tr><th>{_e(arm)}</th>{''.join(cells)}</tr>")
    return (
        f"<h3>{_e(t['h_layers'].format(year=year))}</h3><p>{_e(t['layers_intro'])}</p>"
        f"<table><tr><th>{_e(t['scenario'])}</th>{head}</tr>{''.join(body)}</table>"
    )


def _layer_name(indicator: str, lang: str) -> str:
    """A layer's short name in the table's head (the unmet hours keep their own name)."""
    member = FAMILIES["layer"].member(indicator)
    return MEMBER_WORDS["layer"][lang][member] if member else label(indicator, lang).name


def _wijk_table(cmp: Comparison, lang: str) -> str:
    t = TEXT[lang]
    table = cmp.wijk_differences
    year = cmp.at_years[-1]
    rows = table[table["year"] == year]
    indicators = list(pd.unique(rows["indicator"]))
    parts = [f"<p>{_e(t['wijk_intro'].format(year=year))}</p>"]
    for arm in [a for a in cmp.arms if a != cmp.reference]:
        r_arm = rows[rows["arm"] == arm].set_index(["wijk_name", "indicator"])
        head = "".join(f"<th>{_e(label(i, lang).name)}</th>" for i in indicators)
        body = []
        for wijk in pd.unique(rows["wijk_name"]):
            cells = [_cell(r_arm.loc[(wijk, ind)], ind, lang, diff=True) for ind in indicators]
            body.append(f"<tr><th>{_e(wijk)}</th>{''.join(cells)}</tr>")
        parts.append(
            f"<h3>{_e(arm)} − {_e(cmp.reference)}</h3>"
            f"<table><tr><th>{_e(t['wijk'])}</th>{head}</tr>{''.join(body)}</table>"
        )
    return "".join(parts)


def _figure(png: bytes, caption: str) -> str:
    return f"<figure>{_img(png, caption)}<figcaption>{_e(caption)}</figcaption></figure>"


def figures(cmp: Comparison, lang: str, per_wijk: bool) -> dict[str, tuple[str, bytes]]:
    """Every plot of the report: file stem → (caption, PNG bytes)."""
    from samenkracht.analysis.compare_plots import plot_indicators, plot_wijk

    t = TEXT[lang]
    out = {
        "indicators": (t["fig_levels"], plot_indicators(cmp, lang)),
        "differences": (t["fig_diffs"], plot_indicators(cmp, lang, diff=True)),
    }
    if per_wijk and cmp.wijk_levels is not None:
        for indicator in pd.unique(cmp.wijk_levels["indicator"]):
            caption = t["fig_wijk"].format(indicator=label(indicator, lang).name)
            out[f"wijk_{indicator}"] = (caption, plot_wijk(cmp, indicator, lang))
    return out


def render_html(cmp: Comparison, lang: str, figs: dict[str, tuple[str, bytes]], csv_files: Sequence[str]) -> str:
    """The report as one HTML document."""
    t = TEXT[lang]
    plots = "".join(_figure(png, caption) for stem, (caption, png) in figs.items() if not stem.startswith("wijk_"))
    sections = [
        ("setup", t["h_setup"], _setup(cmp, lang)),
        ("headline", t["h_headline"], _headline(cmp, lang)),
        ("differences", t["h_differences"], _differences(cmp, lang) + _layers(cmp, lang)),
        ("cost", t["h_cost"], _cost(cmp, lang)),
        *cost_benefit.report_sections(cmp, lang),
        ("plots", t["h_plots"], plots),
    ]
    if cmp.wijk_differences is not None:
        wijk_figs = "".join(_figure(png, caption) for stem, (caption, png) in figs.items() if stem.startswith("wijk_"))
        sections.append(("wijken", t["h_wijken"], _wijk_table(cmp, lang) + wijk_figs))
    note = f'<p class="note">{_e(t["csv_note"].format(files=", ".join(csv_files)))}</p>'
    sections.append(("method", t["h_method"], t["method"] + note))
    body = "".join(f'<section id="{sid}"><h2>{_e(title)}</h2>{content}</section>' for sid, title, content in sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(t['title'])}: {_e(', '.join(cmp.arms))}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(t['title'])}</h1><p class=\"subtitle\">{_e(t['subtitle'])}</p>{body}</body></html>\n"
    )


def tables(cmp: Comparison) -> dict[str, pd.DataFrame]:
    """The report's tables as CSV file name → frame (full precision, English column names)."""
    out = {
        "headline.csv": cmp.at(cmp.levels),
        "differences.csv": cmp.at(cmp.differences),
        "cost_per_effect.csv": cmp.cost,
        "yearly.csv": cmp.levels,
        "yearly_differences.csv": cmp.differences,
        **cost_benefit.report_tables(cmp),
    }
    if cmp.layers is not None:
        out["layer_differences.csv"] = cmp.at(cmp.layers)
    if cmp.wijk_levels is not None and cmp.wijk_differences is not None:
        out["wijk_headline.csv"] = cmp.at(cmp.wijk_levels)
        out["wijk_differences.csv"] = cmp.at(cmp.wijk_differences)
    return out


def write_report(cmp: Comparison, out_dir: Path, lang: str = "nl", per_wijk: bool = False) -> Path:
    """Write report.html, the CSV tables and the plots (figures/*.png) into ``out_dir``; return the report's path."""
    out_dir = Path(out_dir)
    csvs = tables(cmp)
    for name, frame in csvs.items():
        write_atomic(out_dir / name, lambda p, f=frame: f.to_csv(p, index=False))
    figs = figures(cmp, lang, per_wijk)
    for stem, (_, png) in figs.items():
        write_atomic(out_dir / "figures" / f"{stem}.png", lambda p, b=png: p.write_bytes(b))
    document = render_html(cmp, lang, figs, list(csvs))
    path = out_dir / REPORT
    write_atomic(path, lambda p: p.write_text(document, encoding="utf-8"))
    return path
