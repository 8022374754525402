/* btcpcp: unmodified bitcoind -natpmp=1 behind a home router. Per trial
 * alice's node starts anew, its own PCP/NAT-PMP client asks the router
 * for its P2P port, and a node on the WAN (charlie) dials the external
 * endpoint bitcoind's log names; success = alice's node lists that peer
 * as inbound. bitcoind's debug.log, not a packet capture, says whether
 * and when the mapping came (src/mapport.cpp logs "portmap: Added
 * mapping" at info level, each failure as a [net] line of src/common/
 * pcp.cpp, which -debug=net shows). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btcnodes.h"
#include "btcpcp.h"
#include "cleanup.h"
#include "log.h"
#include "monoclock.h"
#include "pcpsum.h"
#include "record.h"

#define WAN_P2P_PORT 8333 /* charlie's node; 18444 is the coordinator's */
/* PCP's 3 tries of 1 s, then NAT-PMP's 3 of 1 s (pcp.h defaults), and
 * the node's start before its mapport thread runs. */
#define MAP_WAIT_MS 10000
#define POLL_MS 20

/* What one trial learned. */
struct pcprun {
	enum outcome_code o;
	int mapped, decided;
	double map_ms;	   /* from the spawn to the deciding log line */
	char proto[8];	   /* "pcp" or "natpmp" */
	char external[64]; /* "IP:PORT" as bitcoind logged it */
	int ext_port, lifetime;
	char line[1024]; /* the deciding log line */
	int inbound;
	double inbound_ms; /* from the WAN node's addnode */
	double start_ms;   /* from the spawn to the inbound peer */
	char peer[64];
	char dialled[80];   /* what the WAN node dialled */
	char wan_line[512]; /* its log's last word on that dial */
	json_t *local;	    /* getnetworkinfo's localaddresses */
	char why[640];
};

/* A [net] line of the mapping attempt that says what went wrong (the
 * steps that only narrate are not reasons). */
static int why_line(const char *l)
{
	return (strstr(l, "pcp: ") || strstr(l, "natpmp: ") ||
		strstr(l, "portmap: Could not determine IPv4")) &&
	       !strstr(l, "Requesting") && !strstr(l, "Internal address") &&
	       !strstr(l, "Received response") && !strstr(l, "Retrying") &&
	       !strstr(l, "falling back");
}

/* One pass over the node's debug.log: decided once the IPv4 attempt
 * ended (a mapping, or bitcoind went on to IPv6). */
static void scan_log(const struct btcnode *n, struct pcprun *b)
{
	char path[PATH_MAX], l[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/regtest/debug.log", n->datadir);
	f = fopen(path, "re");
	while (f && !b->decided && fgets(l, sizeof(l), f)) {
		char *m = strstr(l, "portmap: Added mapping ");

		l[strcspn(l, "\n")] = 0;
		if (m && sscanf(m,
				"portmap: Added mapping %7[a-z]:%63s -> %*s "
				"(for %ds)",
				b->proto, b->external, &b->lifetime) == 3)
			b->mapped = 1;
		if (why_line(l) || b->mapped)
			snprintf(b->line, sizeof(b->line), "%s", l);
		if (b->mapped || (strstr(l, "portmap: ") && strstr(l, "IPv6")))
			b->decided = 1;
	}
	if (f)
		fclose(f);
}

static void wait_mapping(const struct trials_cfg *cfg, struct btcnode *n,
			 struct pcprun *b)
{
	int64_t deadline = mono_ns() + (int64_t)MAP_WAIT_MS * 1000000;
	double t0 =
		(double)n->t_spawn_wall.tv_sec + n->t_spawn_wall.tv_nsec / 1e9;
	const char *colon;

	while (!b->decided && mono_ns() < deadline && !*cfg->stop) {
		scan_log(n, b);
		if (!b->decided)
			poll(NULL, 0, POLL_MS);
	}
	if (b->line[0] && btcnodes_line_time_s(b->line) > 0)
		b->map_ms = (btcnodes_line_time_s(b->line) - t0) * 1e3;
	colon = strrchr(b->external, ':');
	b->ext_port = colon ? atoi(colon + 1) : 0;
	if (b->mapped)
		return;
	b->o = b->line[0] && strstr(b->line, "refused") ? OUTCOME_REFUSED
							: OUTCOME_TIMEOUT;
	snprintf(b->why, sizeof(b->why), "no mapping: %.600s",
		 b->line[0] ? b->line : "no portmap line in debug.log");
}

/* The WAN node's last log line on its connect() to b->dialled (bitcoind
 * logs a failed one, e.g. "Connection refused" for a router's RST); none
 * while its connect timeout runs. */
static void wan_said(const struct btcnode *wan, struct pcprun *b)
{
	char path[PATH_MAX], want[96], l[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/regtest/debug.log", wan->datadir);
	snprintf(want, sizeof(want), "connect() to %s ", b->dialled);
	f = fopen(path, "re");
	while (f && fgets(l, sizeof(l), f))
		if (strstr(l, want)) {
			l[strcspn(l, "\n")] = 0;
			snprintf(b->wan_line, sizeof(b->wan_line), "%.511s", l);
		}
	if (f)
		fclose(f);
}

/* The WAN node dials the mapping (or, without one, the port bitcoind
 * asked for at the router's public address: the inbound is tried either
 * way, so a 0 is measured, not assumed); alice's node must list it. */
static void dial_in(const struct trials_cfg *cfg, int c, struct btcnode *n,
		    struct btcnode *wan, struct pcprun *b)
{
	const struct plan_side *ps = cfg->w->cells[c].side[0].p;
	int64_t t0 = mono_ns(),
		deadline = t0 + (int64_t)cfg->s->timeout_ms * 1000000;
	char params[128];
	json_t *r = NULL;

	if (b->mapped)
		snprintf(b->dialled, sizeof(b->dialled), "%s", b->external);
	else
		snprintf(b->dialled, sizeof(b->dialled), "%s:%d", ps->wan_addr,
			 BTC_P2P_PORT);
	snprintf(params, sizeof(params), "[\"%s\", \"onetry\"]", b->dialled);
	if (btcnode_rpc(wan, "addnode", params, NULL) < 0 && b->mapped) {
		snprintf(b->why, sizeof(b->why), "addnode on the WAN node: %s",
			 wan->rpc_error);
		b->o = OUTCOME_BITCOIND;
		return;
	}
	while (!b->inbound && mono_ns() < deadline && !*cfg->stop) {
		struct btcnode_peer *p = NULL;
		int np = btcnode_getpeerinfo(n, &p);

		for (int i = 0; i < np && !b->inbound; i++)
			if (p[i].inbound && p[i].version > 0 &&
			    !strncmp(p[i].addr, PLAN_COORD_ADDR ":",
				     strlen(PLAN_COORD_ADDR) + 1)) {
				b->inbound = 1;
				b->inbound_ms = (double)(mono_ns() - t0) / 1e6;
				b->start_ms =
					(double)(mono_ns() - n->t_spawn_ns) /
					1e6;
				snprintf(b->peer, sizeof(b->peer), "%s",
					 p[i].addr);
			}
		free(p);
		if (!b->inbound)
			poll(NULL, 0, POLL_MS);
	}
	if (!b->inbound)
		wan_said(wan, b);
	if (btcnode_rpc(n, "getnetworkinfo", NULL, &r) == 0)
		b->local = json_incref(json_object_get(r, "localaddresses"));
	json_decref(r);
	if (b->mapped && !b->inbound) {
		b->o = OUTCOME_TIMEOUT;
		snprintf(b->why, sizeof(b->why),
			 "mapped %s, but no inbound peer from the WAN within "
			 "%d ms%s%.400s",
			 b->external, cfg->s->timeout_ms,
			 b->wan_line[0] ? "; WAN node: " : "", b->wan_line);
	}
}

/* Whether bitcoind put the mapped address among its local addresses
 * (AddLocal): the only way it advertises it to peers. */
static int advertised(const struct pcprun *b)
{
	/* "IP:PORT" or "[IPv6]:PORT"; localaddresses has the bare IP. */
	const char *ext = b->external + (b->external[0] == '[');
	const char *end = strrchr(b->external, ':'), *ip;
	size_t len;

	if (!end || end < ext)
		return 0;
	len = (size_t)(end - ext) - (end[-1] == ']');
	for (size_t i = 0; i < json_array_size(b->local); i++) {
		ip = json_string_value(json_object_get(
			json_array_get(b->local, i), "address"));
		if (ip && strlen(ip) == len && !strncmp(ip, ext, len))
			return 1;
	}
	return 0;
}

static void record(json_t *rec, const struct pcprun *b)
{
	json_object_set_new(rec, "outcome", json_string(outcome_name(b->o)));
	json_object_set_new(rec, "error",
			    b->why[0] ? json_string(b->why) : json_null());
	json_object_set_new(
		rec, "pcp",
		json_pack("{s:s?, s:b, s:o, s:s?, s:o, s:o, s:o, s:s?}",
			  "proto", b->mapped ? b->proto : NULL, "ok", b->mapped,
			  "ms", b->line[0] ? json_real(b->map_ms) : json_null(),
			  "external", b->mapped ? b->external : NULL,
			  "lifetime",
			  b->mapped ? json_integer(b->lifetime) : json_null(),
			  "port_honoured",
			  b->mapped ? json_boolean(b->ext_port == BTC_P2P_PORT)
				    : json_null(),
			  "requested_port", json_integer(BTC_P2P_PORT), "log",
			  b->line[0] ? b->line : NULL));
	json_object_set_new(
		rec, "inbound",
		json_pack("{s:b, s:o, s:s?, s:s?, s:s?}", "ok", b->inbound,
			  "ms",
			  b->inbound ? json_real(b->inbound_ms) : json_null(),
			  "peer", b->peer[0] ? b->peer : NULL, "dialled",
			  b->dialled[0] ? b->dialled : NULL, "wan_log",
			  b->wan_line[0] ? b->wan_line : NULL));
	json_object_set_new(rec, "advertised",
			    json_boolean(b->mapped && advertised(b)));
	json_object_set_new(rec, "localaddresses",
			    b->local ? json_incref(b->local) : json_array());
	json_object_set_new(rec, "ttc_ms",
			    b->o == OUTCOME_OK ? json_real(b->start_ms)
					       : json_null());
}

/* The next trial's node starts on an empty debug.log. */
static void keep_log(const struct btcnode *n, int t)
{
	char from[PATH_MAX], to[PATH_MAX];

	snprintf(from, sizeof(from), "%s/regtest/debug.log", n->datadir);
	snprintf(to, sizeof(to), "%s/regtest/debug-t%d.log", n->datadir, t);
	if (rename(from, to) < 0 && errno != ENOENT)
		log_warn("%s", from);
}

/* A -natpmp=1 node on ws's host (datadir dir) up and its mapping
 * decided (b); 0, or -1 when the node did not come up (b says why). */
static int start_mapped(const struct trials_cfg *cfg,
			const struct world_side *ws, const char *dir,
			struct btcnode *n, struct pcprun *b)
{
	if (btcnode_spawn_natpmp(n, ws->host->fd, cfg->bitcoind, dir,
				 ws->p->lan_addr, BTC_P2P_PORT, BTC_RPC_PORT,
				 cfg->log_fd) < 0) {
		snprintf(b->why, sizeof(b->why), "bitcoind did not start");
		b->o = OUTCOME_SETUP;
		return -1;
	}
	cleanup_pid(cfg->w->cu, n->pid);
	if (btcnode_wait_ready(n, BTCNODE_READY_MS) < 0) {
		snprintf(b->why, sizeof(b->why),
			 "bitcoind not ready (see %.500s)", dir);
		b->o = OUTCOME_BITCOIND;
		return -1;
	}
	wait_mapping(cfg, n, b);
	return 0;
}

/* Trial t of cell c: alice's node (re)started, its mapping, the
 * WAN node's dial, then the node stopped again. */
static enum outcome_code pcp_trial(const struct trials_cfg *cfg, int c, int t,
				   struct btcnode *wan, json_t *rec)
{
	struct pcprun b = {.o = OUTCOME_OK};
	struct btcnode n = {.pid = -1};
	char dir[PATH_MAX];

	/* One datadir per cell (a regtest datadir is 16 MB), so each trial
	 * restarts the same node; its debug.log is kept per trial. */
	snprintf(dir, sizeof(dir), "%s/bitcoind-c%d-alice", cfg->run_dir, c);
	if (start_mapped(cfg, &cfg->w->cells[c].side[0], dir, &n, &b) == 0)
		dial_in(cfg, c, &n, wan, &b);
	if (b.o == OUTCOME_OK && !b.inbound)
		b.o = OUTCOME_TIMEOUT;
	record(rec, &b);
	json_decref(b.local);
	btcnodes_stop_one(cfg, &n);
	keep_log(&n, t);
	return b.o;
}

/* What a cell's trials share: charlie's node, the neighbour's mapping
 * (shared homes, else NULL), where records and figures go. */
struct pcpcell {
	struct btcnode *wan;
	const struct pcprun *nb;
	FILE *jsonl;
	struct cell_result *res;
	struct pcpsum *sum;
};

static void pcp_one(const struct trials_cfg *cfg, int c, int t,
		    const struct pcpcell *pc)
{
	const struct scenario *s = cfg->s;
	const struct scenario_cell *sc = &s->cells[c];
	json_t *rec = record_head(cfg, c, t), *ttc;
	enum outcome_code o;

	json_object_set_new(rec, "node", json_string("bitcoind"));
	o = pcp_trial(cfg, c, t, pc->wan, rec);
	ttc = json_object_get(rec, "ttc_ms");
	if (pc->nb)
		json_object_set_new(
			rec, "neighbour",
			json_pack("{s:b, s:s?, s:s?}", "ok", pc->nb->mapped,
				  "external",
				  pc->nb->mapped ? pc->nb->external : NULL,
				  "log",
				  pc->nb->line[0] ? pc->nb->line : NULL));
	results_conditions(rec, sc);
	json_dumpf(rec, pc->jsonl, JSON_COMPACT);
	fputc('\n', pc->jsonl);
	fflush(pc->jsonl);
	results_account(&pc->res[c], o,
			json_is_real(ttc) ? json_real_value(ttc) : -1, -1);
	if (pc->sum)
		pcpsum_add(pc->sum, c, rec);
	json_decref(rec);
	fprintf(stderr, "  %s: trial %d of cell %s: %s\n", s->name, t, sc->name,
		outcome_name(o));
}

/* charlie's node up; wan->pid stays -1 when it did not come up. */
static void wan_start(const struct trials_cfg *cfg, struct btcnode *wan)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bitcoind-wan", cfg->run_dir);
	if (btcnode_spawn(wan, cfg->w->charlie->fd, cfg->bitcoind, dir,
			  PLAN_COORD_ADDR, WAN_P2P_PORT, BTC_RPC_PORT, NULL,
			  cfg->log_fd) < 0) {
		wan->pid = -1;
		return;
	}
	cleanup_pid(cfg->w->cu, wan->pid);
	if (btcnode_wait_ready(wan, BTCNODE_READY_MS) < 0)
		btcnodes_stop_one(cfg, wan);
}

/* Cell c's trials. In a shared home bob's node, a neighbour behind the
 * same router, maps the same port first and stays up through the cell:
 * alice's node then asks for a port already taken. */
static void pcp_cell(const struct trials_cfg *cfg, int c, struct pcpcell *pc)
{
	const struct scenario *s = cfg->s;
	int first = cfg->only_trial >= 0 ? cfg->only_trial : 0;
	int last = cfg->only_trial >= 0 ? cfg->only_trial : s->trials - 1;
	int shared = s->cells[c].cond.home == CELLCOND_HOME_SHARED;
	struct pcprun nb = {.o = OUTCOME_OK};
	struct btcnode n = {.pid = -1};
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bitcoind-c%d-bob", cfg->run_dir, c);
	if (pc->wan->pid <= 0 ||
	    (shared &&
	     start_mapped(cfg, &cfg->w->cells[c].side[1], dir, &n, &nb) < 0)) {
		for (int t = first; t <= last; t++)
			results_account(&pc->res[c], OUTCOME_SETUP, -1, -1);
		goto out;
	}
	pc->nb = shared ? &nb : NULL;
	for (int t = first; t <= last && !*cfg->stop; t++)
		pcp_one(cfg, c, t, pc);
	pc->nb = NULL;
out:
	btcnodes_stop_one(cfg, &n);
}

/* natpmp.json; a run without it still has every trial's record. */
static void pcp_sum_write(const struct trials_cfg *cfg, struct pcpsum *sum)
{
	const char **names = calloc(cfg->s->ncells, sizeof(*names));

	for (int c = 0; names && c < cfg->s->ncells; c++)
		names[c] = cfg->s->cells[c].name;
	if (!names || pcpsum_write(sum, names, cfg->run_dir) < 0)
		log_warnx("%s/natpmp.json not written", cfg->run_dir);
	free(names);
}

int btcpcp_run(const struct trials_cfg *cfg, FILE *jsonl,
	       struct cell_result *res)
{
	const struct scenario *s = cfg->s;
	struct btcnode wan = {.pid = -1};
	struct pcpcell pc = {.wan = &wan, .jsonl = jsonl, .res = res};

	pc.sum = pcpsum_new(s->ncells, s->trials);
	/* Without the WAN node every trial is a setup failure. */
	wan_start(cfg, &wan);
	for (int c = 0; c < s->ncells && !*cfg->stop; c++)
		if (cfg->only_cell < 0 || cfg->only_cell == c)
			pcp_cell(cfg, c, &pc);
	btcnodes_stop_one(cfg, &wan);
	if (pc.sum)
		pcp_sum_write(cfg, pc.sum);
	pcpsum_free(pc.sum);
	return *cfg->stop ? -EINTR : 0;
}
