"""netfigures: the network report's PNGs (home peers per node, partition
curve, block propagation CDF, coordinator exposure), drawn with figures.py's
matplotlib setup from plain numbers."""
import figures
from figures import plt, PercentFormatter, _save, _empty

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def _colour(i):
    return COLOURS[i % len(COLOURS)]


def home_peers(path, series, title):
    """series: [(phase, histogram)], histogram[i] = homes with i direct
    home peers; grouped bars, one colour per phase."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    width = 0.8 / max(1, len(series))
    top = max((len(h) for _, h in series), default=1)
    for i, (lab, hist) in enumerate(series):
        total = sum(hist) or 1
        xs = [k - 0.4 + width * (i + 0.5) for k in range(len(hist))]
        ax.bar(xs, [v / total for v in hist], width=width,
               color=_colour(i), label=lab)
    ax.set_xticks(range(top))
    ax.set_xlabel("direct home peers of a home node")
    ax.set_ylabel("fraction of home nodes")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    _save(fig, path)


def partition(path, series, title):
    """series: [(phase, steps, random curve, degree curve)]: two panels."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, key, name in ((axes[0], 2, "random order"),
                          (axes[1], 3, "highest degree first")):
        for i, s in enumerate(series):
            ax.plot(s[1], s[key], marker="o", markersize=3.5,
                    color=_colour(i), label=s[0])
        ax.set_xlabel("reachable nodes removed (%%), %s" % name)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("home nodes in the largest component")
    axes[0].yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[1].legend(loc="lower left")
    fig.suptitle(title)
    _save(fig, path)


def _cdf(ax, i, lab, values, total, note):
    k = len(values)
    xs = [values[0]] + values
    ys = [0.0] + [(j + 1) / total for j in range(k)]
    ax.step(xs, ys, where="post", color=_colour(i), linewidth=1.6,
            label="%s (%s)" % (lab, note))


def propagation(path, series, title):
    """series: [(phase, sorted times after mining, node-blocks)]; a line
    that ends below 100% says some nodes never had a block."""
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    have = [s for s in series if s[1]]
    if not have:
        _empty(fig, ax, "no block was mined: no propagation to plot")
    for i, (lab, times, total) in enumerate(have):
        half = -(-total // 2)
        _cdf(ax, i, lab, times, total, "pooled p50 %s" % (
            "%s ms" % figures.fmt_ms(times[half - 1])
            if half <= len(times) else "never"))
    if have:
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("time after the block was mined (ms)")
        ax.set_ylabel("fraction of nodes x blocks that have it")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
    ax.set_title(title)
    _save(fig, path)


def _share_cdf(path, series, title, xlabel, ylabel, empty):
    """series: [(phase, sorted shares in 0..1)]: one CDF per phase."""
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    have = [s for s in series if s[1]]
    if not have:
        _empty(fig, ax, empty)
    for i, (lab, shares) in enumerate(have):
        _cdf(ax, i, lab, shares, len(shares), "max %.0f%%"
             % (100 * shares[-1]))
    if have:
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(0, 1.02)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
    ax.set_title(title)
    _save(fig, path)


def exposure(path, series, title):
    """series: [(phase, sorted per-home shares)]: CDF per phase."""
    _share_cdf(path, series, title,
               "largest share of a home node's peers from one coordinator",
               "fraction of home nodes with peers",
               "no home node has a peer: no exposure to plot")


def eclipse(path, series, title):
    """series: [(phase, sorted per-victim attacker shares of punched
    peers)]: CDF per phase."""
    _share_cdf(path, series, title,
               "attacker nodes' share of a victim's punched peers",
               "fraction of victims with punched peers",
               "no victim has a punched peer: nothing to plot")
