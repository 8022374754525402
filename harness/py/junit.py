#!/usr/bin/python3
"""junit: JUnit XML from punchlab run folders for CI systems: one testsuite
per scenario run, one testcase per cell, a failure when the cell's verdict
is fail, and the commands to rerun it in system-out."""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runs as runsmod  # noqa: E402
import alternatives  # noqa: E402
import security  # noqa: E402

MAX_RERUNS = 20

# Characters XML 1.0 cannot carry even escaped; agent error text is
# free-form, so strip them rather than write a file parsers reject.
_BAD_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text):
    return _BAD_XML.sub("?", str(text))


def effect_line(c):
    """An adversary cell's effect against its expectation, one line."""
    adv = c.adversary
    return "%s: %s, expect_effect %s" % (
        security.setting_text(adv), security.effect_text(adv),
        adv.get("expect_effect") or "none (a measurement)")


def failure_message(c):
    adv = c.adversary
    if adv and adv.get("met") is False:
        return "effect misses its expectation: %s" % effect_line(c)
    if c.ladder and alternatives.missed(c.ladder):
        return "; ".join(alternatives.missed(c.ladder))
    lo, hi = c.wilson
    return "measured %d/%d = %.3f [%.3f, %.3f] outside expect %s%s" % (
        c.k, c.n, c.rate if c.n else 0.0, lo, hi, c.expect_text or "?",
        " (harness timing degraded: the miss may be the harness's)"
        if c.degraded else "")


def failure_body(c):
    lines = ["%s: %d" % (r, c.failures[r])
             for r in sorted(c.failures, key=lambda r: (
                 runsmod.REASONS.index(r) if r in runsmod.REASONS
                 else len(runsmod.REASONS), r))]
    if not lines:
        lines = ["no failed trials (too many successes for the expectation)"]
    if c.adversary:
        lines = ["adversary: %s" % (c.adversary.get("verdict") or "-"),
                 "failed trials by reason:"] + lines
    if isinstance(c.expect, dict) and c.expect.get("reason"):
        lines += ["", "expectation: %s" % c.expect["reason"]]
    if c.nat_counters:
        for side in ("a", "b"):
            v = c.nat_counters.get(side)
            if isinstance(v, dict):
                lines.append("router %s (%s): %s SYNs dropped, %s RSTs sent"
                             % (side, getattr(c, side),
                                v.get("syn_dropped", "?"),
                                v.get("rst_sent", "?")))
    return "\n".join(lines) + "\n"


def system_out(run, c):
    lines = ["%s x %s, %d/%d ok, seed %s from %s" % (
        c.a, c.b, c.k, c.n, run.seed if run.seed is not None else "unknown",
        run.scenario_path), "rerun the cell: %s" % run.rerun_command(c.name)]
    # Failed trials of a passing cell were expected (a "== 0" cell fails
    # every trial): only a failing cell lists them, and at most MAX_RERUNS.
    bad = c.failed_trials() if c.verdict == "fail" else []
    if bad:
        lines.append("rerun a failed trial:")
        lines += ["  %s  # %s" % (run.rerun_command(c.name, t.trial),
                                  t.outcome) for t in bad[:MAX_RERUNS]]
        if len(bad) > MAX_RERUNS:
            lines.append("  ... %d more in report.md"
                         % (len(bad) - MAX_RERUNS))
    if c.adversary:
        lines.append("adversary %s" % effect_line(c))
        lines.append("defences: %s" % security.defences_text(c.adversary))
        lines.append("verdict: %s" % (c.adversary.get("verdict") or "-"))
    if c.degraded:
        lines.append("timing degraded: %s" % (
            c.timing_note or "the harness's timing exceeded the "
            "scenario's timing_error_max_ms"))
        lines.append("the verdict above is kept (a miss still fails), "
                     "but the rate measures the harness, not the NAT")
    if c.verdict not in ("pass", "fail", "skip"):
        lines.append("no verdict in summary.json")
    return "\n".join(lines) + "\n"


def adversary_props(adv):
    """(name, value) properties of an adversary testcase."""
    e = adv.get("effect") if isinstance(adv.get("effect"), dict) else {}
    out = [("attack", security.setting_text(adv)),
           ("defences", security.defences_text(adv)),
           ("effect", security.effect_text(adv))]
    if e.get("value") is not None:
        out.append((str(e.get("name") or "effect_value"),
                    "%g" % e["value"]))
    out.append(("expect_effect", adv.get("expect_effect") or "none"))
    return out


def testsuite(run, name):
    cases = []
    counts = {"fail": 0, "skip": 0}
    for c in run.cells:
        case = c.name + (" [timing degraded]" if c.degraded else "")
        tc = ET.Element("testcase", name=clean(case),
                        classname=clean(run.scenario))
        if c.timing:
            props = ET.SubElement(tc, "properties")
            ET.SubElement(props, "property", name="timing",
                          value=clean(c.timing))
            for key in runsmod.TIMING_KEYS:
                if c.timing_stats.get(key) is not None:
                    ET.SubElement(props, "property", name=key,
                                  value="%g" % c.timing_stats[key])
        if c.adversary:
            props = tc.find("properties")
            if props is None:
                props = ET.SubElement(tc, "properties")
            for key, val in adversary_props(c.adversary):
                ET.SubElement(props, "property", name=key, value=clean(val))
        if c.ladder:
            props = tc.find("properties")
            if props is None:
                props = ET.SubElement(tc, "properties")
            for key, val in alternatives.junit_props(c.ladder):
                ET.SubElement(props, "property", name="ladder_" + key,
                              value=clean(val))
        if c.verdict == "fail":
            counts["fail"] += 1
            f = ET.SubElement(tc, "failure", message=clean(
                failure_message(c)), type="expectation")
            f.text = clean(failure_body(c))
        elif c.verdict == "skip":
            counts["skip"] += 1
            ET.SubElement(tc, "skipped", message="skipped by the harness")
        ET.SubElement(tc, "system-out").text = clean(system_out(run, c))
        cases.append(tc)
    ts = ET.Element("testsuite", name=clean(name), tests=str(len(cases)),
                    failures=str(counts["fail"]), errors="0",
                    skipped=str(counts["skip"]))
    props = ET.SubElement(ts, "properties")
    for key, val in (("run_id", run.run_id), ("seed", run.seed),
                     ("scenario_file", run.scenario_path),
                     ("kernel", run.kernel), ("folder", run.path)):
        if val is not None:
            ET.SubElement(props, "property", name=key, value=clean(val))
    ts.extend(cases)
    return ts, counts


def build(runs):
    root = ET.Element("testsuites", name="punchlab")
    names = [r.scenario for r in runs]
    total = {"tests": 0, "fail": 0, "skip": 0}
    for r in runs:
        name = r.scenario
        if names.count(name) > 1:
            name = "%s/%s" % (r.scenario, r.run_id)
        ts, counts = testsuite(r, name)
        root.append(ts)
        total["tests"] += len(r.cells)
        total["fail"] += counts["fail"]
        total["skip"] += counts["skip"]
    root.set("tests", str(total["tests"]))
    root.set("failures", str(total["fail"]))
    root.set("errors", "0")
    root.set("skipped", str(total["skip"]))
    return root


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="junit.py",
        description="Write JUnit XML for punchlab run folders: one "
        "testsuite per run, one testcase per cell, a failure per cell whose "
        "verdict is fail.",
        epilog="Exit status: 0 written, 2 usage or bad input (the message "
        "names the file and line).")
    ap.add_argument("runs", metavar="RUN_DIR", nargs="+",
                    help="run folder holding summary.json and trials.jsonl")
    ap.add_argument("--out", metavar="FILE.xml", required=True,
                    help="where to write the XML")
    ap.add_argument("--quiet", action="store_true",
                    help="print nothing on success")
    args = ap.parse_args(argv)
    try:
        runs = runsmod.load_runs(args.runs)
    except runsmod.InputError as e:
        print("junit.py: %s" % e, file=sys.stderr)
        return 2
    tree = ET.ElementTree(build(runs))
    ET.indent(tree)
    try:
        parent = os.path.dirname(args.out)
        if parent:
            os.makedirs(parent, exist_ok=True)
        tree.write(args.out, encoding="utf-8", xml_declaration=True)
    except OSError as e:
        print("junit.py: %s: %s" % (args.out, e.strerror), file=sys.stderr)
        return 2
    if not args.quiet:
        print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
