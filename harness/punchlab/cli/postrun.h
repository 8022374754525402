/* postrun: what follows the trials of `punchlab run` and `punchlab
 * merge` — results.csv, and on request report.md and JUnit XML — over
 * the run folders written, by the Python scripts of harness/py/. */
#ifndef PUNCHLAB_POSTRUN_H
#define PUNCHLAB_POSTRUN_H

/* The first ncell of dirs are cell runs (results.csv, report, JUnit),
 * the rest network runs (their Network section in the report only).
 * report: write report.md (several folders: into results_dir/reports/
 * <stamp>); junit: JUnit XML to this file, NULL: none. Failures are
 * said on stderr; the verdicts are the caller's. */
void postrun(const char *results_dir, int report, const char *junit,
	     char **dirs, int ndirs, int ncell);

#endif
