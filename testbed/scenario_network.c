/* scenario_network: the [network] section — sizes, the population mix,
 * the relay and punching settings and the phases — checked once the file
 * is read, when the defaults that depend on other keys are known. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_network.h"
#include "scenario_population.h"
#include "scenario_value.h"

/* The whole-number keys: where they go and their range. */
static const struct {
	const char *key;
	size_t off;
	long min, max;
} net_ints[] = {
#define NI(k, lo, hi)                                                          \
	{                                                                      \
#k, offsetof(struct scenario_network, k), lo, hi               \
	}
	NI(homes, 1, SCENARIO_NET_MAX_NODES),
	NI(reachable, 1, SCENARIO_NET_MAX_NODES),
	NI(coordinators, 1, SCENARIO_NET_MAX_NODES),
	NI(outbound_full, 0, 64),
	NI(outbound_block, 0, 64),
	NI(inbound_slots, 1, 100000),
	NI(punch_target, 0, 64),
	/* punch-net's ranges (harness/net/netcfg.c) */
	NI(blocks, 1, 64),
	/* the block's hash is its first 32 bytes */
	NI(block_bytes, 32, 1 << 20),
	NI(netgroups, 1, SCENARIO_NET_MAX_GROUPS),
	/* punching starts at T0 + 2 s and needs some time before mining */
	NI(settle_ms, 2500, 3600000),
	/* punch-coordinator's --inbound-limit range */
	NI(coordinator_mode_slots, 1, 1024),
	/* eclipse (docs/adversaries.md section 7); checked against the
	 * sizes once all keys are read */
	NI(eclipse_coordinators, 1, SCENARIO_NET_MAX_NODES),
	NI(attackers, 1, SCENARIO_NET_MAX_NODES),
#undef NI
};
#define NET_NINTS (sizeof(net_ints) / sizeof(*net_ints))
enum {
	KEY_POPULATION = NET_NINTS,
	KEY_MODES,
	KEY_SYBIL,
	KEY_ADVERSARY,
	NET_NKEYS
};

static const char *const net_modes[] = {
	[SCENARIO_NET_OFF] = "off",
	[SCENARIO_NET_RENDEZVOUS] = "rendezvous",
	[SCENARIO_NET_HANDOFF] = "handoff",
	[SCENARIO_NET_ADVERTISED] = "advertised",
	NULL,
};
static const char *const net_sybil[] = {
	[SCENARIO_SYBIL_ON] = "on",
	[SCENARIO_SYBIL_OFF] = "off",
	[SCENARIO_SYBIL_BOTH] = "both",
	NULL,
};
static const char *const net_adversaries[] = {
	[SCENARIO_NET_HONEST] = "none",
	[SCENARIO_NET_ECLIPSE] = "eclipse",
	NULL,
};

/* The keys that take one word of a list; stored as the word's index in
 * an int-sized enum field. */
static const struct {
	const char *key;
	const char *const *names;
	size_t off;
	int line;
} net_enums[] = {
	{"sybil_mitigation", net_sybil, offsetof(struct scenario_network, sybil),
	 KEY_SYBIL},
	{"adversary", net_adversaries,
	 offsetof(struct scenario_network, adversary), KEY_ADVERSARY},
};

/* What reading [network] keeps besides the model: each key's line (0:
 * not given) and the modes in the order written. */
struct scenario_netread {
	int line[NET_NKEYS];
	int nmodes;
	enum scenario_net_mode modes[4];
};

const char *scenario_net_mode_name(enum scenario_net_mode m)
{
	return (unsigned)m <= SCENARIO_NET_ADVERTISED ? net_modes[m] : "?";
}

int scenario_network_section(struct scenario_ctx *c, const char *rest, int line,
			     struct cfg_error *err)
{
	struct scenario_network *n;

	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest) {
		snprintf(err->msg, sizeof(err->msg),
			 "[network] takes no name; a scenario has one");
		return -1;
	}
	if (c->s->net) {
		snprintf(err->msg, sizeof(err->msg),
			 "given twice (first at line %d); keep one",
			 c->s->net->line);
		return -1;
	}
	n = calloc(1, sizeof(*n));
	c->netread = calloc(1, sizeof(*c->netread));
	if (!n || !c->netread) {
		free(n);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	*n = (struct scenario_network){.line = line,
				       .homes = 200,
				       .outbound_full = 8,
				       .outbound_block = 2,
				       .inbound_slots = 125,
				       .punch_target = 2,
				       .sybil = SCENARIO_SYBIL_BOTH,
				       .blocks = 5,
				       .block_bytes = 2000,
				       .netgroups = 256,
				       .settle_ms = 15000,
				       .coordinator_mode_slots = 8,
				       .eclipse_coordinators = 1,
				       .attackers = 1};
	snprintf(n->population, sizeof(n->population),
		 "populations/halkes2011-tribler.csv");
	c->s->net = n;
	c->in_network = 1;
	return 0;
}

/* "off, rendezvous, ..." into the reader's modes, each at most once. */
static int modes_parse(struct scenario_netread *r, const char *v,
		       struct cfg_error *err)
{
	r->nmodes = 0;
	for (const char *p = v;;) {
		char word[32];
		size_t len;
		int m;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, ",");
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len || len >= sizeof(word))
			goto bad;
		memcpy(word, p, len);
		word[len] = '\0';
		if ((m = cfg_enum(word, net_modes, err)) < 0)
			return -1;
		for (int i = 0; i < r->nmodes; i++)
			if (r->modes[i] == (enum scenario_net_mode)m) {
				snprintf(err->msg, sizeof(err->msg),
					 "mode %s listed twice", word);
				return -1;
			}
		r->modes[r->nmodes++] = (enum scenario_net_mode)m;
		p = strchr(p, ',');
		if (!p)
			return 0;
		p++;
	}
bad:
	snprintf(err->msg, sizeof(err->msg),
		 "a list of modes separated by commas: off, rendezvous, "
		 "handoff, advertised");
	return -1;
}

int scenario_network_key(struct scenario_ctx *c, const char *key, const char *v,
			 int line, struct cfg_error *err)
{
	struct scenario_network *n = c->s->net;
	struct scenario_netread *r = c->netread;
	long x;
	int k;

	for (size_t i = 0; i < NET_NINTS; i++) {
		if (strcmp(key, net_ints[i].key))
			continue;
		if (cfg_int(v, net_ints[i].min, net_ints[i].max, &x, err) < 0)
			return -1;
		*(int *)((char *)n + net_ints[i].off) = (int)x;
		r->line[i] = line;
		return 0;
	}
	if (!strcmp(key, "population")) {
		r->line[KEY_POPULATION] = line;
		return scenario_copy(n->population, sizeof(n->population), v,
				     err);
	}
	if (!strcmp(key, "modes")) {
		r->line[KEY_MODES] = line;
		return modes_parse(r, v, err);
	}
	for (size_t i = 0; i < sizeof(net_enums) / sizeof(*net_enums); i++) {
		if (strcmp(key, net_enums[i].key))
			continue;
		if ((k = cfg_enum(v, net_enums[i].names, err)) < 0)
			return -1;
		*(int *)((char *)n + net_enums[i].off) = k;
		r->line[net_enums[i].line] = line;
		return 0;
	}
	snprintf(err->msg, sizeof(err->msg),
		 "unknown key in [network]; known keys: homes reachable "
		 "coordinators population outbound_full outbound_block "
		 "inbound_slots punch_target modes sybil_mitigation blocks "
		 "block_bytes netgroups settle_ms coordinator_mode_slots "
		 "adversary eclipse_coordinators attackers (docs/network.md, "
		 "docs/adversaries.md)");
	return -1;
}

/* A mode run once per sybil_mitigation value: advertised, and under an
 * eclipse rendezvous and handoff too (the rule's effect on the attack is
 * the measurement). */
static int phases_both(const struct scenario_network *n,
		       enum scenario_net_mode m)
{
	return m == SCENARIO_NET_ADVERTISED ||
	       (n->adversary == SCENARIO_NET_ECLIPSE &&
		m != SCENARIO_NET_OFF);
}

/* One phase per mode; advertised once per sybil_mitigation value. */
static void phases_make(struct scenario_network *n,
			const struct scenario_netread *r)
{
	static const enum scenario_net_mode all[] = {
		SCENARIO_NET_OFF, SCENARIO_NET_RENDEZVOUS, SCENARIO_NET_HANDOFF,
		SCENARIO_NET_ADVERTISED};
	const enum scenario_net_mode *m = r->nmodes ? r->modes : all;
	int nm = r->nmodes ? r->nmodes : 4;

	n->nphases = 0;
	for (int i = 0; i < nm; i++) {
		int both = phases_both(n, m[i]);

		for (int v = 0; v < 2; v++) {
			struct scenario_netphase *ph;
			int on = v == 0;

			if (!both && v)
				break;
			if (both && n->sybil != SCENARIO_SYBIL_BOTH &&
			    on != (n->sybil == SCENARIO_SYBIL_ON))
				continue;
			ph = &n->phases[n->nphases++];
			ph->mode = m[i];
			ph->sybil_mitigation = both && on;
			snprintf(ph->name, sizeof(ph->name), "%s%s",
				 net_modes[m[i]],
				 !both ? ""
				 : on  ? "-mitigated"
				       : "-unmitigated");
		}
	}
}

/* What a [network] scenario cannot hold: cells, matrices, punchers and
 * [scenario] keys about pair trials. */
static int net_refusals(struct scenario_ctx *c, struct cfg_error *err)
{
	const struct scenario *s = c->s;
	char key[64];

	if (s->ncells)
		snprintf(key, sizeof(key), "[cell %.50s]", s->cells[0].name);
	else if (c->nmatrices)
		snprintf(key, sizeof(key), "[matrix %s]", c->matrices[0].name);
	if (s->ncells || c->nmatrices)
		return cfg_fail(
			err, s->path,
			s->ncells ? s->cells[0].line : c->matrices[0].line, key,
			"a [network] scenario has no [cell] or [matrix] "
			"sections (the [network] is at line %d); "
			"split it into two scenarios",
			s->net->line);
	if (s->npunchers)
		return cfg_fail(err, s->path, s->punchers[0].line, "[puncher]",
				"a [network] scenario runs no outside "
				"punchers");
	if (c->unused_line)
		return cfg_fail(err, s->path, c->unused_line, c->unused_key,
				"a [network] scenario does not use it; its "
				"[scenario] takes description, seed and "
				"realtime");
	return 0;
}

/* The eclipse keys: only with adversary = eclipse, inside the sizes, and
 * with a phase that punches (docs/adversaries.md section 7). */
static int eclipse_check(struct scenario_ctx *c, struct cfg_error *err)
{
	const struct scenario_network *n = c->s->net;
	const struct scenario_netread *r = c->netread;
	const char *path = c->s->path;
	enum { EC = NET_NINTS - 2, AT = NET_NINTS - 1 };
	int rv;

	if (n->adversary != SCENARIO_NET_ECLIPSE) {
		if (r->line[EC] || r->line[AT])
			return cfg_fail(err, path,
					r->line[EC] ? r->line[EC] : r->line[AT],
					r->line[EC] ? "eclipse_coordinators"
						    : "attackers",
					"only with adversary = eclipse");
		return 0;
	}
	if (n->eclipse_coordinators > n->coordinators)
		return cfg_fail(err, path, r->line[EC], "eclipse_coordinators",
				"%d lying coordinators but %d coordinators",
				n->eclipse_coordinators, n->coordinators);
	if (n->attackers > n->reachable - n->coordinators)
		return cfg_fail(err, path, r->line[AT] ? r->line[AT] : n->line,
				"attackers",
				"%d attacker nodes but only %d reachable nodes "
				"are not coordinators (the last reachable "
				"nodes are the attacker's)",
				n->attackers, n->reachable - n->coordinators);
	/* no modes key: every mode runs, three of them punch */
	rv = !r->nmodes;
	for (int i = 0; i < r->nmodes; i++)
		rv |= r->modes[i] != SCENARIO_NET_OFF;
	if (!rv)
		return cfg_fail(err, path,
				r->line[KEY_MODES] ? r->line[KEY_MODES]
						   : r->line[KEY_ADVERSARY],
				"modes",
				"adversary = eclipse needs a mode that "
				"punches (rendezvous, handoff or "
				"advertised)");
	return 0;
}

int scenario_network_check(struct scenario_ctx *c, struct cfg_error *err)
{
	struct scenario_network *n = c->s->net;
	const struct scenario_netread *r = c->netread;
	const char *path = c->s->path;
	enum { H, R, C, OF, OB, IS, PT, BL, BB, NG };
	long nodes, outbound;

	if (net_refusals(c, err) < 0)
		return -1;
	/* nodes.json carries it as a JSON integer, which is signed */
	if (c->s->seed > INT64_MAX)
		return cfg_fail(err, path, c->scenario_line, "seed",
				"a [network] scenario's seed is at most %lld",
				(long long)INT64_MAX);
	if (!r->line[R])
		n->reachable = n->homes / 5 > 0 ? n->homes / 5 : 1;
	if (!r->line[C])
		n->coordinators = n->reachable / 10 > 0 ? n->reachable / 10 : 1;
	if (n->coordinators > n->reachable)
		return cfg_fail(err, path, r->line[C] ? r->line[C] : r->line[R],
				r->line[C] ? "coordinators" : "reachable",
				"%d coordinators but %d reachable nodes: the "
				"first C reachable nodes run them",
				n->coordinators, n->reachable);
	outbound = (long)n->outbound_full + n->outbound_block;
	if (outbound < 1)
		return cfg_fail(err, path, r->line[OF] ? r->line[OF] : n->line,
				"outbound_full",
				"outbound_full + outbound_block is 0: nodes "
				"would have no peers");
	if (n->inbound_slots <= outbound)
		return cfg_fail(err, path, r->line[IS] ? r->line[IS] : n->line,
				"inbound_slots",
				"%d slots leave no inbound beside %ld outbound",
				n->inbound_slots, outbound);
	nodes = (long)n->homes + n->reachable;
	if (nodes > SCENARIO_NET_MAX_NODES)
		return cfg_fail(err, path, r->line[H] ? r->line[H] : n->line,
				"homes", "%ld nodes, at most %d", nodes,
				SCENARIO_NET_MAX_NODES);
	if (nodes > (long)n->netgroups * SCENARIO_NET_GROUP_HOSTS)
		return cfg_fail(err, path, r->line[NG] ? r->line[NG] : n->line,
				"netgroups",
				"%ld nodes do not fit %d /24 groups of %d "
				"addresses; raise netgroups",
				nodes, n->netgroups, SCENARIO_NET_GROUP_HOSTS);
	if (eclipse_check(c, err) < 0)
		return -1;
	phases_make(n, r);
	return scenario_population_load(
		c, n,
		r->line[KEY_POPULATION] ? r->line[KEY_POPULATION] : n->line,
		err);
}
