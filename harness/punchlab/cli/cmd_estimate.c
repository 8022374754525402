/* punchlab estimate POPULATION RUN_DIR...: how often punching would work
 * between two home nodes drawn from a population of NAT profiles, from
 * measured runs; computed by harness/py/estimate.py (--help there). */
#include <stdio.h>

#include "punchlab.h"
#include "pyrun.h"

int cmd_estimate(int argc, char **argv)
{
	if (argc < 3 && !(argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr,
			"Usage: punchlab estimate POPULATION RUN_DIR... "
			"[--json] [options]\n"
			"(`punchlab estimate --help` for more)\n");
		return EXIT_USAGE;
	}
	return pyrun_exec("estimate.py", argc - 1, argv + 1);
}
