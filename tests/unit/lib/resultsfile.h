/* resultsfile: a one-cell run's summary.json as results_write writes it,
 * to a scratch file and read back, for the fold tests. Header only: the
 * tests include results.c's source themselves, before this. */
#ifndef RESULTSFILE_H
#define RESULTSFILE_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <CUnit/Basic.h>

/* Writes cell c with its results *r (freed here) into *summary (the
 * parsed file, NULL when unreadable); results_write's return. */
static int resultsfile_cell(struct scenario_cell *c, struct cell_result *r,
			    json_t **summary)
{
	struct scenario s = {.trials = 2,
			     .parallel = 1,
			     .timing_error_max_ms = 1,
			     .ncells = 1,
			     .cells = c};
	char path[] = "/tmp/test_results_XXXXXX";
	int fd = mkstemp(path), failed;

	snprintf(s.name, sizeof(s.name), "%s", c->name);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	failed = results_write(&s, "abc123", r, NULL, "none", path);
	*summary = json_load_file(path, 0, NULL);
	unlink(path);
	results_cell_free(r);
	return failed;
}

#endif
