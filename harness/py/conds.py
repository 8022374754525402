"""conds: the report's section on conditions drawn per trial (README
"Realistic conditions"): each drawn key's spec and what the trials drew,
and how far time to connect lies above each trial's drawn peer RTT."""
import stats


def _spec_of(cells, key):
    specs = []
    for c in cells:
        s = c.params.get(key)
        if isinstance(s, str) and s not in specs:
            specs.append(s)
    return specs


def peer_rtt(cond):
    """The drawn RTT between the two hosts: rtt plus both access links,
    each way (the paths of docs/link-conditions.md)."""
    return (cond.get("rtt_ms", 0) + 2 * cond.get("access_a_ms", 0)
            + 2 * cond.get("access_b_ms", 0))


def section(cells):
    """Markdown lines, or [] when no cell drew anything."""
    trials = [t for c in cells for t in c.trials
              if isinstance(t.raw.get("cond"), dict)]
    keys = []
    for c in cells:
        for k, v in c.params.items():
            if isinstance(v, str) and ":" in v and k not in keys:
                keys.append(k)
    if not keys or not trials:
        return []
    doc = ["## Conditions drawn per trial", "",
           "Each trial drew these keys from its cell's spec (seeded by the "
           "scenario seed, the cell and the trial); over the %d trials "
           "that record them:" % len(trials), "",
           "| key | spec | p50 | p90 | min | max |",
           "| --- | --- | --- | --- | --- | --- |"]
    for k in keys:
        v = [t.raw["cond"][k] for t in trials if k in t.raw["cond"]]
        if not v:
            continue
        doc.append("| %s | %s | %.2f | %.2f | %.2f | %.2f |" % (
            k, ", ".join("`%s`" % s for s in _spec_of(cells, k)),
            stats.percentile(v, 50), stats.percentile(v, 90), min(v), max(v)))
    over = [t.ttc_ms - peer_rtt(t.raw["cond"]) for t in trials
            if t.ok and t.ttc_ms is not None]
    doc.append("")
    if over:
        doc.append("Time to connect minus the trial's drawn peer RTT "
                   "(rtt_ms + 2 access_a_ms + 2 access_b_ms), %d successful "
                   "trials: p50 %.2f ms, p90 %.2f ms." % (
                       len(over), stats.percentile(over, 50), stats.percentile(over, 90)))
        doc.append("")
    return doc
