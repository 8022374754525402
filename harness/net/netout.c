/* netout: the records as JSON through jansson, written to path.tmp and
 * renamed, so a reader never sees half a file. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "netout.h"
#include "netrecord.h"

static const char *const netout_kinds[] = {
	[NETCONN_FULL] = "full",
	[NETCONN_BLOCK] = "block",
	[NETCONN_PUNCHED] = "punched",
	[NETCONN_LIGHT] = "light",
	[NETCONN_COORD] = "light",
};

static json_t *netout_id(int id)
{
	return id < 0 ? json_null() : json_integer(id);
}

/* Milliseconds to 0.1 ms, as the contract's examples. */
static json_t *netout_ms(double ms)
{
	return json_real((double)(long long)(ms * 10 + (ms < 0 ? -0.5 : 0.5)) /
			 10);
}

static json_t *netout_connections(const struct networld *w)
{
	json_t *a = json_array();

	for (int i = 0; i < w->nrc; i++) {
		const struct netrec_conn *r = &w->rc[i];

		json_t *o = json_pack(
			"{s:o, s:o, s:s, s:o, s:o, s:b}", "a", netout_id(r->a),
			"b", netout_id(r->b), "kind", netout_kinds[r->kind],
			"via", netout_id(r->via), "t_ms", netout_ms(r->t_ms),
			"open_at_end", r->open_at_end);

		/* network.py needs it to tell open at the first block */
		if (o && r->t_closed_ms >= 0)
			json_object_set_new(o, "t_closed_ms",
					    netout_ms(r->t_closed_ms));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *netout_punches(const struct networld *w)
{
	json_t *a = json_array();

	for (int i = 0; i < w->nrp; i++) {
		const struct netrec_punch *r = &w->rp[i];

		json_array_append_new(
			a, json_pack("{s:o, s:o, s:o, s:s, s:o, s:o}", "node",
				     netout_id(r->node), "coordinator",
				     netout_id(r->coordinator), "peer",
				     netout_id(r->peer), "outcome",
				     netrecord_outcome_name(r->outcome), "t_ms",
				     netout_ms(r->t_ms), "ttc_ms",
				     r->ttc_ms < 0 ? json_null()
						   : netout_ms(r->ttc_ms)));
	}
	return a;
}

static json_t *netout_evictions(const struct networld *w)
{
	json_t *a = json_array();

	for (int i = 0; i < w->nre; i++)
		json_array_append_new(
			a, json_pack("{s:i, s:o, s:o}", "node", w->re[i].node,
				     "evicted", netout_id(w->re[i].evicted),
				     "t_ms", netout_ms(w->re[i].t_ms)));
	return a;
}

static json_t *netout_blocks(const struct networld *w)
{
	json_t *a = json_array();

	for (int b = 0; b < w->cfg->blocks; b++) {
		json_t *got = json_object();
		char key[16];

		for (int i = 0; i < w->nlocal; i++) {
			const struct netnode *n = &w->nodes[i];

			if (!n->have_ns[b])
				continue;
			snprintf(key, sizeof(key), "%d", n->c->id);
			json_object_set_new(got, key,
					    netout_ms(net_ms(w, n->have_ns[b])));
		}
		json_array_append_new(
			a, json_pack("{s:i, s:i, s:o, s:o}", "block", b,
				     "miner", w->miner[b], "t_mined_ms",
				     netout_ms(w->cfg->settle_ms +
					       (double)b * NET_BLOCK_GAP_MS),
				     "received", got));
	}
	return a;
}

static json_t *netout_addrman(const struct networld *w)
{
	json_t *a = json_array();

	for (int i = 0; i < w->nlocal; i++)
		json_array_append_new(
			a, json_pack("{s:i, s:i, s:i}", "node",
				     w->nodes[i].c->id, "reachable",
				     w->nodes[i].am.nreachable, "advertised",
				     w->nodes[i].am.nadvertised));
	return a;
}

int netout_write(const struct networld *w, const char *path)
{
	char tmp[4096];
	json_t *root;
	int r = 0;

	root = json_pack("{s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "phase",
			 w->phase->name, "part", w->part, "parts", w->parts,
			 "connections", netout_connections(w),
			 "punch_attempts", netout_punches(w), "evictions",
			 netout_evictions(w), "blocks", netout_blocks(w),
			 "addrman", netout_addrman(w));
	if (!root)
		return -ENOMEM;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(root, tmp, JSON_COMPACT) || rename(tmp, path))
		r = errno ? -errno : -EIO;
	json_decref(root);
	return r;
}
