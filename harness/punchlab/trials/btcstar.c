/* btcstar: every home's node around a reachable hub node on charlie. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "btcnodes.h"
#include "btctrial.h"
#include "btctrials.h"
#include "cleanup.h"
#include "monoclock.h"

#define HUB_P2P_PORT 8333 /* charlie's node; 18444 is the coordinator's */
#define SPREAD_WAIT_MS 20000

struct star {
	const struct trials_cfg *cfg;
	int nc, direct;
	struct btcnode hub, *node; /* node[2c], node[2c+1]: cell c */
	struct btcagent *ag;	   /* the kept agents of each cell */
	char hash[65];
};

static int hub_start(struct star *st)
{
	const struct trials_cfg *cfg = st->cfg;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bitcoind-hub", cfg->run_dir);
	if (btcnode_spawn(&st->hub, cfg->w->charlie->fd, cfg->bitcoind, dir,
			  PLAN_COORD_ADDR, HUB_P2P_PORT, BTC_RPC_PORT, NULL,
			  cfg->log_fd) < 0)
		return -ECHILD;
	cleanup_pid(cfg->w->cu, st->hub.pid);
	return btcnode_wait_ready(&st->hub, BTCNODE_READY_MS) < 0 ? -ECHILD :
								     0;
}

/* Cell c: its two nodes up and connected to the hub, then one punch
 * whose connection stays up. */
static void star_cell(struct star *st, int c, FILE *jsonl,
		      struct cell_result *res)
{
	const struct scenario *s = st->cfg->s;
	const struct scenario_cell *sc = &s->cells[c];
	char params[96];
	json_t *rec, *r = NULL;
	enum outcome_code o;

	if (btcnodes_start(st->cfg, c, &st->node[2 * c]) < 0) {
		results_account(res, OUTCOME_SETUP, -1, -1);
		return;
	}
	/* Home nodes reach the hub directly: bitcoind never sends a
	 * documentation-range address through its proxy. */
	snprintf(params, sizeof(params), "[\"%s:%d\", \"add\"]",
		 PLAN_COORD_ADDR, HUB_P2P_PORT);
	for (int sd = 0; sd < 2; sd++) {
		btcnode_rpc(&st->node[2 * c + sd], "addnode", params, &r);
		json_decref(r);
		r = NULL;
	}
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}", "scenario",
			s->name, "run_id", st->cfg->w->rid, "cell", sc->name,
			"a", sc->a.name, "b", sc->b.name, "trial", 0, "seed",
			(json_int_t)s->seed, "node", "bitcoind-star");
	o = btctrial_run(st->cfg, c, 0, &st->node[2 * c], rec,
			 &st->ag[2 * c]);
	st->direct += o == OUTCOME_OK;
	results_conditions(rec, sc);
	json_dumpf(rec, jsonl, JSON_COMPACT);
	fputc('\n', jsonl);
	fflush(jsonl);
	json_decref(rec);
	results_account(res, o, -1, -1);
	fprintf(stderr, "  %s: cell %s: %s\n", s->name, sc->name,
		outcome_name(o));
}

static void node_name(int i, char *name, size_t cap)
{
	if (i < 0)
		snprintf(name, cap, "charlie");
	else
		snprintf(name, cap, "c%d-%s", i / 2, i % 2 ? "bob" : "alice");
}

/* The spread: mined on the first alice; once every node has it (or the
 * wait is over), each node's own log says when it took it. */
static void star_spread(struct star *st, json_t *arrive, json_t *rss)
{
	int64_t t_mined;
	double t0;

	if (btcnode_mine(&st->node[0], 1, st->hash) < 0)
		return;
	t_mined = mono_ns();
	for (int i = -1; i < 2 * st->nc; i++) {
		struct btcnode *n = i < 0 ? &st->hub : &st->node[i];
		int64_t t = 0;

		if (n->pid > 0)
			btcnode_wait_block(n, st->hash,
					   t_mined + (int64_t)SPREAD_WAIT_MS *
							     1000000,
					   &t);
	}
	t0 = btcnodes_tip_time_s(&st->node[0], st->hash);
	for (int i = -1; i < 2 * st->nc; i++) {
		struct btcnode *n = i < 0 ? &st->hub : &st->node[i];
		double t = n->pid > 0 ? btcnodes_tip_time_s(n, st->hash) : -1;
		char name[64];

		node_name(i, name, sizeof(name));
		json_object_set_new(rss, name,
				    json_integer(btcnode_rss_kb(n->pid)));
		json_object_set_new(arrive, name,
				    t >= 0 && t0 >= 0 ?
					    json_real((t - t0) * 1e3) :
					    json_null());
	}
}

/* star.json: direct connections formed, arrival time per node, RSS. */
static void star_write(struct star *st)
{
	json_t *arrive = json_object(), *rss = json_object(), *j;
	char path[PATH_MAX];
	FILE *f;

	star_spread(st, arrive, rss);
	j = json_pack("{s:i, s:i, s:s, s:s, s:o, s:o}", "homes", 2 * st->nc,
		      "direct_connections", st->direct, "block", st->hash,
		      "mined_on", "c0-alice", "arrival_ms", arrive, "rss_kb",
		      rss);
	snprintf(path, sizeof(path), "%s/star.json", st->cfg->run_dir);
	f = fopen(path, "we");
	if (f && j) {
		json_dumpf(j, f, JSON_INDENT(2));
		fclose(f);
	} else if (f) {
		fclose(f);
	}
	json_decref(j);
	fprintf(stderr, "  %s: %d homes, %d direct connections; see %s\n",
		st->cfg->s->name, 2 * st->nc, st->direct, path);
}

int btcstar_run(const struct trials_cfg *cfg, FILE *jsonl,
		struct cell_result *res)
{
	struct star st = { .cfg = cfg, .nc = cfg->s->ncells };
	int e = -ENOMEM;

	st.hub.pid = -1;
	st.node = calloc(2 * st.nc, sizeof(*st.node));
	st.ag = calloc(2 * st.nc, sizeof(*st.ag));
	if (!st.node || !st.ag)
		goto out;
	for (int i = 0; i < 2 * st.nc; i++)
		st.node[i].pid = -1;
	if ((e = hub_start(&st)) < 0)
		goto out;
	for (int c = 0; c < st.nc && !*cfg->stop; c++)
		star_cell(&st, c, jsonl, &res[c]);
	star_write(&st);
out:
	for (int i = 0; st.ag && i < 2 * st.nc; i += 2)
		if (st.ag[i].pid > 0 || st.ag[i + 1].pid > 0)
			btcagent_finish(cfg, &st.ag[i]);
	for (int i = 0; st.node && i < 2 * st.nc; i++)
		btcnodes_stop_one(cfg, &st.node[i]);
	btcnodes_stop_one(cfg, &st.hub);
	free(st.node);
	free(st.ag);
	return *cfg->stop ? -EINTR : e;
}
