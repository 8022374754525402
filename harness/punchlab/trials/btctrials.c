/* btctrials: trials with real regtest bitcoind on both homes, one node
 * pair per cell and trials one at a time (btctrial.c); or, for a star
 * scenario, every home around a hub node (btcstar.c). */
#include <errno.h>
#include <stdio.h>

#include "btcnodes.h"
#include "btcpcp.h"
#include "btctrial.h"
#include "celldraw.h"
#include "btctrials.h"
#include "cleanup.h"
#include "record.h"
#include "shapeboard.h"

static double ns_span(json_t *rec, const char *side, const char *from,
		      const char *to)
{
	json_t *r = json_object_get(rec, side);
	json_t *a = json_object_get(r, from), *b = json_object_get(r, to);

	if (!json_is_integer(a) || !json_is_integer(b))
		return -1;
	return (double)(json_integer_value(b) - json_integer_value(a)) / 1e6;
}

/* One trial of cell c between the running nodes: the trial's drawn
 * conditions on the board, the punch, its record and its accounting. */
static void btctrials_one(const struct trials_cfg *cfg, int c, int t,
			  struct btcnode node[2], FILE *jsonl,
			  struct cell_result *res)
{
	const struct scenario *s = cfg->s;
	const struct scenario_cell *sc = &s->cells[c];
	json_t *rec = record_head(cfg, c, t);
	struct cell_cond cc;
	struct shapeboard_stats b0, b1;
	struct shapeboard_delta sh;
	enum outcome_code o;
	double ttc;
	int shaped;

	json_object_set_new(rec, "node", json_string("bitcoind"));
	celldraw_trial(s, c, t, &cc);
	if (celldraw_shaper(sc))
		world_shape_trial(cfg->w, cfg->board, c, &cc);
	shaped = running_board(cfg, c, &b0);
	o = btctrial_run(cfg, c, t, node, rec, NULL);
	ttc = ns_span(rec, "alice", "t_start_ns", "t_established_ns");
	results_conditions(rec, sc);
	json_object_set_new(rec, "cond", results_cond_json(sc, &cc));
	results_cond(&res[c], &cc);
	if (shaped) {
		running_board(cfg, c, &b1);
		shapeboard_delta(&b0, &b1, &sh);
	}
	timing_trial(rec, shaped ? &sh : NULL, &res[c].timing);
	json_object_set_new(rec, "ttc_ms", o == OUTCOME_OK && ttc >= 0 ?
						   json_real(ttc) :
						   json_null());
	json_object_set_new(rec, "rss_kb",
			    json_pack("{s:i, s:i}", "alice",
				      (int)btcnode_rss_kb(node[0].pid), "bob",
				      (int)btcnode_rss_kb(node[1].pid)));
	json_dumpf(rec, jsonl, JSON_COMPACT);
	fputc('\n', jsonl);
	fflush(jsonl);
	json_decref(rec);
	results_account(&res[c], o, o == OUTCOME_OK ? ttc : -1, -1);
	fprintf(stderr, "  %s: trial %d of cell %s: %s\n", s->name, t,
		sc->name, outcome_name(o));
}

int btctrials_run(const struct trials_cfg *cfg, FILE *jsonl,
		  struct cell_result *res)
{
	const struct scenario *s = cfg->s;
	int e = 0;

	if (s->star)
		return btcstar_run(cfg, jsonl, res);
	if (s->natpmp)
		return btcpcp_run(cfg, jsonl, res);

	for (int c = 0; c < s->ncells && e == 0; c++) {
		struct btcnode node[2] = { { .pid = -1 }, { .pid = -1 } };
		int first = cfg->only_trial >= 0 ? cfg->only_trial : 0;
		int last = cfg->only_trial >= 0 ? cfg->only_trial : s->trials - 1;

		if (cfg->only_cell >= 0 && cfg->only_cell != c)
			continue;
		if (btcnodes_start(cfg, c, node) < 0) {
			for (int t = first; t <= last; t++)
				results_account(&res[c], OUTCOME_SETUP, -1, -1);
			goto stop;
		}
		for (int t = first; t <= last && !*cfg->stop; t++)
			btctrials_one(cfg, c, t, node, jsonl, res);
stop:
		for (int i = 0; i < 2; i++)
			if (node[i].pid > 0) {
				pid_t pid = node[i].pid;

				btcnode_stop(&node[i], BTCNODE_STOP_MS);
				cleanup_reaped(cfg->w->cu, pid);
			}
		if (*cfg->stop)
			e = -EINTR;
	}
	return e;
}
