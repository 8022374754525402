/* btctrials: trials with real regtest bitcoind on both homes. The agents
 * punch and then carry bitcoind's bytes (SOCKS5 on the initiator's side,
 * delivery to the P2P port on the responder's); success is decided by the
 * nodes themselves: both list each other in getpeerinfo and a block mined
 * on the initiator's node reaches the responder's. One node pair per cell,
 * trials one at a time. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monoclock.h"
#include "btcnode.h"
#include "cleanup.h"
#include "log.h"
#include "proc.h"
#include "agentcmd.h"
#include "trials.h"

#define BTC_P2P_PORT 18444
#define BTC_RPC_PORT 18443
#define BTC_SOCKS "127.0.0.1:19050"
#define PEER_WAIT_MS 15000
#define BLOCK_WAIT_MS 15000
#define LINE_MAX_LEN 65536

struct agent {
	pid_t pid;
	int fd;
	char buf[LINE_MAX_LEN];
	size_t len;
	json_t *punched, *spliced, *report;
};

static int agent_start(const struct trials_cfg *cfg, int cell, int trial,
		       int s, struct agent *a)
{
	char buf[AGENTCMD_BUFS][64], *argv[AGENTCMD_ARGS];
	int pfd[2];

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	agentcmd_argv(cfg, cell, trial, s, argv, buf);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	a->pid = proc_spawn(cfg->w->cells[cell].side[s].host->fd, argv, pfd[1],
			    cfg->log_fd);
	close(pfd[1]);
	if (a->pid < 0) {
		close(pfd[0]);
		return a->pid;
	}
	cleanup_pid(cfg->w->cu, a->pid);
	a->fd = pfd[0];
	fcntl(a->fd, F_SETFL, O_NONBLOCK); /* both are read after one poll */
	return 0;
}

/* Sorts each complete stdout line into event or final report. */
static void agent_lines(struct agent *a)
{
	char *nl;

	while ((nl = memchr(a->buf, '\n', a->len))) {
		json_t *j;
		const char *ev;

		*nl = '\0';
		j = json_loads(a->buf, 0, NULL);
		ev = json_string_value(json_object_get(j, "event"));
		if (j && ev && !strcmp(ev, "punched"))
			a->punched = j;
		else if (j && ev && !strcmp(ev, "spliced"))
			a->spliced = j;
		else if (j && !ev)
			a->report = j;
		else
			json_decref(j);
		a->len -= (size_t)(nl + 1 - a->buf);
		memmove(a->buf, nl + 1, a->len);
	}
}

/* Reads whatever the agents wrote, for up to ms. */
static void agents_pump(struct agent *ag, int ms)
{
	struct pollfd pfd[2];
	int n = 0;

	for (int i = 0; i < 2; i++)
		if (ag[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = ag[i].fd,
						    .events = POLLIN };
	if (!n || poll(pfd, n, ms) <= 0)
		return;
	for (int i = 0; i < 2; i++) {
		ssize_t r;

		if (ag[i].fd < 0)
			continue;
		r = read(ag[i].fd, ag[i].buf + ag[i].len,
			 sizeof(ag[i].buf) - 1 - ag[i].len);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			close(ag[i].fd);
			ag[i].fd = -1;
			continue;
		}
		if (r > 0) {
			ag[i].len += (size_t)r;
			agent_lines(&ag[i]);
		}
	}
}

static void agents_finish(const struct trials_cfg *cfg, struct agent *ag)
{
	for (int i = 0; i < 2; i++)
		if (ag[i].pid > 0)
			kill(ag[i].pid, SIGTERM);
	for (int i = 0; i < 50 && (ag[0].fd >= 0 || ag[1].fd >= 0); i++)
		agents_pump(ag, 100);
	for (int i = 0; i < 2; i++) {
		if (ag[i].pid > 0) {
			proc_stop(ag[i].pid, 1000);
			cleanup_reaped(cfg->w->cu, ag[i].pid);
		}
		if (ag[i].fd >= 0)
			close(ag[i].fd);
		ag[i].pid = -1; /* reaped: never signal that pid again */
		ag[i].fd = -1;
	}
}

/* The peer entry of this trial's connection: the spliced event names the
 * address the local node sees for it. */
static int node_sees(struct btcnode *n, const char *addr, json_t *out)
{
	struct btcnode_peer *p = NULL;
	int np = btcnode_getpeerinfo(n, &p), found = 0;

	for (int i = 0; i < np && !found; i++)
		if (p[i].version > 0 && !strcmp(p[i].addr, addr)) {
			found = 1;
			json_object_set_new(out, "conn_type",
					    json_string(p[i].conn_type));
			json_object_set_new(out, "transport",
					    json_string(p[i].transport));
			json_object_set_new(out, "peer_subver",
					    json_string(p[i].subver));
		}
	free(p);
	return found;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

/* One trial: punch, addnode, peers, block. */
static enum outcome_code btc_trial(const struct trials_cfg *cfg, int cell,
			      int trial, struct btcnode *node, json_t *rec,
			      struct agent *kept)
{
	struct agent *ag = kept ? kept : calloc(2, sizeof(*ag));
	json_t *seen[2] = { json_object(), json_object() };
	enum outcome_code o = OUTCOME_OK;
	int ini = -1, added = 0, peered = 0;
	int64_t t0 = mono_ns(), deadline, t_peered = 0, t_block = 0;
	char hash[65] = "", why[640] = "";

	if (!ag)
		return OUTCOME_SETUP;
	if (agent_start(cfg, cell, trial, 0, &ag[0]) < 0 ||
	    agent_start(cfg, cell, trial, 1, &ag[1]) < 0) {
		agents_finish(cfg, ag);
		if (!kept)
			free(ag);
		return OUTCOME_SETUP;
	}
	deadline = t0 + (int64_t)(cfg->s->timeout_ms + 20000) * 1000000;
	while (mono_ns() < deadline && !*cfg->stop) {
		agents_pump(ag, 20);
		if (ag[0].report || ag[1].report)
			break; /* an agent gave up */
		if (!added && ag[0].punched && ag[1].punched) {
			ini = !strcmp(jstr(ag[0].punched, "role"),
				      "initiator") ?
				      0 :
				      1;
			if (btcnode_addnode_onetry(
				    &node[ini],
				    jstr(ag[ini].punched, "addnode")) < 0) {
				snprintf(why, sizeof(why), "addnode: %s",
					 node[ini].rpc_error);
				o = OUTCOME_BITCOIND;
				break;
			}
			added = 1;
			deadline = mono_ns() + (int64_t)PEER_WAIT_MS * 1000000;
		}
		if (added && ag[0].spliced && ag[1].spliced &&
		    node_sees(&node[0], jstr(ag[0].spliced, "node_addr"),
			      seen[0]) &&
		    node_sees(&node[1], jstr(ag[1].spliced, "node_addr"),
			      seen[1])) {
			peered = 1;
			t_peered = mono_ns();
			break;
		}
	}
	if (peered) {
		if (btcnode_mine(&node[ini], 1, hash) < 0 ||
		    btcnode_wait_block(&node[!ini], hash,
				       mono_ns() +
					       (int64_t)BLOCK_WAIT_MS * 1000000,
				       &t_block) < 0) {
			snprintf(why, sizeof(why), "block %s not relayed: %s",
				 hash, node[!ini].rpc_error);
			o = OUTCOME_BITCOIND;
		}
	} else if (o == OUTCOME_OK && added) {
		snprintf(why, sizeof(why),
			 "punched, but the nodes did not list each other "
			 "within %d ms",
			 PEER_WAIT_MS);
		o = OUTCOME_BITCOIND;
	}
	/* Star: the punched connections stay up for the spread test. */
	if (!kept || o != OUTCOME_OK || !peered)
		agents_finish(cfg, ag);
	if (!added && o == OUTCOME_OK) {
		/* The punch itself failed: the agents say why. */
		enum outcome_code oa = outcome_parse(jstr(ag[0].report, "outcome")),
			     ob = outcome_parse(jstr(ag[1].report, "outcome"));

		o = oa == OUTCOME_OK ? ob : ob == OUTCOME_OK ? oa :
					    oa < ob ? oa :
						      ob;
		if (o == OUTCOME_OK)
			o = OUTCOME_TIMEOUT;
	}
	json_object_set_new(rec, "outcome", json_string(outcome_name(o)));
	json_object_set_new(rec, "error", why[0] ? json_string(why) :
						   json_null());
	json_object_set_new(rec, "initiator",
			    ini < 0 ? json_null() :
				      json_string(ini ? "bob" : "alice"));
	json_object_set_new(rec, "alice_node", seen[0]);
	json_object_set_new(rec, "bob_node", seen[1]);
	json_object_set_new(rec, "block", hash[0] ? json_string(hash) :
						  json_null());
	if (t_peered && t_block)
		json_object_set_new(rec, "block_ms",
				    json_real((double)(t_block - t_peered) /
					      1e6));
	/* From the punch start to both nodes listing each other. */
	if (t_peered && ag[0].report &&
	    json_is_integer(json_object_get(ag[0].report, "t_start_ns")))
		json_object_set_new(
			rec, "peered_ms",
			json_real((double)(t_peered -
					   json_integer_value(json_object_get(
						   ag[0].report,
						   "t_start_ns"))) /
				  1e6));
	json_object_set_new(rec, "alice",
			    ag[0].report ? ag[0].report : json_object());
	json_object_set_new(rec, "bob",
			    ag[1].report ? ag[1].report : json_object());
	json_object_set_new(rec, "alice_punched",
			    ag[0].punched ? ag[0].punched : json_null());
	json_object_set_new(rec, "bob_punched",
			    ag[1].punched ? ag[1].punched : json_null());
	json_object_set_new(rec, "alice_spliced",
			    ag[0].spliced ? ag[0].spliced : json_null());
	json_object_set_new(rec, "bob_spliced",
			    ag[1].spliced ? ag[1].spliced : json_null());
	if (!kept)
		free(ag);
	else /* the records own these now; keep the agents' pipes */
		ag[0].report = ag[1].report = ag[0].punched = ag[1].punched =
			ag[0].spliced = ag[1].spliced = NULL;
	return o;
}

static double ns_span(json_t *rec, const char *side, const char *from,
		      const char *to)
{
	json_t *r = json_object_get(rec, side);
	json_t *a = json_object_get(r, from), *b = json_object_get(r, to);

	if (!json_is_integer(a) || !json_is_integer(b))
		return -1;
	return (double)(json_integer_value(b) - json_integer_value(a)) / 1e6;
}

static int nodes_start(const struct trials_cfg *cfg, int cell,
		       struct btcnode *node)
{
	char dir[PATH_MAX];
	int e;

	for (int s = 0; s < 2; s++) {
		const struct world_side *ws = &cfg->w->cells[cell].side[s];

		snprintf(dir, sizeof(dir), "%s/bitcoind-c%d-%s", cfg->run_dir,
			 cell, s ? "bob" : "alice");
		/* Both get the proxy: the role is only known at the match,
		 * and a node that dials nobody never uses it. */
		e = btcnode_spawn(&node[s], ws->host->fd, cfg->bitcoind, dir,
				  ws->p->lan_addr, BTC_P2P_PORT, BTC_RPC_PORT,
				  BTC_SOCKS, cfg->log_fd);
		if (e < 0)
			return e;
		cleanup_pid(cfg->w->cu, node[s].pid);
		e = btcnode_wait_ready(&node[s], BTCNODE_READY_MS);
		if (e < 0) {
			log_warnx("bitcoind in %s did not come up (see %s)",
				  ws->host->ns, dir);
			return e;
		}
	}
	return 0;
}

/* When a node made the block its tip, from its debug.log (wall clock, µs,
 * the same clock in every namespace): -1 when not found. Exact, unlike
 * polling 21 nodes over RPC one after another. */
static double tip_time_s(const struct btcnode *n, const char *hash)
{
	char path[PATH_MAX], line[1024], want[96];
	struct tm tm;
	double t = -1;
	int us;
	FILE *f;

	snprintf(path, sizeof(path), "%s/regtest/debug.log", n->datadir);
	snprintf(want, sizeof(want), "UpdateTip: new best=%s", hash);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, want))
			continue;
		memset(&tm, 0, sizeof(tm));
		if (sscanf(line, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year,
			   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			   &tm.tm_sec, &us) == 7) {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			t = (double)timegm(&tm) + us / 1e6;
		}
		break;
	}
	if (f)
		fclose(f);
	return t;
}

#define HUB_P2P_PORT 8333 /* charlie's node; 18444 is the coordinator's */
#define SPREAD_WAIT_MS 20000

static void node_stop(const struct trials_cfg *cfg, struct btcnode *n)
{
	pid_t pid = n->pid;

	if (pid > 0) {
		btcnode_stop(n, BTCNODE_STOP_MS);
		cleanup_reaped(cfg->w->cu, pid);
	}
}

/* Star: every home's node connects out to a reachable hub node on charlie
 * (as home nodes do), each cell punches once and keeps its connection,
 * then a block mined on the first alice is timed at every node. Writes
 * star.json: direct connections formed, arrival time per node, RSS. */
static int btcstar_run(const struct trials_cfg *cfg, FILE *jsonl,
		       struct cell_result *res)
{
	const struct scenario *s = cfg->s;
	int nc = s->ncells, direct = 0, e = 0;
	struct btcnode hub = { .pid = -1 }, *node = calloc(2 * nc, sizeof(*node));
	struct agent *ag = calloc(2 * nc, sizeof(*ag));
	char dir[PATH_MAX], hub_addr[64], hash[65] = "", params[96];
	json_t *star = json_object(), *arrive = json_object(),
	       *rss = json_object();
	int64_t t_mined;
	FILE *f;

	if (!node || !ag) {
		e = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < 2 * nc; i++)
		node[i].pid = -1;
	snprintf(dir, sizeof(dir), "%s/bitcoind-hub", cfg->run_dir);
	snprintf(hub_addr, sizeof(hub_addr), "%s:%d", PLAN_COORD_ADDR,
		 HUB_P2P_PORT);
	snprintf(params, sizeof(params), "[\"%s\", \"add\"]", hub_addr);
	if (btcnode_spawn(&hub, cfg->w->charlie->fd, cfg->bitcoind, dir,
			  PLAN_COORD_ADDR, HUB_P2P_PORT, BTC_RPC_PORT, NULL,
			  cfg->log_fd) < 0) {
		e = -ECHILD;
		goto out;
	}
	cleanup_pid(cfg->w->cu, hub.pid);
	if (btcnode_wait_ready(&hub, BTCNODE_READY_MS) < 0) {
		e = -ECHILD;
		goto out;
	}
	for (int c = 0; c < nc && !*cfg->stop; c++) {
		const struct scenario_cell *sc = &s->cells[c];
		json_t *rec, *r = NULL;
		enum outcome_code o;

		if (nodes_start(cfg, c, &node[2 * c]) < 0) {
			results_account(&res[c], OUTCOME_SETUP, -1, -1);
			continue;
		}
		/* Home nodes reach the hub directly: bitcoind never sends a
		 * documentation-range address through its proxy. */
		for (int sd = 0; sd < 2; sd++) {
			btcnode_rpc(&node[2 * c + sd], "addnode", params, &r);
			json_decref(r);
			r = NULL;
		}
		rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}",
				"scenario", s->name, "run_id", cfg->w->rid,
				"cell", sc->name, "a", sc->a.name, "b",
				sc->b.name, "trial", 0, "seed",
				(json_int_t)s->seed, "node", "bitcoind-star");
		o = btc_trial(cfg, c, 0, &node[2 * c], rec, &ag[2 * c]);
		direct += o == OUTCOME_OK;
		json_object_set_new(rec, "params", results_params(sc));
		json_dumpf(rec, jsonl, JSON_COMPACT);
		fputc('\n', jsonl);
		fflush(jsonl);
		json_decref(rec);
		results_account(&res[c], o, -1, -1);
		fprintf(stderr, "  %s: cell %s: %s\n", s->name, sc->name,
			outcome_name(o));
	}
	/* The spread: mined on the first alice; once every node has it (or
	 * the wait is over), each node's own log says when it took it. */
	if (btcnode_mine(&node[0], 1, hash) == 0) {
		double t0;

		t_mined = mono_ns();
		for (int i = -1; i < 2 * nc; i++) {
			struct btcnode *n = i < 0 ? &hub : &node[i];
			int64_t t = 0;

			if (n->pid > 0)
				btcnode_wait_block(n, hash,
						   t_mined +
							   (int64_t)SPREAD_WAIT_MS *
								   1000000,
						   &t);
		}
		t0 = tip_time_s(&node[0], hash);
		for (int i = -1; i < 2 * nc; i++) {
			struct btcnode *n = i < 0 ? &hub : &node[i];
			double t = n->pid > 0 ? tip_time_s(n, hash) : -1;
			char name[64];

			if (i < 0)
				snprintf(name, sizeof(name), "charlie");
			else
				snprintf(name, sizeof(name), "c%d-%s", i / 2,
					 i % 2 ? "bob" : "alice");
			json_object_set_new(rss, name,
					    json_integer(btcnode_rss_kb(n->pid)));
			json_object_set_new(arrive, name,
					    t >= 0 && t0 >= 0 ?
						    json_real((t - t0) * 1e3) :
						    json_null());
		}
	}
	json_object_set_new(star, "homes", json_integer(2 * nc));
	json_object_set_new(star, "direct_connections", json_integer(direct));
	json_object_set_new(star, "block", json_string(hash));
	json_object_set_new(star, "mined_on", json_string("c0-alice"));
	json_object_set_new(star, "arrival_ms", arrive);
	json_object_set_new(star, "rss_kb", rss);
	arrive = rss = NULL;
	snprintf(dir, sizeof(dir), "%s/star.json", cfg->run_dir);
	f = fopen(dir, "we");
	if (f) {
		json_dumpf(star, f, JSON_INDENT(2));
		fclose(f);
	}
	fprintf(stderr, "  %s: %d homes, %d direct connections; see %s\n",
		s->name, 2 * nc, direct, dir);
out:
	for (int i = 0; ag && i < 2 * nc; i += 2)
		if (ag[i].pid > 0 || ag[i + 1].pid > 0)
			agents_finish(cfg, &ag[i]);
	for (int i = 0; node && i < 2 * nc; i++)
		node_stop(cfg, &node[i]);
	node_stop(cfg, &hub);
	json_decref(star);
	json_decref(arrive);
	json_decref(rss);
	free(node);
	free(ag);
	return *cfg->stop ? -EINTR : e;
}

int btctrials_run(const struct trials_cfg *cfg, FILE *jsonl,
		  struct cell_result *res)
{
	const struct scenario *s = cfg->s;
	int e = 0;

	if (s->star)
		return btcstar_run(cfg, jsonl, res);

	for (int c = 0; c < s->ncells && e == 0; c++) {
		struct btcnode node[2] = { { .pid = -1 }, { .pid = -1 } };
		int first = cfg->only_trial >= 0 ? cfg->only_trial : 0;
		int last = cfg->only_trial >= 0 ? cfg->only_trial : s->trials - 1;

		if (cfg->only_cell >= 0 && cfg->only_cell != c)
			continue;
		if (nodes_start(cfg, c, node) < 0) {
			for (int t = first; t <= last; t++)
				results_account(&res[c], OUTCOME_SETUP, -1, -1);
			goto stop;
		}
		for (int t = first; t <= last && !*cfg->stop; t++) {
			const struct scenario_cell *sc = &s->cells[c];
			json_t *rec = json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}",
				"scenario", s->name, "run_id", cfg->w->rid,
				"cell", sc->name, "a", sc->a.name, "b",
				sc->b.name, "trial", t, "seed",
				(json_int_t)s->seed, "node", "bitcoind");
			enum outcome_code o = btc_trial(cfg, c, t, node, rec, NULL);
			double ttc = ns_span(rec, "alice", "t_start_ns",
					     "t_established_ns");

			json_object_set_new(rec, "params", results_params(sc));
			json_object_set_new(rec, "ttc_ms",
					    o == OUTCOME_OK && ttc >= 0 ?
						    json_real(ttc) :
						    json_null());
			json_object_set_new(rec, "rss_kb",
					    json_pack("{s:i, s:i}", "alice",
						      (int)btcnode_rss_kb(
							      node[0].pid),
						      "bob",
						      (int)btcnode_rss_kb(
							      node[1].pid)));
			json_dumpf(rec, jsonl, JSON_COMPACT);
			fputc('\n', jsonl);
			fflush(jsonl);
			json_decref(rec);
			results_account(&res[c], o, o == OUTCOME_OK ? ttc : -1,
				       -1);
			fprintf(stderr, "  %s: trial %d of cell %s: %s\n",
				s->name, t, sc->name, outcome_name(o));
		}
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
