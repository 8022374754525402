"""netgraph: the graph algorithms of the network analysis (union-find
components and the partition curve), on plain ids and edge lists so they
are tested without any run files."""
import random

STEPS = tuple(range(0, 101, 10))   # percent of reachable nodes removed


class UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}
        self.size = {i: 1 for i in items}

    def find(self, x):
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:     # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def removed_count(pct, total):
    """Nodes removed at pct percent of total: rounded half up, so 10% of
    15 removes 2 and 100% always removes every one."""
    return (pct * total + 50) // 100


def random_order(reachable, seed):
    """The seeded random removal order: the ids sorted, then shuffled by
    Python's Mersenne Twister seeded with the run's seed, so every phase of
    a run removes the same nodes in the same order."""
    order = sorted(reachable)
    random.Random(seed).shuffle(order)
    return order


def degree_order(reachable, edges):
    """Highest degree first (degree in this phase's graph before anything
    is removed; distinct neighbours), ties by lower id."""
    nbrs = {r: set() for r in reachable}
    for a, b in edges:
        if a in nbrs:
            nbrs[a].add(b)
        if b in nbrs:
            nbrs[b].add(a)
    return sorted(reachable, key=lambda r: (-len(nbrs[r]), r))


def home_share(homes, reachable, edges, removed):
    """Fraction of home nodes in the component with the most home nodes
    among those holding at least one remaining reachable node; once no
    reachable node remains, among all components."""
    removed = set(removed)
    alive = [n for n in list(homes) + list(reachable) if n not in removed]
    uf = UnionFind(alive)
    for a, b in edges:
        if a not in removed and b not in removed:
            uf.union(a, b)
    homes_in = {}
    for h in homes:
        r = uf.find(h)
        homes_in[r] = homes_in.get(r, 0) + 1
    left = [r for r in reachable if r not in removed]
    if left:
        roots = {uf.find(r) for r in left}
    else:
        roots = set(homes_in)
    best = max((homes_in.get(r, 0) for r in roots), default=0)
    return best / len(homes) if homes else 0.0


def partition_curve(homes, reachable, edges, order):
    """[(percent removed, home share)] for STEPS, removing order's first
    nodes: home_share at every step, computed in one pass by adding the
    reachable nodes back in reverse order (union-find only merges), which
    is what makes 2,000 homes take a fraction of a second."""
    reach = set(reachable)
    adj = {r: [] for r in reach}
    uf = UnionFind(homes)
    homes_of = {h: 1 for h in homes}   # per root: its home nodes

    def join(a, b):
        ra, rb = uf.find(a), uf.find(b)
        if ra != rb:
            uf.union(ra, rb)
            r = uf.find(ra)
            o = rb if r == ra else ra
            homes_of[r] += homes_of.pop(o)

    for a, b in edges:
        if a in reach:
            adj[a].append(b)
        if b in reach:
            adj[b].append(a)
        if a not in reach and b not in reach:
            join(a, b)
    at = {}
    for p in STEPS:
        at.setdefault(removed_count(p, len(order)), []).append(p)
    present, share = set(), {}
    for k in range(len(order), -1, -1):
        if k in at:
            roots = ({uf.find(r) for r in present} if present
                     else homes_of)
            best = max((homes_of[r] for r in roots), default=0)
            for p in at[k]:
                share[p] = best / len(homes) if homes else 0.0
        if k:
            r = order[k - 1]
            uf.parent[r], uf.size[r] = r, 1
            homes_of[r] = 0
            present.add(r)
            for n in adj[r]:
                if n not in reach or n in present:
                    join(r, n)
    return [(p, share[p]) for p in STEPS]
