/* netcfg: the nodes file. Every key is checked for type and range before
 * it is stored, and an error names the file and the JSON path of the key,
 * as the scenario keys name file:line:key. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netcfg.h"

static const char *const netcfg_modes[] = {
	[NETCFG_OFF] = "off",
	[NETCFG_RENDEZVOUS] = "rendezvous",
	[NETCFG_HANDOFF] = "handoff",
	[NETCFG_ADVERTISED] = "advertised",
};

const char *netcfg_mode_name(enum netcfg_mode m)
{
	return netcfg_modes[m];
}

struct netcfg_ctx {
	const char *path;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int
netcfg_fail(struct netcfg_ctx *x, const char *key, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errlen, "%s: %s: %s", x->path, key, why);
	return -EINVAL;
}

/* An integer key in [min, max]; absent: *out = def, or an error when def
 * is below min (required). */
static int netcfg_int(struct netcfg_ctx *x, json_t *o, const char *where,
		      const char *name, long long min, long long max,
		      long long def, long long *out)
{
	json_t *v = json_object_get(o, name);
	char key[128];

	snprintf(key, sizeof(key), "%s%s", where, name);
	if (!v) {
		if (def < min)
			return netcfg_fail(x, key, "missing");
		*out = def;
		return 0;
	}
	if (!json_is_integer(v))
		return netcfg_fail(x, key, "not an integer");
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return netcfg_fail(x, key, "%lld outside %lld..%lld", *out,
				   min, max);
	return 0;
}

static int netcfg_str(struct netcfg_ctx *x, json_t *o, const char *where,
		      const char *name, char *out, size_t cap)
{
	json_t *v = json_object_get(o, name);
	char key[128];

	snprintf(key, sizeof(key), "%s%s", where, name);
	if (!v)
		return netcfg_fail(x, key, "missing");
	if (!json_is_string(v))
		return netcfg_fail(x, key, "not a string");
	if (!json_string_length(v) || json_string_length(v) >= cap)
		return netcfg_fail(x, key, "empty or longer than %zu bytes",
				   cap - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int netcfg_ip(struct netcfg_ctx *x, json_t *o, const char *where,
		     const char *name, struct in_addr *out)
{
	char s[64], key[128];
	int r = netcfg_str(x, o, where, name, s, sizeof(s));

	if (r)
		return r;
	snprintf(key, sizeof(key), "%s%s", where, name);
	if (inet_pton(AF_INET, s, out) != 1)
		return netcfg_fail(x, key, "'%s' is not an IPv4 address", s);
	return 0;
}

/* An optional boolean key (absent: 0). */
static int netcfg_flag(struct netcfg_ctx *x, json_t *o, const char *where,
		       const char *name, int *out)
{
	json_t *v = json_object_get(o, name);
	char key[128];

	snprintf(key, sizeof(key), "%s%s", where, name);
	if (v && !json_is_boolean(v))
		return netcfg_fail(x, key, "not true or false");
	*out = v && json_is_true(v);
	return 0;
}

static int netcfg_phase(struct netcfg_ctx *x, json_t *o, int i,
			struct netcfg_phase *p)
{
	char where[64], mode[32];
	json_t *s;
	int r;

	snprintf(where, sizeof(where), "phases[%d].", i);
	if (!json_is_object(o))
		return netcfg_fail(x, where, "not an object");
	r = netcfg_str(x, o, where, "name", p->name, sizeof(p->name));
	if (!r)
		r = netcfg_str(x, o, where, "mode", mode, sizeof(mode));
	if (r)
		return r;
	p->mode = NETCFG_OFF;
	while (strcmp(netcfg_modes[p->mode], mode))
		if (++p->mode > NETCFG_ADVERTISED)
			return netcfg_fail(x, "mode",
					   "phases[%d]: '%s' is not off, "
					   "rendezvous, handoff or advertised",
					   i, mode);
	s = json_object_get(o, "sybil_mitigation");
	if (s && !json_is_boolean(s))
		return netcfg_fail(x, "sybil_mitigation",
				   "phases[%d]: not true or false", i);
	p->sybil_mitigation = s && json_is_true(s);
	return 0;
}

static int netcfg_node(struct netcfg_ctx *x, json_t *o, int i,
		       struct netcfg_node *n)
{
	char where[64], kind[32], key[96];
	long long v;
	json_t *co;
	int r;

	snprintf(where, sizeof(where), "nodes[%d].", i);
	if (!json_is_object(o))
		return netcfg_fail(x, where, "not an object");
	if ((r = netcfg_int(x, o, where, "id", 0, 1 << 24, -1, &v)))
		return r;
	n->id = (int)v;
	if ((r = netcfg_str(x, o, where, "kind", kind, sizeof(kind))))
		return r;
	snprintf(key, sizeof(key), "%skind", where);
	if (!strcmp(kind, "reachable"))
		n->kind = NETCFG_REACHABLE;
	else if (!strcmp(kind, "home"))
		n->kind = NETCFG_HOME;
	else
		return netcfg_fail(x, key, "'%s' is not reachable or home",
				   kind);
	if ((r = netcfg_str(x, o, where, "netns", n->netns, sizeof(n->netns))) ||
	    (r = netcfg_ip(x, o, where, "addr", &n->addr)))
		return r;
	if ((r = netcfg_int(x, o, where, "port", 1, 65535,
			    n->kind == NETCFG_REACHABLE ? -1 : 18444, &v)))
		return r;
	n->port = (uint16_t)v;
	if ((r = netcfg_int(x, o, where, "netgroup", 0, 1 << 20, -1, &v)))
		return r;
	n->netgroup = (int)v;
	if ((r = netcfg_flag(x, o, where, "attacker", &n->attacker)))
		return r;
	co = json_object_get(o, "coordinator");
	if (!co || json_is_null(co))
		return 0;
	snprintf(key, sizeof(key), "%scoordinator.", where);
	if (!json_is_object(co))
		return netcfg_fail(x, key, "not an object");
	if ((r = netcfg_ip(x, co, key, "addr", &n->coord_addr)) ||
	    (r = netcfg_int(x, co, key, "port", 1, 65535, -1, &v)))
		return r;
	n->coord_port = (uint16_t)v;
	n->coordinator = 1;
	return netcfg_flag(x, co, key, "lies", &n->lies);
}

static int netcfg_top(struct netcfg_ctx *x, json_t *root, struct netcfg *c)
{
	static const struct {
		const char *name;
		long long min, max, def;
		size_t off;
	} keys[] = {
		{"outbound_full", 0, 64, 8, offsetof(struct netcfg, outbound_full)},
		{"outbound_block", 0, 64, 2, offsetof(struct netcfg, outbound_block)},
		{"inbound_slots", 1, 100000, 125, offsetof(struct netcfg, inbound_slots)},
		{"punch_target", 0, 64, 2, offsetof(struct netcfg, punch_target)},
		{"blocks", 0, 64, 5, offsetof(struct netcfg, blocks)},
		{"block_bytes", 32, 1 << 20, 2000, offsetof(struct netcfg, block_bytes)},
		{"settle_ms", 2500, 3600000, 15000, offsetof(struct netcfg, settle_ms)},
	};
	long long v;
	json_t *s;
	int r;

	if ((r = netcfg_str(x, root, "", "run_id", c->run_id, sizeof(c->run_id))))
		return r;
	s = json_object_get(root, "seed");
	if (s && (!json_is_integer(s) || json_integer_value(s) < 0))
		return netcfg_fail(x, "seed", "not a non-negative integer");
	c->seed = s ? (uint64_t)json_integer_value(s) : 1;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		r = netcfg_int(x, root, "", keys[k].name, keys[k].min,
			       keys[k].max, keys[k].def, &v);
		if (r)
			return r;
		*(int *)((char *)c + keys[k].off) = (int)v;
	}
	if (c->outbound_full + c->outbound_block >= c->inbound_slots)
		return netcfg_fail(x, "inbound_slots",
				   "%d leaves no inbound slot after %d outbound",
				   c->inbound_slots,
				   c->outbound_full + c->outbound_block);
	return 0;
}

/* An array key, its length checked. */
static json_t *netcfg_array(struct netcfg_ctx *x, json_t *root,
			    const char *name, int *r)
{
	json_t *a = json_object_get(root, name);

	*r = 0;
	if (!a)
		*r = netcfg_fail(x, name, "missing");
	else if (!json_is_array(a) || !json_array_size(a))
		*r = netcfg_fail(x, name, "not a non-empty array");
	return *r ? NULL : a;
}

static int netcfg_parse(struct netcfg_ctx *x, json_t *root, struct netcfg *c)
{
	json_t *a;
	int r;

	if (!json_is_object(root))
		return netcfg_fail(x, "(top)", "not a JSON object");
	if ((r = netcfg_top(x, root, c)))
		return r;
	if (!(a = netcfg_array(x, root, "phases", &r)))
		return r;
	c->nphases = (int)json_array_size(a);
	c->phases = calloc((size_t)c->nphases, sizeof(*c->phases));
	if (!c->phases)
		return -ENOMEM;
	for (int i = 0; i < c->nphases; i++)
		if ((r = netcfg_phase(x, json_array_get(a, (size_t)i), i,
				      &c->phases[i])))
			return r;
	if (!(a = netcfg_array(x, root, "nodes", &r)))
		return r;
	c->nnodes = (int)json_array_size(a);
	c->nodes = calloc((size_t)c->nnodes, sizeof(*c->nodes));
	if (!c->nodes)
		return -ENOMEM;
	c->max_id = -1;
	for (int i = 0; i < c->nnodes; i++) {
		if ((r = netcfg_node(x, json_array_get(a, (size_t)i), i,
				     &c->nodes[i])))
			return r;
		if (c->nodes[i].id > c->max_id)
			c->max_id = c->nodes[i].id;
	}
	return 0;
}

/* Ids are unique, and some reachable node exists to connect to. */
static int netcfg_check(struct netcfg_ctx *x, struct netcfg *c)
{
	char *seen = calloc((size_t)c->max_id + 1, 1);
	char key[64];
	int reach = 0, r = 0;

	if (!seen)
		return -ENOMEM;
	for (int i = 0; i < c->nnodes && !r; i++) {
		snprintf(key, sizeof(key), "nodes[%d].id", i);
		if (seen[c->nodes[i].id]++)
			r = netcfg_fail(x, key, "%d used twice", c->nodes[i].id);
		reach += c->nodes[i].kind == NETCFG_REACHABLE;
	}
	free(seen);
	if (!r && !reach)
		r = netcfg_fail(x, "nodes", "no reachable node");
	return r;
}

int netcfg_load(const char *path, struct netcfg *c, char *err, size_t errlen)
{
	struct netcfg_ctx x = {.path = path, .err = err, .errlen = errlen};
	json_error_t je;
	json_t *root;
	int r;

	memset(c, 0, sizeof(*c));
	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d: not JSON: %s", path, je.line,
			 je.text);
		return -EINVAL;
	}
	r = netcfg_parse(&x, root, c);
	if (!r)
		r = netcfg_check(&x, c);
	json_decref(root);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (r)
		netcfg_free(c);
	return r;
}

int netcfg_phase_find(const struct netcfg *c, const char *name)
{
	for (int i = 0; i < c->nphases; i++)
		if (!strcmp(c->phases[i].name, name))
			return i;
	return -1;
}

void netcfg_free(struct netcfg *c)
{
	free(c->phases);
	free(c->nodes);
	c->phases = NULL;
	c->nodes = NULL;
}
