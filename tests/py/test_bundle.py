"""Tests for harness/py/bundle.py: a fake run folder, scenario and profiles
in a temp folder are bundled, the archive is checked member by member, and
--unpack lays it out for `punchlab replay` (which runs it; the integration
tests replay a real run). Run from the repo root: /usr/bin/python3 -m
unittest discover -s tests/py"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(ROOT, "harness", "py", "bundle.py")

SCENARIO = """\
# a scenario of two cells, one of them NAT444
[scenario]
description = test ; inline comment
trials = 4
seed = 7

[cell plain]
a = home      ; alice
b = home
expect = >= 0.5

[cell cg]
a = home
b = cg
expect = == 0

[matrix sweep]
a = home, sym
b = cg,home
skew_ms = 0, 100
expect = >= 0
"""
PROFILES = {
    "home": "[nat]\nmapping = endpoint-independent\n",
    "cg": "# behind a carrier\n[nat]\nbehind = carrier ; the CGN\n",
    "carrier": "[nat]\nmapping = address+port-dependent\n",
    "sym": "[nat]\nmapping = address+port-dependent\n",
    "unused": "[nat]\nmapping = none\n",
}
RID = "abc123"
# What punchlab's C side records while it parses the scenario: every
# profile it loaded, carriers included (cg sits behind carrier).
USED = ["carrier.ini", "cg.ini", "home.ini", "sym.ini"]


def bundle(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, SCRIPT] + list(args),
                          capture_output=True, text=True, timeout=60, env=e)


class BundleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="plh-bundle-")
        t = self.tmp
        self.scen = os.path.join(t, "src", "two-cells.ini")
        self.prof = os.path.join(t, "src", "profiles")
        os.makedirs(self.prof)
        with open(self.scen, "w") as f:
            f.write(SCENARIO)
        for name, text in PROFILES.items():
            with open(os.path.join(self.prof, name + ".ini"), "w") as f:
                f.write(text)
        self.run_dir = os.path.join(t, "results", "two-cells", RID)
        for sub in ("captures", "snapshots"):
            os.makedirs(os.path.join(self.run_dir, sub))
        self.files = {
            "run.json": json.dumps({"scenario": "two-cells",
                                    "path": self.scen, "run_id": RID,
                                    "seed": 7, "kernel": "6.1.0-test",
                                    "profile_files": USED}),
            "trials.jsonl": '{"cell": "plain", "trial": 0}\n',
            "summary.json": "{}",
            "coordinator.jsonl": "",
            "agents.log": "agent says\n",
            "captures/pl-abc123-c0-ra-abc123-wan.pcap":
                "\xd4\xc3\xb2\xa1 fake",
            "snapshots/pl-abc123-c0-ra.conntrack.jsonl": "{}\n",
            "snapshots/pl-abc123-c0-ra.nft": "table ip punchlab_abc123 {}\n",
        }
        for rel, text in self.files.items():
            with open(os.path.join(self.run_dir, rel), "w") as f:
                f.write(text)
        self.fake_bitcoind = os.path.join(t, "bitcoind")
        with open(self.fake_bitcoind, "w") as f:
            f.write("#!/bin/sh\necho 'Bitcoin Core daemon version "
                    "v27.1.0'\necho 'Copyright (C)'\n")
        os.chmod(self.fake_bitcoind, stat.S_IRWXU)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def make(self, *extra):
        out = os.path.join(self.tmp, "b.tar.gz")
        r = bundle(self.run_dir, "--profiles", self.prof, "--out", out,
                   *extra, env={"BITCOIND": self.fake_bitcoind})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), out)
        return out

    def unpack(self, path):
        into = tempfile.mkdtemp(dir=self.tmp)
        return bundle("--unpack", path, "--into", into), into

    def test_members_and_metadata(self):
        out = self.make()
        top = "punchlab-bundle-two-cells-" + RID
        with tarfile.open(out) as tar:
            names = set(tar.getnames())
            for m in tar.getmembers():
                self.assertTrue(m.name.startswith(top + "/"), m.name)
                self.assertNotIn("..", m.name.split("/"))
                self.assertTrue(m.isfile() or m.isdir())
                self.assertEqual((m.uid, m.uname), (0, ""))
            meta = json.load(tar.extractfile(top + "/bundle.json"))
            scen = tar.extractfile(top + "/scenario.ini").read().decode()
            pcap = tar.extractfile(
                top + "/run/captures/pl-abc123-c0-ra-abc123-wan.pcap").read()
        want = {top + "/" + p for p in (
            "bundle.json", "scenario.ini", "profiles/home.ini",
            "profiles/cg.ini", "profiles/carrier.ini",
            "profiles/sym.ini")}
        want |= {top + "/run/" + f for f in self.files}
        self.assertEqual(want - names, set())
        # Only what the run used, as its run.json lists them.
        self.assertNotIn(top + "/profiles/unused.ini", names)
        self.assertEqual(scen, SCENARIO)
        self.assertEqual(pcap, self.files[
            "captures/pl-abc123-c0-ra-abc123-wan.pcap"].encode())

        for key in ("format", "created", "scenario", "run_id",
                    "scenario_file", "profiles", "run_files", "versions",
                    "run_kernel"):
            self.assertIn(key, meta)
        self.assertEqual(meta["scenario"], "two-cells")
        self.assertEqual(meta["run_id"], RID)
        self.assertEqual(meta["profiles"],
                         ["carrier", "cg", "home", "sym"])
        self.assertEqual(meta["run_kernel"], "6.1.0-test")
        self.assertEqual(sorted(meta["run_files"]), sorted(self.files))
        v = meta["versions"]
        self.assertEqual(v["kernel"], os.uname().release)
        self.assertTrue(v["nftables"])
        self.assertTrue(v["punchlab"])
        self.assertEqual(v["bitcoind"],
                         "Bitcoin Core daemon version v27.1.0")

    def test_default_out_and_run_copy(self):
        # A scenario copy kept in the run folder is the one that ran,
        # even if the original was edited since.
        with open(os.path.join(self.run_dir, "scenario.ini"), "w") as f:
            f.write(SCENARIO)
        with open(self.scen, "a") as f:
            f.write("\n[cell edited-later]\na = unused\nb = unused\n"
                    "expect = == 1\n")
        r = bundle(self.run_dir, "--profiles", self.prof)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.strip()
        self.assertEqual(out, self.run_dir + ".bundle.tar.gz")
        with tarfile.open(out) as tar:
            top = tar.getnames()[0].split("/")[0]
            scen = tar.extractfile(top + "/scenario.ini").read().decode()
            names = tar.getnames()
            meta = json.load(tar.extractfile(top + "/bundle.json"))
        self.assertEqual(scen, SCENARIO)
        self.assertNotIn(top + "/profiles/unused.ini", names)
        if "BITCOIND" not in os.environ:
            self.assertNotIn("bitcoind", meta["versions"])

    def test_run_copies_without_profiles_option(self):
        # The run folder's own profiles/ copies are what ran.
        os.makedirs(os.path.join(self.run_dir, "profiles"))
        for f in USED:
            shutil.copy(os.path.join(self.prof, f),
                        os.path.join(self.run_dir, "profiles", f))
        r = bundle(self.run_dir, "--out", os.path.join(self.tmp, "c.tgz"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with tarfile.open(os.path.join(self.tmp, "c.tgz")) as tar:
            top = tar.getnames()[0].split("/")[0]
            names = set(tar.getnames())
        for f in USED:
            self.assertIn("%s/profiles/%s" % (top, f), names)

    def test_unpack_for_replay(self):
        out = self.make()
        # Another machine: only the archive is there.
        moved = os.path.join(self.tmp, "elsewhere", "report.tar.gz")
        os.makedirs(os.path.dirname(moved))
        shutil.move(out, moved)
        shutil.rmtree(os.path.join(self.tmp, "src"))
        shutil.rmtree(os.path.join(self.tmp, "results"))
        r, into = self.unpack(moved)
        self.assertEqual(r.returncode, 0, r.stderr)
        # Results keep the scenario's name: the file is named after it.
        self.assertEqual(sorted(os.listdir(into)),
                         ["profiles", "two-cells.ini"])
        with open(os.path.join(into, "two-cells.ini")) as f:
            self.assertEqual(f.read(), SCENARIO)
        self.assertEqual(sorted(os.listdir(os.path.join(into, "profiles"))),
                         USED)
        # Only into an empty folder.
        r, _ = bundle("--unpack", moved, "--into", into), None
        self.assertEqual(r.returncode, 2)

    def test_bad_input(self):
        # No run.json.
        os.unlink(os.path.join(self.run_dir, "run.json"))
        r = bundle(self.run_dir, "--profiles", self.prof)
        self.assertEqual(r.returncode, 2)
        self.assertIn("run.json", r.stderr)
        # run.json from a punchlab that listed no profiles.
        with open(os.path.join(self.run_dir, "run.json"), "w") as f:
            json.dump({"scenario": "two-cells", "path": self.scen,
                       "run_id": RID}, f)
        r = bundle(self.run_dir, "--profiles", self.prof)
        self.assertEqual(r.returncode, 2)
        self.assertIn("profile_files", r.stderr)
        # A profile the run used is missing: named.
        with open(os.path.join(self.run_dir, "run.json"), "w") as f:
            json.dump({"scenario": "two-cells", "path": self.scen,
                       "run_id": RID, "profile_files": USED}, f)
        os.unlink(os.path.join(self.prof, "carrier.ini"))
        r = bundle(self.run_dir, "--profiles", self.prof)
        self.assertEqual(r.returncode, 2)
        self.assertIn("'carrier' not found", r.stderr)
        # Usage errors.
        self.assertEqual(bundle().returncode, 2)
        self.assertEqual(bundle("--unpack", "x", self.run_dir).returncode,
                         2)
        self.assertEqual(bundle(self.run_dir, "--bogus").returncode, 2)
        self.assertEqual(bundle("--help").returncode, 0)
        # No such bundle; not an archive.
        self.assertEqual(self.unpack(os.path.join(self.tmp, "none"))[0].
                         returncode, 2)
        junk = os.path.join(self.tmp, "junk.tar.gz")
        with open(junk, "w") as f:
            f.write("not a tar")
        r, into = self.unpack(junk)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(os.listdir(into), [])

    def test_hostile_archive(self):
        evil = os.path.join(self.tmp, "evil.tar.gz")
        victim = os.path.join(self.tmp, "victim")
        src = os.path.join(self.tmp, "f")
        with open(src, "w") as f:
            f.write("x")
        for name in ("top/../../victim", "/tmp/plh-abs-victim"):
            with tarfile.open(evil, "w:gz") as tar:
                tar.add(src, arcname="top/bundle.json")
                ti = tar.gettarinfo(src, arcname="x")
                ti.name = name   # add() would strip a leading /
                with open(src, "rb") as f:
                    tar.addfile(ti, f)
            r, _ = self.unpack(evil)
            self.assertEqual(r.returncode, 2, name)
            self.assertIn("refusing member", r.stderr)
        with tarfile.open(evil, "w:gz") as tar:
            ti = tarfile.TarInfo("top/link")
            ti.type = tarfile.SYMTYPE
            ti.linkname = "/etc/passwd"
            tar.addfile(ti)
        self.assertEqual(self.unpack(evil)[0].returncode, 2)
        self.assertFalse(os.path.exists(victim))
        self.assertFalse(os.path.exists("/tmp/plh-abs-victim"))

if __name__ == "__main__":
    unittest.main()
