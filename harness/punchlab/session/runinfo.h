/* runinfo: what a run folder records about how it ran. */
#ifndef PUNCHLAB_RUNINFO_H
#define PUNCHLAB_RUNINFO_H

#include "scenario.h"

/* <dir>/run.json, <dir>/scenario.ini and <dir>/profiles/<name>.ini. */
void runinfo_write(const char *dir, const struct scenario *s,
		   const char *rid, const char *profile_dir);

#endif
