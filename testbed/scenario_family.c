/* scenario_family: family = 6 refused where the IPv6 punch cannot run,
 * each with the key to change; the agent would refuse most of them too
 * (opts_family.c), but only after the world was built. */
#include "scenario_family.h"

/* A home of the cell has IPv6: its router enables it, and a carrier it
 * sits behind does too (plan6.h says the same of the world). */
static int family_side_v6(const struct nat_profile *home,
			  const struct nat_profile *carrier, int has_carrier)
{
	return home->ipv6.enabled && (!has_carrier || carrier->ipv6.enabled);
}

/* Where key was written for cell: the cell, or [scenario] (at
 * scenario_line). */
static int family_line(const struct scenario_ctx *c,
		       const struct scenario_cell *cell, int key,
		       int scenario_line)
{
	return (c->cell_params[cell - c->s->cells] & (1u << key))
		       ? cell->line
		       : scenario_line;
}

/* The key family = 6 cannot go with, its line and why, or NULL. The
 * scenario-wide mode and node are not the cell's to change: family is
 * named, as an adversary cell names adversary. */
static const char *family_conflict(const struct scenario_ctx *c,
				   const struct scenario_cell *cell, int *line,
				   const char **why)
{
	const struct scenario *s = c->s;
	unsigned st = cell->cond.strategy;

	*line = family_line(c, cell, CELLCOND_FAMILY, c->family_line);
	*why = "needs a coordinator (mode = out-of-band: the out-of-band "
	       "probe server is IPv4)";
	if (s->mode == SCENARIO_MODE_OOB)
		return "family";
	*why = "needs node = embedded (the bitcoind bridge is IPv4)";
	if (s->node != SCENARIO_NODE_EMBEDDED)
		return "family";
	*line = family_line(c, cell, CELLCOND_STRATEGY, c->strategy_line);
	*why = "punches with connect, listen-connect or low-ttl (IPv6 has "
	       "no NAT port to predict)";
	if (st == CELLCOND_PREDICT || st == CELLCOND_BIRTHDAY)
		return "strategy";
	*line = cell->adv.line[CELL_ADV_ADVERSARY];
	*why = "is for honest cells (the adversaries are IPv4)";
	if (cell->adv.attack != CELL_ATTACK_NONE)
		return "adversary";
	*line = cell->line;
	*why = NULL; /* a home without IPv6: the caller names it */
	if (!family_side_v6(&cell->a, &cell->a_carrier, cell->a_has_carrier))
		return "a";
	if (!family_side_v6(&cell->b, &cell->b_carrier, cell->b_has_carrier))
		return "b";
	return NULL;
}

int scenario_family_check(struct scenario_ctx *c,
			  const struct scenario_cell *cell,
			  struct cfg_error *err)
{
	const struct scenario *s = c->s;
	const char *why, *key;
	int line;

	if (cell->cond.family != CELLCOND_FAMILY_6)
		return 0;
	key = family_conflict(c, cell, &line, &why);
	if (!key)
		return 0;
	if (why)
		return cfg_fail(err, s->path, line, key,
				"[cell %s] has family = 6, which %s",
				cell->name, why);
	return cfg_fail(err, s->path, line, key,
			"[cell %s] has family = 6 but home %s (%s) has no "
			"IPv6; give it a profile with [ipv6] enabled = yes "
			"(behind a carrier that routes IPv6)",
			cell->name, key,
			*key == 'a' ? cell->a.name : cell->b.name);
}
