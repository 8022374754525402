/* ladder: the steps of a ladder trial. Each step is judged from its own
 * processes' reports; the times are CLOCK_MONOTONIC, the harness's and
 * the agents' alike, from the step's first spawn. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentcmd.h"
#include "ladder.h"
#include "log.h"
#include "monoclock.h"
#include "pcpconf.h"
#include "scenario_ladder.h"

/* STAND-IN: punch-agent has no --serve until part pcpc is merged; the
 * direct step's listener is then punch-serve-stub (harness/servestub/),
 * which speaks the same handshake and JSON line. Set to 0 (and delete the
 * stub) once punch-agent --serve exists. */
#define LADDER_SERVE_STUB 1

/* Bob serves on a port of his own per trial, outside the agents' punch
 * ports (20000..59999) and Linux's ephemeral range (32768..60999). */
#define LADDER_SERVE_BASE 61000
#define LADDER_SERVE_SPAN 4000
/* Harness guards, not measurements: how long bob's listener may take to
 * listen, how long he may take to report once alice has ended, and how
 * long a step may outlive its timeout before it counts as hung. */
#define LADDER_LISTEN_WAIT_MS 5000
#define LADDER_SERVE_AFTER_MS 1000
#define LADDER_HANG_GRACE_MS 30000

int ladder_cell(const struct trials_cfg *cfg, const struct running *r)
{
	return cfg->s->cells[r->cell].ladder.n > 0;
}

static int serve_port(const struct running *r)
{
	return LADDER_SERVE_BASE + r->trial % LADDER_SERVE_SPAN;
}

static int step_mech(const struct trials_cfg *cfg, const struct running *r)
{
	return cfg->s->cells[r->cell].ladder.mech[r->lad.step];
}

static struct ladder_step *step_now(const struct trials_cfg *cfg,
				    struct running *r)
{
	struct ladder_step *st = &r->lad.res[r->lad.nres];

	memset(st, 0, sizeof(*st));
	st->mech = step_mech(cfg, r);
	st->ms = -1;
	return st;
}

/* Why side s of the cell has no IPv6 (the plan's words when it has
 * them); 1 when it has. */
static int side_v6(const struct plan_side *p, const char *who, char *why,
		   size_t cap)
{
	if (p->v6)
		return 1;
	snprintf(why, cap, "%s's home has no IPv6 (%s)", who,
		 p->v6_none[0] ? p->v6_none : "[ipv6] enabled = no");
	return 0;
}

/* 1 when the world can offer mechanism m in cell; 0 with why when it
 * cannot. What this build lacks is named, so a rate of 0 says why. */
static int ladder_offered(const struct trials_cfg *cfg, int cell, int m,
			  char *why, size_t cap)
{
	const struct world_cell *wc = &cfg->w->cells[cell];
	const struct nat_profile *b = wc->side[1].p->profile;

	/* The row of the report names the profiles: the why does not. */
	switch (m) {
	case LADDER_PCP:
		if (b->pcp.server == PCP_SERVER_OFF) {
			snprintf(why, cap, "bob's router runs no PCP server "
					   "([pcp] server = off)");
			return 0;
		}
		snprintf(why, cap,
			 "punch-agent --serve --pcp (part pcpc) is not in "
			 "this build");
		return 0;
	case LADDER_IPV6_DIRECT:
		return side_v6(wc->side[0].p, "alice", why, cap) &&
		       side_v6(wc->side[1].p, "bob", why, cap);
	case LADDER_IPV6_PUNCH:
		if (!side_v6(wc->side[0].p, "alice", why, cap) ||
		    !side_v6(wc->side[1].p, "bob", why, cap))
			return 0;
		snprintf(why, cap,
			 "IPv6 agents and coordinator (part v6sock) are not "
			 "in this build");
		return 0;
	default:
		return 1;
	}
}

/* The step's name for its processes: the run id first (punchlab clean). */
static void step_name(const struct trials_cfg *cfg, const struct running *r,
		      int s, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s-c%d-%s-t%d-%s", cfg->w->rid, r->cell,
		 s ? "bob" : "alice", r->trial,
		 scenario_ladder_names[step_mech(cfg, r)]);
}

/* Bob's listener: --serve on his port, no mapping. */
static int start_serve(const struct trials_cfg *cfg, struct running *r)
{
	char prog[512], port[16], tmo[16], name[96];
	char *argv[] = { prog, "--serve", "--local-port", port, "--timeout-ms",
			 tmo, "--name", name, NULL };
	const char *slash = strrchr(cfg->agent_path, '/');

	if (LADDER_SERVE_STUB)
		snprintf(prog, sizeof(prog), "%.*spunch-serve-stub",
			 slash ? (int)(slash - cfg->agent_path + 1) : 0,
			 cfg->agent_path);
	else
		snprintf(prog, sizeof(prog), "%s", cfg->agent_path);
	snprintf(port, sizeof(port), "%d", serve_port(r));
	/* He waits through alice's whole attempt; the harness stops him. */
	snprintf(tmo, sizeof(tmo), "%d",
		 cfg->s->timeout_ms + LADDER_LISTEN_WAIT_MS);
	step_name(cfg, r, 1, name, sizeof(name));
	return running_spawn(cfg, r, 1, argv, 0);
}

/* Alice dials bob's public address: his router's (or carrier's) WAN
 * address, or his own on a routed home; over IPv6 his own (no NAT). */
static int start_dial(const struct trials_cfg *cfg, struct running *r)
{
	const struct plan_side *b = cfg->w->cells[r->cell].side[1].p;
	char prog[512], peer[64], tmo[16], name[96];
	char *argv[] = { prog, "--connect", peer, "--timeout-ms", tmo,
			 "--name", name, NULL };

	snprintf(prog, sizeof(prog), "%s", cfg->agent_path);
	if (step_mech(cfg, r) == LADDER_IPV6_DIRECT)
		snprintf(peer, sizeof(peer), "[%s]:%d", b->lan6_addr,
			 serve_port(r));
	else
		snprintf(peer, sizeof(peer), "%s:%d",
			 b->routed ? b->lan_addr : b->wan_addr, serve_port(r));
	snprintf(tmo, sizeof(tmo), "%d", cfg->s->timeout_ms);
	step_name(cfg, r, 0, name, sizeof(name));
	return running_spawn(cfg, r, 0, argv, 0);
}

/* 1 when pid's network namespace has a TCP socket listening on port
 * (/proc/PID/net/tcp or tcp6: state 0A): bob's listener is up, whichever
 * program serves, without a readiness line of its own. */
static int listening(pid_t pid, int port)
{
	static const char *const tables[] = { "tcp", "tcp6" };
	char path[64], line[256];
	unsigned lport, state;
	int found = 0;

	for (int t = 0; t < 2 && !found; t++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid,
			 tables[t]);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = sscanf(line, " %*u: %*x:%x %*x:%*x %x", &lport,
				       &state) == 2 &&
				(int)lport == port && state == 0x0A;
		fclose(f);
	}
	return found;
}

static void set_deadline(struct running *r, int64_t ms)
{
	r->lad.phase_deadline_ns = mono_ns() + ms * 1000000;
}

/* Starts step r->lad.step: 1 when its processes run, 0 when it was
 * recorded without any (unavailable, or they could not start). */
static int step_start(const struct trials_cfg *cfg, struct running *r)
{
	struct ladder_step *st = step_now(cfg, r);
	int e;

	r->lad.t_step_ns = mono_ns();
	r->lad.phase_deadline_ns = 0;
	for (int s = 0; s < 2; s++) { /* nothing of the step before */
		r->sd[s].pid = -1;
		r->sd[s].len = 0;
		r->sd[s].t_spawn_ns = r->sd[s].t_end_ns = 0;
	}
	r->hard_deadline_ns = r->lad.t_step_ns +
			      (int64_t)(cfg->s->timeout_ms + LADDER_HANG_GRACE_MS) *
				      1000000;
	if (!ladder_offered(cfg, r->cell, st->mech, st->why,
			    sizeof(st->why))) {
		snprintf(st->outcome, sizeof(st->outcome), "unavailable");
		r->lad.nres++;
		return 0;
	}
	if (st->mech == LADDER_IPV4_PUNCH) {
		r->lad.phase = LADDER_PHASE_DIALLING;
		e = running_start(cfg, r, 0);
		if (e == 0)
			e = running_start(cfg, r, 1);
	} else {
		r->lad.phase = LADDER_PHASE_SERVING;
		set_deadline(r, LADDER_LISTEN_WAIT_MS);
		e = start_serve(cfg, r);
	}
	if (e == 0)
		return 1;
	running_kill(cfg, r, 1);
	snprintf(st->outcome, sizeof(st->outcome), "setup");
	snprintf(st->why, sizeof(st->why), "cannot start: %s", strerror(-e));
	r->lad.nres++;
	return 0;
}

void ladder_poll(const struct trials_cfg *cfg, struct running *r)
{
	struct ladder_trial *t = &r->lad;
	int64_t now = mono_ns();

	if (!ladder_cell(cfg, r))
		return;
	if (t->phase == LADDER_PHASE_SERVING && r->sd[1].fd >= 0) {
		if (listening(r->sd[1].pid, serve_port(r))) {
			t->phase = LADDER_PHASE_DIALLING;
			t->phase_deadline_ns = 0;
			if (start_dial(cfg, r) < 0)
				running_stop_side(cfg, &r->sd[1]);
		} else if (now > t->phase_deadline_ns) {
			log_warnx("ladder: bob's listener of trial %d of cell "
				  "%d never listened",
				  r->trial, r->cell);
			running_stop_side(cfg, &r->sd[1]);
		}
		return;
	}
	/* direct: once alice has her answer, bob's wait is over */
	if (t->phase == LADDER_PHASE_DIALLING && r->sd[0].fd < 0 &&
	    r->sd[1].fd >= 0 && t->res[t->nres].mech != LADDER_IPV4_PUNCH) {
		if (!t->phase_deadline_ns)
			set_deadline(r, LADDER_SERVE_AFTER_MS);
		else if (now > t->phase_deadline_ns)
			running_stop_side(cfg, &r->sd[1]);
	}
}

static json_t *report(struct side *sd)
{
	if (sd->pid < 0 || !sd->len)
		return NULL;
	return json_loadb(sd->buf, sd->len, JSON_DISABLE_EOF_CHECK, NULL);
}

static int64_t jns(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Why a dial failed, in the words of what was seen. */
static void dial_why(enum outcome_code o, const char *error, char *why,
		     size_t cap)
{
	const char *what = o == OUTCOME_REFUSED	    ? "RST: refused"
			   : o == OUTCOME_TIMEOUT   ? "no answer within timeout_ms"
			   : o == OUTCOME_UNREACHABLE ? "ICMP unreachable"
						      : "failed";

	snprintf(why, cap, "%s%s%s", what, error ? " - " : "",
		 error ? error : "");
}

/* Judges the step that just ended from its reports. */
static void step_end(const struct trials_cfg *cfg, struct running *r)
{
	struct ladder_step *st = step_now(cfg, r);
	json_t *ra = report(&r->sd[0]), *rb = report(&r->sd[1]);
	int punch = st->mech == LADDER_IPV4_PUNCH;
	enum outcome_code oa = outcome_parse(
		json_string_value(json_object_get(ra, "outcome")));
	enum outcome_code ob = outcome_parse(
		json_string_value(json_object_get(rb, "outcome")));
	enum outcome_code o = punch ? outcome_combine(oa, ob) : oa;
	int64_t hs = jns(ra, "t_handshake_ns"), hb = jns(rb, "t_handshake_ns");
	int64_t end = punch && r->sd[1].t_end_ns > r->sd[0].t_end_ns
			      ? r->sd[1].t_end_ns
			      : r->sd[0].t_end_ns;
	const char *err = json_string_value(json_object_get(ra, "error"));
	int64_t t0;

	if (punch && hb > hs)
		hs = hb;
	if (!end) /* alice never started */
		end = mono_ns();
	if (punch && !err)
		err = json_string_value(json_object_get(rb, "error"));
	st->ok = o == OUTCOME_OK;
	if (!ra && !punch && r->lad.phase == LADDER_PHASE_SERVING) {
		o = OUTCOME_SETUP;
		err = "bob's listener never listened";
	} else if (!ra) {
		err = "alice gave no report";
	}
	snprintf(st->outcome, sizeof(st->outcome), "%s", outcome_name(o));
	/* From the dialler's spawn (a dial; both agents' for a punch): bob's
	 * listener was up before, as a serving node's is. */
	t0 = punch || !r->sd[0].t_spawn_ns ? r->lad.t_step_ns : r->sd[0].t_spawn_ns;
	st->ms = (double)((st->ok && hs > 0 ? hs : end) - t0) / 1e6;
	if (!st->ok && punch)
		snprintf(st->why, sizeof(st->why), "%s", err ? err : "");
	else if (!st->ok)
		dial_why(o, err, st->why, sizeof(st->why));
	json_decref(ra);
	json_decref(rb);
	r->lad.nres++;
	r->lad.phase = LADDER_PHASE_NONE;
	if (!punch)
		return;
	for (int s = 0; s < 2; s++) { /* for the trial's record */
		free(r->lad.punch[s]);
		r->lad.punch[s] = malloc(r->sd[s].len + 1);
		if (r->lad.punch[s])
			memcpy(r->lad.punch[s], r->sd[s].buf, r->sd[s].len);
		r->lad.punch_len[s] = r->lad.punch[s] ? r->sd[s].len : 0;
		r->lad.punch_status[s] = r->sd[s].status;
	}
}

/* The ipv4-punch step's reports back into the sides, for record.c. */
static void restore_punch(struct running *r)
{
	for (int s = 0; s < 2; s++) {
		if (!r->lad.punch[s])
			continue;
		memcpy(r->sd[s].buf, r->lad.punch[s], r->lad.punch_len[s]);
		r->sd[s].len = r->lad.punch_len[s];
		r->sd[s].status = r->lad.punch_status[s];
		free(r->lad.punch[s]);
		r->lad.punch[s] = NULL;
	}
}

int ladder_next(const struct trials_cfg *cfg, struct running *r)
{
	const struct cell_ladder *l = &cfg->s->cells[r->cell].ladder;

	if (!l->n)
		return 0;
	if (r->lad.step >= 0 && r->lad.step < l->n)
		step_end(cfg, r);
	while (++r->lad.step < l->n)
		if (step_start(cfg, r))
			return 1;
	restore_punch(r);
	return 0;
}

int ladder_begin(const struct trials_cfg *cfg, struct running *r)
{
	r->lad.step = -1;
	r->lad.nres = 0;
	ladder_next(cfg, r);
	return 0;
}

void ladder_outcome(const struct running *r, enum outcome_code *o,
		    double *ttc, double *hs)
{
	const struct ladder_trial *t = &r->lad;

	if (!t->nres)
		return;
	*hs = -1;
	for (int i = 0; i < t->nres; i++)
		if (t->res[i].ok) {
			*o = OUTCOME_OK;
			*ttc = t->res[i].ms;
			return;
		}
	*ttc = -1;
	*o = OUTCOME_SETUP;
	for (int i = 0; i < t->nres; i++) {
		int punch = t->res[i].mech == LADDER_IPV4_PUNCH;

		if (punch || i == t->nres - 1)
			*o = outcome_parse(t->res[i].outcome);
		if (punch)
			return;
	}
}

void ladder_record(json_t *t, const struct running *r,
		   struct cell_result *res)
{
	const struct ladder_trial *lt = &r->lad;
	json_t *steps, *first = json_null();

	if (!lt->nres)
		return;
	steps = json_array();
	for (int i = 0; i < lt->nres; i++) {
		const struct ladder_step *st = &lt->res[i];
		const char *name = scenario_ladder_names[st->mech];

		json_array_append_new(
			steps,
			json_pack("{s:s, s:b, s:o, s:s, s:o}", "mechanism",
				  name, "ok", st->ok, "ms",
				  st->ms >= 0 ? json_real(st->ms) : json_null(),
				  "outcome", st->outcome, "why",
				  st->why[0] ? json_string(st->why)
					     : json_null()));
		if (st->ok && json_is_null(first))
			first = json_string(name);
	}
	json_object_set_new(t, "ladder", steps);
	json_object_set_new(t, "first", first);
	results_ladder(res, t);
}
