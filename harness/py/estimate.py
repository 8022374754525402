#!/usr/bin/python3
"""estimate: how often would punching work between two home nodes? Takes a
population file (populations/*.csv) and punchlab run folders, and prints
per condition and strategy the expected success rate for a pair of homes
drawn independently from the population, with a 95% interval carrying
both the measured matrix's and the population sample's uncertainty (see
mixture.py), the pairs behind most of the failures, and what the runs
did not measure. Reads result files only."""
import argparse
import json
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pairs as pairsmod  # noqa: E402
import population as popmod  # noqa: E402
import runs as runsmod  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BEST_HELD_OUT = "best per pair (held-out)"
BEST_IN_SAMPLE = "best per pair (in-sample)"

METHOD = (
    "Both homes are drawn independently from the population. Per draw: "
    "shares ~ Dirichlet(N*share + 1/2) (N = the population's sample_size), "
    "each measured ordered pair's success ~ Beta(k + 1/2, n - k + 1/2) "
    "(Jeffreys), estimate = sum over pairs of share_a * share_b * "
    "success_ab; the 95% interval is the 2.5th..97.5th percentile of the "
    "draws, widened to hold the point estimate (shares times k/n) where "
    "the draws fall on one side of it (pairs at n/n or 0/n). A pair the runs did not measure counts as 0 for the lower end "
    "and 1 for the upper end. (b, a) takes (a, b)'s trials when only "
    "(a, b) was measured, unless --no-mirror. 'best per pair (held-out)' "
    "picks per pair the strategy whose even-numbered trials did best and "
    "counts only its odd-numbered trials; '(in-sample)' picks and counts "
    "on all trials and is biased upward (winner's curse).")

EPILOG = """\
Exit status: 0 printed; 1 failed (--strict with pairs the runs did not
measure, no cell matched, or an output error); 2 usage or bad input (the
message names the file, line and key); 4 python3-numpy missing.

""" + textwrap.fill("Method: " + METHOD, 76)


def default_profiles():
    if os.path.isdir("nat-profiles"):
        return "nat-profiles"
    return os.path.normpath(os.path.join(HERE, "..", "..", "nat-profiles"))


def _pair_arg(text, what):
    if "=" not in text or not text.split("=", 1)[0] or \
            not text.split("=", 1)[1]:
        raise argparse.ArgumentTypeError("%s wants KEY=VALUE, not '%s'"
                                         % (what, text))
    return tuple(text.split("=", 1))


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="punchlab estimate",
        usage="punchlab estimate POPULATION RUN_DIR... [options]",
        description="Expected punch success for a random pair of home "
        "nodes: POPULATION is a populations/*.csv file (NAT profile "
        "shares, their sample size and sources), each RUN_DIR a "
        "results/<scenario>/<run-id>/ folder. One estimate per condition "
        "(the cells' params but the strategy) and strategy, plus the best "
        "strategy per pair.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("population", metavar="POPULATION")
    ap.add_argument("runs", metavar="RUN_DIR", nargs="+")
    ap.add_argument("--json", action="store_true",
                    help="print JSON instead of the text tables")
    ap.add_argument("--strategy", action="append", default=[],
                    metavar="NAME", help="only this strategy (repeatable)")
    ap.add_argument("--where", action="append", default=[],
                    metavar="KEY=VALUE",
                    type=lambda t: _pair_arg(t, "--where"),
                    help="only cells whose param KEY is VALUE, e.g. "
                    "rtt_ms=40 (repeatable)")
    ap.add_argument("--remap", action="append", default=[],
                    metavar="FROM=TO",
                    type=lambda t: _pair_arg(t, "--remap"),
                    help="count the population's profile FROM as profile "
                    "TO (repeatable)")
    ap.add_argument("--profiles", metavar="DIR", default=None,
                    help="NAT profile folder population names must be in "
                    "(default: ./nat-profiles, else the source tree's)")
    ap.add_argument("--top", type=int, default=5, metavar="N",
                    help="pairs listed by expected failure (default 5)")
    ap.add_argument("--draws", type=int, default=20000, metavar="N",
                    help="Monte Carlo draws (default 20000)")
    ap.add_argument("--seed", type=int, default=1, metavar="N",
                    help="random seed (default 1)")
    ap.add_argument("--no-mirror", action="store_true",
                    help="never let (a, b)'s trials stand for (b, a)")
    ap.add_argument("--keep-degraded", action="store_true",
                    help="count cells marked timing: degraded (flagged) "
                    "instead of leaving them out")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a population pair was not measured "
                    "(instead of bounding it by 0 and 1)")
    args = ap.parse_args(argv)
    if args.top < 0 or args.draws < 100:
        ap.error("--top wants N >= 0 and --draws N >= 100")
    return args


def load_population(args):
    pdir = args.profiles or default_profiles()
    pop = popmod.load(args.population, pdir)
    for i, (old, new) in enumerate(args.remap, 1):
        popmod.check_profile("--remap", i, "TO", new, pdir)
        if old not in pop.profiles():
            raise popmod.PopulationError(
                "--remap:%d: FROM: '%s' is not a profile of %s"
                % (i, old, args.population))
        pop.remap(old, new)
    return pop


def estimates(pop, measured, args, mixture):
    """[(condition, label, matrix, Result)] in a stable order."""
    shares = pop.shares()
    out = []
    for key in sorted(measured.groups, key=pairsmod.condition_text):
        group = measured.groups[key]
        mats = [(s, group[s]) for s in sorted(group)]
        if len(group) > 1:
            mats.append((BEST_HELD_OUT, pairsmod.best_held_out(measured,
                                                               key)))
            mats.append((BEST_IN_SAMPLE, pairsmod.best_in_sample(measured,
                                                                 key)))
        for label, mat in mats:
            r = mixture.estimate(shares, pop.sample_size, mat,
                                 mirror=not args.no_mirror,
                                 draws=args.draws, seed=args.seed)
            out.append((key, label, mat, r))
    return out


def _rng(iv):
    return None if iv is None else [round(iv[0], 6), round(iv[1], 6)]


def to_json(pop, runs, measured, ests, args):
    doc = {"population": pop.to_json(),
           "runs": [{"path": r.path, "scenario": r.scenario,
                     "run_id": r.run_id} for r in runs],
           "method": {"text": METHOD, "draws": args.draws,
                      "seed": args.seed, "mirror": not args.no_mirror},
           "cells_used": measured.cells,
           "cells_degraded_excluded": measured.degraded,
           "cells_degraded_kept": measured.flagged,
           "estimates": []}
    for key, label, mat, r in ests:
        doc["estimates"].append({
            "conditions": dict(key), "strategy": label,
            "point": round(r.point[0], 6) if r.point[0] == r.point[1]
            else None,
            "point_bounds": _rng(r.point),
            "interval": _rng(r.interval),
            "interval_matrix_only": _rng(r.matrix_only),
            "interval_population_only": _rng(r.population_only),
            "measured_only": None if r.measured_only is None
            else round(r.measured_only, 6),
            "measured_only_interval": _rng(r.measured_only_interval),
            "coverage": round(r.coverage, 6),
            "pairs": len(r.layout), "pairs_measured":
            len(r.layout) - len(r.unmeasured),
            "unmeasured": [list(p) for p in r.unmeasured],
            "mirrored": [list(p) for p in r.mirrored],
            "top_failures": [dict(f, mass=round(f["mass"], 6))
                             for f in r.failures[:args.top]],
            "degraded_cells": sorted({lab for c in mat.values()
                                      if c.degraded for lab in c.cells})})
    return doc


def _iv(iv):
    return "-" if iv is None else "[%.3f, %.3f]" % iv


def _point(r):
    lo, hi = r.point
    return "%.3f" % lo if abs(hi - lo) < 5e-7 else "%.3f-%.3f" % (lo, hi)


def _order_text(o):
    tag = " (mirrored)" if o["mirrored"] else ""
    strat = " %s" % o["strategy"] if o["strategy"] else ""
    return "%s>%s %d/%d%s%s" % (o["a"], o["b"], o["k"], o["n"], strat, tag)


def text_report(pop, runs, measured, ests, args):
    shares = ", ".join("%s %.1f%%" % (p, 100 * w) for p, w in pop.shares())
    lines = ["population: %s (%s)" % (pop.name, pop.path),
             "  N = %d measured; %s" % (pop.sample_size, shares),
             "runs: %s; %d cells used" % (
                 ", ".join(r.path for r in runs), measured.cells)]
    if measured.degraded:
        lines.append("  left out, timing: degraded: %s"
                     % ", ".join(measured.degraded))
    if measured.flagged:
        lines.append("  counted although timing: degraded: %s"
                     % ", ".join(measured.flagged))
    lines += ["method: Beta(k+1/2, n-k+1/2) per pair x Dirichlet(N*share "
              "+ 1/2), %d draws, seed %d; unmeasured pairs bounded by 0 "
              "and 1 (--help says more)" % (args.draws, args.seed), ""]
    head = "  %-27s %-11s %-16s %-16s %-16s %s" % (
        "strategy", "estimate", "95% interval", "matrix alone",
        "population alone", "coverage")
    last = None
    for key, label, mat, r in ests:
        if key != last:
            lines += ["conditions: %s" % pairsmod.condition_text(key), head]
            last = key
        npairs = len(r.layout)
        cov = "%.1f%% (%d/%d pairs%s)" % (
            100 * r.coverage, npairs - len(r.unmeasured), npairs,
            ", %d mirrored" % len(r.mirrored) if r.mirrored else "")
        lines.append("  %-27s %-11s %-16s %-16s %-16s %s" % (
            label, _point(r), _iv(r.interval), _iv(r.matrix_only),
            _iv(r.population_only), cov))
    lines.append("")
    for key, label, mat, r in ests:
        lines.append("%s, %s:" % (pairsmod.condition_text(key), label))
        if r.unmeasured:
            alone = "-" if r.measured_only is None else "%.3f %s" % (
                r.measured_only, _iv(r.measured_only_interval))
            lines.append("  not measured (bounded by 0..1): %s; measured "
                         "pairs alone: %s" % (
                             ", ".join("%s>%s" % p for p in r.unmeasured),
                             alone))
        total = sum(f["mass"] for f in r.failures)
        for f in r.failures[:args.top]:
            if f["mass"] <= 0:
                break
            lines.append("  %-40s %.3f of pairs fail (%3.0f%% of failures)"
                         ": %s" % (" x ".join(f["pair"]), f["mass"],
                                   100 * f["mass"] / total,
                                   "; ".join(_order_text(o)
                                             for o in f["orders"])))
        if total <= 0 and r.coverage > 0:
            lines.append("  no measured pair failed")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    try:
        import mixture  # late: numpy is the one package beyond the stdlib
    except ImportError as e:
        print("punchlab estimate: %s: install python3-numpy" % e,
              file=sys.stderr)
        return 4
    try:
        pop = load_population(args)
        runs = runsmod.load_runs(args.runs)
    except (popmod.PopulationError, runsmod.InputError) as e:
        print("punchlab estimate: %s" % e, file=sys.stderr)
        return 2
    measured = pairsmod.collect(runs, where=args.where,
                                only=args.strategy,
                                keep_degraded=args.keep_degraded)
    ests = estimates(pop, measured, args, mixture)
    if not ests:
        print("punchlab estimate: no cell of the runs matched (--where, "
              "--strategy, or all marked timing: degraded)", file=sys.stderr)
        return 1
    try:
        if args.json:
            print(json.dumps(to_json(pop, runs, measured, ests, args),
                             indent=2))
        else:
            print(text_report(pop, runs, measured, ests, args))
    except OSError as e:
        print("punchlab estimate: %s" % e, file=sys.stderr)
        return 1
    if args.strict and any(r.unmeasured for _, _, _, r in ests):
        print("punchlab estimate: --strict: the runs did not measure every "
              "pair of the population", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
