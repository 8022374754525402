/* scenario_ladder: `mechanisms = direct, pcp, ...` — an ordered,
 * non-empty list without repeats — and one `expect_<mechanism>` per
 * listed mechanism (its name with '-' as '_': expect_ipv4_punch). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "scenario_ladder.h"
#include "scenario_priv.h"
#include "scenario_value.h"

const char *const scenario_ladder_names[] = {
	[LADDER_DIRECT] = "direct",
	[LADDER_PCP] = "pcp",
	[LADDER_IPV6_DIRECT] = "ipv6-direct",
	[LADDER_IPV6_PUNCH] = "ipv6-punch",
	[LADDER_IPV4_PUNCH] = "ipv4-punch",
	NULL,
};

#define LADDER_KNOWN "direct, pcp, ipv6-direct, ipv6-punch, ipv4-punch"

/* The name p[0..len): its index or -1. */
static int ladder_index(const char *p, size_t len)
{
	for (int m = 0; m < LADDER_NMECH; m++)
		if (strlen(scenario_ladder_names[m]) == len &&
		    !memcmp(scenario_ladder_names[m], p, len))
			return m;
	return -1;
}

static int ladder_list(struct cell_ladder *l, const char *v,
		       struct cfg_error *err)
{
	unsigned seen = 0;

	l->n = 0;
	for (const char *p = v;; p++) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		int m;

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		m = ladder_index(p, len);

		if (m < 0) {
			snprintf(err->msg, sizeof(err->msg),
				 "'%.*s' is not a mechanism; list some "
				 "of " LADDER_KNOWN
				 " (in the order to try them)",
				 (int)(len > 40 ? 40 : len), p);
			return -1;
		}
		if (seen & (1u << m)) {
			snprintf(err->msg, sizeof(err->msg),
				 "%s listed twice; each mechanism once",
				 scenario_ladder_names[m]);
			return -1;
		}
		seen |= 1u << m;
		l->mech[l->n++] = (unsigned char)m;
		if (!q)
			return 0;
		p = q;
	}
}

/* expect_<m>'s m, or -1 when key is not one of them. */
static int ladder_expect_key(const char *key)
{
	char name[32];
	size_t i;

	if (strncmp(key, "expect_", 7) || strlen(key + 7) >= sizeof(name))
		return -1;
	for (i = 0; key[7 + i]; i++)
		name[i] = key[7 + i] == '_' ? '-' : key[7 + i];
	name[i] = '\0';
	return ladder_index(name, i);
}

int scenario_ladder_key(struct cell_ladder *l, const char *key, const char *v,
			int line, struct cfg_error *err)
{
	int m;

	if (!strcmp(key, "mechanisms")) {
		l->line = line;
		return ladder_list(l, v, err);
	}
	m = ladder_expect_key(key);
	if (m < 0)
		return 1;
	l->expect_line[m] = line;
	return scenario_expect(v, &l->expect_min[m], &l->expect_max[m],
			       l->expect_text[m], sizeof(l->expect_text[m]),
			       err);
}

int scenario_ladder_has(const struct cell_ladder *l, enum ladder_mech m)
{
	for (int i = 0; i < l->n; i++)
		if (l->mech[i] == m)
			return 1;
	return 0;
}

int scenario_ladder_check(const struct scenario_ctx *c,
			  const struct scenario_cell *cell,
			  struct cfg_error *err)
{
	const struct cell_ladder *l = &cell->ladder;
	const char *path = c->s->path;

	for (int m = 0; m < LADDER_NMECH; m++) {
		char key[40];

		if (!l->expect_line[m] || scenario_ladder_has(l, m))
			continue;
		snprintf(key, sizeof(key), "expect_%s",
			 scenario_ladder_names[m]);
		for (char *p = key; *p; p++)
			*p = *p == '-' ? '_' : *p;
		return cfg_fail(err, path, l->expect_line[m], key,
				"[cell %s] does not list %s in mechanisms; "
				"list it or drop the key",
				cell->name, scenario_ladder_names[m]);
	}
	if (!l->n)
		return 0;
	/* Each step is a fresh pair of agents of the built-in node meeting
	 * through charlie's rendezvous (or no one): the other modes hold
	 * state across a trial that a ladder would have to repeat. */
	if (c->s->mode != SCENARIO_MODE_RENDEZVOUS ||
	    c->s->node != SCENARIO_NODE_EMBEDDED ||
	    cell->adv.attack != CELL_ATTACK_NONE)
		return cfg_fail(err, path, l->line, "mechanisms",
				"[cell %s]: a ladder runs with mode = "
				"rendezvous, node = embedded and no adversary",
				cell->name);
	return 0;
}
