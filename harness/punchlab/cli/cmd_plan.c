/* punchlab plan SCENARIO: prints every namespace, link, address, route
 * and NAT load the scenario's world would have, without root and without
 * creating anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "punchlab.h"

static void plan_usage(FILE *f)
{
	fprintf(f, "Usage: punchlab plan [--profiles DIR] SCENARIO.ini\n\n"
		   "Prints the topology `punchlab run` and `punchlab up` "
		   "would build for the\nscenario, one step per line, in the "
		   "order they are made (run id 000000).\nNeeds no root and "
		   "creates nothing.\nExit codes: 0 printed, 2 bad input.\n");
}

int cmd_plan(int argc, char **argv)
{
	const char *profiles = punchlab_profile_dir(), *path = NULL;
	char err[512] = "", msg[1200];
	struct cfg_error ce;
	struct scenario *s;
	struct plan *p;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			plan_usage(stdout);
			return EXIT_PASS;
		} else if (!strcmp(argv[i], "--profiles") && i + 1 < argc) {
			profiles = argv[++i];
		} else if (!path && argv[i][0] != '-') {
			path = argv[i];
		} else {
			plan_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!path) {
		plan_usage(stderr);
		return EXIT_USAGE;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return EXIT_FAIL;
	if (scenario_load(path, profiles, s, &ce) < 0) {
		fprintf(stderr, "punchlab plan: %s\n",
			cfg_error_str(&ce, msg, sizeof(msg)));
		free(s);
		return EXIT_USAGE;
	}
	p = plan_new(s, "000000", err, sizeof(err));
	if (!p) {
		fprintf(stderr, "punchlab plan: %s\n", err);
		free(s);
		return EXIT_USAGE;
	}
	plan_print(p, stdout);
	plan_free(p);
	free(s);
	return EXIT_PASS;
}
