"""figures: the report's PNGs (success heat map, time-to-connect CDF,
success against a swept parameter, failure reasons), drawn with matplotlib's
Agg backend from plain numbers so they need no display and no run objects."""
import math
import os
import tempfile

# Matplotlib wants a writable config dir; a CI user may have no home.
if not os.access(os.path.expanduser("~"), os.W_OK):
    os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mpl-"))

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.patches  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib import transforms  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

import stats  # noqa: E402

DPI = 110
REASON_COLOURS = {
    "timeout": "#d62728", "refused": "#ff7f0e", "unreachable": "#9467bd",
    "wrong-peer": "#8c564b", "bind": "#e377c2", "coordinator": "#1f77b4",
    "setup": "#7f7f7f",
}
OTHER_COLOURS = ("#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")

plt.rcParams.update({
    "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10,
    "legend.fontsize": 8.5, "figure.dpi": DPI, "savefig.dpi": DPI,
})


def _save(fig, path):
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    plt.close(fig)


def _empty(fig, ax, text):
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12,
            color="#555555", wrap=True, transform=ax.transAxes)


def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 100:
        return "%.0f" % v
    return "%.3g" % v


def _heat_panel(ax, cmap, rows, cols, pairs, xlabels, ylabels):
    import numpy as np  # matplotlib depends on it, so it is there
    data = [[math.nan] * len(cols) for _ in rows]
    for (a, b), (k, n, _, _) in pairs.items():
        if n:
            data[rows.index(a)][cols.index(b)] = k / n
    im = ax.imshow(np.ma.masked_invalid(np.array(data, dtype=float)),
                   cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            k, n, ncells, failed = pairs.get((a, b), (0, 0, 0, False))
            if failed:
                ax.add_patch(matplotlib.patches.Rectangle(
                    (j - 0.47, i - 0.47), 0.94, 0.94, fill=False,
                    edgecolor="black", linewidth=2.5, zorder=3))
            if not n:
                ax.text(j, i, "0 trials" if ncells else "no cell",
                        ha="center", va="center", fontsize=8.5,
                        color="#777777")
                continue
            lo, hi = stats.wilson(k, n)
            text = "%d/%d\n[%.2f, %.2f]" % (k, n, lo, hi)
            if ncells > 1:
                text += "\n(%d cells pooled)" % ncells
            r, g, bl, _ = cmap(k / n)
            dark = 0.299 * r + 0.587 * g + 0.114 * bl < 0.5
            ax.text(j, i, text, ha="center", va="center", fontsize=9.5,
                    color="white" if dark else "black")
    tilt = len(cols) > 3 or max(len(c) for c in cols) > 14
    ax.set_xticks(range(len(cols)), cols if xlabels else [""] * len(cols),
                  rotation=25 if tilt else 0, ha="right" if tilt else "center")
    ax.set_yticks(range(len(rows)), rows if ylabels else [""] * len(rows))
    ax.set_xticks([x - 0.5 for x in range(1, len(cols))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    if xlabels:
        ax.set_xlabel("b: bob's NAT profile")
    if ylabels:
        ax.set_ylabel("a: alice's NAT profile")
    return im


def heatmap(path, rows, cols, panels, title):
    """One panel per condition combination. When every panel holds the
    same pairs they share rows (a) and columns (b), labelled once, so a pair
    sits at the same place everywhere; otherwise each panel keeps only its
    own profiles. panels: [(subtitle, {(a, b): (k, n, ncells, failed)})]."""
    cmap = matplotlib.colormaps["RdYlGn"].copy()
    cmap.set_bad("#e8e8e8")
    shapes = [([r for r in rows if any(a == r for a, _ in p)],
               [c for c in cols if any(b == c for _, b in p)])
              for _, p in panels]
    shared = all(s == shapes[0] for s in shapes)
    nr = max([len(r) for r, _ in shapes] or [1]) or 1
    nc = max([len(c) for _, c in shapes] or [1]) or 1
    pw = (1.0 if shared else 2.4) + 1.5 * nc
    ph = 0.9 + 0.95 * nr
    most = max(1, min(len(panels), int(14 // pw) or 1))
    nrow = math.ceil(len(panels) / most) if panels else 1
    ncol = math.ceil(len(panels) / nrow) if panels else 1   # balance rows
    fig, axes = plt.subplots(
        nrow, ncol, squeeze=False, layout="constrained",
        figsize=(max(5.5, 1.6 + pw * ncol + 1.2), max(3.4, 0.9 + ph * nrow)))
    if not panels or not rows:
        _empty(fig, axes[0][0], "no cells in this run")
        axes[0][0].set_title(title)
        _save(fig, path)
        return
    im = None
    for i, (sub, pairs) in enumerate(panels):
        r, c = divmod(i, ncol)
        below = shared and i + ncol < len(panels)
        ax = axes[r][c]
        prow, pcol = shapes[i]
        im = _heat_panel(ax, cmap, prow, pcol, pairs, not below,
                         c == 0 or not shared)
        if sub:
            ax.set_title(sub, fontsize=10)
    for j in range(len(panels), nrow * ncol):
        axes[j // ncol][j % ncol].set_axis_off()
    fig.suptitle(title, fontsize=11.5)
    cb = fig.colorbar(im, ax=axes, fraction=0.05 if ncol == 1 else 0.025,
                      pad=0.02, shrink=1.0 if nrow == 1 else 0.6)
    cb.set_label("success rate (black frame: fails its expectation)"
                 if any(v[3] for _, p in panels for v in p.values())
                 else "success rate")
    cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _save(fig, path)


def ttc_cdf(path, series, title):
    """series: [(label, sorted ttc_ms list)]; empty lists are noted."""
    have = [(lab, v) for lab, v in series if v]
    none = [lab for lab, v in series if not v]
    wide = len(have) > 6
    fig, ax = plt.subplots(figsize=(9.5 if wide else 7.5, 4.6))
    if not have:
        _empty(fig, ax, "no successful trials: no time to connect to plot"
               + ("\n(%d cell%s, none with a success)"
                  % (len(none), "" if len(none) == 1 else "s")
                  if none else ""))
        ax.set_title(title)
        _save(fig, path)
        return False
    lo = min(v[0] for _, v in have)
    hi = max(v[-1] for _, v in have)
    log = lo > 0 and hi / lo > 100
    cmap = matplotlib.colormaps["tab10" if len(have) <= 10 else "tab20"]
    for i, (lab, v) in enumerate(have):
        k = len(v)
        xs = [v[0]] + v
        ys = [0.0] + [(j + 1) / k for j in range(k)]
        ax.step(xs, ys, where="post", color=cmap(i % cmap.N),
                linewidth=1.6, linestyle="-" if i < cmap.N else "--",
                label="%s (%d ok, p50 %s ms)"
                % (lab, k, fmt_ms(stats.percentile(v, 50))))
    if log:
        ax.set_xscale("log")
    for q in (0.5, 0.9):
        ax.axhline(q, color="#999999", linewidth=0.7, linestyle=":")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("time to connect, ttc (ms%s)"
                  % (", log scale" if log else ""))
    ax.set_ylabel("fraction of successful trials")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    if wide:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False)
    else:
        ax.legend(loc="lower right")
    if none:
        shown = ", ".join(none[:6]) + (", ..." if len(none) > 6 else "")
        ax.text(0.0, -0.2, "no successes (not drawn): %s" % shown,
                transform=ax.transAxes, fontsize=8.5, color="#555555",
                va="top")
    _save(fig, path)
    return log


def _sweep_scale(xs):
    nz = sorted(abs(x) for x in xs if x != 0)
    # One decade is enough to crowd the low values of a linear axis
    # (0 and 100 next to 3000); symlog also keeps a 0 on the axis.
    if len(nz) >= 2 and nz[-1] / nz[0] >= 10:
        return "symlog", nz[0]
    return "linear", None


def sweep(path, xlabel, lines, title,
          ylabel="success rate (Wilson 95% interval)"):
    """lines: [(label, [(x, k, n)] sorted by x)]; one line per NAT pair
    (or per attack setting: security.py's killed rate by offset)."""
    xs = sorted({x for _, pts in lines for x, _, _ in pts})
    wide = len(lines) > 5
    fig, ax = plt.subplots(figsize=(9.5 if wide else 7.5, 4.6))
    scale, linthresh = _sweep_scale(xs)
    if scale == "symlog":
        ax.set_xscale("symlog", linthresh=linthresh, linscale=0.6)
    cmap = matplotlib.colormaps["tab10" if len(lines) <= 10 else "tab20"]
    step = min(5.0, 24.0 / (len(lines) - 1)) if len(lines) > 1 else 0.0
    for i, (lab, pts) in enumerate(lines):
        # Shift each line a few points sideways so error bars that cover
        # the same range (0/n and n/n everywhere) stay distinguishable.
        dx = (i - (len(lines) - 1) / 2.0) * step
        shift = transforms.ScaledTranslation(dx / 72.0, 0,
                                             fig.dpi_scale_trans)
        x = [p[0] for p in pts]
        r, lo, hi = [], [], []
        for _, k, n in pts:
            a, b = stats.wilson(k, n)
            r.append(k / n)
            lo.append(k / n - a)
            hi.append(b - k / n)
        ax.errorbar(x, r, yerr=[lo, hi], transform=ax.transData + shift,
                    color=cmap(i % cmap.N), marker=MARKERS[i % len(MARKERS)],
                    markersize=5, capsize=3, linewidth=1.5,
                    elinewidth=1.0, label=lab)
    ax.axhline(0.5, color="#999999", linewidth=0.7, linestyle=":")
    ax.set_xticks(xs, [("%g" % x) for x in xs],
                  rotation=45 if len(xs) > 8 else 0)
    ax.minorticks_off()
    pad = (0.06 * (xs[-1] - xs[0]) if scale == "linear" and len(xs) > 1
           else 0)
    if scale == "linear":
        ax.set_xlim(xs[0] - (pad or 1), xs[-1] + (pad or 1))
    else:
        ax.set_xlim(xs[0] - 0.3 * linthresh if xs[0] <= 0
                    else xs[0] * 0.7, xs[-1] * 1.4)
    ax.set_ylim(-0.04, 1.04)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if scale == "symlog":
        xlabel = (xlabel[:-1] + ", symmetric log scale)"
                  if xlabel.endswith(")") else xlabel + " (symmetric log)")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if wide:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False)
    else:
        ax.legend(loc="best")
    _save(fig, path)
    return scale


def failures(path, rows, reasons, title):
    """rows: [(label, n, {reason: count})]; reasons: stacking order."""
    h = max(2.8, 1.4 + 0.36 * len(rows))
    fig, ax = plt.subplots(figsize=(8.5, h))
    if not rows:
        _empty(fig, ax, "no cells in this run")
        ax.set_title(title)
        _save(fig, path)
        return
    y = list(range(len(rows)))
    nmax = max(n for _, n, _ in rows) or 1
    ax.barh(y, [n for _, n, _ in rows], color="#f4f4f4",
            edgecolor="#bbbbbb", linewidth=0.8, height=0.7,
            label="ok (rest of the bar = all trials)")
    left = [0] * len(rows)
    others = iter(OTHER_COLOURS * 4)
    for reason in reasons:
        widths = [f.get(reason, 0) for _, _, f in rows]
        if not any(widths):
            continue
        colour = REASON_COLOURS.get(reason) or next(others)
        ax.barh(y, widths, left=left, color=colour, height=0.7,
                label=reason)
        left = [lft + w for lft, w in zip(left, widths)]
    for i, (_, n, f) in enumerate(rows):
        failed = sum(f.values())
        ax.text(n + nmax * 0.01, i, "%d/%d failed" % (failed, n),
                va="center", fontsize=8.5, color="#333333")
    ax.set_yticks(y, [lab for lab, _, _ in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, nmax * 1.18)
    ax.set_xlabel("trials (count)")
    ax.set_title(title)
    ax.grid(True, axis="x", alpha=0.3)
    if not any(sum(f.values()) for _, _, f in rows):
        ax.text(0.5, 0.5, "no failed trials", transform=ax.transAxes,
                ha="center", va="center", fontsize=12, color="#555555")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _save(fig, path)


TIMING_FLOOR_US = 0.1  # a log axis has no 0: smaller values sit here


def timing_cdf(path, series, threshold_us, title):
    """series: [(label, values in us)] (start error of every side, the
    first-SYN gap |bob - alice| of every trial); a log x axis from
    TIMING_FLOOR_US, a dashed line at the degraded threshold."""
    have = [(lab, sorted(max(v, TIMING_FLOOR_US) for v in vs))
            for lab, vs in series if vs]
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    if not have:
        _empty(fig, ax, "no trial sent a SYN: no harness timing to plot")
        ax.set_title(title)
        _save(fig, path)
        return
    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
    for i, (lab, v) in enumerate(have):
        k = len(v)
        ax.step([v[0]] + v, [0.0] + [(j + 1) / k for j in range(k)],
                where="post", color=colours[i % len(colours)],
                linewidth=1.6, label="%s (%d, p90 %s us)" % (
                    lab, k, "%.0f" % stats.percentile(v, 90)))
    ax.axvline(threshold_us, color="#555555", linewidth=1.0,
               linestyle="--", label="degraded above (p90 of start "
               "error): %g us" % threshold_us)
    for q in (0.5, 0.9, 0.99):
        ax.axhline(q, color="#999999", linewidth=0.7, linestyle=":")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("microseconds, log scale (values below %g us drawn at "
                  "%g)" % (TIMING_FLOOR_US, TIMING_FLOOR_US))
    ax.set_ylabel("fraction")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right")
    _save(fig, path)
