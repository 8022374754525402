"""strategies: the report's "Punch strategies" section — one table per
strategy (what it cost on the wire: SYNs sent, RSTs and ICMP errors the
agents saw) and the birthday curve (success against the number of sockets
N, one line per number of sprayed ports M, with SYNs sent per success).

Reads only what runs.py loaded: each cell's params ("strategy",
"birthday_sockets", "birthday_ports") and each trial's two agent reports
("syns_sent", "rsts", "icmps", "accepted"). A run made before strategies
existed has none of these: every cell then counts as "connect" and the
per-trial columns show "-"."""
import os

import runs as runsmod

DEFAULT = "connect"


def strategy_of(cell):
    s = cell.params.get("strategy")
    return s if isinstance(s, str) and s else DEFAULT


def _side_sum(trial, key):
    """Both agents' value of key summed, or None if neither has one."""
    total, seen = 0, False
    for side in ("alice", "bob"):
        rep = trial.raw.get(side)
        v = rep.get(key) if isinstance(rep, dict) else None
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            total += v
            seen = True
    return total if seen else None


def _accepted(trial):
    for side in ("alice", "bob"):
        rep = trial.raw.get(side)
        if isinstance(rep, dict) and rep.get("accepted") is True:
            return True
    return False


class Cost:
    """What a group of trials sent and saw."""

    def __init__(self):
        self.k = self.n = 0
        self.syns = self.rsts = self.icmps = 0
        self.counted = 0    # trials whose agents reported syns_sent
        self.accepted = 0

    def add(self, trial):
        self.n += 1
        self.k += 1 if trial.ok else 0
        syns = _side_sum(trial, "syns_sent")
        if syns is not None:
            self.counted += 1
            self.syns += syns
            self.rsts += _side_sum(trial, "rsts") or 0
            self.icmps += _side_sum(trial, "icmps") or 0
        if trial.ok and _accepted(trial):
            self.accepted += 1

    def per_success(self):
        if not self.counted or not self.k:
            return None
        return self.syns / self.k

    def per_trial(self, v):
        return v / self.counted if self.counted else None


def _fmt(v, nd=1):
    return "-" if v is None else ("%.*f" % (nd, v))


def _cells_by_strategy(cells):
    out = {}
    for c in cells:
        out.setdefault(strategy_of(c), []).append(c)
    return out


def strategy_table(cells):
    """Markdown: one row per cell of one strategy."""
    head = ["cell", "a", "b", "params", "k/n", "SYNs/trial",
            "SYNs/success", "RSTs/trial", "ICMP/trial", "via listener"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    for c in cells:
        cost = Cost()
        for t in c.trials:
            cost.add(t)
        params = {k: v for k, v in c.params.items() if k != "strategy"}
        row = [c.row_label, c.a, c.b, runsmod.params_text(params) or "-",
               "%d/%d" % (c.k, c.n), _fmt(cost.per_trial(cost.syns)),
               _fmt(cost.per_success()), _fmt(cost.per_trial(cost.rsts)),
               _fmt(cost.per_trial(cost.icmps)),
               "%d/%d" % (cost.accepted, cost.k) if cost.k else "-"]
        lines.append("| " + " | ".join(
            str(x).replace("|", "\\|") for x in row) + " |")
    return "\n".join(lines)


def birthday_lines(cells):
    """[(label, [(N, k, n)])] per NAT pair and M, and {(label, N): SYNs
    per success}, for birthday cells tried at two N or more."""
    groups = {}
    for c in cells:
        if strategy_of(c) != "birthday" or not c.n:
            continue
        n_sock = c.params.get("birthday_sockets")
        m_ports = c.params.get("birthday_ports")
        if not isinstance(n_sock, (int, float)):
            continue
        label = "%s x %s" % (c.a, c.b)
        if isinstance(m_ports, (int, float)):
            label += ", M = %s" % runsmod.fmt_num(m_ports)
        groups.setdefault(label, {}).setdefault(n_sock, []).append(c)
    lines, cost = [], {}
    for label, by_n in groups.items():
        if len(by_n) < 2:
            continue
        pts = []
        for n_sock in sorted(by_n):
            acc = Cost()
            for c in by_n[n_sock]:
                for t in c.trials:
                    acc.add(t)
            k = sum(c.k for c in by_n[n_sock])
            n = sum(c.n for c in by_n[n_sock])
            pts.append((n_sock, k, n))
            cost[(label, n_sock)] = acc.per_success()
        lines.append((label, pts))
    return lines, cost


def birthday_text(lines, cost):
    out = []
    for label, pts in lines:
        parts = []
        for x, k, n in pts:
            ps = cost.get((label, x))
            parts.append("N = %s: %d/%d%s" % (
                runsmod.fmt_num(x), k, n,
                ", %.0f SYNs per success" % ps if ps is not None else ""))
        out.append("- %s: %s." % (label, "; ".join(parts)))
    return "\n".join(out)


def section(figures, cells, out, title_tail):
    """The report's lines for the strategies section."""
    by = _cells_by_strategy(cells)
    if list(by) == [DEFAULT] and not any(
            "strategy" in c.params for c in cells):
        return ["## Punch strategies", "",
                "Every cell used the built-in agent's default strategy, "
                "`connect` (connect waves only, no listener).", ""]
    doc = ["## Punch strategies", "",
           "One table per strategy. SYNs, RSTs and ICMP errors are what "
           "both agents of a trial sent and saw (summed over the two "
           "sides); \"via listener\" counts successes whose kept "
           "connection came in through the punch-port listener "
           "(listen-connect). Strategies are a condition like the RTT: a "
           "pair that succeeds under one and fails under another is "
           "telling about the strategy, not about the NAT.", ""]
    for name in sorted(by, key=lambda s: (s != DEFAULT, s)):
        cs = by[name]
        k = sum(c.k for c in cs)
        n = sum(c.n for c in cs)
        doc += ["### %s" % name, "",
                "%d cell%s, %d/%d trials succeeded." % (
                    len(cs), "" if len(cs) == 1 else "s", k, n), "",
                strategy_table(cs), ""]
    lines, cost = birthday_lines(cells)
    if lines:
        name = "birthday.png"
        figures.sweep(os.path.join(out, name),
                      "sockets opened behind the unpredictable NAT (N)",
                      lines, "Birthday punching: success against N, %s"
                      % title_tail)
        doc += ["### Birthday: success against N", "",
                "![Birthday success against N](%s)" % name, "",
                "Success rate with its Wilson 95% interval at each number "
                "of sockets N the side behind the unpredictable mapping "
                "opened, one line per NAT pair and number of ports M the "
                "other side sprayed; SYNs per success count both sides.",
                "", birthday_text(lines, cost), ""]
    return doc
