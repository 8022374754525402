/* scenario_population: a [network]'s `population` — a population CSV
 * (populations/README.md) or an inline profile:share list — into the
 * network's profiles, shares normalised, each profile loaded. */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario_population.h"
#include "scenario_value.h"

/* Adds share to profile name (a name listed twice is one entry). */
static int pop_add(struct scenario_network *n, const char *name, double share,
		   char *why, size_t cap)
{
	int i;

	if (!*name || strlen(name) >= PROFILE_NAME_MAX) {
		snprintf(why, cap, "a profile name of 1..%d characters",
			 PROFILE_NAME_MAX - 1);
		return -1;
	}
	for (i = 0; i < n->nprofiles; i++)
		if (!strcmp(n->profiles[i].p.name, name))
			break;
	if (i == n->nprofiles) {
		if (n->nprofiles == SCENARIO_NET_MAX_PROFILES) {
			snprintf(why, cap, "more than %d profiles",
				 SCENARIO_NET_MAX_PROFILES);
			return -1;
		}
		snprintf(n->profiles[n->nprofiles++].p.name, PROFILE_NAME_MAX,
			 "%s", name);
	}
	n->profiles[i].share += share;
	return 0;
}

/* A share or count: a plain decimal >= 0. */
static int pop_number(const char *t, double *out)
{
	char *end;

	if (!*t || !(isdigit((unsigned char)*t) || *t == '.'))
		return -1;
	*out = strtod(t, &end);
	return *end || !(*out >= 0 && *out < 1e12) ? -1 : 0;
}

/* The next comma-separated field of *p into buf, blanks trimmed. */
static void csv_field(const char **p, char *buf, size_t cap)
{
	size_t len = strcspn(*p, ",");
	const char *s = *p;

	*p += len + (s[len] == ',');
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
}

/* "home-eim:0.64, symmetric:0.15". */
static int pop_inline(struct scenario_network *n, char *why, size_t cap)
{
	char item[128], num[64];
	const char *p = n->population;

	while (*p) {
		char *colon;
		double x;

		csv_field(&p, item, sizeof(item));
		colon = strchr(item, ':');
		if (!colon) {
			snprintf(why, cap,
				 "'%s': an inline population is "
				 "profile:share,profile:share",
				 item);
			return -1;
		}
		*colon = '\0';
		/* blanks around the colon */
		for (char *e = colon;
		     e > item && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		for (colon++; isspace((unsigned char)*colon);)
			colon++;
		snprintf(num, sizeof(num), "%s", colon);
		if (pop_number(num, &x) < 0) {
			snprintf(why, cap, "'%s': the share is not a number",
				 num);
			return -1;
		}
		if (pop_add(n, item, x, why, cap) < 0)
			return -1;
	}
	return 0;
}

/* A population CSV (populations/README.md): comment lines (#), the header
 * `profile,share,...` (or `profile,count,...`), one row per profile. */
static int pop_csv(struct scenario_network *n, char *why, size_t cap)
{
	const char *path = n->population_path;
	char buf[4096], f0[PROFILE_NAME_MAX + 8], f1[64];
	FILE *f = fopen(path, "re");
	int line = 0, header = 0, rows = 0, ret = -1;

	if (!f) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		const char *p = buf;
		double x;

		line++;
		buf[strcspn(buf, "\r\n")] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		csv_field(&p, f0, sizeof(f0));
		csv_field(&p, f1, sizeof(f1));
		if (!header) {
			if (strcmp(f0, "profile") ||
			    (strcmp(f1, "share") && strcmp(f1, "count"))) {
				snprintf(why, cap,
					 "%s:%d: the header must start with "
					 "profile,share (or profile,count)",
					 path, line);
				goto out;
			}
			header = 1;
			continue;
		}
		if (pop_number(f1, &x) < 0) {
			snprintf(why, cap, "%.400s:%d: '%.40s' is not a share",
				 path, line, f1);
			goto out;
		}
		if (pop_add(n, f0, x, why, cap) < 0) {
			char m[100];

			snprintf(m, sizeof(m), "%s", why);
			snprintf(why, cap, "%.400s:%d: %s", path, line, m);
			goto out;
		}
		rows++;
	}
	if (!rows)
		snprintf(why, cap, "%s: no profile rows", path);
	else
		ret = 0;
out:
	fclose(f);
	return ret;
}

/* The CSV's path: absolute as written; else beside the scenario, then
 * in the tree the profile folder belongs to (populations/ next to
 * nat-profiles/), then from the current folder. */
static void pop_resolve(struct scenario_ctx *c, struct scenario_network *n)
{
	char dir[512], cand[3][1024];
	struct stat st;

	if (n->population[0] == '/') {
		snprintf(n->population_path, sizeof(n->population_path), "%s",
			 n->population);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", c->s->path);
	snprintf(cand[0], sizeof(cand[0]), "%s/%s", dirname(dir),
		 n->population);
	snprintf(dir, sizeof(dir), "%s", c->profile_dir);
	snprintf(cand[1], sizeof(cand[1]), "%s/../%s", dir, n->population);
	snprintf(cand[2], sizeof(cand[2]), "%s", n->population);
	for (int i = 0; i < 3; i++)
		if (stat(cand[i], &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(n->population_path, sizeof(n->population_path),
				 "%.511s", cand[i]);
			return;
		}
	snprintf(n->population_path, sizeof(n->population_path), "%s",
		 n->population);
}

/* The population read, its shares normalised and each profile loaded. */
int scenario_population_load(struct scenario_ctx *c, struct scenario_network *n,
			     int line, struct cfg_error *err)
{
	char why[600] = "";
	double sum = 0;
	int e;

	n->nprofiles = 0;
	if (strchr(n->population, ':')) {
		n->population_path[0] = '\0';
		e = pop_inline(n, why, sizeof(why));
	} else {
		pop_resolve(c, n);
		e = pop_csv(n, why, sizeof(why));
	}
	if (e < 0)
		return cfg_fail(err, c->s->path, line, "population", "%s", why);
	for (int i = 0; i < n->nprofiles; i++)
		sum += n->profiles[i].share;
	if (!(sum > 0))
		return cfg_fail(err, c->s->path, line, "population",
				"the shares sum to 0; give some profile a "
				"share");
	for (int i = 0; i < n->nprofiles; i++) {
		struct scenario_netprofile *np = &n->profiles[i];
		char name[PROFILE_NAME_MAX];

		np->share /= sum;
		snprintf(name, sizeof(name), "%s", np->p.name);
		if (scenario_profile(c, name, &np->p, &np->carrier,
				     &np->has_carrier, err) < 0) {
			snprintf(why, sizeof(why), "%s", err->msg);
			return cfg_fail(err, c->s->path, line, "population",
					"%s", why);
		}
		/* A home is a node behind a NAT; a reachable node is one
		 * of `reachable`, not a home without translation. */
		if (np->p.mapping == NAT_MAP_NONE)
			return cfg_fail(err, c->s->path, line, "population",
					"profile %s translates nothing "
					"(mapping none); reachable nodes "
					"are the `reachable` key's",
					name);
	}
	return 0;
}
