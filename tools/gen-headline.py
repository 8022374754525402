#!/usr/bin/python3
"""gen-headline.py: writes scenarios/headline.ini, the headline matrix:
every pair of home profiles under each punch strategy at realistic
conditions, drawn per trial (README "Realistic conditions"):

  rtt_ms            lognormal:median=40,p90=120  (conditions/README.md)
  access_a_ms/_b_ms uniform:1,8    one-way, each home's access link
  coord_delay_*_ms  lognormal:median=10,p90=40   each home to charlie
  jitter_ms         uniform:0,1    loss 0.002 per path, one way

Pairs are unordered (a before b in PROFILES): both agents run the same
strategy and the coordinator gives the roles, so b x a repeats a x b;
scenarios/strategies.ini keeps the ordered pairs at fixed delays. The
expectation of each cell is gen-strategies.py's model at a path of tens of
milliseconds (its RTT >= 20 branch), since the drawn peer RTT is rarely
below that (rtt_ms + 2 access delays >= 4 ms, median about 58 ms).

  /usr/bin/python3 tools/gen-headline.py > scenarios/headline.ini
  /usr/bin/python3 tools/gen-headline.py --profiles home-eim,adm > x.ini
"""
import argparse
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "gen_strategies", os.path.join(HERE, "gen-strategies.py"))
model = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(model)

# The home profiles the headline covers, in table order; a profile the
# model does not know (model.PROPS) needs its properties added there.
# The device zoo first, then the four idealised profiles the shipped
# populations (populations/) are written in.
PROFILES = [p[0] for p in model.ZOO] + [
    "home-eim", "home-eim-rst", "full-cone", "symmetric"]
STRATEGIES = model.STRATEGIES
CONDITIONS = (
    ("rtt_ms", "lognormal:median=40,p90=120"),
    ("access_a_ms", "uniform:1,8"),
    ("access_b_ms", "uniform:1,8"),
    ("coord_delay_a_ms", "lognormal:median=10,p90=40"),
    ("coord_delay_b_ms", "lognormal:median=10,p90=40"),
    ("jitter_ms", "uniform:0,1"),
    ("loss", "0.002"),
)
# The model's branch for a path of tens of ms.
MODEL_RTT = 40

HEADER = """\
# The headline matrix: every pair of home profiles under each punch
# strategy at realistic conditions, each trial with its own RTT, access
# delays, coordinator delays and jitter drawn from the distributions
# below (README "Realistic conditions"; the RTT distribution's source is
# in conditions/README.md). Written by tools/gen-headline.py, which says
# where each expectation comes from; do not edit by hand. The zero-delay
# matrix (scenarios/strategies.ini, 0 ms blocks) is the stress case.
#
#   [alice]--[router A: a]--(access a)--[inet]--(access b)--[router B: b]--[bob]
#                                          |
#                            (coord delays a, b: each its own)
#                                  [charlie 192.0.2.1]
#
# Cells draw per trial, so each runs its trials one at a time (its queues
# change per trial); the run's concurrency comes from its many cells.
[scenario]
description = %(desc)s
trials = %(trials)d
seed = 1
parallel = 1
timeout_ms = 5000
%(conds)s
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profiles", default=",".join(PROFILES),
                    help="comma-separated profiles (default: all %d)"
                    % len(PROFILES))
    ap.add_argument("--strategies", default=",".join(STRATEGIES))
    ap.add_argument("--trials", type=int, default=20)
    args = ap.parse_args(argv)
    profiles = args.profiles.split(",")
    strategies = args.strategies.split(",")
    for p in profiles:
        if p not in model.PROPS:
            ap.error("profile %s is not in gen-strategies.py's model" % p)
    for s in strategies:
        if s not in STRATEGIES:
            ap.error("strategy %s is not one of %s" % (s, STRATEGIES))
    out = sys.stdout
    out.write(HEADER % {
        "desc": "%d home profiles, unordered pairs x {%s} at drawn "
                "realistic conditions" % (len(profiles),
                                          ", ".join(strategies)),
        "trials": args.trials,
        "conds": "\n".join("%s = %s" % kv for kv in CONDITIONS)})
    for strategy in strategies:
        for i, a in enumerate(profiles):
            for b in profiles[i:]:
                exp, why = model.expect(strategy, MODEL_RTT, a, b)
                why = why.replace("%d ms path" % MODEL_RTT,
                                  "path of tens of ms")
                out.write("\n[cell %s-%s-%s]\na = %s\nb = %s\n"
                          "strategy = %s\nexpect = %s\nreason = %s\n" % (
                              strategy, model.short(a), model.short(b), a,
                              b, strategy, exp, why))
    return 0


if __name__ == "__main__":
    sys.exit(main())
