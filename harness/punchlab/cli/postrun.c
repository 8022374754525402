/* postrun: results.csv, report.md and JUnit XML over run folders. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "postrun.h"
#include "pyrun.h"

void postrun(const char *results_dir, int report, const char *junit,
	     char **dirs, int ndirs, int ncell)
{
	char out[PATH_MAX], stamp[32];
	char **av = calloc(ndirs + 4, sizeof(*av));
	time_t now = time(NULL);
	int n = 0;

	if (!av || ndirs == 0)
		goto out;
	for (int i = 0; i < ndirs; i++)
		av[n++] = dirs[i];
	if (ncell && pyrun_wait("trialcsv.py", ncell, av) != 0)
		fprintf(stderr, "punchlab: results.csv failed\n");
	if (report) {
		if (ndirs > 1) {
			strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S",
				 localtime(&now));
			snprintf(out, sizeof(out), "%s/reports/%s",
				 results_dir, stamp);
			av[n] = "--out";
			av[n + 1] = out;
		}
		if (pyrun_wait("report.py", n + (ndirs > 1 ? 2 : 0), av) != 0)
			fprintf(stderr, "punchlab: the report failed\n");
	}
	if (junit && ncell) {
		av[ncell] = "--out";
		av[ncell + 1] = (char *)junit;
		if (pyrun_wait("junit.py", ncell + 2, av) != 0)
			fprintf(stderr, "punchlab: JUnit XML failed\n");
	}
out:
	free(av);
}
