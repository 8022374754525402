#!/usr/bin/python3
"""bundle: packs a punchlab run into one archive a bug report can carry (the
run folder with its captures and snapshots, the scenario as it ran, every
NAT profile it used, the versions involved), and unpacks such an archive
for `punchlab replay`, which runs it (the scenario and its profiles are
never parsed here: the run folder's run.json lists the profile copies C
made while it parsed them).

  bundle.py RUN_DIR [--out FILE.tar.gz] [--profiles DIR]
  bundle.py --unpack BUNDLE --into DIR

--unpack leaves DIR/<scenario>.ini and DIR/profiles/ and says on stderr
which versions differ from the bundle's.

Exit codes: 0 done, 1 failed, 2 bad input."""
import argparse
import datetime
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# Names that become paths inside the archive and on the replaying machine.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SAFE_TOP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
MAX_MEMBERS = 100000
MAX_JSON = 1 << 20


class InputError(Exception):
    """Bad input; str() says which file and what to do."""


def _run(argv, timeout=10):
    """First line of a command's output, or None when it cannot run."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    if p.returncode != 0:
        return None
    out = (p.stdout or p.stderr).strip().splitlines()
    return out[0].strip() if out else None


def versions():
    """What a reader needs to judge whether a replay can differ."""
    nft = _run(["nft", "--version"])
    if not nft:
        ver = _run(["dpkg-query", "-W", "-f", "${Version}",
                    "libnftables1"])
        nft = "libnftables1 %s" % ver if ver else "unknown"
    pl = None
    if os.path.isdir(os.path.join(ROOT, ".git")):
        pl = _run(["git", "-C", ROOT, "describe", "--always", "--dirty",
                   "--tags"])
    v = {"kernel": os.uname().release, "nftables": nft,
         "punchlab": pl or "unknown"}
    if os.environ.get("BITCOIND"):
        v["bitcoind"] = _run([os.environ["BITCOIND"], "-version"]) or \
            "unknown"
    return v


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(MAX_JSON + 1)
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror))
    if len(text) > MAX_JSON:
        raise InputError("%s: larger than %d bytes" % (path, MAX_JSON))
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise InputError("%s: not JSON: %s" % (path, e))
    if not isinstance(obj, dict):
        raise InputError("%s: not a JSON object" % path)
    return obj


def first_existing(candidates):
    for c in candidates:
        if c and os.path.exists(c):
            return c
    return None


def run_profiles(run_dir, info, profiles=None):
    """{name: path} of the profiles the run used, as run.json's
    profile_files lists them: the run's own copies in run_dir/profiles/,
    or with --profiles the files of that name in DIR."""
    names = info.get("profile_files")
    pdir = profiles or os.path.join(run_dir, "profiles")
    if not isinstance(names, list):
        raise InputError("%s/run.json: no profile_files list (the run was "
                         "made by an older punchlab; run it again)" %
                         run_dir)
    found = {}
    for f in names:
        name = f[:-4] if isinstance(f, str) and f.endswith(".ini") else ""
        if not SAFE_NAME.match(name):
            raise InputError("%s/run.json: '%s' is not a profile file" %
                             (run_dir, f))
        path = os.path.join(pdir, f)
        if not os.path.isfile(path):
            raise InputError("%s/run.json: profile '%s' not found in %s "
                             "(give --profiles DIR)" % (run_dir, name, pdir))
        found[name] = path
    return found


def run_files(run_dir):
    """Relative paths of the run folder's regular files, sorted."""
    out = []
    for top, dirs, files in os.walk(run_dir):
        dirs.sort()
        for f in sorted(files):
            full = os.path.join(top, f)
            if os.path.isfile(full) and not os.path.islink(full):
                out.append(os.path.relpath(full, run_dir))
    return out


def _plain(ti):
    """Members carry no owner of the machine they were made on."""
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = ""
    return ti


def _add_bytes(tar, name, data):
    ti = _plain(tarfile.TarInfo(name))
    ti.size = len(data)
    ti.mtime = int(datetime.datetime.now().timestamp())
    ti.mode = 0o644
    tar.addfile(ti, io.BytesIO(data))


def make_bundle(run_dir, out=None, profiles=None):
    run_dir = os.path.normpath(run_dir)
    if not os.path.isdir(run_dir):
        raise InputError("%s: no such run folder" % run_dir)
    info = read_json(os.path.join(run_dir, "run.json"))
    rid = str(info.get("run_id") or os.path.basename(run_dir))
    name = str(info.get("scenario") or "")
    if not SAFE_NAME.match(rid) or not SAFE_NAME.match(name):
        raise InputError("%s/run.json: run_id or scenario missing or "
                         "not a plain name" % run_dir)
    # The copy the run kept is the scenario as it ran; the path it was
    # read from may have been edited since.
    recorded = info.get("path") if isinstance(info.get("path"), str) else ""
    scen = first_existing([os.path.join(run_dir, "scenario.ini"),
                           recorded,
                           recorded and os.path.join(ROOT, recorded)])
    if not scen:
        raise InputError("%s/run.json: scenario file '%s' not found (run "
                         "from the folder the run was started in)" %
                         (run_dir, recorded))
    if profiles and not os.path.isdir(profiles):
        raise InputError("%s: no such profile folder" % profiles)
    profs = run_profiles(run_dir, info, profiles)
    files = run_files(run_dir)
    top = "punchlab-bundle-%s-%s" % (name, rid)
    meta = {
        "format": FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scenario": name,
        "run_id": rid,
        "scenario_file": "scenario.ini",
        "scenario_source": os.path.abspath(scen),
        "profiles_dir": "profiles",
        "profiles": sorted(profs),
        "run_dir": "run",
        "run_files": files,
        "run_kernel": info.get("kernel"),
        "versions": versions(),
    }
    if out is None:
        out = run_dir + ".bundle.tar.gz"
    meta["replay"] = "punchlab replay %s" % os.path.basename(out)
    out_dir = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".bundle-", suffix=".tar.gz",
                               dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, top + "/bundle.json",
                       (json.dumps(meta, indent=2) + "\n").encode())
            tar.add(scen, arcname=top + "/scenario.ini", filter=_plain)
            for p in sorted(profs):
                tar.add(profs[p], arcname="%s/profiles/%s.ini" % (top, p),
                        filter=_plain)
            for f in files:
                tar.add(os.path.join(run_dir, f),
                        arcname="%s/run/%s" % (top, f), filter=_plain)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    return out


def _safe_members(tar, bundle):
    """Every member a plain file or folder under one top folder: an archive
    from elsewhere must not write outside the folder it is unpacked in."""
    members = []
    top = None
    for i, m in enumerate(tar):
        if i >= MAX_MEMBERS:
            raise InputError("%s: more than %d members" %
                             (bundle, MAX_MEMBERS))
        parts = m.name.split("/")
        if m.name.startswith("/") or ".." in parts or "" in parts[:-1] \
                or not (m.isfile() or m.isdir()):
            raise InputError("%s: refusing member '%s'" % (bundle, m.name))
        if top is None:
            top = parts[0]
        if parts[0] != top or not SAFE_TOP.match(top):
            raise InputError("%s: members outside one top folder ('%s')" %
                             (bundle, m.name))
        m.mode = 0o755 if m.isdir() else 0o644
        members.append(_plain(m))
    if top is None:
        raise InputError("%s: empty archive" % bundle)
    return top, members


def unpack(bundle, dest):
    """Unpacks into dest; returns (folder, bundle.json)."""
    try:
        with tarfile.open(bundle, "r:*") as tar:
            top, members = _safe_members(tar, bundle)
            # Checked above; newer Pythons check again.
            kw = {"filter": "data"} if hasattr(tarfile, "data_filter") \
                else {}
            tar.extractall(dest, members=members, **kw)
    except (OSError, tarfile.TarError, EOFError) as e:
        raise InputError("%s: not a readable bundle: %s" % (bundle, e))
    root = os.path.join(dest, top)
    meta = read_json(os.path.join(root, "bundle.json"))
    if meta.get("format") != FORMAT:
        raise InputError("%s: bundle format %r, this script reads %d" %
                         (bundle, meta.get("format"), FORMAT))
    name = meta.get("scenario")
    if not isinstance(name, str) or not SAFE_NAME.match(name):
        raise InputError("%s: bundle.json names no scenario" % bundle)
    for need in ("scenario.ini", "profiles"):
        if not os.path.exists(os.path.join(root, need)):
            raise InputError("%s: has no %s" % (bundle, need))
    return root, meta


def unpack_for_replay(bundle, into):
    """DIR/<scenario>.ini (results are named after the file) and
    DIR/profiles/, for `punchlab replay` to run."""
    if not os.path.isdir(into) or os.listdir(into):
        raise InputError("%s: not an empty folder" % into)
    root, meta = unpack(bundle, into)
    here = versions()
    was = meta.get("versions") or {}
    for k in ("kernel", "nftables", "punchlab"):
        if was.get(k) and was.get(k) != here.get(k):
            print("bundle.py: %s differs: bundle %s, here %s" %
                  (k, was.get(k), here.get(k)), file=sys.stderr)
    os.replace(os.path.join(root, "scenario.ini"),
               os.path.join(into, meta["scenario"] + ".ini"))
    os.replace(os.path.join(root, "profiles"),
               os.path.join(into, "profiles"))
    shutil.rmtree(root)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="bundle.py",
        description="Pack a punchlab run folder into a bug-report bundle, "
        "or unpack one for punchlab replay.",
        epilog="Exit codes: 0 done, 1 failed, 2 bad input.")
    ap.add_argument("run_dir", nargs="?", metavar="RUN_DIR",
                    help="results/<scenario>/<run-id> to pack")
    ap.add_argument("--out", metavar="FILE.tar.gz",
                    help="archive to write (default: RUN_DIR.bundle.tar.gz)")
    ap.add_argument("--profiles", metavar="DIR",
                    help="NAT profile folder the run used (default: the "
                    "run's copy, run.json's, ./nat-profiles, the repo's)")
    ap.add_argument("--unpack", metavar="BUNDLE",
                    help="unpack BUNDLE for punchlab replay")
    ap.add_argument("--into", metavar="DIR",
                    help="with --unpack: the empty folder to unpack into")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        if a.unpack:
            if a.run_dir or a.out or a.profiles or not a.into:
                ap.print_usage(sys.stderr)
                return 2
            if not os.path.isfile(a.unpack):
                raise InputError("%s: no such bundle" % a.unpack)
            unpack_for_replay(a.unpack, a.into)
            return 0
        if not a.run_dir or a.into:
            ap.print_usage(sys.stderr)
            return 2
        print(make_bundle(a.run_dir, a.out, a.profiles))
        return 0
    except InputError as e:
        print("bundle.py: %s" % e, file=sys.stderr)
        return 2
    except OSError as e:
        print("bundle.py: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
