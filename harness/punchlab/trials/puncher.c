/* puncher: outside punchers' options, tokens and conntrack verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ctsnap.h"
#include "log.h"
#include "monoclock.h"
#include "puncher.h"
#include "rundir.h"

void puncher_tokens(struct puncher_trial *pt)
{
	unsigned char b[16];

	for (int s = 0; s < 2; s++) {
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			for (size_t i = 0; i < sizeof(b); i++)
				b[i] = (unsigned char)(mono_ns() >> (i % 8));
		for (size_t i = 0; i < sizeof(b); i++)
			snprintf(pt->token[s] + 2 * i, 3, "%02x", b[i]);
	}
}

int puncher_argv(const struct trials_cfg *cfg, int cell, int trial, int s,
		 struct puncher_trial *pt, char **argv)
{
	const struct scenario_cell *c = &cfg->s->cells[cell];
	const struct scenario_puncher *p = scenario_cell_puncher(cfg->s, c, s);
	char dir[400];
	int n = 0;

	if (!p)
		return 0;
	snprintf(dir, sizeof(dir), "%s/punchers", cfg->run_dir);
	if (rundir_mkdir_p(dir) < 0)
		log_warn("%s", dir);
	snprintf(pt->stderr_path[s], sizeof(pt->stderr_path[s]),
		 "%s/%s-t%d-%s.stderr", dir, c->name, trial,
		 s ? "bob" : "alice");
	argv[n++] = "--exec";
	argv[n++] = (char *)p->command;
	argv[n++] = "--puncher";
	argv[n++] = (char *)p->name;
	argv[n++] = "--exec-stderr";
	argv[n++] = pt->stderr_path[s];
	argv[n++] = "--verify";
	argv[n++] = (char *)scenario_verify_name(p->verify);
	if (p->verify == SCENARIO_VERIFY_TOKEN) {
		argv[n++] = "--token";
		argv[n++] = pt->token[s];
		argv[n++] = "--peer-token";
		argv[n++] = pt->token[!s];
	}
	return n;
}

/* "ip:port" or "[v6]:port" of a report's key into ip (without the
 * brackets, as conntrack spells it), port; 0 or -1. */
static int endpoint(json_t *rep, const char *key, char *ip, size_t cap,
		    long *port)
{
	const char *v = json_string_value(json_object_get(rep, key));
	const char *colon = v ? strrchr(v, ':') : NULL;
	int br = v && v[0] == '[';
	size_t n;

	if (!colon || (br && colon[-1] != ']'))
		return -1;
	n = (size_t)(colon - v) - (br ? 2 : 0);
	if (n >= cap)
		return -1;
	memcpy(ip, v + br, n);
	ip[n] = '\0';
	*port = strtol(colon + 1, NULL, 10);
	return 0;
}

static int tuple_has(json_t *t, const char *ip, long port)
{
	static const char *const k[2][2] = { { "src", "sport" },
					     { "dst", "dport" } };

	for (int i = 0; i < 2; i++) {
		const char *a = json_string_value(json_object_get(t, k[i][0]));

		if (a && !strcmp(a, ip) &&
		    json_integer_value(json_object_get(t, k[i][1])) == port)
			return 1;
	}
	return 0;
}

/* One conntrack entry (a JSON line): TCP, ASSURED, and both endpoints in
 * its tuples (the router's outside view: one is its own translated
 * source, the other the peer's public endpoint). */
static int flow_match(json_t *e, char (*ip)[64], const long *port)
{
	json_t *st = json_object_get(e, "status"), *v;
	int assured = 0, have[2] = { 0, 0 };
	size_t i;

	if (strcmp(json_string_value(json_object_get(e, "proto")) ?: "", "tcp"))
		return 0;
	json_array_foreach(st, i, v)
		assured |= !strcmp(json_string_value(v) ?: "", "ASSURED");
	for (int s = 0; s < 2; s++)
		have[s] = tuple_has(json_object_get(e, "orig"), ip[s], port[s]) ||
			  tuple_has(json_object_get(e, "reply"), ip[s], port[s]);
	return assured && have[0] && have[1];
}

/* Whether netns_fd's conntrack holds the flow. */
static int router_has_flow(int netns_fd, char (*ip)[64], const long *port)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int found = 0;

	if (!f)
		return 0;
	if (ctsnap_write(netns_fd, f) < 0)
		log_warnx("conntrack of a router could not be read");
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *e = json_loads(line, 0, NULL);

		found = e && flow_match(e, ip, port);
		json_decref(e);
	}
	free(buf);
	return found;
}

/* Both routers (the outermost NAT of each side; over IPv6 the home
 * router) hold the flow. */
static int conntrack_verified(const struct trials_cfg *cfg, int cell,
			      json_t *rep[2])
{
	char ip[2][64];
	long port[2];

	for (int s = 0; s < 2; s++)
		if (endpoint(rep[s], "public", ip[s], sizeof(ip[s]), &port[s]))
			return 0;
	for (int s = 0; s < 2; s++) {
		const struct world_side *ws = &cfg->w->cells[cell].side[s];
		/* IPv6 is routed untranslated: the home router's filter
		 * tracks the flow, whatever a carrier does. */
		const struct nb_host *h = ws->carrier && !strchr(ip[s], ':')
						  ? ws->carrier
						  : ws->router;

		if (!router_has_flow(h->fd, ip, port))
			return 0;
	}
	return 1;
}

void puncher_judge(const struct trials_cfg *cfg, int cell, json_t *rep[2])
{
	const struct scenario_cell *c = &cfg->s->cells[cell];
	int verified = -1; /* not looked yet */

	for (int s = 0; s < 2; s++) {
		const struct scenario_puncher *p =
			scenario_cell_puncher(cfg->s, c, s);
		const char *o;

		json_object_set_new(rep[s], "puncher",
				    json_string(p ? p->name : "agent"));
		if (!p || p->verify != SCENARIO_VERIFY_CONNTRACK ||
		    !json_is_true(json_object_get(rep[s], "program_started")))
			continue;
		o = json_string_value(json_object_get(rep[s], "outcome"));
		if (!o || (strcmp(o, "unverified") && strcmp(o, "timeout")))
			continue;
		if (verified < 0)
			verified = conntrack_verified(cfg, cell, rep);
		json_object_set_new(rep[s], "verified",
				    json_string(verified ? "conntrack" : "no"));
		if (verified) {
			json_object_set_new(rep[s], "outcome", json_string("ok"));
			json_object_set_new(rep[s], "error", json_null());
		}
	}
}
