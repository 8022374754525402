/* trials: the trial scheduler. Each trial is two punch-agent processes
 * (alice and bob of one cell) registering with the coordinator under a
 * key of their own; up to `parallel` trials per cell run at once, every
 * cell at the same time, so failing trials waiting for their timeout do
 * not serialise the run. */
#include <errno.h>
#include <sys/random.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "coordctl.h"
#include "log.h"
#include "proc.h"
#include "trials.h"

#define LOCAL_PORT_BASE 20000
#define LOCAL_PORT_SPAN 40000
#define MAX_INFLIGHT 96
/* An agent that outlives its own timeout by this much is hung. */
#define HANG_GRACE_MS 30000
#define OUT_MAX 65536

static const char *const outcome_names[OUTCOME_N] = {
	"ok",	     "setup",	 "bind",	"coordinator",
	"wrong-peer", "refused", "unreachable", "timeout",
	"bitcoind",
};

const char *outcome_str(enum outcome o)
{
	return o < OUTCOME_N ? outcome_names[o] : "setup";
}

enum outcome outcome_parse(const char *s)
{
	for (int i = 0; s && i < OUTCOME_N; i++)
		if (!strcmp(s, outcome_names[i]))
			return i;
	return OUTCOME_SETUP;
}

struct side {
	pid_t pid;
	int fd;
	int in_fd; /* out-of-band: the side channel into the agent, or -1 */
	char buf[OUT_MAX];
	size_t len;
	int status;
};

static void oob_close(struct side *sd)
{
	if (sd->in_fd >= 0)
		close(sd->in_fd);
	sd->in_fd = -1;
}

struct running {
	int cell, trial;
	int bob_pending; /* handoff: bob starts once alice is held */
	int relayed;	 /* out-of-band: endpoints exchanged */
	uint64_t hard_deadline_ns;
	struct side sd[2];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int trials_agent_argv(const struct trials_cfg *cfg, int cell, int trial,
		      int s, char **argv, char (*buf)[64])
{
	const struct cell_cond *cc = &cfg->s->cells[cell].cond;
	const struct world_side *ws = &cfg->w->cells[cell].side[s];
	int n = 0;

	snprintf(buf[0], 64, "%s:%d", WORLD_COORD_ADDR, WORLD_COORD_PORT);
	snprintf(buf[1], 64, "%d", LOCAL_PORT_BASE + trial % LOCAL_PORT_SPAN);
	/* Unique per trial in the run: the coordinator pairs by key. */
	snprintf(buf[2], 64, "%llu",
		 (unsigned long long)(cell + 1) * 1000000ull + trial + 1);
	/* The run id in every process's command line (punchlab clean, tests). */
	snprintf(buf[3], 64, "%s-c%d-%s-t%d", cfg->w->rid, cell,
		 s ? "bob" : "alice", trial);
	snprintf(buf[4], 64, "%d", cfg->s->timeout_ms);
	argv[n++] = (char *)cfg->agent_path;
	if (cfg->s->mode == 2) {
		/* Out of band: a probe server on charlie tells each agent its
		 * public endpoint; no coordinator, no key. */
		snprintf(buf[0], 64, "%s:%d", WORLD_COORD_ADDR,
			 WORLD_PROBE_PORT);
		argv[n++] = "--oob";
		argv[n++] = "--probe";
		argv[n++] = buf[0];
	} else {
		argv[n++] = "--coordinator";
		argv[n++] = buf[0];
		argv[n++] = "--key";
		argv[n++] = buf[2];
		if (cfg->s->mode == 1)
			argv[n++] = "--handoff";
	}
	argv[n++] = "--local-port";
	argv[n++] = buf[1];
	argv[n++] = "--name";
	argv[n++] = buf[3];
	argv[n++] = "--timeout-ms";
	argv[n++] = buf[4];
	/* Skew: bob starts this much after alice (or before, negative). */
	if (s == 1 && cc->skew_ms != 0) {
		snprintf(buf[5], 64, "%lld",
			 (long long)(cc->skew_ms >= 0 ? cc->skew_ms + 0.5 :
							cc->skew_ms - 0.5));
		argv[n++] = "--skew-ms";
		argv[n++] = buf[5];
	}
	if (cfg->node != NODE_EMBEDDED) {
		snprintf(buf[6], 64, "%s:%d", ws->lan_addr, 18444);
		snprintf(buf[7], 64, "%d", cfg->s->timeout_ms + 30000);
		argv[n++] = "--node";
		argv[n++] = cfg->node == NODE_BITCOIND ? "bitcoind" :
							 "bitcoind-import";
		argv[n++] = "--socks";
		argv[n++] = "127.0.0.1:19050";
		argv[n++] = "--bitcoind-p2p";
		argv[n++] = buf[6];
		argv[n++] = "--hold-ms";
		argv[n++] = buf[7];
	}
	argv[n] = NULL;
	return n;
}

static int side_start(const struct trials_cfg *cfg, struct running *r,
		      int s)
{
	const struct world_side *ws = &cfg->w->cells[r->cell].side[s];
	char buf[8][64], *argv[32];
	int pfd[2], ifd[2] = { -1, -1 };
	pid_t pid;

	trials_agent_argv(cfg, r->cell, r->trial, s, argv, buf);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	if (cfg->s->mode == 2 && pipe2(ifd, O_CLOEXEC) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	pid = proc_spawn_in(ws->host.fd, argv, ifd[0], pfd[1], cfg->log_fd);
	close(pfd[1]);
	if (ifd[0] >= 0)
		close(ifd[0]);
	if (pid < 0) {
		close(pfd[0]);
		if (ifd[1] >= 0)
			close(ifd[1]);
		return pid;
	}
	r->sd[s].in_fd = ifd[1];
	cleanup_pid(cfg->w->cu, pid);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	r->sd[s].pid = pid;
	r->sd[s].fd = pfd[0];
	r->sd[s].len = 0;
	return 0;
}

static json_t *side_report(struct side *sd)
{
	json_error_t jerr;
	json_t *j;

	sd->buf[sd->len < OUT_MAX ? sd->len : OUT_MAX - 1] = '\0';
	j = json_loads(sd->buf, JSON_DISABLE_EOF_CHECK, &jerr);
	if (j && json_is_object(j))
		return j;
	json_decref(j);
	j = json_object();
	json_object_set_new(j, "outcome", json_string("setup"));
	json_object_set_new(
		j, "error",
		json_sprintf("agent gave no report (wait status %d)",
			     sd->status));
	return j;
}

/* Integer member, -1 when absent or null. */
static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Span from the earlier start to the later of the two marks, in ms. */
static double span_ms(json_t *a, json_t *b, const char *mark)
{
	int64_t sa = jint(a, "t_start_ns"), sb = jint(b, "t_start_ns");
	int64_t ea = jint(a, mark), eb = jint(b, mark);

	if (sa < 0 || sb < 0 || ea < 0 || eb < 0)
		return -1.0;
	return (double)((ea > eb ? ea : eb) - (sa < sb ? sa : sb)) / 1e6;
}

json_t *trials_params(const struct scenario_cell *c)
{
	json_t *p = json_object();

	for (int i = 0; i < CELLCOND_NPARAMS; i++)
		if (c->params & (1u << i))
			json_object_set_new(
				p, cellcond_names[i],
				json_real(cellcond_get(&c->cond, i)));
	return p;
}

static void trial_finish(const struct trials_cfg *cfg, struct running *r,
			 FILE *jsonl, struct cell_result *res)
{
	const struct scenario_cell *c = &cfg->s->cells[r->cell];
	json_t *ra = side_report(&r->sd[0]), *rb = side_report(&r->sd[1]);
	enum outcome oa, ob, o;
	double ttc, hs;
	json_t *t;
	int64_t sa, sb;

	oa = outcome_parse(json_string_value(json_object_get(ra, "outcome")));
	ob = outcome_parse(json_string_value(json_object_get(rb, "outcome")));
	/* Both must be done; otherwise the earliest failing step decides. */
	o = oa == OUTCOME_OK ? ob : ob == OUTCOME_OK ? oa : oa < ob ? oa : ob;
	ttc = span_ms(ra, rb, "t_established_ns");
	hs = span_ms(ra, rb, "t_handshake_ns");
	sa = jint(ra, "t_start_ns");
	sb = jint(rb, "t_start_ns");

	t = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}", "scenario",
		      cfg->s->name, "run_id", cfg->w->rid, "cell", c->name,
		      "a", c->a.name, "b", c->b.name, "trial", r->trial, "seed",
		      (json_int_t)cfg->s->seed, "outcome", outcome_str(o));
	json_object_set_new(t, "attempts",
			    json_integer(jint(ra, "attempts") >
						 jint(rb, "attempts") ?
					 jint(ra, "attempts") :
					 jint(rb, "attempts")));
	json_object_set_new(t, "ttc_ms",
			    o == OUTCOME_OK && ttc >= 0 ? json_real(ttc) :
							  json_null());
	json_object_set_new(t, "handshake_ms",
			    o == OUTCOME_OK && hs >= 0 ? json_real(hs) :
							 json_null());
	json_object_set_new(t, "start_skew_us",
			    sa >= 0 && sb >= 0 ? json_integer((sb - sa) / 1000) :
						 json_null());
	json_object_set_new(t, "params", trials_params(c));
	json_object_set_new(t, "alice", ra);
	json_object_set_new(t, "bob", rb);
	json_dumpf(t, jsonl, JSON_COMPACT);
	fputc('\n', jsonl);
	fflush(jsonl);
	json_decref(t);

	trials_account(res, o, ttc, hs);
	if (o != OUTCOME_OK) {
		/* Failures a cell does not expect get a command that replays
		 * exactly this trial; report.md lists it for every failure. */
		if (c->expect_min > 0)
			fprintf(stderr,
				"%s  trial %d of cell %s failed (%s); rerun: "
				"punchlab run --cell %s --trial %d %s\n",
				cfg->progress ? "\n" : "", r->trial, c->name,
				outcome_str(o), c->name, r->trial,
				cfg->s->path);
	}
}

void trials_account(struct cell_result *res, enum outcome o, double ttc,
		    double hs)
{
	res->trials++;
	if (o == OUTCOME_OK) {
		res->successes++;
		if (ttc >= 0) { /* timed successes only */
			res->ttc_ms[res->n_ok] = ttc;
			res->hs_ms[res->n_ok] = hs;
			res->n_ok++;
		}
	} else {
		res->fail[o]++;
	}
}

static void side_reap(const struct trials_cfg *cfg, struct side *sd)
{
	close(sd->fd);
	sd->fd = -1;
	while (waitpid(sd->pid, &sd->status, 0) < 0 && errno == EINTR)
		;
	cleanup_reaped(cfg->w->cu, sd->pid);
}

/* Reads what is there; on EOF reaps the agent. */
static void side_read(const struct trials_cfg *cfg, struct side *sd)
{
	ssize_t n;

	for (;;) {
		if (sd->len >= OUT_MAX - 1) {
			char sink[4096];
			n = read(sd->fd, sink, sizeof(sink));
		} else {
			n = read(sd->fd, sd->buf + sd->len,
				 OUT_MAX - 1 - sd->len);
			if (n > 0)
				sd->len += (size_t)n;
		}
		if (n > 0)
			continue;
		if (n == 0)
			side_reap(cfg, sd);
		return; /* EAGAIN or error: wait for poll */
	}
}

static void progress(const struct trials_cfg *cfg, unsigned done,
		     unsigned total, unsigned ok, uint64_t t0, int final)
{
	static unsigned last_plain;
	double el = (double)(now_ns() - t0) / 1e9;
	double rate = el > 0 ? done / el : 0;
	double left = rate > 0 ? (total - done) / rate : 0;

	if (cfg->progress) {
		fprintf(stderr,
			"\r  %s: %u/%u trials, %u ok, %.1f trials/s, ~%.0f s "
			"left   %s",
			cfg->s->name, done, total, ok, rate, left,
			final ? "\n" : "");
	} else if ((final && done != last_plain) ||
		   (!final && done >= last_plain + (total + 9) / 10)) {
		last_plain = done;
		fprintf(stderr, "  %s: %u/%u trials, %u ok, %.0f s elapsed\n",
			cfg->s->name, done, total, ok, el);
	}
	if (final)
		last_plain = 0;
}

static void kill_running(const struct trials_cfg *cfg, struct running *run,
			 int n)
{
	for (int i = 0; i < n; i++)
		for (int s = 0; s < 2; s++)
			if (run[i].sd[s].fd >= 0) {
				proc_stop(run[i].sd[s].pid, 500);
				cleanup_reaped(cfg->w->cu, run[i].sd[s].pid);
				close(run[i].sd[s].fd);
				run[i].sd[s].fd = -1;
				oob_close(&run[i].sd[s]);
			}
}

/* Handoff: alice is held at charlie once the coordinator said so on its
 * control channel (coordctl.h; trials_run reads it as it polls). */
static int handoff_held(const struct trials_cfg *cfg, const struct running *r)
{
	/* Her key, as trials_agent_argv gives it. */
	uint64_t key = (uint64_t)(r->cell + 1) * 1000000ull + r->trial + 1;

	/* No channel: nothing to wait for. Alice gave up already: start
	 * bob anyway, he will report it. */
	return !cfg->ctl || coordctl_is_held(cfg->ctl, key) ||
	       r->sd[0].fd < 0;
}

/* Public endpoint from an agent's first line, if it is the endpoint event. */
static int oob_endpoint(struct side *sd, char *pub, size_t cap)
{
	char *nl = memchr(sd->buf, '\n', sd->len);
	json_t *j;
	int ok = 0;

	if (!nl)
		return 0;
	*nl = '\0';
	j = json_loads(sd->buf, 0, NULL);
	*nl = '\n';
	if (j && !strcmp(json_string_value(json_object_get(j, "event")) ?
				 json_string_value(json_object_get(j, "event")) :
				 "",
			 "endpoint") &&
	    json_string_value(json_object_get(j, "public"))) {
		snprintf(pub, cap, "%s",
			 json_string_value(json_object_get(j, "public")));
		ok = 1;
	}
	json_decref(j);
	if (ok) { /* the report that follows is parsed from the start */
		sd->len -= (size_t)(nl + 1 - sd->buf);
		memmove(sd->buf, nl + 1, sd->len);
	}
	return ok;
}

/* Out of band: the harness is the side channel (standing in for Tor):
 * once both agents told their public endpoint, each gets the other's,
 * a role, a session nonce and a common start time. */
static void oob_relay(struct running *r)
{
	char pub[2][64], line[256];
	uint64_t nonce = 0;
	int64_t start;

	if (r->sd[0].in_fd < 0 || r->sd[1].in_fd < 0) {
		oob_close(&r->sd[0]);
		oob_close(&r->sd[1]);
		r->relayed = 1;
		return;
	}
	if (r->sd[0].fd < 0 || r->sd[1].fd < 0) {
		/* One agent ended before telling its endpoint: EOF on the
		 * other's channel makes it report that. */
		oob_close(&r->sd[0]);
		oob_close(&r->sd[1]);
		r->relayed = 1;
		return;
	}
	if (!memchr(r->sd[0].buf, '\n', r->sd[0].len) ||
	    !memchr(r->sd[1].buf, '\n', r->sd[1].len))
		return;
	if (!oob_endpoint(&r->sd[0], pub[0], sizeof(pub[0])) ||
	    !oob_endpoint(&r->sd[1], pub[1], sizeof(pub[1]))) {
		oob_close(&r->sd[0]);
		oob_close(&r->sd[1]);
		r->relayed = 1;
		return;
	}
	if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		nonce = now_ns();
	start = (int64_t)now_ns() + 100 * 1000000LL;
	for (int s = 0; s < 2; s++) {
		int n = snprintf(line, sizeof(line),
				 "{\"peer\":\"%s\",\"role\":\"%s\","
				 "\"nonce\":\"%016llx\",\"start_ns\":%lld}\n",
				 pub[!s], s ? "responder" : "initiator",
				 (unsigned long long)nonce, (long long)start);

		if (write(r->sd[s].in_fd, line, (size_t)n) != n)
			log_warn("side channel to agent %d", s);
		oob_close(&r->sd[s]);
	}
	r->relayed = 1;
}

int trials_run(const struct trials_cfg *cfg, FILE *jsonl,
	       struct cell_result *res)
{
	const struct scenario *s = cfg->s;
	int ncells = s->ncells, nrun = 0, e = 0;
	/* Handoff: one inbound slot at charlie, so one trial at a time. */
	int maxrun = s->mode == 1 ? 1 : MAX_INFLIGHT;
	int *next = calloc(ncells, sizeof(int)), *inflight;
	struct running *run = calloc(MAX_INFLIGHT, sizeof(*run));
	struct pollfd pfd[2 * MAX_INFLIGHT + 1]; /* + the coordinator's */
	unsigned total = 0, done = 0, ok = 0;
	uint64_t t0 = now_ns();

	inflight = calloc(ncells, sizeof(int));
	if (!next || !run || !inflight) {
		e = -ENOMEM;
		goto out;
	}
	for (int c = 0; c < ncells; c++) {
		int want = cfg->only_cell < 0 || cfg->only_cell == c;

		res[c].ttc_ms = calloc(s->trials, sizeof(double));
		res[c].hs_ms = calloc(s->trials, sizeof(double));
		if (!res[c].ttc_ms || !res[c].hs_ms) {
			e = -ENOMEM;
			goto out;
		}
		if (!want)
			next[c] = s->trials;
		else if (cfg->only_trial >= 0)
			next[c] = cfg->only_trial;
		if (want)
			total += cfg->only_trial >= 0 ? 1 : s->trials;
	}
	for (;;) {
		int started = 1, np = 0;

		if (*cfg->stop) {
			e = -EINTR;
			break;
		}
		/* Round-robin over cells so every cell progresses. */
		while (started && nrun < maxrun) {
			started = 0;
			for (int c = 0; c < ncells && nrun < maxrun; c++) {
				int limit = cfg->only_trial >= 0 ?
						    cfg->only_trial + 1 :
						    s->trials;
				struct running *r = &run[nrun];

				if (next[c] >= limit ||
				    inflight[c] >= s->parallel)
					continue;
				r->cell = c;
				r->trial = next[c]++;
				r->sd[0].fd = r->sd[1].fd = -1;
				r->sd[0].in_fd = r->sd[1].in_fd = -1;
				r->relayed = 0;
				r->bob_pending = s->mode == 1;
				r->hard_deadline_ns =
					now_ns() + (uint64_t)(s->timeout_ms +
							      HANG_GRACE_MS) *
							   1000000ull;
				e = side_start(cfg, r, 0);
				if (e == 0 && !r->bob_pending)
					e = side_start(cfg, r, 1);
				if (e < 0) {
					log_warnx("cannot start agents: %s",
						  strerror(-e));
					kill_running(cfg, r, 1);
					goto out_kill;
				}
				inflight[c]++;
				nrun++;
				started = 1;
			}
		}
		if (nrun == 0)
			break;

		for (int i = 0; i < nrun; i++)
			for (int sd = 0; sd < 2; sd++)
				if (run[i].sd[sd].fd >= 0)
					pfd[np++] = (struct pollfd){
						.fd = run[i].sd[sd].fd,
						.events = POLLIN
					};
		/* Handoff: "held" wakes us to start bob (-1 is skipped). */
		if (cfg->ctl)
			pfd[np++] = (struct pollfd){
				.fd = coordctl_poll_fd(cfg->ctl),
				.events = POLLIN
			};
		if (poll(pfd, np, 200) < 0 && errno != EINTR) {
			e = -errno;
			goto out_kill;
		}
		/* Errors and EOF only mean no more "held": handoff_held
		 * then waits for alice to end instead. */
		if (cfg->ctl)
			coordctl_read(cfg->ctl, NULL, NULL);
		for (int i = 0; i < nrun; i++) {
			struct running *r = &run[i];

			for (int sd = 0; sd < 2; sd++)
				if (r->sd[sd].fd >= 0)
					side_read(cfg, &r->sd[sd]);
			if (r->bob_pending && handoff_held(cfg, r)) {
				r->bob_pending = 0;
				e = side_start(cfg, r, 1);
				if (e < 0)
					goto out_kill;
			}
			if (s->mode == 2 && !r->relayed)
				oob_relay(r);
			if ((r->sd[0].fd >= 0 || r->sd[1].fd >= 0) &&
			    now_ns() > r->hard_deadline_ns) {
				log_warnx("trial %d of cell %d hung: stopping "
					  "its agents",
					  r->trial, r->cell);
				kill_running(cfg, r, 1);
			}
			if (r->sd[0].fd >= 0 || r->sd[1].fd >= 0)
				continue;
			trial_finish(cfg, r, jsonl, &res[r->cell]);
			done++;
			inflight[r->cell]--;
			run[i] = run[--nrun];
			i--;
			ok = 0;
			for (int c = 0; c < ncells; c++)
				ok += res[c].successes;
			progress(cfg, done, total, ok, t0, 0);
		}
	}
	progress(cfg, done, total, ok, t0, 1);
	goto out;

out_kill:
	kill_running(cfg, run, nrun);
out:
	if (e == -EINTR)
		kill_running(cfg, run, nrun);
	free(next);
	free(inflight);
	free(run);
	return e;
}

void cell_result_free(struct cell_result *r)
{
	free(r->ttc_ms);
	free(r->hs_ms);
	r->ttc_ms = r->hs_ms = NULL;
}
