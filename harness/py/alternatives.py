"""alternatives: report.md's "Which mechanism connects" section for runs
with ladder cells (docs/alternatives.md section 6): one row per home pair,
a column per mechanism (success rate k/n and median ms), and which
mechanism connected first; the reasons a mechanism was unavailable; the
per-mechanism JUnit properties and CSV columns. Reads summary.json's
"ladder" objects (runs.Cell.ladder) and the trials' "ladder" records."""

MECHANISMS = ("direct", "pcp", "ipv6-direct", "ipv6-punch", "ipv4-punch")
STEP_KEYS = ("ok", "ms", "outcome")


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def ladder_cells(cells):
    return [c for c in cells if isinstance(c.ladder, dict)]


def mechanisms(cells):
    """The mechanisms any of cells lists, in the contract's order."""
    seen = {m for c in cells for m in (c.ladder.get("order") or [])}
    return [m for m in MECHANISMS if m in seen]


def unavailable_only(c):
    """The mechanisms no trial of cell c could try (all unavailable)."""
    seen = {}
    for t in c.trials:
        for st in t.raw.get("ladder") or []:
            if isinstance(st, dict):
                seen.setdefault(st.get("mechanism"), set()).add(
                    st.get("outcome") == "unavailable")
    return {m for m, v in seen.items() if v == {True}}


def mech_text(lad, m, unav=()):
    """"3/10 0.300 · p50 12 ms"; "-" when the cell does not list m,
    "unavailable" when no trial could try it; a missed expect_<m> is
    named."""
    o = lad.get(m)
    if not isinstance(o, dict):
        return "-"
    k, n = o.get("successes"), o.get("trials")
    if not (_num(k) and _num(n)):
        return "?"
    out = "unavailable" if m in unav else "%d/%d %.3f" % (
        k, n, k / n if n else 0.0)
    if _num(o.get("ms_p50")):
        out += " · p50 %.0f ms" % o["ms_p50"]
    if o.get("verdict") == "fail":
        out += " (FAIL: expect %s)" % o.get("expect")
    return out


def first_text(lad):
    """"ipv4-punch 10, none 0": the first success per mechanism listed."""
    first = lad.get("first") if isinstance(lad.get("first"), dict) else {}
    parts = ["%s %s" % (m, first[m]) for m in (lad.get("order") or [])
             if _num(first.get(m)) and first[m] > 0]
    parts.append("none %s" % first.get("none", "?"))
    return ", ".join(parts)


def table(cells):
    mechs = mechanisms(cells)
    head = ["home pair (a × b)"] + mechs + ["connected first"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for c in cells:
        unav = unavailable_only(c)
        row = ["%s × %s" % (c.a, c.b)] + [mech_text(c.ladder, m, unav)
                                          for m in mechs]
        row.append(first_text(c.ladder))
        lines.append("| " + " | ".join(_md(x) for x in row) + " |")
    return "\n".join(lines)


def unavailable(cells):
    """{mechanism: {why: cells}} of the steps recorded unavailable."""
    out = {}
    for c in cells:
        for t in c.trials:
            for st in t.raw.get("ladder") or []:
                if isinstance(st, dict) and st.get("outcome") == \
                        "unavailable":
                    out.setdefault(st.get("mechanism"), {}).setdefault(
                        str(st.get("why") or "no reason given"),
                        set()).add(c.label)
    return out


def failures(cells):
    """{mechanism: {outcome: count}} of the steps that ran and failed."""
    out = {}
    for c in cells:
        for t in c.trials:
            for st in t.raw.get("ladder") or []:
                if not isinstance(st, dict) or st.get("ok") or \
                        st.get("outcome") == "unavailable":
                    continue
                d = out.setdefault(st.get("mechanism"), {})
                d[st.get("outcome")] = d.get(st.get("outcome"), 0) + 1
    return out


def section(runs):
    """report.md lines; [] when no run has a ladder cell."""
    have = [(r, ladder_cells(r.cells)) for r in runs]
    have = [(r, cs) for r, cs in have if cs]
    if not have:
        return []
    doc = ["## Which mechanism connects", "",
           "The proposal asks whether hole punching adds reachability that "
           "-natpmp=1 (PCP/NAT-PMP) and plain inbound connections do not. "
           "Each trial of a ladder cell tries every listed mechanism in "
           "order between the same alice and bob, each with the cell's "
           "timeout (docs/alternatives.md section 6): a cell gives each "
           "mechanism's success rate k/n with its median time (a dial: "
           "from alice's start to the handshake; a punch: from both "
           "agents' start), and how often each was the first in the "
           "ladder's order to connect. \"unavailable\": the world could "
           "not offer it in any trial of the cell (why below); a cell that "
           "misses an expect_<mechanism> says FAIL.", ""]
    for r, cells in have:
        if len(have) > 1:
            doc += ["### %s run %s" % (r.scenario, r.run_id), ""]
        doc += [table(cells), ""]
        why = unavailable(cells)
        for m in [m for m in MECHANISMS if m in why]:
            doc.append("- %s unavailable: %s" % (m, "; ".join(
                "%s (%d cell%s)" % (w, len(cs), "" if len(cs) == 1 else "s")
                for w, cs in sorted(why[m].items()))))
        fails = failures(cells)
        for m in [m for m in MECHANISMS if m in fails]:
            doc.append("- %s failed as %s" % (m, ", ".join(
                "%s %d" % (o, n) for o, n in sorted(fails[m].items()))))
        doc.append("")
    return doc


def junit_props(lad):
    """(name, value) properties of a ladder cell's testcase."""
    out = []
    for m in lad.get("order") or []:
        o = lad.get(m) if isinstance(lad.get(m), dict) else {}
        for key in ("successes", "trials", "rate", "ms_p50"):
            if _num(o.get(key)):
                out.append(("%s_%s" % (m, key), "%g" % o[key]))
        if o.get("expect"):
            out.append(("%s_expect" % m, "%s (%s)" % (
                o["expect"], o.get("verdict") or "-")))
    first = lad.get("first") if isinstance(lad.get("first"), dict) else {}
    for m, v in first.items():
        if _num(v):
            out.append(("first_%s" % m, "%d" % v))
    return out


def missed(lad):
    """The mechanisms whose expect_<mechanism> failed, as text."""
    return ["%s %s/%s outside expect_%s %s" % (
        m, o.get("successes"), o.get("trials"), m.replace("-", "_"),
        o.get("expect")) for m in lad.get("order") or []
        for o in [lad.get(m)] if isinstance(o, dict) and
        o.get("verdict") == "fail"]


def csv_columns(trials):
    """The ladder columns a run's trials carry, as (mechanism, key):
    first (mechanism None), then per mechanism ok, ms, outcome."""
    seen = {st.get("mechanism") for t in trials
            for st in (t.raw.get("ladder") or []) if isinstance(st, dict)}
    mechs = [m for m in MECHANISMS if m in seen]
    if not mechs:
        return []
    return [(None, "first")] + [(m, k) for m in mechs for k in STEP_KEYS]


def csv_header(columns):
    """ladder_first, ladder_ipv4_punch_ok, ...: names R and pandas take."""
    return ["ladder_" + (k if m is None else "%s_%s" % (
        m.replace("-", "_"), k)) for m, k in columns]


def csv_values(t, columns):
    steps = {st.get("mechanism"): st for st in (t.raw.get("ladder") or [])
             if isinstance(st, dict)}
    out = []
    for m, key in columns:
        v = t.raw.get("first") if m is None else steps.get(m, {}).get(key)
        out.append(int(v) if isinstance(v, bool) else v)
    return out
