/* punchlab merge RUN_DIR...: the shards of one run (`punchlab run
 * --shard I/N` on several machines) joined into one run folder. The
 * summary is not stitched from the shards' summaries: every trial line is
 * accounted again through results.c, as `punchlab run` does, so the
 * merged summary.json, report and verdicts are those of one run. Each
 * trial keeps its seed and draw (checked against the scenario's own). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "celldraw.h"
#include "mergein.h"
#include "postrun.h"
#include "punchlab.h"
#include "results.h"
#include "rundir.h"
#include "runid.h"
#include "runinfo.h"

struct merge_opts {
	const char *results_dir, *scenario, *profiles, *junit;
	int report;
};

/* The merged trials: each cell's lines by trial number. */
struct merge_out {
	struct cell_result *res;
	struct nat_counts (*nc)[2];
	char **line; /* [cell * trials + trial], NULL: not seen */
};

static void merge_usage(FILE *f)
{
	fprintf(f,
		"Usage: punchlab merge [OPTIONS] RUN_DIR...\n\n"
		"Joins run folders of one scenario (the shards of `punchlab "
		"run --shard I/N`)\ninto a new run folder "
		"<results>/<scenario>/<run-id>/: trials.jsonl\n(each line "
		"keeps its seed; run_id becomes the new one, shard_run_id "
		"the\nold), summary.json recomputed from the trials, and "
		"results.csv.\n\n"
		"  --results DIR    where the merged run goes (default: "
		"results)\n"
		"  --scenario FILE  the scenario file (default: the first "
		"folder's run.json\n"
		"                   path); every folder must have run this "
		"very file\n"
		"  --profiles DIR   NAT profile folder (default: "
		"nat-profiles)\n"
		"  --report         write report.md and figures\n"
		"  --junit FILE     write JUnit XML of the cells' verdicts\n"
		"  -h, --help       this text\n\n"
		"Refused (exit 2, naming the folders or cells): mixed "
		"scenarios, seeds or\nshard counts, a cell in two folders, a "
		"cell in none, a trial twice, a\ntrial whose draw is not the "
		"scenario's.\nExit codes: 0 every cell met its expectation, 1 "
		"a cell did not, 2 bad input.\n");
}

static double jnum(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* What the trial lines do not hold: the NAT counters and the shaper's
 * lateness, read once per cell at its run's end; a cell ran whole in
 * one folder, so its own summary's figures are the cell's. */
static void cell_tail(json_t *cj, struct cell_result *r,
		      struct nat_counts nc[2])
{
	json_t *nat = json_object_get(cj, "nat_counters");

	for (int sd = 0; sd < 2; sd++) {
		json_t *n = json_object_get(nat, sd ? "b" : "a");

		nc[sd].syn_dropped = (long long)jnum(n, "syn_dropped", -1);
		nc[sd].rst_sent = (long long)jnum(n, "rst_sent", -1);
	}
	if (json_is_number(json_object_get(cj, "shaper_late_us_mean"))) {
		r->timing.shaped = 1;
		r->timing.shaper_released = 1;
		r->timing.shaper_late_us_mean =
			jnum(cj, "shaper_late_us_mean", 0);
		r->timing.shaper_late_us_max = jnum(cj, "shaper_late_us_max", 0);
	}
}

/* One trial line of folder i: checked, kept, accounted. */
static int take_trial(const struct mergein *m, struct merge_out *mo, int i,
		      json_t *rec, const char *rid, const char *where,
		      char *err, size_t cap)
{
	const struct scenario *s = &m->s;
	const char *name = json_string_value(json_object_get(rec, "cell"));
	json_t *t = json_object_get(rec, "trial"), *drawn;
	struct cell_cond cc;
	int c = -1, trial, same;
	char **slot;

	for (int k = 0; name && k < s->ncells && c < 0; k++)
		if (!strcmp(s->cells[k].name, name))
			c = k;
	trial = json_is_integer(t) ? (int)json_integer_value(t) : -1;
	if (c < 0 || m->owner[c] != i || trial < 0 || trial >= s->trials) {
		snprintf(err, cap, "%s: cell '%s' trial %d is not one of this "
			 "folder's (its summary.json lists other cells)",
			 where, name ? name : "?", trial);
		return -EINVAL;
	}
	slot = &mo->line[c * s->trials + trial];
	if (*slot) {
		snprintf(err, cap, "%s: trial %d of cell '%s' twice", where,
			 trial, name);
		return -EINVAL;
	}
	/* Sharding must not move a draw: the trial's conditions are the
	 * ones (seed, cell name, trial) give here and now. */
	celldraw_trial(s, c, trial, &cc);
	drawn = results_cond_json(&s->cells[c], &cc);
	same = !json_object_get(rec, "cond") ||
	       json_equal(drawn, json_object_get(rec, "cond"));
	json_decref(drawn);
	if (!same || (json_int_t)s->seed !=
			     json_integer_value(json_object_get(rec, "seed"))) {
		snprintf(err, cap, "%s: trial %d of cell '%s' drew other "
			 "conditions or seed than the scenario gives", where,
			 trial, name);
		return -EINVAL;
	}
	json_object_set(rec, "shard_run_id", json_object_get(rec, "run_id"));
	json_object_set_new(rec, "run_id", json_string(rid));
	if (!(*slot = json_dumps(rec, JSON_COMPACT)))
		return -ENOMEM;
	results_account(&mo->res[c],
			 outcome_parse(json_string_value(
				 json_object_get(rec, "outcome"))),
			 jnum(rec, "ttc_ms", -1), jnum(rec, "handshake_ms", -1));
	results_cond(&mo->res[c], &cc);
	timing_trial(rec, NULL, &mo->res[c].timing);
	if (results_adv(&mo->res[c], rec) < 0)
		return -ENOMEM;
	return 0;
}

static int read_trials(const struct mergein *m, struct merge_out *mo, int i,
		       const char *rid, char *err, size_t cap)
{
	char path[PATH_MAX], where[PATH_MAX + 16], *buf = NULL;
	size_t bcap = 0;
	json_error_t jerr;
	int no = 0, e = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trials.jsonl", m->src[i].dir);
	if (!(f = fopen(path, "re"))) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	while (e == 0 && getline(&buf, &bcap, f) > 0) {
		json_t *rec;

		snprintf(where, sizeof(where), "%s:%d", path, ++no);
		if (buf[strspn(buf, " \t\r\n")] == '\0')
			continue;
		if (!(rec = json_loads(buf, 0, &jerr)) ||
		    !json_is_object(rec)) {
			snprintf(err, cap, "%s: not a trial (%s)", where,
				 jerr.text);
			e = -EINVAL;
		} else {
			e = take_trial(m, mo, i, rec, rid, where, err, cap);
		}
		json_decref(rec);
	}
	free(buf);
	fclose(f);
	return e;
}

/* Every cell has the trials its folder's summary counted. */
static int check_counts(const struct mergein *m, struct merge_out *mo,
			char *err, size_t cap)
{
	for (int c = 0; c < m->s.ncells; c++) {
		json_int_t want = json_integer_value(
			json_object_get(m->cell_json[c], "trials"));

		if ((json_int_t)mo->res[c].trials != want) {
			snprintf(err, cap,
				 "%s: cell '%s' has %u trials in trials.jsonl, "
				 "summary.json counts %lld",
				 m->src[m->owner[c]].dir, m->s.cells[c].name,
				 mo->res[c].trials, (long long)want);
			return -EINVAL;
		}
		cell_tail(m->cell_json[c], &mo->res[c], mo->nc[c]);
	}
	return 0;
}

/* run.json and summary.json name the folders merged. */
static json_t *merged_from(const struct mergein *m)
{
	json_t *a = json_array();

	for (int i = 0; i < m->nsrc; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:O, s:O*}", "dir", m->src[i].dir,
				     "run_id",
				     json_object_get(m->src[i].run, "run_id"),
				     "shard",
				     json_object_get(m->src[i].summary,
						     "shard")));
	return a;
}

static int write_out(const struct mergein *m, struct merge_out *mo,
		     const char *dir, const char *rid, const char *profiles)
{
	const struct scenario *s = &m->s;
	char path[PATH_MAX];
	const char *link;
	json_t *j;
	FILE *f;
	int failed, fd;

	fd = rundir_open(dir, "trials.jsonl", O_TRUNC);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -errno;
	for (int k = 0; k < s->ncells * s->trials; k++)
		if (mo->line[k])
			fprintf(f, "%s\n", mo->line[k]);
	fclose(f);
	/* run.json and the inputs' copies as a run writes them (the clock
	 * offset is the merging machine's: a merged folder has no pcaps). */
	runinfo_write(dir, s, rid, profiles);
	snprintf(path, sizeof(path), "%s/run.json", dir);
	if ((j = json_load_file(path, 0, NULL))) {
		json_object_set_new(j, "merged_from", merged_from(m));
		json_dump_file(j, path, JSON_INDENT(2));
		json_decref(j);
	}
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	link = json_string_value(
		json_object_get(m->src[0].summary, "link_conditions"));
	failed = results_write(s, rid, mo->res, mo->nc, link ? link : "none",
			       path);
	if (failed < 0 || !(j = json_load_file(path, 0, NULL)))
		return failed < 0 ? failed : -EIO;
	json_object_set_new(j, "merged_from", merged_from(m));
	json_dump_file(j, path, JSON_INDENT(2));
	json_decref(j);
	return failed;
}

/* The merge proper: 0 or more failed cells, -EINVAL (err says why) or
 * another -errno. */
static int merge(const struct merge_opts *o, char **dirs, int ndirs,
		 char *out, size_t out_cap, char *err, size_t cap)
{
	struct merge_out mo = { 0 };
	struct mergein m;
	char rid[RUNID_LEN + 1];
	int e, ncells = 0;

	if ((e = mergein_open(&m, dirs, ndirs, err, cap)) < 0 ||
	    (e = mergein_scenario(&m, o->scenario, o->profiles, err, cap)) < 0)
		goto out;
	ncells = m.s.ncells;
	mo.res = calloc(ncells, sizeof(*mo.res));
	mo.nc = calloc(ncells, sizeof(*mo.nc));
	mo.line = calloc((size_t)ncells * m.s.trials, sizeof(*mo.line));
	if (!mo.res || !mo.nc || !mo.line || (e = runid_new(rid)) < 0) {
		e = e < 0 ? e : -ENOMEM;
		goto out;
	}
	for (int c = 0; c < ncells && e == 0; c++)
		e = results_cell_init(&mo.res[c], m.s.trials);
	for (int i = 0; i < m.nsrc && e == 0; i++)
		e = read_trials(&m, &mo, i, rid, err, cap);
	if (e < 0 || (e = check_counts(&m, &mo, err, cap)) < 0)
		goto out;
	snprintf(out, out_cap, "%s/%s/%s", o->results_dir, m.s.name, rid);
	if ((e = rundir_mkdir_p(out)) < 0)
		goto out;
	printf("%s (merged %d folders -> run %s, %d cells x %d trials) -> "
	       "%s\n",
	       m.s.name, ndirs, rid, ncells, m.s.trials, out);
	e = write_out(&m, &mo, out, rid, o->profiles);
out:
	for (int c = 0; mo.res && c < ncells; c++)
		results_cell_free(&mo.res[c]);
	for (size_t k = 0; mo.line && k < (size_t)ncells * m.s.trials; k++)
		free(mo.line[k]);
	free(mo.res);
	free(mo.nc);
	free(mo.line);
	mergein_free(&m);
	return e;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "scenario", required_argument, NULL, 's' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "report", no_argument, NULL, 'R' },
		{ "junit", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct merge_opts o = { .results_dir = "results",
				.profiles = punchlab_profile_dir() };
	char out[PATH_MAX] = "", err[3 * PATH_MAX] = "", *dir = out;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'r':
			o.results_dir = optarg;
			break;
		case 's':
			o.scenario = optarg;
			break;
		case 'p':
			o.profiles = optarg;
			break;
		case 'R':
			o.report = 1;
			break;
		case 'j':
			o.junit = optarg;
			break;
		case 'h':
			merge_usage(stdout);
			return EXIT_PASS;
		default:
			merge_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		merge_usage(stderr);
		return EXIT_USAGE;
	}
	r = merge(&o, argv + optind, argc - optind, out, sizeof(out), err,
		  sizeof(err));
	if (r < 0) {
		fprintf(stderr, "punchlab merge: %s\n",
			err[0] ? err : strerror(-r));
		return r == -EINVAL ? EXIT_USAGE : EXIT_FAIL;
	}
	postrun(o.results_dir, o.report, o.junit, &dir, 1, 1);
	if (r > 0) {
		printf("punchlab: %d cell(s) outside expectation\n", r);
		return EXIT_FAIL;
	}
	printf("punchlab: every cell within its expectation\n");
	return EXIT_PASS;
}
