#!/usr/bin/python3
"""codeshape: the size limits of the house style, checked. A production C
file (harness/, testbed/) has at most 600 lines; a function at most 80,
except a main-like function whose body is a getopt switch. Prints each
offence as file:line: what, and exits 1 if there is any.

Usage: tools/codeshape.py [ROOT]"""
import os
import re
import sys

MAX_FILE = 600
MAX_FUNC = 80
# A function definition starts at column 0 with a name and "(", and its
# body's "{" stands alone at column 0 (kernel style).
DEF = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*$")


def functions(lines):
    """(name, first line, number of lines) of each function definition."""
    i = 0
    while i < len(lines):
        m = DEF.match(lines[i])
        if m and not lines[i].startswith(("static const", "typedef")):
            j = i
            while j < len(lines) and lines[j].rstrip() != "{":
                if lines[j].rstrip().endswith(";"):
                    break
                j += 1
            if j < len(lines) and lines[j].rstrip() == "{":
                k = j + 1
                while k < len(lines) and lines[k].rstrip() != "}":
                    k += 1
                yield m.group(1), i + 1, k - i + 1, lines[j:k]
                i = k
        i += 1


def check(root):
    bad = []
    for top in ("harness", "testbed"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if not f.endswith(".c"):
                    continue
                path = os.path.join(d, f)
                rel = os.path.relpath(path, root)
                with open(path, errors="replace") as fh:
                    lines = fh.read().split("\n")
                if len(lines) - 1 > MAX_FILE:
                    bad.append("%s:1: %d lines (at most %d)"
                               % (rel, len(lines) - 1, MAX_FILE))
                for name, line, n, body in functions(lines):
                    if n <= MAX_FUNC:
                        continue
                    if any("getopt_long(" in b for b in body):
                        continue
                    bad.append("%s:%d: function %s has %d lines (at most "
                               "%d)" % (rel, line, name, n, MAX_FUNC))
    return bad


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..")
    bad = check(root)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
