/* punchlab report RUN...: hands the run folders to harness/py/report.py. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "punchlab.h"
#include "pyrun.h"

int cmd_report(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "Usage: punchlab report RUN_DIR... [--out DIR]\n"
				"(`punchlab report --help` for more)\n");
		return EXIT_USAGE;
	}
	return pyrun_exec("report.py", argc - 1, argv + 1);
}
