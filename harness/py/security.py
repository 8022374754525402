"""security: report.md's Security section for runs with adversary cells
(docs/adversaries.md section 6): one table per run (attack, defences,
measured effect, verdict in one line) and, for inject, the killed rate
by offset when a run tried several offsets. Reads summary.json's
"adversary" objects only (runs.Cell.adversary)."""
import os
import re

DEFENCES = ("target_policy", "peer_auth", "coord_limits", "start_jitter_ms",
            "rst_guard")
# The defences the contract sets against each attack: shown on or off;
# any other is shown only when on.
AGAINST = {"redirect": ("target_policy",), "withhold": ("target_policy",),
           "delay": ("target_policy",), "impersonate": ("peer_auth",),
           "hijack": ("peer_auth", "coord_limits"),
           "flood": ("coord_limits",), "inject": ()}
# inject's defences by what it spoofs (older summaries have neither key)
AGAINST_INJECT = {"syn": ("start_jitter_ms",), "rst": ("rst_guard",)}
# A defence that is off: its "off", or a jitter of 0 ms.
OFF = (None, "off", 0)
# Per attack, metrics worth a word beside the headline effect.
EXTRAS = {
    "redirect": (("victim_syns_per_trial_max", "max %g a trial"),
                 ("victim_bytes_per_request", "%.0f B to the victim"),
                 ("amplification", "amplification %.2f")),
    "impersonate": (("played", "played %d"), ("detected", "detected %d")),
    "withhold": (("cost_ms_p90", "p90 %.0f ms"), ("syns_mean", "%.1f SYNs"),
                 ("sockets_mean", "%.1f sockets")),
    "delay": (("cost_ms_p90", "p90 %.0f ms"), ("syns_mean", "%.1f SYNs"),
              ("sockets_mean", "%.1f sockets")),
    "hijack": (("played", "played %d"), ("detected", "detected %d")),
    "inject": (("killed", "%d killed"),
               ("ttc_ms_p50", "time to connect p50 %.0f ms"),
               ("ttc_ms_p90", "p90 %.0f ms")),
    "flood": (("paired", "%d paired"),),
}


def _md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def adversary_cells(cells):
    return [c for c in cells if isinstance(c.adversary, dict)]


def setting_text(adv):
    """The attack and its own keys: "redirect (victim lan)"."""
    s = adv.get("setting") if isinstance(adv.get("setting"), dict) else {}
    attack = str(adv.get("attack") or "?")
    if "victim" in s:
        detail = "victim %s" % s["victim"]
    elif "inject" in s:
        off = s.get("inject_offset_ms")
        detail = "%s at %s ms" % (s["inject"], "%+g" % off if _num(off)
                                  else "?")
    elif "flood" in s:
        detail = "%s × %s" % (s["flood"], s.get("flood_count", "?"))
    elif "attack_delay_ms" in s:
        detail = "delay_ms %s" % s["attack_delay_ms"]
    else:
        detail = ""
    return attack + (" (%s)" % detail if detail else "")


def defences_text(adv):
    """"target_policy on": the attack's own defences, on or off, and
    any other that is on; "none" when there is nothing to show."""
    d = adv.get("defences") if isinstance(adv.get("defences"), dict) else {}
    own = AGAINST.get(adv.get("attack"), DEFENCES)
    if adv.get("attack") == "inject":
        s = adv.get("setting") if isinstance(adv.get("setting"), dict) else {}
        own = tuple(k for k in AGAINST_INJECT.get(s.get("inject"), ())
                    if k in d)
    shown = [k for k in DEFENCES
             if k in own or d.get(k) not in OFF]
    return ", ".join("%s %s" % (k, d.get(k, "?")) for k in shown) or "none"


def value_text(v, unit):
    if not _num(v):
        return "-"
    if unit == "ms":
        return "%.0f ms" % v
    if unit == "ratio":
        return "%.3f" % v
    return "%g %s" % (round(v, 3), unit or "")


def effect_text(adv):
    """"victim_syns_per_request = 0 SYNs (max 0, amplification 0.00)"."""
    e = adv.get("effect") if isinstance(adv.get("effect"), dict) else {}
    m = adv.get("metrics") if isinstance(adv.get("metrics"), dict) else {}
    out = "%s = %s" % (e.get("name") or "?",
                       value_text(e.get("value"), e.get("unit")))
    extra = [fmt % m[k] for k, fmt in EXTRAS.get(adv.get("attack"), ())
             if _num(m.get(k))]
    if extra:
        out += " (%s)" % ", ".join(extra)
    return out


def verdict_text(c):
    adv = c.adversary
    lead = {"pass": "pass", "fail": "**FAIL**"}.get(c.verdict, "-")
    return "%s — %s" % (lead, adv.get("verdict") or "no verdict")


def table(cells):
    head = ["cell", "attack", "defences", "measured effect",
            "expect_effect", "verdict"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    for c in cells:
        adv = c.adversary
        row = [c.row_label, setting_text(adv), defences_text(adv),
               effect_text(adv), adv.get("expect_effect") or "none",
               verdict_text(c)]
        lines.append("| " + " | ".join(_md(x) for x in row) + " |")
    return "\n".join(lines)


def inject_points(cells):
    """{label: {offset: (killed, trials)}} over the inject cells, one
    label per kind and defences; offsets from each cell's by_offset."""
    groups = {}
    for c in cells:
        adv = c.adversary
        if adv.get("attack") != "inject":
            continue
        s = adv.get("setting") if isinstance(adv.get("setting"), dict) else {}
        on = defences_text(adv)
        label = str(s.get("inject", "?")) + (" (%s)" % on
                                             if on != "none" else "")
        bo = (adv.get("metrics") or {}).get("by_offset") or []
        pts = groups.setdefault(label, {})
        for e in bo:
            if not (isinstance(e, dict) and _num(e.get("offset_ms"))
                    and _num(e.get("trials")) and e["trials"] > 0):
                continue
            k, n = pts.get(e["offset_ms"], (0, 0))
            pts[e["offset_ms"]] = (k + int(e.get("killed") or 0),
                                   n + int(e["trials"]))
    return {lab: pts for lab, pts in groups.items() if pts}


def inject_table(groups):
    offsets = sorted({x for pts in groups.values() for x in pts})
    labels = sorted(groups)
    lines = ["| offset (ms) | " + " | ".join(_md(x) for x in labels) + " |",
             "|---|" + "|".join("---" for _ in labels) + "|"]
    for x in offsets:
        row = ["%+g" % x]
        for lab in labels:
            k, n = groups[lab].get(x, (0, 0))
            row.append("%d/%d = %.2f" % (k, n, k / n) if n else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def inject_section(figures, cells, out, name, title_tail):
    groups = inject_points(cells)
    offsets = {x for pts in groups.values() for x in pts}
    if len(offsets) < 2:
        return []
    doc = ["Punches killed by offset (ms from the punch start the "
           "coordinator scheduled; negative: before it), k/n per kind "
           "and defences:", "", inject_table(groups), ""]
    if figures is not None:
        lines = [(lab, sorted((x, k, n) for x, (k, n) in pts.items()))
                 for lab, pts in sorted(groups.items())]
        figures.sweep(os.path.join(out, name), "injection offset (ms)",
                      lines, "Punches killed by injection, %s" % title_tail,
                      ylabel="punches killed (Wilson 95% interval)")
        doc += ["![Punches killed by injection offset](%s)" % name, ""]
    return doc


def summary_text(cells):
    claimed = [c for c in cells if c.adversary.get("expect_effect")]
    bad = [c.label for c in cells if c.verdict == "fail"]
    out = ("%d adversary cell%s, %d with an expect_effect" % (
        len(cells), "" if len(cells) == 1 else "s", len(claimed)))
    if bad:
        return out + "; failing: %s." % ", ".join(bad)
    return out + "; none fails."


def section(figures, runs, out, title_tail):
    """report.md lines; [] when no run has an adversary cell."""
    have = [(r, adversary_cells(r.cells)) for r in runs]
    have = [(r, cs) for r, cs in have if cs]
    if not have:
        return []
    doc = ["## Security", "",
           "Each adversary cell runs one attack with its defences on or "
           "off (docs/adversaries.md; README \"Threats\"). The measured "
           "effect is the attack's headline number over the cell's "
           "trials (redirect: per lying hppunch the victim could see; "
           "else per trial); every adversary cell states a claim "
           "(expect_effect, or expect on the success rate) and fails "
           "the gate when it misses it, the undefended ones too.", ""]
    for r, cells in have:
        if len(have) > 1:
            doc += ["### %s run %s" % (r.scenario, r.run_id), ""]
        doc += [table(cells), "", summary_text(cells), ""]
        name = "inject-offsets%s.png" % (
            "" if len(have) == 1 else "-" + re.sub(r"[^A-Za-z0-9._-]+", "-",
                                                   r.run_id))
        doc += inject_section(figures, cells, out, name, title_tail)
    return doc
