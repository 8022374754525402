"""netreport: the "Network" section of report.md from network.json's
object: a table of phases x figures, sybil mitigation on vs off side by
side, and the four plots with what they show."""
import os


def md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def pct(v):
    return "-" if v is None else "%.1f%%" % (100 * v)


def num(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, int) or float(v).is_integer():
        return "%d" % v
    return "%.*f" % (digits, v)


def ms(v):
    return "-" if v is None else ("%.0f" % v if v >= 100 else "%.3g" % v)


def trio(d, keys, fmt=num):
    return " / ".join(fmt(d.get(k)) for k in keys)


def at(part, key, p):
    return part[key][part["steps"].index(p)]


def punch_text(p):
    if not p["attempts"]:
        return "none"
    return "%d/%d ok (%s)" % (p["successes"], p["attempts"], ", ".join(
        "%s %d" % kv for kv in p["outcomes"].items()))


def hops_text(pr):
    m = pr["mean"]
    return " / ".join("-" if m.get(k) is None else "%.2f" % m[k]
                      for k in ("h50", "h90", "h100"))


def prop_text(pr):
    m = pr["mean"]
    text = "%s / %s / %s" % (ms(m["t50_ms"]), ms(m["t90_ms"]),
                             ms(m["t100_ms"]))
    if pr["blocks_not_everywhere"]:
        text += " (%d of %d blocks missed %s nodes)" % (
            pr["blocks_not_everywhere"], len(pr["blocks"]),
            "/".join(str(b["missing"]) for b in pr["blocks"]
                     if b["missing"]))
    return text


ROWS = (
    ("mode (sybil mitigation)", lambda f: "%s (%s)" % (
        f["mode"], "on" if f["sybil_mitigation"] else "off")),
    ("punch attempts: outcomes", lambda f: punch_text(f["punch"])),
    ("punch ttc p50 / p90 (ms)", lambda f: "%s / %s" % (
        ms(f["punch"]["ttc_ms_p50"]), ms(f["punch"]["ttc_ms_p90"]))),
    ("home nodes with an ok punch", lambda f: num(
        f["punch"]["homes_with_success"])),
    ("open connections at the first block", lambda f: ", ".join(
        "%s %d" % kv for kv in sorted(f["connections_open"].items()))
        or "none"),
    ("homes with a direct home peer", lambda f: pct(
        f["home_with_home_peer"])),
    ("direct home peers per home: mean / p50 / p90", lambda f: trio(
        f["home_peers_per_node"], ("mean", "p50", "p90"))),
    ("reachable inbound used / total", lambda f: "%d / %d (%s)" % (
        f["inbound"]["used"], f["inbound"]["total"],
        pct(f["inbound"]["fraction"]))),
    ("added (punched connections; vs inbound total)", lambda f: "%d (%s)"
     % (f["inbound"]["added"], pct(f["inbound"]["added_vs_total"]))),
    ("netgroups per home: mean / p50 / p10", lambda f: trio(
        f["diversity"], ("mean", "p50", "p10"))),
    ("homes connected, 50% reachable removed: random / degree",
     lambda f: "%s / %s" % (pct(at(f["partition"], "random", 50)),
                            pct(at(f["partition"], "degree", 50)))),
    ("homes connected, 100% removed", lambda f: pct(
        at(f["partition"], "random", 100))),
    ("propagation mean t50 / t90 / t100 (ms)", lambda f: prop_text(
        f["propagation"])),
    ("relay hops from the miner, mean h50 / h90 / h100", lambda f: hops_text(
        f["propagation"])),
    ("coordinator exposure: mean / p90 / max", lambda f: trio(
        f["coordinator_exposure"], ("mean", "p90", "max"), pct)),
    ("evictions", lambda f: num(f["evictions"])),
    ("addrman advertised entries per node (mean)", lambda f: num(
        (f["addrman"] or {}).get("advertised_mean"), 1)),
)


def phase_table(phases):
    names = list(phases)
    lines = ["| figure | " + " | ".join(md(n) for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for label, fn in ROWS:
        lines.append("| %s | %s |" % (md(label), " | ".join(
            md(fn(phases[n])) for n in names)))
    return lines


def block_table(phases):
    """Per phase and block: t50 / t90 / t100 (ms), and the nodes that
    never had the block."""
    nb = max(len(f["propagation"]["blocks"]) for f in phases.values())
    if not nb:
        return ["No phase mined a block.", ""]
    lines = ["| phase | " + " | ".join("block %d" % i for i in range(nb))
             + " |", "|---|" + "---|" * nb]
    for name, f in phases.items():
        cells = []
        for b in f["propagation"]["blocks"]:
            text = "%s / %s / %s" % (ms(b["t50_ms"]), ms(b["t90_ms"]),
                                     ms(b["t100_ms"]))
            if b["missing"]:
                text += " (%d never)" % b["missing"]
            cells.append(text)
        cells += ["-"] * (nb - len(cells))
        lines.append("| %s | %s |" % (md(name), " | ".join(cells)))
    return lines + [""]


SYBIL_ROWS = (
    ("netgroups per home: mean / p50 / p10", lambda f: trio(
        f["diversity"], ("mean", "p50", "p10"))),
    ("relay hops from the miner, mean h50 / h90 / h100", lambda f: hops_text(
        f["propagation"])),
    ("coordinator exposure: mean / p90 / max", lambda f: trio(
        f["coordinator_exposure"], ("mean", "p90", "max"), pct)),
    ("homes with a direct home peer", lambda f: pct(
        f["home_with_home_peer"])),
    ("punch attempts: outcomes", lambda f: punch_text(f["punch"])),
)


def sybil_pairs(phases):
    """[(mode, phase with mitigation, phase without)] for every mode run
    both ways (advertised, when sybil_mitigation = both)."""
    out = []
    for mode in dict.fromkeys(f["mode"] for f in phases.values()):
        on = [n for n, f in phases.items()
              if f["mode"] == mode and f["sybil_mitigation"]]
        off = [n for n, f in phases.items()
               if f["mode"] == mode and not f["sybil_mitigation"]]
        if on and off:
            out.append((mode, on[0], off[0]))
    return out


def sybil_section(phases):
    pairs = sybil_pairs(phases)
    if not pairs:
        return ["No mode ran both with and without sybil mitigation.", ""]
    out = []
    for mode, on, off in pairs:
        out += ["| %s | mitigation on (%s) | off (%s) |" % (
            md(mode), md(on), md(off)), "|---|---|---|"]
        for label, fn in SYBIL_ROWS:
            out.append("| %s | %s | %s |" % (md(label), md(fn(phases[on])),
                                             md(fn(phases[off]))))
        out.append("")
    return out


def _share(s):
    if not s["n"]:
        return "-"
    return "%s / %s / %s (%d of %d at 100%%)" % (
        pct(s["mean"]), pct(s["p90"]), pct(s["max"]), s["eclipsed"], s["n"])


ECLIPSE_ROWS = (
    ("sybil mitigation", lambda f: "on" if f["sybil_mitigation"] else "off"),
    ("attacker nodes holding punched victims / open punched connections",
     lambda f: "%d of %d / %d" % (f["eclipse"]["attackers_used"],
                                  f["eclipse"]["attackers"],
                                  f["eclipse"]["attacker_punched"])),
    ("victims (homes that asked a lying coordinator)",
     lambda f: num(f["eclipse"]["victims"])),
    ("attacker share of a victim's punched peers: mean / p90 / max",
     lambda f: _share(f["eclipse"]["share_punched"])),
    ("attacker share of all its peers: mean / p90 / max",
     lambda f: _share(f["eclipse"]["share_all"])),
    ("attacker punched peers per victim: mean / max", lambda f: "%s / %s" % (
        num(f["eclipse"]["attacker_punched_per_victim"]["mean"]),
        num(f["eclipse"]["attacker_punched_per_victim"]["max"]))),
    ("other homes: attacker share of all peers: mean / p90 / max",
     lambda f: _share(f["eclipse"]["others"])),
    ("every home: attacker share of punched peers: mean / p90 / max",
     lambda f: _share(f["eclipse"]["homes_share_punched"])),
)


def eclipse_section(doc, series, out_dir, figures, prefix):
    """The eclipse table and plot (eclipse runs only): one column, one
    line per phase that punched."""
    phases = {n: f for n, f in doc["phases"].items() if f.get("eclipse")}
    adv = doc.get("adversary")
    if not adv or not phases:
        return []
    names = list(phases)
    out = ["### Eclipse through a lying coordinator", "",
           "%d of %d coordinators lie: each pairs every home that asks it "
           "with one of the attacker's %d reachable nodes (which relay no "
           "block). A victim is a home that asked a liar in the phase; "
           "definitions in harness/py/neteclipse.py." % (
               adv.get("eclipse_coordinators", 0), doc["coordinators"],
               adv.get("attackers", 0)), "",
           "| figure | " + " | ".join(md(n) for n in names) + " |",
           "|---|" + "---|" * len(names)]
    for label, fn in ECLIPSE_ROWS:
        out.append("| %s | %s |" % (md(label), " | ".join(
            md(fn(phases[n])) for n in names)))
    png = prefix + "network-eclipse.png"
    figures.eclipse(os.path.join(out_dir, png), [
        (n, series[n]["eclipse"]) for n in names
        if phases[n]["eclipse"]["victims"]],
        "Attacker share of victims' punched peers, run %s" % doc["run_id"])
    return out + ["", "![Eclipse: attacker share of punched peers](%s)" % png,
                  "", "Per victim with punched peers, the share of them "
                  "that are the attacker's nodes (1 = every punched peer "
                  "the attacker's), per phase.", ""]


def plots(doc, series, out, figures, prefix):
    phases = doc["phases"]
    tail = "run %s" % doc["run_id"]
    names = {k: prefix + "network-%s.png" % k for k in
             ("home-peers", "partition", "propagation", "exposure")}
    figures.home_peers(os.path.join(out, names["home-peers"]), [
        (n, f["home_peers_per_node"]["histogram"])
        for n, f in phases.items()], "Direct home peers per home node, "
        + tail)
    figures.partition(os.path.join(out, names["partition"]), [
        (n, f["partition"]["steps"], f["partition"]["random"],
         f["partition"]["degree"]) for n, f in phases.items()],
        "Home nodes left connected as reachable nodes go, " + tail)
    figures.propagation(os.path.join(out, names["propagation"]), [
        (n,) + tuple(series[n]["cdf"]) for n in phases],
        "Block propagation, " + tail)
    figures.exposure(os.path.join(out, names["exposure"]), [
        (n, series[n]["shares"]) for n in phases],
        "Coordinator exposure, " + tail)
    return [
        "![Direct home peers per home node](%s)" % names["home-peers"], "",
        "Share of home nodes with 0, 1, 2, ... direct home peers (a peer "
        "that is a home node too), per phase.", "",
        "![Partition curve](%s)" % names["partition"], "",
        "Home nodes in the largest component that still holds a reachable "
        "node, as 0-100% of reachable nodes are removed (left: seeded "
        "random order, right: highest degree first).", "",
        "![Block propagation CDF](%s)" % names["propagation"], "",
        "Share of (node, block) pairs that have the block, by time after "
        "mining; a line ending below 100% says some nodes never got it.",
        "",
        "![Coordinator exposure](%s)" % names["exposure"], "",
        "Per home node with peers, the largest share of its peers that "
        "one coordinator introduced (0 = none punched).", ""]


def section(doc, series, out, figures, prefix=""):
    """report.md's Network section (list of lines) and its plots."""
    head = ["## Network", "",
            "Network scenario %s, run **%s**, seed %s: %d home nodes, %d "
            "reachable, %d coordinators%s. Figures from the connections "
            "open at each phase's first block; definitions in the README "
            "(Network figures) and harness/py/network.py; numbers in "
            "network.json." % (
                "**%s**" % md(doc["scenario"]) if doc["scenario"] else
                "(unnamed)", md(doc["run_id"]), doc["seed"], doc["homes"],
                doc["reachable"], doc["coordinators"],
                ", population %s" % md(doc["population"])
                if doc["population"] else ""), ""]
    body = phase_table(doc["phases"]) + [""]
    body += ["### Block propagation per block", "",
             "Time after mining (ms) until 50%% / 90%% / 100%% of the %d "
             "nodes had each block." % (doc["homes"] + doc["reachable"]), ""]
    body += block_table(doc["phases"])
    body += ["### Sybil mitigation on vs off", ""] + sybil_section(
        doc["phases"])
    body += eclipse_section(doc, series, out, figures, prefix)
    body += ["### Network plots", ""] + plots(doc, series, out, figures,
                                               prefix)
    return head + body
