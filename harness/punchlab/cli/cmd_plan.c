/* punchlab plan SCENARIO: prints every namespace, link, address, route
 * and NAT load the scenario's world would have, without root and without
 * creating anything. */
#include <stdio.h>
#include <stdlib.h>

#include "celldraw.h"
#include "netplan.h"
#include "plan.h"
#include "punchlab.h"

static void plan_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab plan [--profiles DIR] SCENARIO.ini\n\n"
		   "Prints the topology `punchlab run` and `punchlab up` "
		   "would build for the\nscenario, one step per line, in the "
		   "order they are made (run id 000000), then each cell's "
		   "conditions\n(a distribution by its spec), the one-way "
		   "delay of its paths, and\nwhich cells run one trial at a "
		   "time,\nthen one `home` line per home: its router, public "
		   "address and hosts.\nNeeds no root and creates nothing.\nExit codes: 0 "
		   "printed, 2 bad input.\n");
}

/* Each cell's condition keys as written (a distribution by its spec)
 * and the one-way delay of each of its paths; a cell with a distribution
 * on a shaper key says its trials run one at a time. */
static void plan_conditions(const struct scenario *s, FILE *f)
{
	char spec[CONDDIST_TEXT_MAX];

	for (int c = 0; c < s->ncells; c++) {
		const struct scenario_cell *sc = &s->cells[c];
		const struct cell_cond *cc = &sc->cond;
		int any = 0;

		for (int i = 0; i < CELLCOND_NPARAMS; i++) {
			if (!cellcond_params[i].drawn ||
			    !(sc->params & (1u << i)))
				continue;
			if (sc->dist[i].kind != CONDDIST_FIXED)
				conddist_format(&sc->dist[i], spec,
						sizeof(spec));
			else
				snprintf(spec, sizeof(spec), "%g",
					 cellcond_get(cc, i));
			fprintf(f, "%s%s=%s", any++ ? " " : "cond ",
				cellcond_params[i].name, spec);
		}
		if (!any)
			continue;
		fprintf(f, " [cell %s]\n", sc->name);
		if (!celldraw_shaped(sc))
			continue;
		fprintf(f,
			"paths [cell %s]%s: a<->b %.3f ms, a->charlie %.3f ms, "
			"charlie->a %.3f ms, b->charlie %.3f ms, charlie->b "
			"%.3f ms one way\n",
			sc->name, celldraw_any(sc) ? " (at the medians)" : "",
			cellcond_peer_ms(cc), cellcond_to_coord_ms(cc, 0),
			cellcond_from_coord_ms(cc, 0),
			cellcond_to_coord_ms(cc, 1),
			cellcond_from_coord_ms(cc, 1));
		if (celldraw_shaper(sc) && s->parallel > 1)
			fprintf(f,
				"parallel [cell %s]: 1, not %d: its paths are "
				"drawn per trial\n",
				sc->name, s->parallel);
	}
}

int cmd_plan(int argc, char **argv)
{
	char err[512] = "";
	struct plan *p;
	int ret;
	struct scenario *s = punchlab_scenario_arg("plan", argc, argv,
						   plan_usage, &ret);

	if (!s)
		return ret;
	if (s->net) { /* a [network] scenario: nodes, not cells */
		struct netplan *np = netplan_new(s, "000000", err, sizeof(err));

		if (np)
			netplan_print(np, stdout);
		else
			fprintf(stderr, "punchlab plan: %s\n", err);
		netplan_free(np);
		punchlab_scenario_free(s);
		return np ? EXIT_PASS : EXIT_USAGE;
	}
	p = plan_new(s, "000000", err, sizeof(err));
	if (!p) {
		fprintf(stderr, "punchlab plan: %s\n", err);
		punchlab_scenario_free(s);
		return EXIT_USAGE;
	}
	plan_print(p, stdout);
	plan_conditions(s, stdout);
	plan_free(p);
	punchlab_scenario_free(s);
	return EXIT_PASS;
}
