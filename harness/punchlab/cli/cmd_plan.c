/* punchlab plan SCENARIO: prints every namespace, link, address, route
 * and NAT load the scenario's world would have, without root and without
 * creating anything. */
#include <stdio.h>
#include <stdlib.h>

#include "plan.h"
#include "punchlab.h"

static void plan_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab plan [--profiles DIR] SCENARIO.ini\n\n"
		   "Prints the topology `punchlab run` and `punchlab up` "
		   "would build for the\nscenario, one step per line, in the "
		   "order they are made (run id 000000),\nthen one `home` "
		   "line per home: its router, public address and hosts.\n"
		   "Needs no root and creates nothing.\n"
		   "Exit codes: 0 printed, 2 bad input.\n");
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
	p = plan_new(s, "000000", err, sizeof(err));
	if (!p) {
		fprintf(stderr, "punchlab plan: %s\n", err);
		punchlab_scenario_free(s);
		return EXIT_USAGE;
	}
	plan_print(p, stdout);
	plan_free(p);
	punchlab_scenario_free(s);
	return EXIT_PASS;
}
