/* scenario_home: the home keys of a cell (home, hosts_a, hosts_b) and
 * what they require of b, the mode and the node. */
#include <string.h>

#include "scenario_home.h"

static int matrix_all_shared(const struct scenario_ctx *c,
			     const struct scenario_matrix *m)
{
	int n = m->nvals[CELLCOND_HOME];

	if (!n)
		return (c->default_params & (1u << CELLCOND_HOME)) &&
		       c->defaults.home == CELLCOND_HOME_SHARED;
	for (int i = 0; i < n; i++)
		if (m->vals[CELLCOND_HOME][i] != CELLCOND_HOME_SHARED)
			return 0;
	return 1;
}

int scenario_home_matrix_check(struct scenario_ctx *c,
			       const struct scenario_matrix *m,
			       struct cfg_error *err)
{
	if ((m->has & CELL_HAS_B) || matrix_all_shared(c, m))
		return 0;
	return cfg_fail(err, c->s->path, m->line, "b",
			"missing in [matrix %s]; a matrix needs b unless "
			"every cell it makes has home = shared",
			m->name);
}

int scenario_home_skip(const struct scenario_matrix *m, int ia, int ib,
		       const int *idx)
{
	if (!(m->has & CELL_HAS_B) || !m->nvals[CELLCOND_HOME])
		return 0;
	return m->vals[CELLCOND_HOME][idx[CELLCOND_HOME]] ==
		       CELLCOND_HOME_SHARED &&
	       strcmp(m->a[ia], m->b[ib]) != 0;
}

/* A shared home: bob's router is alice's. */
static int shared_b(struct scenario_ctx *c, struct scenario_cell *cell,
		    struct cfg_error *err)
{
	unsigned char *has = &c->has[cell - c->s->cells];
	const struct cell_cond *cc = &cell->cond;

	if ((*has & CELL_HAS_B) && strcmp(cell->a.name, cell->b.name))
		return cfg_fail(err, c->s->path, cell->line, "b",
				"[cell %s] has home = shared: bob sits behind "
				"router a (%s), so b cannot be %s; leave b out",
				cell->name, cell->a.name, cell->b.name);
	if (cc->hosts_b || cc->coord_delay_b_ms > 0)
		return cfg_fail(err, c->s->path, cell->line,
				cc->hosts_b ? "hosts_b" : "coord_delay_b_ms",
				"[cell %s] has home = shared: there is no "
				"router b; use hosts_a / coord_delay_a_ms",
				cell->name);
	cell->b = cell->a;
	cell->b_carrier = cell->a_carrier;
	cell->b_has_carrier = cell->a_has_carrier;
	*has |= CELL_HAS_B;
	return 0;
}

int scenario_home_check(struct scenario_ctx *c, struct scenario_cell *cell,
			struct cfg_error *err)
{
	const struct scenario *s = c->s;
	const struct cell_cond *cc = &cell->cond;
	const char *key = cc->hosts_a ? "hosts_a" : "hosts_b";

	if (!(c->has[cell - s->cells] & CELL_HAS_A))
		return 0; /* reported as missing afterwards */
	if (cc->home == CELLCOND_HOME_SHARED && shared_b(c, cell, err) < 0)
		return -1;
	if (!cc->hosts_a && !cc->hosts_b)
		return 0;
	/* A background node is a punch-agent registering with charlie
	 * under a key nobody else uses: it needs charlie's rendezvous, and
	 * the bitcoind trial loops start no such node. */
	if (s->mode == SCENARIO_MODE_RENDEZVOUS &&
	    s->node == SCENARIO_NODE_EMBEDDED)
		return 0;
	return cfg_fail(
		err, s->path, cell->line, key, "[cell %s]: background nodes %s",
		cell->name,
		s->mode != SCENARIO_MODE_RENDEZVOUS
			? "register with the coordinator; they run "
			  "with mode = rendezvous only"
			: "run with node = embedded only; for two "
			  "bitcoind behind one router use home = shared");
}
