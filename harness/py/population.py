"""population: reads a population file (populations/*.csv): which NAT
profiles home nodes sit behind, in what shares, measured on how many
devices, and from which published source each share comes.

    # name: fixed-line home NATs, NAT Check 2005
    # sample_size: 286
    # source: [ford2005] B. Ford, P. Srisuresh, D. Kegel, ... (URL)
    # mapping: how the published categories became punchlab profiles
    profile,count,category,source
    home-eim,184,"TCP: consistent translation, no RST",ford2005

Header comments are `# key: value` lines (name, sample_size, source,
mapping, note; other comment lines are free text). The table has a
`profile` column, either `share` (fractions summing to 1) or `count`
(sample_size defaults to their sum), and `source` naming one or more of
the header's [keys] (joined by '+'); `category` and `note` are free.
Rows naming the same profile are added up, so a published category split
over two profiles, or two categories on one profile, read as they are
written. Errors raise PopulationError 'file:line: key: what'."""
import csv
import io
import os
import re

HEADER_KEYS = ("name", "sample_size", "source", "mapping", "note")
SHARE_TOLERANCE = 0.01   # shares must sum to 1 within this; then rescaled


class PopulationError(Exception):
    """Bad population file; str() is 'file:line: key: what'."""


class Population:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.sample_size = None
        self.sources = {}     # key -> citation text
        self.mapping = []     # the header's mapping lines
        self.notes = []
        self.rows = []        # (line, profile, amount, category, sources)
        self.kind = None      # "share" or "count"

    def shares(self):
        """[(profile, share)] in first-seen order, shares summing to 1."""
        total = {}
        for _, prof, amount, _, _ in self.rows:
            total[prof] = total.get(prof, 0.0) + amount
        s = sum(total.values())
        return [(p, v / s) for p, v in total.items()]

    def profiles(self):
        return [p for p, _ in self.shares()]

    def remap(self, old, new):
        """Counts of profile old now count for new (--remap)."""
        self.rows = [(ln, new if p == old else p, a, c, s)
                     for ln, p, a, c, s in self.rows]

    def to_json(self):
        return {"path": self.path, "name": self.name,
                "sample_size": self.sample_size,
                "sources": self.sources, "mapping": self.mapping,
                "shares": [{"profile": p, "share": w}
                           for p, w in self.shares()],
                "rows": [{"line": ln, "profile": p, self.kind: a,
                          "category": c, "source": s}
                         for ln, p, a, c, s in self.rows]}


def _err(path, line, key, what):
    return PopulationError("%s:%d: %s: %s" % (path, line, key, what))


def _header_line(pop, path, no, text):
    m = re.match(r"#\s*([a-z_]+)\s*:\s*(.*)$", text)
    if not m or m.group(1) not in HEADER_KEYS:
        return   # free text
    key, value = m.group(1), m.group(2).strip()
    if key == "name":
        pop.name = value or pop.name
    elif key == "sample_size":
        if not re.fullmatch(r"[0-9]+", value) or int(value) < 1:
            raise _err(path, no, key, "'%s' is not a whole number >= 1"
                       % value)
        if pop.sample_size is not None:
            raise _err(path, no, key, "given twice")
        pop.sample_size = int(value)
    elif key == "source":
        sm = re.match(r"\[([A-Za-z0-9_.-]+)\]\s*(\S.*)$", value)
        if not sm:
            raise _err(path, no, key, "write '# source: [key] citation'")
        if sm.group(1) in pop.sources:
            raise _err(path, no, key, "[%s] defined twice" % sm.group(1))
        pop.sources[sm.group(1)] = sm.group(2)
    elif key == "mapping":
        pop.mapping.append(value)
    else:
        pop.notes.append(value)


def _columns(path, no, cells):
    cols = [c.strip() for c in cells]
    for c in cols:
        if c not in ("profile", "share", "count", "category", "source",
                     "note"):
            raise _err(path, no, c or "column", "unknown column (profile, "
                       "share or count, source, category, note)")
        if cols.count(c) > 1:
            raise _err(path, no, c, "column given twice")
    if "profile" not in cols or "source" not in cols:
        raise _err(path, no, "profile" if "profile" not in cols else
                   "source", "column missing")
    if ("share" in cols) == ("count" in cols):
        raise _err(path, no, "share", "give exactly one of the columns "
                   "'share' and 'count'")
    return cols


def _amount(path, no, kind, text):
    try:
        v = float(text) if kind == "share" else int(text)
    except ValueError:
        raise _err(path, no, kind, "'%s' is not a %s" % (
            text, "number" if kind == "share" else "whole number"))
    if v < 0 or v != v or (kind == "share" and v > 1):
        raise _err(path, no, kind, "%s out of range" % text)
    return v


def _row(pop, path, no, cols, cells, profile_dir):
    if len(cells) != len(cols):
        raise _err(path, no, "row", "%d fields, the header has %d"
                   % (len(cells), len(cols)))
    f = dict(zip(cols, (c.strip() for c in cells)))
    prof = f["profile"]
    check_profile(path, no, "profile", prof, profile_dir)
    amount = _amount(path, no, pop.kind, f[pop.kind])
    keys = [k.strip() for k in f["source"].split("+") if k.strip()]
    if not keys:
        raise _err(path, no, "source", "empty: every share names its "
                   "source")
    for k in keys:
        if k not in pop.sources:
            raise _err(path, no, "source", "[%s] is not one of the "
                       "header's '# source: [key] ...' lines" % k)
    pop.rows.append((no, prof, amount, f.get("category", ""), keys))


def check_profile(path, line, key, name, profile_dir):
    """Raise unless profile_dir/<name>.ini exists."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name or "") or \
            not os.path.isfile(os.path.join(profile_dir, name + ".ini")):
        raise _err(path, line, key, "no NAT profile '%s' in %s/"
                   % (name, profile_dir))


def _finish(pop, path, last):
    if not pop.rows:
        raise _err(path, last, "profile", "no rows")
    if not pop.sources:
        raise _err(path, 1, "source", "the header names no source "
                   "('# source: [key] citation')")
    total = sum(r[2] for r in pop.rows)
    if total <= 0:
        raise _err(path, last, pop.kind, "all zero")
    if pop.kind == "share" and abs(total - 1.0) > SHARE_TOLERANCE:
        raise _err(path, last, "share", "shares add up to %.4f, not 1"
                   % total)
    if pop.sample_size is None:
        if pop.kind == "share":
            raise _err(path, 1, "sample_size", "missing: how many devices "
                       "or hosts the shares were measured on "
                       "('# sample_size: N')")
        pop.sample_size = int(total)


def load(path, profile_dir):
    """Read and check a population file; raises PopulationError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise PopulationError("%s:0: file: %s" % (path, e.strerror))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise _err(path, line, "file", "not UTF-8 text")
    pop = Population(path)
    cols, no = None, 0
    for no, line in enumerate(text.splitlines(), 1):
        if "\0" in line:
            raise _err(path, no, "file", "NUL byte")
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            _header_line(pop, path, no, stripped)
            continue
        cells = next(csv.reader(io.StringIO(line)))
        if cols is None:
            cols = _columns(path, no, cells)
            pop.kind = "share" if "share" in cols else "count"
        else:
            _row(pop, path, no, cols, cells, profile_dir)
    if cols is None:
        raise _err(path, no, "profile", "no header row "
                   "(profile,share|count,source,...)")
    _finish(pop, path, no)
    return pop
