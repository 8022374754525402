#!/usr/bin/python3
"""report: turns one or more punchlab run folders into report.md with PNG
figures (success heat map, time-to-connect CDF, skew/RTT sweeps, failure
reasons) and a per-trial results.csv; a network run (nodes.json, no cells)
gets network.py's Network section instead. Reads result files only."""
import argparse
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import conds  # noqa: E402
import netinput  # noqa: E402
import network  # noqa: E402
import runs as runsmod  # noqa: E402
import alternatives  # noqa: E402
import security  # noqa: E402
import strategies  # noqa: E402
import stats  # noqa: E402
import trialcsv  # noqa: E402

SWEEPS = (("skew_ms", "start skew between the peers (ms)", "skew"),
          ("rtt_ms", "round-trip time between the peers (ms)", "RTT"))
MAX_HEATMAPS = 12


def md(s):
    """Text safe inside a markdown table cell."""
    return str(s).replace("|", "\\|").replace("\n", " ")


def pct(r):
    return "%.0f%%" % (100 * r) if r is not None else "-"


def interval(lo, hi):
    return "[%.3f, %.3f]" % (lo, hi)


def rate_text(c):
    if not c.n:
        return "0/0 (no trials)"
    lo, hi = c.wilson
    return "%d/%d = %.3f %s" % (c.k, c.n, c.rate, interval(lo, hi))


def pair_name(a, b):
    return "%s × %s" % (a, b)


def join_list(items, limit=8):
    items = list(items)
    if len(items) > limit:
        return ", ".join(items[:limit]) + " and %d more" % (len(items) - limit)
    return ", ".join(items)


def reasons_order(cells):
    seen = [r for r in runsmod.REASONS
            if any(r in c.failures for c in cells)]
    for c in cells:
        for r in c.failures:
            if r not in seen:
                seen.append(r)
    return seen


def params_key(p):
    return tuple((k, p[k]) for k in runsmod.order_params(list(p)))


def slug(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


# ---- heat map ------------------------------------------------------------

def profile_order(cells):
    order = []
    for c in cells:
        for p in (c.a, c.b):
            if p not in order:
                order.append(p)
    return order


def pool_pairs(cells):
    """{(a, b): (k, n, ncells, any failed verdict)} and the cells behind
    each pooled pair."""
    pairs, members = {}, {}
    for c in cells:
        k, n, m, bad = pairs.get((c.a, c.b), (0, 0, 0, False))
        pairs[(c.a, c.b)] = (k + c.k, n + c.n, m + 1,
                             bad or c.verdict == "fail")
        members.setdefault((c.a, c.b), []).append(c)
    return pairs, members


def heatmap_facts(pairs, members):
    rated = [(ab, k, n) for ab, (k, n, _, _) in pairs.items() if n]
    if not rated:
        return "No cell has any trial, so there is no rate to show."
    out = []
    rated.sort(key=lambda x: -x[1] / x[2])
    out.append("%d NAT pair%s." % (len(rated), "" if len(rated) == 1
                                   else "s"))
    full = [pair_name(*ab) for ab, k, n in rated if k == n]
    zero = [pair_name(*ab) for ab, k, n in rated if k == 0]
    if full:
        out.append("Every trial succeeded for %s." % join_list(full))
    if zero:
        out.append("No trial succeeded for %s." % join_list(zero))
    mid = [(ab, k, n) for ab, k, n in rated if 0 < k < n]
    if len(mid) > 6:
        mid = [mid[0], mid[-1]]
        lead = "Highest and lowest of the rest"
    else:
        lead = "The rest" if full or zero else "By rate"
    if mid:
        out.append("%s: %s." % (lead, "; ".join(
            "%s %d/%d = %s %s" % (pair_name(*ab), k, n, pct(k / n),
                                  interval(*stats.wilson(k, n)))
            for ab, k, n in mid)))
    pooled = [(ab, cs) for ab, cs in members.items() if len(cs) > 1]
    for ab, cs in pooled:
        out.append("%s pools %d cells (%s)." % (
            pair_name(*ab), len(cs), join_list(c.label for c in cs)))
    return " ".join(out)


def do_heatmaps(figures, cells, out, title_tail):
    """One figure, one panel per condition combination (pooled into one
    panel when there are too many to read); returns the note and the
    facts per panel."""
    order = profile_order(cells)
    combos = []
    for c in cells:
        key = params_key(c.params)
        if key not in combos:
            combos.append(key)
    if len(combos) <= 1 or len(combos) > MAX_HEATMAPS:
        groups = [("", cells)]
        note = ""
        if len(combos) > MAX_HEATMAPS:
            note = ("The run has %d distinct condition combinations, too "
                    "many for a panel each: the map pools all of them per "
                    "NAT pair (k and n summed); the sweep figures and the "
                    "table keep them apart. " % len(combos))
    else:
        groups = [(runsmod.params_text(dict(key)) or "no parameters", [
            c for c in cells if params_key(c.params) == key])
            for key in combos]
        note = ("Cells differ in their condition parameters, so the map "
                "has one panel per combination (%d), each with the same "
                "rows and columns. " % len(combos))
    rows = [p for p in order if any(c.a == p for c in cells)]
    cols = [p for p in order if any(c.b == p for c in cells)]
    panels, facts = [], []
    for ptext, group in groups:
        pairs, members = pool_pairs(group)
        panels.append((ptext, pairs))
        facts.append((ptext, heatmap_facts(pairs, members)))
    figures.heatmap(os.path.join(out, "heatmap.png"), rows, cols, panels,
                    "Success rate per NAT pair, %s" % title_tail)
    return note, facts


# ---- time to connect -----------------------------------------------------

def cdf_facts(cells, log):
    have = [c for c in cells if c.ttcs]
    none = [c.label for c in cells if not c.ttcs]
    if not have:
        return ("No trial succeeded, so there is no time to connect: the "
                "figure only says so.")
    all_t = sorted(t for c in have for t in c.ttcs)
    oks = [t for c in cells for t in c.trials if t.ok]
    first = sum(1 for t in oks if t.attempts == 1)
    out = ["%d successful trial%s with a time to connect in %d of %d "
           "cells; over all of them p50 %s ms, p90 %s ms, slowest %s ms." % (
               len(all_t), "" if len(all_t) == 1 else "s", len(have),
               len(cells), fmt_ms(stats.percentile(all_t, 50)),
               fmt_ms(stats.percentile(all_t, 90)),
               fmt_ms(all_t[-1]))]
    if len(have) > 1:
        by = sorted(have, key=lambda c: stats.percentile(c.ttcs, 50))
        f, s = by[0], by[-1]
        out.append("Median per cell ranges from %s ms (%s) to %s ms (%s)."
                   % (fmt_ms(stats.percentile(f.ttcs, 50)), f.label,
                      fmt_ms(stats.percentile(s.ttcs, 50)), s.label))
    if oks and any(t.attempts is not None for t in oks):
        out.append("%d of %d successes (%s) came on the first attempt."
                   % (first, len(oks), pct(first / len(oks))))
    if none:
        out.append("Not drawn, no success: %s." % join_list(none))
    if log:
        out.append("The x axis is logarithmic: times span %.1f decades."
                   % math.log10(all_t[-1] / all_t[0]))
    return " ".join(out)


def fmt_ms(v):
    if v is None:
        return "-"
    return "%.0f" % v if v >= 100 else "%.3g" % v


# ---- sweeps --------------------------------------------------------------

def sweep_lines(cells, param):
    """[(label, [(x, k, n)])] per NAT pair (and setting of the other
    params), only for groups that were tried at two values or more; and
    how many single-value groups were left out."""
    use = [c for c in cells if param in c.params and c.n
           and not isinstance(c.params[param], str)]
    groups = {}
    for c in use:
        other = tuple(kv for kv in params_key(c.params) if kv[0] != param)
        groups.setdefault((c.a, c.b, other), []).append(c)
    swept = {g: cs for g, cs in groups.items()
             if len({c.params[param] for c in cs}) > 1}
    show_other = len({g[2] for g in swept}) > 1
    lines = []
    for (a, b, other), cs in swept.items():
        pts = {}
        for c in cs:
            k, n = pts.get(c.params[param], (0, 0))
            pts[c.params[param]] = (k + c.k, n + c.n)
        label = pair_name(a, b)
        if show_other and other:
            label += " (%s)" % runsmod.params_text(dict(other))
        lines.append((label, sorted((x, k, n) for x, (k, n) in pts.items())))
    return lines, show_other, len(groups) - len(swept)


def sweep_facts(lines, param, unit_word):
    out = []
    for label, pts in lines:
        rates = [k / n for _, k, n in pts]
        xs = [x for x, _, _ in pts]
        below = None
        for i in range(len(pts)):
            if all(r < 0.5 for r in rates[i:]):
                below = i
                break
        lo_i = min(range(len(rates)), key=lambda i: (rates[i], i))
        fx = runsmod.fmt_num
        if below == 0:
            s = "%s: below 50%% at every %s tested (%s ms to %s ms)" % (
                label, unit_word, fx(xs[0]), fx(xs[-1]))
        elif below is not None:
            s = ("%s: success falls below 50%% at %s >= %s ms "
                 "(%s at %s ms, %s at %s ms)" % (
                     label, unit_word, fx(xs[below]),
                     pct(rates[below - 1]), fx(xs[below - 1]),
                     pct(rates[below]), fx(xs[below])))
        else:
            s = ("%s: at or above 50%% across the sweep (lowest %s at %s "
                 "ms)" % (label, pct(rates[lo_i]), fx(xs[lo_i])))
        k0, n0 = pts[0][1], pts[0][2]
        k1, n1 = pts[-1][1], pts[-1][2]
        s += "; %d/%d at %s ms, %d/%d at %s ms." % (
            k0, n0, fx(xs[0]), k1, n1, fx(xs[-1]))
        out.append("- " + s)
    return "\n".join(out)


def do_sweep(figures, cells, out, param, xlabel, word, title_tail):
    values = sorted({c.params[param] for c in cells
                     if param in c.params
                     and not isinstance(c.params[param], str)})
    lines, show_other, single = sweep_lines(cells, param)
    if not lines:
        if len(values) > 1:
            why = ("%s takes %s, but no NAT pair was tried at more than "
                   "one of them with everything else equal" % (
                       param, ", ".join(runsmod.fmt_num(v) for v in values)))
        elif values:
            why = "every cell has %s = %s" % (param,
                                             runsmod.fmt_num(values[0]))
        else:
            why = "no cell sets %s" % param
        return None, ("The run has no sweep over %s (%s), so there is no "
                      "%s figure." % (param, why, word))
    values = sorted({x for _, pts in lines for x, _, _ in pts})
    name = "sweep-%s.png" % slug(param)
    scale = figures.sweep(os.path.join(out, name), xlabel, lines,
                          "Success rate against %s, %s" % (word, title_tail))
    text = ("Success rate (points) with its Wilson 95%% interval (bars) "
            "at each %s value (%s), one line per NAT pair" % (
                param, ", ".join(runsmod.fmt_num(v) for v in values)))
    if show_other:
        text += " and setting of the other parameters"
    text += "; lines are shifted a few points sideways so bars stay apart"
    if single:
        text += (" (%d pair/condition group%s tried at a single %s value "
                 "not drawn)" % (single, "" if single == 1 else "s", param))
    if scale == "symlog":
        text += (", and the x axis is symmetric-log (linear up to the "
                 "smallest non-zero value) since the values span a decade "
                 "or more")
    text += ".\n\n" + sweep_facts(lines, param, word)
    return name, text


# ---- harness timing ------------------------------------------------------

def fmt_us(v):
    return "-" if v is None else "%.0f" % v


def timing_section(figures, runs, cells, out, title_tail):
    """The harness's own timing: a CDF of start errors and first-SYN gaps
    over all trials, the figures per run, and which cells are degraded."""
    trials = [t for c in cells for t in c.trials]
    se = [v for t in trials for v in t.start_errors]
    gap = [abs(t.first_syn_gap_us) for t in trials
           if t.first_syn_gap_us is not None]
    limits = sorted({c.timing_stats.get("timing_error_max_ms")
                     for c in cells
                     if c.timing_stats.get("timing_error_max_ms")})
    thr_ms = limits[0] if limits else 1.0
    doc = ["## Harness timing", ""]
    if not se and not any(c.timing for c in cells):
        return doc + ["The run's records carry no harness timing (written "
                      "before punchlab recorded it, or no SYN was sent).",
                      ""]
    name = "timing-cdf.png"
    figures.timing_cdf(os.path.join(out, name), [
        ("start error, each side", se),
        ("first-SYN gap |bob - alice|", gap)], thr_ms * 1000.0,
        "Harness timing, %s" % title_tail)
    doc += ["![Start error and first-SYN gap CDF](%s)" % name, ""]
    text = ("Start error: a side's first SYN (the agent's clock just "
            "before connect()) minus when it was due (the coordinator's "
            "start, plus a strategy's own lag). First-SYN gap: bob's "
            "first SYN minus alice's; it also holds the skew a cell sets "
            "on purpose and the coordinator's own scheduling. ")
    if se:
        text += ("Over %d sides: start error p50 %s us, p90 %s us, p99 %s "
                 "us, max %s us. " % (
                     len(se), fmt_us(stats.percentile(se, 50)),
                     fmt_us(stats.percentile(se, 90)),
                     fmt_us(stats.percentile(se, 99)), fmt_us(max(se))))
    if gap:
        text += ("Over %d trials: first-SYN gap p50 %s us, p90 %s us, max "
                 "%s us. " % (len(gap), fmt_us(stats.percentile(gap, 50)),
                              fmt_us(stats.percentile(gap, 90)),
                              fmt_us(max(gap))))
    late = [c for c in cells
            if c.timing_stats.get("shaper_late_us_mean") is not None]
    if late:
        worst = max(late, key=lambda c: c.timing_stats["shaper_late_us_mean"])
        text += ("The shaper released held packets %s us late on average "
                 "in the worst cell (%s; max %s us). " % (
                     fmt_us(worst.timing_stats["shaper_late_us_mean"]),
                     worst.label,
                     fmt_us(worst.timing_stats["shaper_late_us_max"])))
    doc += [text, ""]
    bad = [c for c in cells if c.degraded]
    rule = ("A cell is degraded when the p90 of its start errors, or the "
            "mean lateness of the shaper on its links, exceeds the "
            "scenario's `timing_error_max_ms` (%s ms here; default 1). "
            "Its verdict is still computed and still counts for the exit "
            "status and JUnit (a degraded cell that misses its "
            "expectation fails the gate: CI must not hide a drop behind a "
            "loaded machine), but its row carries ⚠ and its rate is the "
            "harness's, not the NAT's." % ", ".join(
                runsmod.fmt_num(x) for x in limits or [1.0]))
    if bad:
        doc += [rule + " Degraded here:", ""]
        doc += ["- **%s**: %s" % (c.label, c.timing_note or
                                  "start error p90 %s us" % fmt_us(
                                      c.timing_stats.get(
                                          "start_error_us_p90")))
                for c in bad] + [""]
    else:
        doc += [rule + " No cell of this report is degraded.", ""]
    return doc


def timing_line(cells):
    """One line for the terminal: the worst cell's start error p90 and
    first-SYN gap p90, and the degraded cells; None without timing."""
    timed = [c for c in cells
             if c.timing_stats.get("start_error_us_p90") is not None]
    if not timed:
        return None
    se = max(timed, key=lambda c: c.timing_stats["start_error_us_p90"])
    gaps = [c for c in timed
            if c.timing_stats.get("first_syn_gap_us_p90") is not None]
    out = "harness timing: start_error_us_p90 up to %s (%s)" % (
        fmt_us(se.timing_stats["start_error_us_p90"]), se.label)
    if gaps:
        g = max(gaps, key=lambda c: c.timing_stats["first_syn_gap_us_p90"])
        out += ", first_syn_gap_us_p90 up to %s (%s)" % (
            fmt_us(g.timing_stats["first_syn_gap_us_p90"]), g.label)
    bad = [c.label for c in cells if c.degraded]
    out += "; timing degraded: %s" % (join_list(bad) if bad else "none")
    return out


# ---- failures ------------------------------------------------------------

def failure_facts(cells):
    total = sum(c.n for c in cells)
    failed = sum(sum(c.failures.values()) for c in cells)
    if not total:
        return "No trials."
    if not failed:
        return "All %d trials succeeded; no failure to break down." % total
    out = ["%d of %d trials failed (%s)." % (failed, total,
                                             pct(failed / total))]
    parts = []
    for r in reasons_order(cells):
        cs = [c for c in cells if c.failures.get(r)]
        parts.append("%s %d in %s" % (r, sum(c.failures[r] for c in cs),
                                      join_list((c.label for c in cs), 5)))
    out.append("By reason: %s." % "; ".join(parts))
    clean = [c.label for c in cells if c.n and not c.failures]
    if clean:
        out.append("Without a failure: %s." % join_list(clean))
    rst = []
    for c in cells:
        if c.failures.get("refused") and c.nat_counters:
            sent = ["router %s sent %s RSTs" % (side, v.get("rst_sent"))
                    for side, v in sorted(c.nat_counters.items())
                    if isinstance(v, dict) and v.get("rst_sent")]
            if sent:
                rst.append("%s (%s)" % (c.label, ", ".join(sent)))
    if rst:
        out.append("Refused trials match routers answering SYNs with RST: "
                   "%s." % join_list(rst, 5))
    return " ".join(out)


# ---- report.md -----------------------------------------------------------

def counters_text(c):
    nc = c.nat_counters
    if not nc:
        return "-"
    parts = []
    for side in ("a", "b"):
        v = nc.get(side)
        if isinstance(v, dict):
            parts.append("%s/%s" % (v.get("syn_dropped", "-"),
                                    v.get("rst_sent", "-")))
        else:
            parts.append("-")
    return "; ".join(parts)


def expect_column(c):
    """`expect`, and an adversary cell's expect_effect beside it."""
    ee = (c.adversary or {}).get("expect_effect")
    parts = [x for x in (c.expect_text, ee and "effect %s" % ee) if x]
    return "; ".join(parts) or "-"


def cell_table(runs, cells):
    multi = len(runs) > 1
    head = (["scenario"] if multi else []) + [
        "cell", "a", "b", "params", "k/n", "rate", "Wilson 95%",
        "ttc p50 (ms)", "ttc p90 (ms)", "failures", "expect", "verdict",
        "start error p90 (us)", "timing", "NAT a; b drops/RSTs"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    for c in cells:
        lo, hi = c.wilson
        fails = ", ".join("%s %d" % (r, c.failures[r])
                          for r in reasons_order([c])) or "-"
        verdict = c.verdict or "-"
        if verdict == "fail":
            verdict = "**FAIL**"
        if c.degraded:
            verdict += " (harness timing)"
        se90 = c.timing_stats.get("start_error_us_p90")
        row = ([c.run.scenario] if multi else []) + [
            c.row_label, c.a, c.b, runsmod.params_text(c.params) or "-",
            "%d/%d" % (c.k, c.n),
            "%.3f" % c.rate if c.n else "-",
            interval(lo, hi) if c.n else "-",
            fmt_ms(c.p50), fmt_ms(c.p90), fails,
            expect_column(c), verdict,
            "%.0f" % se90 if se90 is not None else "-",
            "**degraded**" if c.degraded else (c.timing or "-"),
            counters_text(c)]
        lines.append("| " + " | ".join(md(x) for x in row) + " |")
    return "\n".join(lines)


def verdict_text(cells):
    judged = [c for c in cells if c.verdict in ("pass", "fail")]
    bad = [c for c in judged if c.verdict == "fail"]
    degraded = [c.label for c in cells if c.degraded]
    tail = ""
    if degraded:
        tail = (" %d cell%s ran with degraded harness timing (%s): %s "
                "rate%s the harness's, not the NAT's; see Harness timing."
                % (len(degraded), "" if len(degraded) == 1 else "s",
                   join_list(degraded), "its" if len(degraded) == 1
                   else "their", " is" if len(degraded) == 1 else "s are"))
    if not judged:
        return "No cell carries a verdict." + tail
    if not bad:
        return "All %d cells meet their expectation." % len(judged) + tail
    return "%d of %d cells fail their expectation: %s." % (
        len(bad), len(judged), "; ".join(miss_text(c) for c in bad)) + tail


def miss_text(c):
    """Why a failed cell failed: its rate, or its adversary effect."""
    adv = c.adversary
    if adv and adv.get("met") is False:
        return "%s measured %s against expect_effect %s" % (
            c.label, security.effect_text(adv), adv.get("expect_effect"))
    return "%s measured %s outside %s" % (c.label, rate_text(c),
                                         c.expect_text or "?")


def reruns(run):
    out = []
    seed = run.seed if run.seed is not None else "unknown"
    for c in run.cells:
        bad = c.failed_trials()
        if not bad:
            continue
        out.append("")
        out.append("**%s** (%s): %d of %d trials failed; scenario %s, "
                   "seed %s" % (c.label, pair_name(c.a, c.b), len(bad), c.n,
                                run.scenario, seed))
        out.append("")
        for t in bad:
            why = t.outcome
            if t.attempts is not None:
                why += ", %d attempt%s" % (t.attempts,
                                           "" if t.attempts == 1 else "s")
            if t.seed is not None and t.seed != run.seed:
                why += ", seed %s" % t.seed
            err = t.agent_error()
            if err:
                why += " (%s)" % err
            out.append("- `%s`: %s" % (run.rerun_command(c.name, t.trial),
                                       why))
    return out


def homes_text(cells):
    """Which topology each cell ran: every cell one host per router
    unless a scenario put bob behind alice's router or more hosts in a
    home (README "Homes with more than one host")."""
    odd = [c for c in cells if c.homes != ("separate", 1, 1)]
    if not odd:
        return ["Every cell: alice and bob each behind a router of their "
                "own, one host per home.", ""]
    rows = ["| cell | home | hosts behind router a | hosts behind router b |",
            "| --- | --- | --- | --- |"]
    for c in odd:
        home, na, nb = c.homes
        rows.append("| %s | %s | %s | %s |" % (
            md(c.label), "shared: bob behind router a (punching needs "
            "hairpinning)" if home == "shared" else "separate",
            na, nb if home != "shared" else "-"))
    others = ("" if len(odd) == len(cells) else
              " (the others: one host behind each of two routers)")
    return (["%d of %d cells ran another topology than one host behind "
             "each of two routers%s. Extra hosts run a background node "
             "from the trial's own local port." % (
                 len(odd), len(cells), others), ""] + rows + [""])


def network_lines(dirs, out):
    """The Network section of each network run folder (plots named after
    the run when there are several)."""
    import netfigures  # late: matplotlib is slow to import
    lines = []
    for d in dirs:
        prefix = "" if len(dirs) == 1 else slug(os.path.basename(
            os.path.normpath(d))) + "-"
        lines += network.section(d, out, netfigures, prefix)
    return lines


def write_doc(doc, out):
    path = os.path.join(out, "report.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(doc).rstrip("\n") + "\n")
    return path


def build_network(dirs, out):
    """report.md of network runs only: no cells, just their sections."""
    doc = ["# punchlab report: network", ""]
    doc += ["- run folder `%s`" % d for d in dirs]
    doc += ["", "Generated by `harness/py/report.py` (network.py) from "
            "nodes.json and the phase-*-part*.json files.", ""]
    return write_doc(doc + network_lines(dirs, out), out)


def build(runs, out, figures, network_dirs=()):
    cells = [c for r in runs for c in r.cells]
    scen = []
    for r in runs:
        if r.scenario not in scen:
            scen.append(r.scenario)
    if len(runs) == 1:
        title_tail = "%s run %s" % (runs[0].scenario, runs[0].run_id)
    elif len(scen) == 1:
        title_tail = "%s, %d runs" % (scen[0], len(runs))
    else:
        title_tail = ", ".join(scen)
    if len(title_tail) > 60:
        title_tail = "%d runs of %d scenarios" % (len(runs), len(scen))
    doc = ["# punchlab report: %s" % ", ".join(scen), ""]
    for r in runs:
        doc.append("- scenario **%s** (`%s`), run **%s**, seed %s%s, "
                   "folder `%s`" % (
                       r.scenario, r.scenario_path, r.run_id,
                       r.seed if r.seed is not None else "unknown",
                       ", kernel %s" % r.kernel if r.kernel else "",
                       r.path))
    doc += ["", "Generated by `harness/py/report.py` from summary.json and "
            "trials.jsonl. Wilson 95% intervals use z = 1.959964; a cell "
            "passes when its interval overlaps the expected range.", ""]
    notes = [n for r in runs for n in r.notes]
    if notes:
        doc += ["**Data checks:**", ""] + ["- %s" % n for n in notes] + [""]

    doc += ["## Cells", "", cell_table(runs, cells), "",
            verdict_text(cells), ""]
    doc += security.section(figures, runs, out, title_tail)
    doc += alternatives.section(runs)
    doc += ["## Homes", ""] + homes_text(cells)
    reasons = {}
    for c in cells:
        if isinstance(c.expect, dict) and c.expect.get("reason"):
            reasons.setdefault(str(c.expect["reason"]), []).append(c.label)
    if reasons:
        doc += ["Why each expectation:", ""]
        doc += ["- %s: %s" % (", ".join(labs), why)
                for why, labs in reasons.items()] + [""]

    note, maps = do_heatmaps(figures, cells, out, title_tail)
    doc += ["## Success rate per NAT pair", "",
            note + "Rows are alice's NAT profile (a), columns bob's (b), "
            "in the order they first appear; each square gives k/n and "
            "the Wilson 95% interval, coloured by the rate.", ""]
    doc += ["![Success rate per NAT pair](heatmap.png)", ""]
    if len(maps) == 1:
        doc += [maps[0][1], ""]
    else:
        doc += ["- **%s**: %s" % (ptext, facts) for ptext, facts in maps]
        doc += [""]

    cdf = "ttc-cdf.png"
    log = figures.ttc_cdf(os.path.join(out, cdf), [
        (c.label, c.ttcs) for c in cells],
        "Time to connect, successful trials, %s" % title_tail)
    doc += ["## Time to connect", "", "![Time-to-connect CDF](%s)" % cdf, "",
            "Cumulative distribution of time to connect (earliest punch "
            "start to the later side's TCP established) per cell, "
            "successful trials only; dotted lines mark p50 and p90. "
            + cdf_facts(cells, log), ""]

    doc += conds.section(cells)
    doc += timing_section(figures, runs, cells, out, title_tail)

    for param, xlabel, word in SWEEPS:
        name, text = do_sweep(figures, cells, out, param, xlabel, word,
                              title_tail)
        doc += ["## Success against %s" % word, ""]
        if name:
            doc += ["![Success rate against %s](%s)" % (word, name), ""]
        doc += [text, ""]

    doc += strategies.section(figures, cells, out, title_tail)

    fig = "failures.png"
    figures.failures(os.path.join(out, fig), [
        (c.label, c.n, c.failures) for c in cells], reasons_order(cells),
        "Failure reasons per cell, %s" % title_tail)
    doc += ["## Failure reasons", "", "![Failure reasons per cell](%s)" % fig,
            "", "Each bar is one cell's trials; coloured segments stack the "
            "failed trials by reason, the grey rest succeeded. "
            + failure_facts(cells), ""]

    doc += ["## Failed trials", ""]
    any_failed = False
    for r in runs:
        lines = reruns(r)
        if lines:
            any_failed = True
            doc += ["Rerun one trial with the command shown; the seed comes "
                    "from `%s` (seed %s), so the rerun replays the same "
                    "trial." % (r.scenario_path, r.seed)] + lines + [""]
    if not any_failed:
        doc += ["No trial failed.", ""]
    return write_doc(doc + network_lines(network_dirs, out), out)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="report.py",
        description="Write report.md, PNG figures and results.csv for "
        "punchlab run folders (results/<scenario>/<run-id>/). The report "
        "includes the harness's own timing (start_error_us, "
        "first_syn_gap_us, shaper_late_us per trial and cell; cells "
        "marked timing: degraded); on success the path is printed, then "
        "one line with the worst start_error_us_p90 and first_syn_gap_us_p90 "
        "and the degraded cells.",
        epilog="Exit status: 0 written, 2 usage or bad input (the message "
        "names the file and line), 4 matplotlib missing.")
    ap.add_argument("runs", metavar="RUN_DIR", nargs="+",
                    help="run folder holding summary.json and trials.jsonl "
                    "(or, for a network run, nodes.json and its "
                    "phase-*-part*.json files)")
    ap.add_argument("--out", metavar="DIR",
                    help="where report.md and the figures go (default: the "
                    "run folder; required with several runs)")
    ap.add_argument("--quiet", action="store_true",
                    help="print nothing on success")
    args = ap.parse_args(argv)
    if len(args.runs) > 1 and not args.out:
        ap.error("several run folders need --out DIR")
    return args


def main(argv=None):
    args = parse_args(argv)
    net_dirs = [p for p in args.runs if network.is_network_run(p)]
    cell_dirs = [p for p in args.runs if p not in net_dirs]
    try:
        runs = runsmod.load_runs(cell_dirs)
    except runsmod.InputError as e:
        print("report.py: %s" % e, file=sys.stderr)
        return 2
    out = args.out or args.runs[0]
    try:
        os.makedirs(out, exist_ok=True)
        for r in runs:
            csv_path = os.path.join(r.path, "results.csv")
            if not os.path.exists(csv_path):
                trialcsv.write(r, csv_path)
        try:
            import figures  # late: matplotlib is slow to import
        except ImportError as e:
            print("report.py: %s: install python3-matplotlib" % e,
                  file=sys.stderr)
            return 4
        if cell_dirs:
            path = build(runs, out, figures, [
                p for p in args.runs if network.has_network(p)])
        else:
            path = build_network(net_dirs, out)
    except netinput.InputError as e:
        print("report.py: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("report.py: %s: %s" % (e.filename or out, e.strerror),
              file=sys.stderr)
        return 2
    if not args.quiet:
        print(path)
        line = timing_line([c for r in runs for c in r.cells])
        if line:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
