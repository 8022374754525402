/* runinfo: run.json (scenario, profiles, run id, seed, kernel, the clock
 * offset that maps pcap times onto the trials' monotonic stamps) and
 * copies of the scenario and every profile as they ran, for
 * `punchlab bundle`: the originals may be edited later. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <jansson.h>

#include "rundir.h"
#include "rt.h"
#include "runinfo.h"

static void copy_file(const char *from, const char *dir, const char *name)
{
	char path[PATH_MAX], buf[4096];
	FILE *in, *out;
	size_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return;
	in = fopen(from, "re");
	out = in ? fopen(path, "we") : NULL;
	while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (out)
		fclose(out);
	if (in)
		fclose(in);
}

/* The scenario and every profile as they ran, for `punchlab bundle`: the
 * originals may be edited later. */
/* The scenario and each profile it loaded (carriers included), once
 * each, into dir; returns the profiles' file names for run.json. */
static json_t *copy_inputs(const char *dir, const struct scenario *s)
{
	char pdir[PATH_MAX], name[PROFILE_NAME_MAX + 8];
	json_t *names = json_array();

	copy_file(s->path, dir, "scenario.ini");
	if (snprintf(pdir, sizeof(pdir), "%s/profiles", dir) >=
		    (int)sizeof(pdir) ||
	    rundir_mkdir_p(pdir) < 0)
		return names;
	for (int c = 0; c < s->ncells; c++) {
		const struct scenario_cell *sc = &s->cells[c];
		const struct nat_profile *p[4] = {
			&sc->a, &sc->b, sc->a_has_carrier ? &sc->a_carrier : NULL,
			sc->b_has_carrier ? &sc->b_carrier : NULL
		};

		for (int k = 0; k < 4; k++) {
			size_t i;
			json_t *v;
			int seen = 0;

			if (!p[k])
				continue;
			snprintf(name, sizeof(name), "%s.ini", p[k]->name);
			json_array_foreach(names, i, v)
				seen |= !strcmp(json_string_value(v), name);
			if (seen)
				continue;
			copy_file(p[k]->path, pdir, name);
			json_array_append_new(names, json_string(name));
		}
	}
	return names;
}

/* realtime_minus_monotonic_ns maps pcap times (CLOCK_REALTIME) onto the
 * trials' CLOCK_MONOTONIC stamps; profile_files lists the copies in
 * profiles/ that `punchlab bundle` packs. */
void runinfo_write(const char *dir, const struct scenario *s,
		   const char *rid, const char *profile_dir)
{
	struct timespec rt, mono;
	struct utsname u;
	char path[PATH_MAX], prof[PATH_MAX];
	json_t *j;

	if (snprintf(path, sizeof(path), "%s/run.json", dir) >=
	    (int)sizeof(path))
		return;
	uname(&u);
	if (!realpath(profile_dir, prof))
		snprintf(prof, sizeof(prof), "%s", profile_dir);
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:o}", "scenario",
		      s->name, "path", s->path, "profiles", prof, "run_id",
		      rid, "seed", (json_int_t)s->seed, "kernel", u.release,
		      "realtime_minus_monotonic_ns",
		      (json_int_t)((rt.tv_sec - mono.tv_sec) * 1000000000LL +
				   (rt.tv_nsec - mono.tv_nsec)),
		      "profile_files", copy_inputs(dir, s));
	/* Whether agents, coordinator and shaper were to run under
	 * SCHED_FIFO and could; each reports what it got ("rt" in trials
	 * and in the shaper's ready line). */
	if (j)
		json_object_set_new(
			j, "realtime",
			json_pack("{s:b, s:b}", "requested", s->realtime,
				  "available", rt_available()));
	if (j)
		json_dump_file(j, path, JSON_INDENT(2));
	json_decref(j);
}
