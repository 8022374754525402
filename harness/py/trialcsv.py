"""trialcsv: results.csv, one row per trial with each condition parameter
in its own column, for spreadsheets and R/pandas users."""
import csv

import alternatives

COLUMNS = ("scenario", "run_id", "cell", "a", "b", "trial", "seed",
           "outcome", "attempts", "ttc_ms", "handshake_ms", "start_skew_us")
# An adversary trial's "adv" members (docs/adversaries.md section 6), in
# the contract's order; a run gets the columns its trials carry, adv_KEY.
ADV_KEYS = ("attack", "victim_syns", "victim_bytes", "attacker_bytes",
            "played", "detected", "cost_ms", "syns_sent", "sockets",
            "inject_offset_ms", "killed", "paired")


def _adv(t):
    adv = t.raw.get("adv")
    return adv if isinstance(adv, dict) else {}


def _val(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def rows(run):
    """Header and rows for one run, trials in cell order then trial."""
    keys = run.param_keys()
    advk = [k for k in ADV_KEYS if any(k in _adv(t) for t in run.trials)]
    ladk = alternatives.csv_columns(run.trials)
    out = [list(COLUMNS) + keys + ["adv_" + k for k in advk] +
           alternatives.csv_header(ladk)]
    for c in run.cells:
        for t in c.trials:
            seed = t.seed if t.seed is not None else run.seed
            row = [run.scenario, run.run_id, c.name, t.a or c.a, t.b or c.b,
                   t.trial, seed, t.outcome, t.attempts, t.ttc_ms,
                   t.handshake_ms, t.start_skew_us]
            row += [t.params.get(k) for k in keys]
            row += [_adv(t).get(k) for k in advk]
            row += alternatives.csv_values(t, ladk)
            out.append([_val(v) for v in row])
    return out


def write(run, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows(run))


def main(argv=None):
    """trialcsv.py RUN_DIR...: writes RUN_DIR/results.csv for each run."""
    import sys
    import runs as runsmod
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print("usage: trialcsv.py RUN_DIR... (writes RUN_DIR/results.csv)")
        return 0 if args else 2
    try:
        for r in runsmod.load_runs(args):
            write(r, r.path + "/results.csv")
    except runsmod.InputError as e:
        print("trialcsv.py: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main())
