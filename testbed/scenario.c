/* scenario: reads scenarios/<name>.ini: run settings in [scenario], one
 * [cell NAME] per NAT pair. Profiles are loaded as their keys are read, so
 * a bad reference is reported at the line that made it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "shapespec.h"

#include "scenario_adversary.h"
#include "scenario_family.h"
#include "scenario_home.h"
#include "scenario_ladder.h"
#include "scenario_matrix.h"
#include "scenario_network.h"
#include "scenario_priv.h"
#include "scenario_puncher.h"
#include "scenario_value.h"

static int scenario_int(const char *v, long min, long max, int *out,
			struct cfg_error *err)
{
	long n;

	if (cfg_int(v, min, max, &n, err) < 0)
		return -1;
	*out = (int)n;
	return 0;
}

/* A positive decimal number of ms (digits and one dot) in [min, max]. */
static int scenario_ms(const char *v, double min, double max, double *out,
		       struct cfg_error *err)
{
	size_t digits = strspn(v, "0123456789."), dots = 0;
	char *end;
	double x;

	for (const char *p = v; *p; p++)
		dots += *p == '.';
	x = strtod(v, &end);
	if (!*v || v[digits] || dots > 1 || *end || !(x >= min && x <= max)) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' is not a number of ms in [%g, %g]", v, min,
			 max);
		return -1;
	}
	*out = x;
	return 0;
}

static const char *const scenario_modes[] = {
	[SCENARIO_MODE_RENDEZVOUS] = "rendezvous",
	[SCENARIO_MODE_HANDOFF] = "handoff",
	[SCENARIO_MODE_OOB] = "out-of-band",
	[SCENARIO_MODE_ADVERTISED] = "advertised",
	NULL,
};
static const char *const scenario_nodes[] = {
	[SCENARIO_NODE_EMBEDDED] = "embedded",
	[SCENARIO_NODE_BITCOIND] = "bitcoind",
	[SCENARIO_NODE_BITCOIND_IMPORT] = "bitcoind-import",
	NULL,
};

const char *scenario_mode_name(enum scenario_mode m)
{
	return (unsigned)m <= SCENARIO_MODE_ADVERTISED ? scenario_modes[m] : "?";
}

const char *scenario_node_name(enum scenario_node n)
{
	return (unsigned)n <= SCENARIO_NODE_BITCOIND_IMPORT ? scenario_nodes[n] :
							      "?";
}

static int scenario_cell_key(struct scenario_ctx *c, const char *key,
			     const char *v, struct cfg_error *err)
{
	struct scenario_cell *cell = c->cell;
	unsigned char *has = &c->has[cell - c->s->cells];

	if (!strcmp(key, "a")) {
		*has |= CELL_HAS_A;
		return scenario_profile(c, v, &cell->a, &cell->a_carrier,
					&cell->a_has_carrier, err);
	}
	if (!strcmp(key, "b")) {
		*has |= CELL_HAS_B;
		return scenario_profile(c, v, &cell->b, &cell->b_carrier,
					&cell->b_has_carrier, err);
	}
	if (!strcmp(key, "expect")) {
		*has |= CELL_HAS_EXPECT;
		return scenario_expect(v, &cell->expect_min, &cell->expect_max,
				       cell->expect_text,
				       sizeof(cell->expect_text), err);
	}
	if (!strcmp(key, "reason"))
		return scenario_copy(cell->reason, sizeof(cell->reason), v,
				     err);
	int r = scenario_adv_key(&cell->adv, key, v, c->line, err);
	if (r <= 0)
		return r;
	r = scenario_ladder_key(&cell->ladder, key, v, c->line, err);
	if (r <= 0)
		return r;
	int i = cellcond_index(key);
	if (i >= 0) {
		double x;

		if (scenario_param_spec(c, i, v, strlen(v), &x, &cell->dist[i],
					err) < 0)
			return -1;
		cellcond_set(&cell->cond, i, x);
		c->cell_params[cell - c->s->cells] |= 1u << i;
		return 0;
	}
	snprintf(err->msg, sizeof(err->msg),
		 "unknown key in a cell; known keys: a b expect reason "
		 "puncher puncher_a puncher_b "
		 "rtt_ms jitter_ms loss rate_kbit skew_ms coord_delay_a_ms "
		 "coord_delay_b_ms access_a_ms access_b_ms strategy "
		 "predict_window birthday_sockets birthday_ports syn_budget home hosts_a hosts_b family "
		 "adversary victim attack_delay_ms inject inject_offset_ms "
		 "flood flood_count target_policy peer_auth coord_limits "
		 "max_clients expect_effect start_jitter_ms rst_guard mechanisms expect_<mechanism>");
	return -1;
}

static int scenario_main_key(struct scenario_ctx *c, const char *key,
			     const char *v, struct cfg_error *err)
{
	struct scenario *s = c->s;
	int choice;

	if (!strcmp(key, "description"))
		return scenario_copy(s->description, sizeof(s->description), v,
				     err);
	if (!strcmp(key, "trials"))
		return scenario_int(v, 1, 100000, &s->trials, err);
	if (!strcmp(key, "seed"))
		return cfg_u64(v, &s->seed, err);
	if (!strcmp(key, "parallel"))
		return scenario_int(v, 1, 256, &s->parallel, err);
	if (!strcmp(key, "timeout_ms"))
		return scenario_int(v, 100, 600000, &s->timeout_ms, err);
	if (!strcmp(key, "star"))
		return cfg_bool(v, &s->star, err);
	if (!strcmp(key, "natpmp")) {
		c->natpmp_line = c->line;
		return cfg_bool(v, &s->natpmp, err);
	}
	if (!strcmp(key, "timing_error_max_ms"))
		return scenario_ms(v, 0.001, 60000, &s->timing_error_max_ms,
				   err);
	if (!strcmp(key, "realtime"))
		return cfg_bool(v, &s->realtime, err);
	if (!strcmp(key, "mode")) {
		if (scenario_choice(v, scenario_modes, &choice, err) < 0)
			return -1;
		s->mode = (enum scenario_mode)choice;
		return 0;
	}
	if (!strcmp(key, "node")) {
		if (scenario_choice(v, scenario_nodes, &choice, err) < 0)
			return -1;
		s->node = (enum scenario_node)choice;
		return 0;
	}
	int i = cellcond_index(key);
	if (i >= 0) {
		double x;

		if (scenario_param_spec(c, i, v, strlen(v), &x,
					&c->default_dist[i], err) < 0)
			return -1;
		cellcond_set(&c->defaults, i, x);
		c->default_params |= 1u << i;
		if (i == CELLCOND_STRATEGY)
			c->strategy_line = c->line;
		if (i == CELLCOND_FAMILY)
			c->family_line = c->line;
		return 0;
	}
	snprintf(err->msg, sizeof(err->msg),
		 "unknown key in [scenario]; known keys: description trials "
		 "seed parallel timeout_ms timing_error_max_ms realtime "
		 "mode node star natpmp puncher "
		 "puncher_a puncher_b rtt_ms jitter_ms loss rate_kbit "
		 "skew_ms coord_delay_a_ms coord_delay_b_ms access_a_ms "
		 "access_b_ms strategy predict_window birthday_sockets "
		 "birthday_ports syn_budget home hosts_a hosts_b family");
	return -1;
}

static int scenario_section(struct scenario_ctx *c, const char *section,
			    int line, struct cfg_error *err)
{
	struct scenario *s = c->s;
	const char *name;
	int i;

	c->cell = NULL;
	c->matrix = NULL;
	c->puncher = NULL;
	c->in_network = 0;
	if (!strncmp(section, "network", 7) &&
	    (!section[7] || isspace((unsigned char)section[7])))
		return scenario_network_section(c, section + 7, line, err);
	if (!strncmp(section, "puncher", 7) &&
	    (!section[7] || isspace((unsigned char)section[7])))
		return scenario_puncher_section(c, section + 7, line, err);
	if (!strcmp(section, "scenario")) {
		/* A second one would quietly merge into the first. */
		if (c->scenario_line) {
			snprintf(err->msg, sizeof(err->msg),
				 "given twice (first at line %d); keep one",
				 c->scenario_line);
			return -1;
		}
		c->scenario_line = line;
		return 0;
	}
	if (!strncmp(section, "matrix", 6) &&
	    (!section[6] || isspace((unsigned char)section[6])))
		return scenario_matrix_section(c, section + 6, line, err);
	if (strncmp(section, "cell", 4) ||
	    (section[4] && !isspace((unsigned char)section[4]))) {
		snprintf(err->msg, sizeof(err->msg),
			 "unknown section; a scenario has [scenario], "
			 "[cell NAME], [matrix NAME] and [puncher NAME], "
			 "or [scenario] and [network]");
		return -1;
	}
	for (name = section + 4; isspace((unsigned char)*name); name++)
		;
	if (!scenario_cell_name_ok(name) ||
	    strlen(name) >= sizeof(s->cells[0].name)) {
		snprintf(err->msg, sizeof(err->msg),
			 "a cell needs a name of letters, digits, '.', '_', "
			 "'+' or '-': [cell NAME]");
		return -1;
	}
	for (i = 0; i < s->ncells; i++) {
		if (!strcmp(s->cells[i].name, name)) {
			snprintf(err->msg, sizeof(err->msg),
				 "cell name used twice (first at line %d); "
				 "rename one",
				 s->cells[i].line);
			return -1;
		}
	}
	if (s->ncells == SCENARIO_MAX_CELLS) {
		snprintf(err->msg, sizeof(err->msg),
			 "more than %d cells; split the scenario",
			 SCENARIO_MAX_CELLS);
		return -1;
	}
	c->cell = &s->cells[s->ncells++];
	scenario_adv_init(&c->cell->adv);
	strcpy(c->cell->name, name);
	c->cell->line = line;
	return 0;
}

static int scenario_handler(void *user, const char *section, const char *key,
			    const char *value, int line, struct cfg_error *err)
{
	struct scenario_ctx *c = user;
	int r;

	c->line = line;
	if (!key)
		return scenario_section(c, section, line, err);
	if (!section[0]) {
		snprintf(err->msg, sizeof(err->msg),
			 "key before any section; put it under [scenario], "
			 "a [cell NAME] or a [matrix NAME]");
		return -1;
	}
	if (c->in_network)
		return scenario_network_key(c, key, value, line, err);
	/* A [network] scenario refuses these once it is known to be one. */
	if (!c->cell && !c->matrix && !c->puncher && !c->unused_line &&
	    strcmp(key, "description") && strcmp(key, "seed") &&
	    strcmp(key, "realtime")) {
		snprintf(c->unused_key, sizeof(c->unused_key), "%s", key);
		c->unused_line = line;
	}
	if ((r = scenario_puncher_key(c, key, value, line, err)) <= 0)
		return r;
	if (c->cell)
		return scenario_cell_key(c, key, value, err);
	if (c->matrix)
		return scenario_matrix_key(c, key, value, line, err);
	return scenario_main_key(c, key, value, err);
}

/* The shaper holds a packet for the whole one-way delay of its path and
 * takes at most SHAPESPEC_MAX_DELAY_MS: refuse a sum past it here, not
 * when the run has started. (Per-trial draws are cut to it.) */
static int scenario_delay_check(struct scenario_ctx *c,
				const struct scenario_cell *cell,
				struct cfg_error *err)
{
	const struct cell_cond *cc = &cell->cond;

	for (int k = 0; k < 2; k++) {
		const char *key = cellcond_params[CELLCOND_COORD_DELAY_A + k].name;

		if (cellcond_from_coord_ms(cc, k) <= SHAPESPEC_MAX_DELAY_MS)
			continue;
		return cfg_fail(err, c->s->path, cell->line, key,
				"rtt_ms / 2 + %s + access_%c_ms is %g ms in "
				"[cell %s]; the shaper delays a packet at most "
				"%d ms",
				key, k ? 'b' : 'a',
				cellcond_from_coord_ms(cc, k), cell->name,
				SHAPESPEC_MAX_DELAY_MS);
	}
	if (cellcond_peer_ms(cc) > SHAPESPEC_MAX_DELAY_MS)
		return cfg_fail(err, c->s->path, cell->line, "rtt_ms",
				"rtt_ms / 2 + access_a_ms + access_b_ms is %g "
				"ms in [cell %s]; the shaper delays a packet at "
				"most %d ms",
				cellcond_peer_ms(cc), cell->name,
				SHAPESPEC_MAX_DELAY_MS);
	return 0;
}

/* Out of band there is no coordinator to measure hops or port deltas, and
 * the bitcoind modes hand the first connection on (no listener to pick
 * from); natpmp runs bitcoind's own mapping, not a punch: refuse what
 * cannot run before anything exists. */
static int scenario_strategy_check(struct scenario_ctx *c,
				   const struct scenario_cell *cell,
				   struct cfg_error *err)
{
	const struct scenario *s = c->s;
	unsigned st = cell->cond.strategy;
	/* Where the strategy was written: the cell, or [scenario]. */
	int line = (c->cell_params[cell - s->cells] & (1u << CELLCOND_STRATEGY))
			   ? cell->line
			   : c->strategy_line;

	if (s->mode == SCENARIO_MODE_OOB && st != CELLCOND_CONNECT &&
	    st != CELLCOND_LISTEN_CONNECT)
		return cfg_fail(err, s->path, line, "strategy",
				"%s needs the coordinator (mode = out-of-band "
				"in [cell %s]); out of band use connect or "
				"listen-connect",
				cellcond_strategies[st], cell->name);
	if (s->natpmp && (s->node != SCENARIO_NODE_BITCOIND || s->star))
		return cfg_fail(err, s->path, c->natpmp_line, "natpmp",
				"needs node = bitcoind without star (it "
				"runs bitcoind's own port mapping)");
	if (s->node != SCENARIO_NODE_EMBEDDED && st != CELLCOND_CONNECT)
		return cfg_fail(err, s->path, line, "strategy",
				"node = %s punches with connect only (in "
				"[cell %s]); drop the strategy key",
				scenario_node_name(s->node), cell->name);
	return 0;
}

/* Each cell's keys against each other, once [scenario]'s are in. */
static int scenario_cell_checks(struct scenario_ctx *c,
				struct scenario_cell *cell,
				struct cfg_error *err)
{
	if (scenario_delay_check(c, cell, err) < 0 ||
	    scenario_strategy_check(c, cell, err) < 0 ||
	    scenario_home_check(c, cell, err) < 0 ||
	    scenario_adv_check(c, cell, err) < 0 ||
	    scenario_family_check(c, cell, err) < 0 ||
	    scenario_ladder_check(c, cell, err) < 0)
		return -1;
	return 0;
}

/* An adversary cell (or matrix) may give expect_effect for expect: the
 * success rate is then any (0..1, no text: the cell line shows the
 * effect's expectation), the gate judges the effect. */
static int scenario_expect_spared(const struct cell_adv *a, unsigned bit)
{
	return bit == CELL_HAS_EXPECT && a->attack != CELL_ATTACK_NONE &&
	       a->effect_op != CELL_EFFECT_NONE;
}

/* Required keys are checked once the whole file is read; the error names
 * the cell's header line. */
static int scenario_check(struct scenario_ctx *c, struct cfg_error *err)
{
	static const struct {
		unsigned char bit;
		const char *key;
	} required[] = {
	    {CELL_HAS_A, "a"},
	    {CELL_HAS_B, "b"},
	    {CELL_HAS_EXPECT, "expect"},
	};
	struct scenario *s = c->s;
	size_t k;
	int i;

	if (s->net)
		return scenario_network_check(c, err);
	for (i = 0; i < c->nmatrices; i++) {
		for (k = 0; k < sizeof(required) / sizeof(*required); k++)
			if (required[k].bit != CELL_HAS_B &&
			    !(c->matrices[i].has & required[k].bit) &&
			    !scenario_expect_spared(&c->matrices[i].adv,
						    required[k].bit))
				return cfg_fail(err, s->path,
						c->matrices[i].line,
						required[k].key,
						"missing in [matrix %s]; every "
						"matrix needs a, b and expect "
						"(an adversary's may have "
						"expect_effect instead)",
						c->matrices[i].name);
		if (scenario_home_matrix_check(c, &c->matrices[i], err) < 0)
			return -1;
	}
	for (i = 0; i < c->nmatrices; i++)
		if (scenario_expand(c, &c->matrices[i], err) < 0)
			return -1;
	/* Cells inherit [scenario]'s conditions unless they set their own. */
	for (i = 0; i < s->ncells; i++) {
		for (int p = 0; p < CELLCOND_NPARAMS; p++)
			if (!(c->cell_params[i] & (1u << p)) &&
			    (c->default_params & (1u << p))) {
				cellcond_set(&s->cells[i].cond, p,
					     cellcond_get(&c->defaults, p));
				s->cells[i].dist[p] = c->default_dist[p];
			}
		s->cells[i].params |= c->cell_params[i] | c->default_params;
	}
	for (i = 0; i < s->ncells; i++)
		if (scenario_cell_checks(c, &s->cells[i], err) < 0)
			return -1;
	if (scenario_puncher_resolve(c, err) < 0)
		return -1;
	if (!s->ncells)
		return cfg_fail(err, s->path, 0, "",
				"no [cell NAME] section; a scenario needs at "
				"least one");
	for (i = 0; i < s->ncells; i++)
		for (k = 0; k < sizeof(required) / sizeof(*required); k++)
			if (!(c->has[i] & required[k].bit) &&
			    !scenario_expect_spared(&s->cells[i].adv,
						    required[k].bit))
				return cfg_fail(err, s->path, s->cells[i].line,
						required[k].key,
						"missing in [cell %s]; every "
						"cell needs a, b and expect "
						"(b may be left out when home "
						"= shared; an adversary's "
						"expect may be expect_effect)",
						s->cells[i].name);
	for (i = 0; i < s->ncells; i++)
		if (!(c->has[i] & CELL_HAS_EXPECT)) {
			s->cells[i].expect_min = 0;
			s->cells[i].expect_max = 1;
			s->cells[i].expect_text[0] = '\0';
		}
	return 0;
}

int scenario_load(const char *path, const char *profile_dir, struct scenario *s,
		  struct cfg_error *err)
{
	struct scenario_ctx c = {.s = s, .profile_dir = profile_dir};
	const char *base = strrchr(path, '/');
	size_t len;

	memset(s, 0, sizeof(*s));
	s->cells = calloc(SCENARIO_MAX_CELLS, sizeof(*s->cells));
	s->csvs = calloc(SCENARIO_MAX_CSVS, sizeof(*s->csvs));
	if (!s->cells || !s->csvs)
		return cfg_fail(err, path, 0, "", "out of memory");
	s->trials = 20;
	s->seed = 1;
	s->parallel = 8;
	s->timeout_ms = 5000;
	s->timing_error_max_ms = 1.0;
	s->realtime = 1;
	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".ini"))
		len -= 4;
	if (strlen(path) >= sizeof(s->path))
		return cfg_fail(err, path, 0, "", "path too long");
	if (!len || len >= sizeof(s->name))
		return cfg_fail(err, path, 0, "",
				"a scenario name must be 1..%zu characters",
				sizeof(s->name) - 1);
	strcpy(s->path, path);
	memcpy(s->name, base, len);
	s->name[len] = '\0';

	c.matrices = calloc(SCENARIO_MAX_MATRICES, sizeof(*c.matrices));
	if (!c.matrices)
		return cfg_fail(err, path, 0, "", "out of memory");
	int ret = cfg_parse_file(path, scenario_handler, &c, err);
	if (ret == 0)
		ret = scenario_check(&c, err);
	free(c.matrices);
	free(c.netread);
	return ret;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	free(s->cells);
	s->cells = NULL;
	s->ncells = 0;
	free(s->net);
	s->net = NULL;
	for (int i = 0; s->csvs && i < s->ncsvs; i++)
		conddist_csv_free(&s->csvs[i]);
	free(s->csvs);
	s->csvs = NULL;
	s->ncsvs = 0;
}
