#!/usr/bin/python3
"""shardcmp.py UNSHARDED_RUN MERGED_RUN [DRAWN]: exit 0 when a merge of
shards (`punchlab merge`) gives what the unsharded run of the same
scenario gave: the same cells in the same order with the same profiles,
trial counts, successes, failures by outcome, verdicts and expectations,
and every trial (cell, trial) the same seed, outcome and drawn
conditions; the merged trials all carry the merged run id. DRAWN: how
many trials must have drawn conditions (a check that the draws were
compared at all). Used by tests/integration/parts/shard.sh and the
scenario-shards workflow; only for scenarios whose outcomes the NATs
decide (a timing-bound cell may differ between any two runs)."""
import json
import sys


def load(d):
    s = json.load(open(d + "/summary.json"))
    cells = [(c["cell"], c["a"], c["b"], c["trials"], c["successes"],
              c["failures"], c["verdict"], c["expect"]["text"])
             for c in s["cells"]]
    trials = sorted((t["cell"], t["trial"], t["seed"], t["outcome"],
                     json.dumps(t["cond"], sort_keys=True))
                    for t in map(json.loads, open(d + "/trials.jsonl")))
    ids = {t["run_id"] for t in map(json.loads, open(d + "/trials.jsonl"))}
    return s, cells, trials, ids


want_drawn = int(sys.argv[3]) if len(sys.argv) > 3 else len(
    [t for t in load(sys.argv[1])[2] if t[4] != "{}"])
us, uc, ut, _ = load(sys.argv[1])
ms, mc, mt, mids = load(sys.argv[2])
drawn = [t for t in mt if t[4] != "{}"]
print("unsharded %d cells %d trials, merged %d cells %d trials, %d drawn"
      % (len(uc), len(ut), len(mc), len(mt), len(drawn)))
for a, b in zip(uc, mc):
    if a != b:
        print("differs: %s / %s" % (a, b))
sys.exit(0 if uc == mc and ut == mt and len(drawn) == want_drawn and
         us["seed"] == ms["seed"] and mids == {ms["run_id"]} else 1)
