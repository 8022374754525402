/* ladderstep: one mechanism's processes. Bob's readiness is read from the
 * kernel (a listening socket in his namespace) or, with a mapping, from
 * his mapped event: no sleep stands in for either. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ladderstep.h"
#include "scenario_ladder.h"

/* Bob serves on a port of his own per trial, outside the agents' punch
 * ports (20000..59999) and Linux's ephemeral range (32768..60999). */
#define LADDERSTEP_PORT_BASE 61000
#define LADDERSTEP_PORT_SPAN 4000
#define LADDERSTEP_COORD6 "[2001:db8::1]:18444" /* PLAN6_COORD_ADDR */

static int serve_port(const struct running *r)
{
	return LADDERSTEP_PORT_BASE + r->trial % LADDERSTEP_PORT_SPAN;
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

int ladderstep_offered(const struct trials_cfg *cfg, int cell, int m, char *why,
		       size_t cap)
{
	const struct world_cell *wc = &cfg->w->cells[cell];

	/* The row of the report names the profiles: the why does not. */
	switch (m) {
	case LADDER_PCP:
		/* Tried whatever bob's router runs: without a server his
		 * mapping fails (outcome pcp) and that is the measurement
		 * (docs/alternatives.md section 6). */
		return 1;
	case LADDER_IPV6_DIRECT:
		return side_v6(wc->side[0].p, "alice", why, cap) &&
		       side_v6(wc->side[1].p, "bob", why, cap);
	case LADDER_IPV6_PUNCH:
		return side_v6(wc->side[0].p, "alice", why, cap) &&
		       side_v6(wc->side[1].p, "bob", why, cap);
	default:
		return 1;
	}
}

/* The step's name for its processes: the run id first (punchlab clean). */
static void step_name(const struct trials_cfg *cfg, const struct running *r,
		      int s, int m, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s-c%d-%s-t%d-%s", cfg->w->rid, r->cell,
		 s ? "bob" : "alice", r->trial, scenario_ladder_names[m]);
}

/* Bob's gateway: his host's default route (his router's LAN address). */
static const char *gateway(const struct trials_cfg *cfg,
			   const struct running *r)
{
	const struct plan *p = cfg->w->plan;
	int host = cfg->w->cells[r->cell].side[1].p->host;

	for (int i = 0; i < p->nroutes; i++)
		if (p->routes[i].ns == host &&
		    !strcmp(p->routes[i].dst, "default"))
			return p->routes[i].gw;
	return "";
}

int ladderstep_serve(const struct trials_cfg *cfg, struct running *r, int m,
		     int timeout_ms)
{
	char prog[512], port[16], tmo[16], name[96], gw[40];
	char *argv[] = {prog, "--serve", "--local-port", port, "--timeout-ms",
			tmo,  "--name",	 name,		 NULL, NULL,
			NULL};

	snprintf(prog, sizeof(prog), "%s", cfg->agent_path);
	snprintf(port, sizeof(port), "%d", serve_port(r));
	snprintf(tmo, sizeof(tmo), "%d", timeout_ms);
	step_name(cfg, r, 1, m, name, sizeof(name));
	if (m == LADDER_PCP) {
		snprintf(gw, sizeof(gw), "%s", gateway(cfg, r));
		argv[8] = "--pcp";
		argv[9] = gw;
	}
	return running_spawn(cfg, r, 1, argv, 0);
}

/* 1 when pid's network namespace has a TCP socket listening on port
 * (/proc/PID/net/tcp or tcp6: state 0A): bob's listener is up, whichever
 * program serves, without a readiness line of its own. */
static int listening(pid_t pid, int port)
{
	static const char *const tables[] = {"tcp", "tcp6"};
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

/* The external endpoint of bob's {"event":"mapped"} line, once printed
 * (--serve prints it when listening on the mapped port). */
static int mapped(const struct side *sd, char *out, size_t cap)
{
	const char *p = sd->buf, *end = sd->buf + sd->len;
	int found = 0;

	while (!found && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *ev, *ext;
		json_t *j;

		if (!nl)
			break; /* a line still being written */
		j = json_loadb(p, (size_t)(nl - p), 0, NULL);
		ev = json_string_value(json_object_get(j, "event"));
		ext = json_string_value(json_object_get(j, "external"));
		if (ev && !strcmp(ev, "mapped") && ext) {
			snprintf(out, cap, "%s", ext);
			found = 1;
		}
		json_decref(j);
		p = nl + 1;
	}
	return found;
}

int ladderstep_ready(const struct trials_cfg *cfg, struct running *r, int m)
{
	const struct plan_side *b = cfg->w->cells[r->cell].side[1].p;
	char *dial = r->lad.dial;
	size_t cap = sizeof(r->lad.dial);

	if (m == LADDER_PCP)
		return mapped(&r->sd[1], dial, cap);
	if (!listening(r->sd[1].pid, serve_port(r)))
		return 0;
	if (m == LADDER_IPV6_DIRECT)
		snprintf(dial, cap, "[%s]:%d", b->lan6_addr, serve_port(r));
	else /* his router's (or carrier's) public address, or his own */
		snprintf(dial, cap, "%s:%d",
			 b->routed ? b->lan_addr : b->wan_addr, serve_port(r));
	return 1;
}

int ladderstep_dial(const struct trials_cfg *cfg, struct running *r)
{
	char prog[512], tmo[16], name[96];
	char *argv[] = {prog, "--connect", r->lad.dial, "--timeout-ms",
			tmo,  "--name",	   name,	NULL};

	snprintf(prog, sizeof(prog), "%s", cfg->agent_path);
	snprintf(tmo, sizeof(tmo), "%d", cfg->s->timeout_ms);
	step_name(cfg, r, 0, cfg->s->cells[r->cell].ladder.mech[r->lad.step],
		  name, sizeof(name));
	return running_spawn(cfg, r, 0, argv, 0);
}

int ladderstep_punch(const struct trials_cfg *cfg, struct running *r, int m)
{
	const char *coord = m == LADDER_IPV6_PUNCH ? LADDERSTEP_COORD6 : NULL;
	int e = running_start_at(cfg, r, 0, coord);

	return e ? e : running_start_at(cfg, r, 1, coord);
}

json_t *ladderstep_report(const struct side *sd)
{
	const char *p = sd->buf, *end = sd->buf + sd->len, *last = NULL;

	if (sd->pid < 0)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol > p)
			last = p;
		p = eol + 1;
	}
	return last ? json_loadb(last, (size_t)(end - last),
				 JSON_DISABLE_EOF_CHECK, NULL)
		    : NULL;
}
