"""neteclipse: the eclipse figures of a network run (docs/adversaries.md
section 7): how much of a victim home's peering the attacker holds when
some coordinators lie, pairing every home that asks them with one of the
attacker's nodes.

Definitions, per phase (from the connections open at its first block, the
graph network.py builds):

- attacker nodes: nodes.json's "attacker": true; lying coordinators: a
  coordinator object's "lies": true.
- victims: home nodes with at least one punch attempt at a lying
  coordinator in the phase (a home picks its coordinator per request, so
  these are the homes that asked a liar).
- share_all: per victim with peers, attacker nodes among its peers (full,
  block and punched) / its peers. share_punched: per victim with punched
  peers, attacker nodes among its punched peers / its punched peers.
  Each: mean, p90, max, and "eclipsed" = victims at 1.0 (every such peer
  the attacker's).
- attacker_punched_per_victim: per victim, its punched peers that are
  attacker nodes (mean, max): the mitigation bounds it by the number of
  lying coordinators.
- others: share_all over the homes that are not victims (attacker nodes
  reached by ordinary outbound picks), the baseline.
- attacker_punched: open punched connections with an attacker node at
  one end, and attackers_used: attacker nodes holding at least one (how
  many of the attacker's nodes the attack took).
- homes_share_punched: share_punched over every home with punched peers
  (victims or not): the two phases' victims differ, this does not."""
import stats


def _summary(values):
    return {"n": len(values),
            "mean": sum(values) / len(values) if values else None,
            "p90": stats.percentile(values, 90),
            "max": max(values) if values else None,
            "eclipsed": sum(1 for v in values if v >= 1.0)}


def figures(world, phase, g):
    """(the phase's eclipse figures, the victims' sorted shares of
    punched peers for the plot), or (None, None) for a run without
    one."""
    if not world.adversary:
        return None, None
    attackers = {i for i, n in world.nodes.items() if n.attacker}
    liars = {i for i, n in world.nodes.items() if n.lies}
    victims = sorted({a["node"] for a in phase.attempts
                      if a["coordinator"] in liars
                      and world.nodes[a["node"]].home})
    vs = set(victims)
    share_all, share_punched, per_victim, others = [], [], [], []
    every = []
    for h in world.homes:
        peers = g.nbrs[h]
        share = (len(peers & attackers) / len(peers)) if peers else None
        punched = {p for p in g.via.get(h, {}) if p in peers}
        if punched:
            every.append(len(punched & attackers) / len(punched))
        if h not in vs:
            if share is not None:
                others.append(share)
            continue
        if share is not None:
            share_all.append(share)
        bad = len(punched & attackers)
        per_victim.append(bad)
        if punched:
            share_punched.append(bad / len(punched))
    used = {a for a in attackers if g.via.get(a)}
    return {"attackers": len(attackers),
            "attackers_used": len(used),
            "attacker_punched": sum(len(g.via.get(a, {})) for a in used),
            "lying_coordinators": len(liars),
            "victims": len(victims),
            "share_all": _summary(share_all),
            "share_punched": _summary(share_punched),
            "attacker_punched_per_victim": {
                "mean": (sum(per_victim) / len(per_victim)
                         if per_victim else None),
                "max": max(per_victim, default=None)},
            "others": _summary(others),
            "homes_share_punched": _summary(every)}, sorted(share_punched)
