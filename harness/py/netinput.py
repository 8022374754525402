"""netinput: reads a network run's nodes.json and every
phase-<name>-part<k>.json it implies (docs/network.md section 3), checks
each key before it is used, and merges the parts of a phase. Anything
missing or garbled raises InputError naming the file and the key."""
import glob
import json
import os
import re

KINDS = ("reachable", "home")
CONN_KINDS = ("full", "block", "punched", "light")
PHASE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class InputError(Exception):
    """str() is 'file: key: what'."""


def _load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError("%s: missing" % path)
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror))
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError("%s:%d: not valid JSON (%s, column %d)"
                         % (path, e.lineno, e.msg, e.colno))


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return _is_int(v) or isinstance(v, float)


TYPES = {
    "int": (_is_int, "an integer"),
    "num": (_is_num, "a number"),
    "str": (lambda v: isinstance(v, str) and v != "", "a non-empty string"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "dict": (lambda v: isinstance(v, dict), "an object"),
}


def get(obj, key, typ, where, nullable=False, default=KeyError):
    """obj[key] checked against TYPES[typ]; 'where' is 'file: path'."""
    if not isinstance(obj, dict):
        raise InputError("%s: not an object" % where)
    if key not in obj:
        if default is not KeyError:
            return default
        raise InputError("%s.%s: missing" % (where, key))
    v = obj[key]
    if v is None and nullable:
        return None
    ok, what = TYPES[typ]
    if not ok(v):
        raise InputError("%s.%s: must be %s (is %s)"
                         % (where, key, what, json.dumps(v)[:40]))
    return v


class Node:
    def __init__(self, raw, where):
        self.id = get(raw, "id", "int", where)
        self.kind = get(raw, "kind", "str", where)
        if self.kind not in KINDS:
            raise InputError("%s.kind: '%s' is neither %s" % (
                where, self.kind, " nor ".join(KINDS)))
        self.netgroup = get(raw, "netgroup", "int", where)
        self.profile = get(raw, "profile", "str", where, nullable=True,
                           default=None)
        coord = (get(raw, "coordinator", "dict", where, nullable=True,
                     default=None) if self.kind == "reachable" else None)
        self.coordinator = coord is not None
        # eclipse runs (docs/adversaries.md section 7) only
        self.lies = self.coordinator and get(
            coord, "lies", "bool", where + ".coordinator", default=False)
        self.attacker = get(raw, "attacker", "bool", where, default=False)

    @property
    def home(self):
        return self.kind == "home"


class World:
    """nodes.json, checked: the nodes by id and the phases in order."""

    def __init__(self, path):
        raw = _load(path)
        w = os.path.basename(path)
        self.path = path
        self.run_id = get(raw, "run_id", "str", w)
        self.seed = get(raw, "seed", "int", w)
        self.scenario = get(raw, "scenario", "str", w, nullable=True,
                            default=None)
        self.population = get(raw, "population", "str", w, nullable=True,
                              default=None)
        for key in ("outbound_full", "outbound_block", "inbound_slots"):
            setattr(self, key, get(raw, key, "int", w))
        self.settle_ms = get(raw, "settle_ms", "num", w, default=None)
        self.adversary = get(raw, "adversary", "dict", w, nullable=True,
                             default=None)
        self.phases = []
        for i, p in enumerate(get(raw, "phases", "list", w)):
            pw = "%s: phases[%d]" % (w, i)
            name = get(p, "name", "str", pw)
            if not PHASE_NAME.match(name):
                raise InputError("%s.name: '%s' is not a file-name part "
                                 "(letters, digits, . _ -)" % (pw, name))
            if name in [q["name"] for q in self.phases]:
                raise InputError("%s.name: '%s' listed twice" % (pw, name))
            self.phases.append({
                "name": name, "mode": get(p, "mode", "str", pw),
                "sybil_mitigation": get(p, "sybil_mitigation", "bool", pw,
                                        default=False)})
        if not self.phases:
            raise InputError("%s: phases: empty (nothing to analyse)" % w)
        self.nodes = {}
        for i, n in enumerate(get(raw, "nodes", "list", w)):
            node = Node(n, "%s: nodes[%d]" % (w, i))
            if node.id in self.nodes:
                raise InputError("%s: nodes[%d].id: %d listed twice"
                                 % (w, i, node.id))
            self.nodes[node.id] = node
        self.homes = sorted(i for i, n in self.nodes.items() if n.home)
        self.reachable = sorted(i for i, n in self.nodes.items()
                                if not n.home)
        if not self.homes or not self.reachable:
            raise InputError("%s: nodes: needs home and reachable nodes "
                             "(has %d and %d)" % (w, len(self.homes),
                                                  len(self.reachable)))
        self.coordinators = sorted(i for i in self.reachable
                                   if self.nodes[i].coordinator)


class Phase:
    """The merged parts of one phase."""

    def __init__(self, meta):
        self.name = meta["name"]
        self.mode = meta["mode"]
        self.sybil_mitigation = meta["sybil_mitigation"]
        self.parts = 0
        self.connections = []
        self.attempts = []
        self.evictions = []
        self.blocks = {}      # block index -> {"miner", "t_mined_ms", ...}
        self.addrman = []


def _node(world, raw, key, where, nullable=False):
    v = get(raw, key, "int", where, nullable=nullable)
    if v is not None and v not in world.nodes:
        raise InputError("%s.%s: %d is no node of nodes.json"
                         % (where, key, v))
    return v


def _connection(world, raw, where):
    c = {"a": _node(world, raw, "a", where),
         "b": _node(world, raw, "b", where),
         "kind": get(raw, "kind", "str", where),
         "via": _node(world, raw, "via", where, nullable=True),
         "t_ms": get(raw, "t_ms", "num", where),
         "open_at_end": get(raw, "open_at_end", "bool", where),
         # Not in the contract yet: when a part writes it, "open at the
         # first block" is exact instead of "open at the end".
         "t_closed_ms": get(raw, "t_closed_ms", "num", where,
                            nullable=True, default=None)}
    if c["kind"] not in CONN_KINDS:
        raise InputError("%s.kind: '%s' is not one of %s"
                         % (where, c["kind"], ", ".join(CONN_KINDS)))
    if c["a"] == c["b"]:
        raise InputError("%s: a and b are both node %d" % (where, c["a"]))
    return c


def _attempt(world, raw, where):
    return {"node": _node(world, raw, "node", where),
            "coordinator": _node(world, raw, "coordinator", where,
                                 nullable=True),
            "peer": _node(world, raw, "peer", where, nullable=True),
            "outcome": get(raw, "outcome", "str", where),
            "t_ms": get(raw, "t_ms", "num", where),
            "ttc_ms": get(raw, "ttc_ms", "num", where, nullable=True,
                          default=None)}


def _block(world, phase, raw, where, part, parts):
    b = get(raw, "block", "int", where)
    miner = _node(world, raw, "miner", where)
    t = get(raw, "t_mined_ms", "num", where)
    rec = get(raw, "received", "dict", where)
    got = {}
    for k, v in rec.items():
        try:
            nid = int(k)
        except ValueError:
            nid = None
        if nid is None or nid not in world.nodes:
            raise InputError("%s.received: '%s' is no node of nodes.json"
                             % (where, k))
        if not _is_num(v):
            raise InputError("%s.received.%s: must be a number (is %s)"
                             % (where, k, json.dumps(v)[:40]))
        got[nid] = v
    old = phase.blocks.get(b)
    if old is None:
        old = phase.blocks[b] = {"block": b, "miner": miner,
                                 "t_mined_ms": t, "received": {}}
    elif old["miner"] != miner:
        raise InputError("%s.miner: %d, another part says %d"
                         % (where, miner, old["miner"]))
    if miner % parts == part:
        old["t_mined_ms"] = t    # the miner's own clock reading wins
    for nid, v in got.items():
        if nid in old["received"]:
            raise InputError("%s.received.%d: already written by another "
                             "part" % (where, nid))
        old["received"][nid] = v


def _records(raw, key, where, optional=False):
    return get(raw, key, "list", where, default=[] if optional else KeyError)


def _read_part(world, phase, path, k, parts):
    raw = _load(path)
    w = os.path.basename(path)
    if get(raw, "phase", "str", w) != phase.name:
        raise InputError("%s: phase: '%s', the file name says '%s'"
                         % (w, raw["phase"], phase.name))
    if get(raw, "part", "int", w) != k:
        raise InputError("%s: part: %d, the file name says %d"
                         % (w, raw["part"], k))
    if get(raw, "parts", "int", w) != parts:
        raise InputError("%s: parts: %d, part 0 says %d"
                         % (w, raw["parts"], parts))
    for i, c in enumerate(_records(raw, "connections", w)):
        phase.connections.append(
            _connection(world, c, "%s: connections[%d]" % (w, i)))
    for i, a in enumerate(_records(raw, "punch_attempts", w)):
        phase.attempts.append(
            _attempt(world, a, "%s: punch_attempts[%d]" % (w, i)))
    for i, e in enumerate(_records(raw, "evictions", w, optional=True)):
        ew = "%s: evictions[%d]" % (w, i)
        phase.evictions.append({"node": _node(world, e, "node", ew),
                                "evicted": _node(world, e, "evicted", ew),
                                "t_ms": get(e, "t_ms", "num", ew)})
    for i, b in enumerate(_records(raw, "blocks", w)):
        _block(world, phase, b, "%s: blocks[%d]" % (w, i), k, parts)
    for i, a in enumerate(_records(raw, "addrman", w, optional=True)):
        aw = "%s: addrman[%d]" % (w, i)
        phase.addrman.append({
            "node": _node(world, a, "node", aw),
            "reachable": get(a, "reachable", "int", aw),
            "advertised": get(a, "advertised", "int", aw, default=0)})


def part_path(run_dir, name, k):
    return os.path.join(run_dir, "phase-%s-part%d.json" % (name, k))


def load_phase(world, run_dir, meta):
    """All parts of one phase, merged. The number of parts comes from part
    0's "parts"; every part 0..parts-1 must be there."""
    phase = Phase(meta)
    first = part_path(run_dir, phase.name, 0)
    if not os.path.exists(first):
        others = sorted(glob.glob(os.path.join(
            glob.escape(run_dir), "phase-%s-part*.json" % phase.name)))
        raise InputError("%s: missing (phase '%s' of nodes.json%s)" % (
            first, phase.name, "; found %s" % ", ".join(
                os.path.basename(o) for o in others) if others else ""))
    raw0 = _load(first)
    parts = get(raw0, "parts", "int", os.path.basename(first))
    if parts < 1:
        raise InputError("%s: parts: %d, must be >= 1"
                         % (os.path.basename(first), parts))
    for k in range(parts):
        path = part_path(run_dir, phase.name, k)
        if not os.path.exists(path):
            raise InputError("%s: missing (phase '%s' has %d parts, says "
                             "%s)" % (path, phase.name, parts,
                                      os.path.basename(first)))
        _read_part(world, phase, path, k, parts)
    phase.parts = parts
    return phase


def load(run_dir):
    """(World, [Phase]) of a network run folder; raises InputError."""
    if not os.path.isdir(run_dir):
        raise InputError("%s: not a run folder (no such directory)"
                         % run_dir)
    world = World(os.path.join(run_dir, "nodes.json"))
    return world, [load_phase(world, run_dir, m) for m in world.phases]
