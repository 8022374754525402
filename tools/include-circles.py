#!/usr/bin/python3
"""include-circles: finds include circles between modules of the C tree.

A module is foo.c + foo.h in one folder (either may be missing); module A
depends on module B when a file of A has `#include "b.h"` resolving to B's
header. Quoted includes resolve as the compiler does: the including file's
folder first, then the -I folders of the Makefile's CPPFLAGS, then the
rooms (subfolders with headers) of the file's program, harness/NAME/*/,
which the Makefile puts on that program's include path. Every
strongly connected group of two or more modules is a circle; one path
through it is printed with the include lines that make each step.

usage: tools/include-circles.py [--root DIR] [--known A,B[,...]]...

  --root DIR    the repository (default: the one this script is in)
  --known LIST  a circle made only of these modules (folder/stem, e.g.
                testbed/scenario,testbed/scenario_priv) is reported but
                does not fail; repeatable

Scans testbed/ and every harness/*/ folder with its subfolders. Exit: 0 no circle (or only
known ones), 1 a circle, 2 usage error. Standard library only.
"""
import glob
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
DEFAULT_I = ["testbed", "harness/common"]


def include_dirs(root):
    """The -I folders of the Makefile's CPPFLAGS, in order."""
    try:
        with open(os.path.join(root, "Makefile"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return DEFAULT_I
    m = re.search(r"^CPPFLAGS\s*[:?]?=(.*(?:\\\n.*)*)", text, re.M)
    if not m:
        return DEFAULT_I
    return re.findall(r"-I(\S+)", m.group(1)) or DEFAULT_I


def source_dirs(root):
    dirs = ["testbed"] + sorted(
        os.path.relpath(d, root)
        for pat in ("*", "*/*")
        for d in glob.glob(os.path.join(root, "harness", pat))
        if os.path.isdir(d))
    return [d for d in dirs if os.path.isdir(os.path.join(root, d))]


def rooms(root, folder):
    """harness/NAME/*/ folders holding headers, for a file under
    harness/NAME/; none elsewhere."""
    parts = folder.split(os.sep)
    if len(parts) < 2 or parts[0] != "harness":
        return []
    prog = os.path.join(root, parts[0], parts[1])
    return sorted(os.path.relpath(os.path.dirname(h), root)
                  for h in glob.glob(os.path.join(prog, "*", "*.h")))


def module_of(relpath):
    """testbed/scenario.c -> testbed/scenario"""
    return os.path.splitext(relpath)[0]


def build_graph(root):
    """{module: {dep: (file, line, text)}} over .c/.h files."""
    incdirs = include_dirs(root)
    graph = {}
    for d in source_dirs(root):
        for path in sorted(glob.glob(os.path.join(root, d, "*.[ch]"))):
            rel = os.path.relpath(path, root)
            mod = module_of(rel)
            edges = graph.setdefault(mod, {})
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, text in enumerate(f, 1):
                    m = INCLUDE.match(text)
                    if not m:
                        continue
                    target = resolve(root, d, incdirs + rooms(root, d),
                                     m.group(1))
                    if target is None:
                        continue
                    dep = module_of(target)
                    if dep != mod and dep not in edges:
                        edges[dep] = (rel, lineno, text.strip())
    return graph


def resolve(root, folder, incdirs, name):
    for d in dict.fromkeys([folder] + incdirs):
        cand = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def sccs(graph):
    """Tarjan, iterative; groups of two or more modules, sorted."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, {})))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    out.append(sorted(group))
    return sorted(out)


def cycle_path(graph, group):
    """One circle through the group's first module, by breadth-first search
    inside the group: [m0, m1, ..., m0]."""
    members = set(group)
    start = group[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, {})):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return group + [start]


def main(argv):
    root = os.path.normpath(os.path.join(os.path.dirname(
        os.path.abspath(__file__)), ".."))
    known = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a in ("--root", "--known") and args:
            v = args.pop(0)
            if a == "--root":
                root = v
            else:
                known.append(set(x for x in v.split(",") if x))
            continue
        print("include-circles: unexpected argument %r (see --help)" % a,
              file=sys.stderr)
        return 2
    if not os.path.isdir(root):
        print("include-circles: --root %s: not a folder" % root,
              file=sys.stderr)
        return 2

    graph = build_graph(root)
    failed = 0
    found_known = []
    for group in sccs(graph):
        is_known = any(set(group) <= k for k in known)
        path = cycle_path(graph, group)
        print("%s circle among %d modules: %s" % (
            "known" if is_known else "include", len(group), " ".join(group)))
        print("  for example %s" % " -> ".join(path))
        for a, b in zip(path, path[1:]):
            f, line, text = graph[a][b]
            print("    %s:%d: %s" % (f, line, text))
        if is_known:
            found_known.append(set(group))
        else:
            failed = 1
    for k in known:
        if not any(g <= k for g in found_known):
            print("note: known circle %s is gone; drop it from --known"
                  % ",".join(sorted(k)))
    print("include-circles: %d modules, %s" % (
        len(graph), "circles found" if failed else "no new circles"))
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
