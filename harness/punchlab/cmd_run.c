/* punchlab run: reads every scenario first (bad input creates nothing),
 * then for each one builds its world, starts the coordinator, runs the
 * trials, writes results and tears everything down. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "btcnode.h"
#include "btcprobe.h"
#include "cleanup.h"
#include "daemons.h"
#include "linkcond.h"
#include "log.h"
#include "nat.h"
#include "proc.h"
#include "punchlab.h"
#include "results.h"
#include "trials.h"
#include "world.h"


struct run_opts {
	const char *results_dir;
	const char *profile_dir;
	const char *only_cell;
	const char *junit;
	int only_trial;
	int report;
	int verbose;
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: punchlab run [OPTIONS] SCENARIO.ini...\n\n"
		"Builds each scenario's namespaces and NATs, runs its trials "
		"and\nchecks each cell's success rate against its "
		"expectation.\n\n"
		"  --results DIR    where runs are written (default: results)\n"
		"  --profiles DIR   NAT profile folder (default: "
		"nat-profiles)\n"
		"  --cell NAME      run only this cell\n"
		"  --trial N        run only trial N (with --cell: reproduce "
		"one trial)\n"
		"  --report         write report.md and figures when done\n"
		"  --junit FILE     write JUnit XML of the cells' verdicts\n"
		"  -v, --verbose    agents and coordinator log more\n"
		"  -h, --help       this text\n\n"
		"Writes results/<scenario>/<run-id>/{trials.jsonl,summary.json,"
		"*.log}.\nExit codes: 0 every cell met its expectation, 1 a "
		"cell did not or the\nrun failed, 2 bad input, 4 not root.\n");
}

/* A counter of the side's router plus its carrier's, -1 if unreadable. */
static long long side_counter(struct world *w, const struct world_side *sd,
			      const char *name)
{
	unsigned long long v, sum = 0;

	if (nat_counter(sd->router.fd, w->table, name, &v))
		return -1;
	sum += v;
	if (sd->carrier.fd >= 0) {
		if (nat_counter(sd->carrier.fd, w->table, name, &v))
			return -1;
		sum += v;
	}
	return (long long)sum;
}

static void read_counters(struct world *w, struct nat_counts (*nc)[2])
{
	for (int c = 0; c < w->ncells; c++)
		for (int s = 0; s < 2; s++) {
			const struct world_side *sd = &w->cells[c].side[s];

			nc[c][s].syn_dropped =
				side_counter(w, sd, "syn_dropped");
			nc[c][s].rst_sent = side_counter(w, sd, "rst_sent");
		}
}

static void write_run_info(const char *dir, const struct scenario *s,
			   const char *rid)
{
	struct utsname u;
	char path[PATH_MAX];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/run.json", dir) >=
	    (int)sizeof(path))
		return;
	f = fopen(path, "we");
	if (!f)
		return;
	uname(&u);
	fprintf(f,
		"{\"scenario\": \"%s\", \"path\": \"%s\", \"run_id\": \"%s\", "
		"\"seed\": %llu, \"kernel\": \"%s\"}\n",
		s->name, s->path, rid, (unsigned long long)s->seed, u.release);
	fclose(f);
}

#define RUN_SKIPPED (-100000) /* not an errno: the scenario was skipped */

/* One scenario, start to finish; its folder goes to dir_out. Returns
 * failed cells (>= 0), RUN_SKIPPED, or -errno. */
static int run_one(const struct scenario *s, const struct run_opts *o,
		   char *dir_out, size_t dir_cap)
{
	struct cell_result *res = NULL;
	struct nat_counts(*nc)[2] = NULL;
	char rid[RUNID_LEN + 1], dir[PATH_MAX], err[1024] = "",
				   agent[PATH_MAX], path[PATH_MAX];
	struct trials_cfg tc;
	struct world *w = NULL;
	const char *link_method = "none", *bitcoind = NULL;
	FILE *jsonl = NULL;
	int e, logfd = -1, only_cell = -1;
	pid_t coord;

	if (o->only_cell) {
		for (int c = 0; c < s->ncells; c++)
			if (!strcmp(s->cells[c].name, o->only_cell))
				only_cell = c;
		if (only_cell < 0) {
			fprintf(stderr, "punchlab run: %s has no cell '%s'\n",
				s->path, o->only_cell);
			return -EINVAL;
		}
	}
	if (s->node != NODE_EMBEDDED) {
		struct btcprobe caps;

		if (btcnode_find(&bitcoind, NULL) < 0) {
			printf("SKIP: %s needs bitcoind: set BITCOIND (and "
			       "BITCOIN_CLI) to your build\n",
			       s->name);
			return RUN_SKIPPED;
		}
		if (s->node == NODE_BITCOIND_IMPORT &&
		    (btcprobe_get(bitcoind, &caps) < 0 ||
		     !caps.importpeersocket)) {
			printf("SKIP: %s needs a bitcoind with "
			       "-importpeersocket; %s has none\n",
			       s->name, bitcoind);
			return RUN_SKIPPED;
		}
	}
	if ((e = runid_new(rid)) < 0 ||
	    (e = punchlab_sibling("punch-agent", agent, sizeof(agent))) < 0)
		return e;
	snprintf(dir, sizeof(dir), "%s/%s/%s", o->results_dir, s->name, rid);
	if ((e = daemons_mkdir_p(dir)) < 0) {
		fprintf(stderr, "punchlab run: cannot create %s: %s\n", dir,
			strerror(-e));
		return e;
	}
	snprintf(dir_out, dir_cap, "%s", dir);
	printf("%s (run %s, %d cells x %d trials) -> %s\n", s->name, rid,
	       s->ncells, only_cell >= 0 || o->only_trial >= 0 ? 1 : s->trials,
	       dir);
	fflush(stdout);
	write_run_info(dir, s, rid);
	res = calloc(s->ncells, sizeof(*res));
	nc = calloc(s->ncells, sizeof(*nc));
	if (!res || !nc) {
		e = -ENOMEM;
		goto out;
	}
	w = world_new(rid, s, &punchlab_stop, err, sizeof(err));
	if (!w) {
		e = -errno;
		fprintf(stderr, "punchlab run: %s: building the testbed: %s\n",
			s->name, err);
		goto out;
	}
	if ((e = daemons_shaper(w, s, dir, &link_method, 0)) < 0)
		goto out;
	coord = daemons_coordinator(w, dir, o->verbose, 0);
	if (coord < 0) {
		e = coord;
		goto out;
	}
	jsonl = NULL;
	if (snprintf(path, sizeof(path), "%s/trials.jsonl", dir) <
	    (int)sizeof(path))
		jsonl = fopen(path, "we");
	logfd = daemons_open_out(dir, "agents.log", O_APPEND);
	if (!jsonl || logfd < 0) {
		e = -errno;
		goto out;
	}
	tc = (struct trials_cfg){ .s = s,
				  .w = w,
				  .agent_path = agent,
				  .log_fd = logfd,
				  .stop = &punchlab_stop,
				  .progress = isatty(2),
				  .only_cell = only_cell,
				  .only_trial = o->only_trial,
				  .bitcoind = bitcoind,
				  .run_dir = dir,
				  .node = (enum trials_node)s->node };
	e = s->node == NODE_EMBEDDED ? trials_run(&tc, jsonl, res) :
				       btctrials_run(&tc, jsonl, res);
	if (e < 0)
		goto out;
	read_counters(w, nc);
	if (snprintf(path, sizeof(path), "%s/summary.json", dir) >=
	    (int)sizeof(path)) {
		e = -ENAMETOOLONG;
		goto out;
	}
	e = results_write(s, rid, res, nc, link_method, path);
out:
	if (e == -EINTR || punchlab_stop)
		fprintf(stderr, "punchlab run: interrupted, removing run %s\n",
			rid);
	world_free(w);
	if (jsonl)
		fclose(jsonl);
	if (logfd >= 0)
		close(logfd);
	for (int c = 0; res && c < s->ncells; c++)
		cell_result_free(&res[c]);
	free(res);
	free(nc);
	return e;
}

/* Report and JUnit XML over every run folder this invocation wrote. */
static void post_process(const struct run_opts *o, char **dirs, int ndirs)
{
	char out[PATH_MAX], stamp[32];
	char **av = calloc(ndirs + 4, sizeof(*av));
	time_t now = time(NULL);
	int n = 0;

	if (!av || ndirs == 0)
		goto out;
	for (int i = 0; i < ndirs; i++)
		av[n++] = dirs[i];
	if (o->report) {
		if (ndirs > 1) {
			strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S",
				 localtime(&now));
			snprintf(out, sizeof(out), "%s/reports/%s",
				 o->results_dir, stamp);
			av[n] = "--out";
			av[n + 1] = out;
		}
		if (punchlab_python_wait("report.py", n + (ndirs > 1 ? 2 : 0),
					 av) != 0)
			fprintf(stderr, "punchlab run: the report failed\n");
	}
	if (o->junit) {
		av[n] = "--out";
		av[n + 1] = (char *)o->junit;
		if (punchlab_python_wait("junit.py", n + 2, av) != 0)
			fprintf(stderr, "punchlab run: JUnit XML failed\n");
	}
out:
	free(av);
}

int cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "cell", required_argument, NULL, 'c' },
		{ "trial", required_argument, NULL, 't' },
		{ "report", no_argument, NULL, 'R' },
		{ "junit", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .results_dir = "results",
			      .profile_dir = punchlab_profile_dir(),
			      .only_trial = -1 };
	struct scenario *sc;
	char **dirs;
	int opt, n, failed = 0, broken = 0, ret, ndirs = 0, skipped = 0;
	char *end;

	while ((opt = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (opt) {
		case 'r':
			o.results_dir = optarg;
			break;
		case 'p':
			o.profile_dir = optarg;
			break;
		case 'c':
			o.only_cell = optarg;
			break;
		case 't':
			errno = 0;
			o.only_trial = (int)strtol(optarg, &end, 10);
			if (errno || *end || o.only_trial < 0) {
				fprintf(stderr, "punchlab run: --trial wants a "
						"number >= 0\n");
				return EXIT_USAGE;
			}
			break;
		case 'R':
			o.report = 1;
			break;
		case 'j':
			o.junit = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			run_usage(stdout);
			return EXIT_PASS;
		default:
			run_usage(stderr);
			return EXIT_USAGE;
		}
	}
	n = argc - optind;
	if (n < 1) {
		run_usage(stderr);
		return EXIT_USAGE;
	}
	sc = calloc(n, sizeof(*sc));
	if (!sc)
		return EXIT_FAIL;
	/* All input is checked before anything is created. */
	for (int i = 0; i < n; i++) {
		struct cfg_error ce;
		char msg[1200];

		if (scenario_load(argv[optind + i], o.profile_dir, &sc[i],
				  &ce) < 0) {
			fprintf(stderr, "punchlab run: %s\n",
				cfg_error_str(&ce, msg, sizeof(msg)));
			free(sc);
			return EXIT_USAGE;
		}
	}
	if (o.only_trial >= 0)
		for (int i = 0; i < n; i++)
			if (o.only_trial >= sc[i].trials) {
				fprintf(stderr,
					"punchlab run: %s has trials 0..%d\n",
					sc[i].path, sc[i].trials - 1);
				free(sc);
				return EXIT_USAGE;
			}
	ret = punchlab_need_root("run");
	if (ret != EXIT_PASS) {
		free(sc);
		return ret;
	}
	log_init("punchlab", o.verbose);
	punchlab_signals();
	dirs = calloc(n + 4, sizeof(*dirs));
	if (!dirs) {
		free(sc);
		return EXIT_FAIL;
	}
	for (int i = 0; i < n && !punchlab_stop; i++) {
		char dir[PATH_MAX] = "";
		int r = run_one(&sc[i], &o, dir, sizeof(dir));

		if (dir[0] && r >= 0)
			dirs[ndirs++] = strdup(dir);
		if (r == RUN_SKIPPED) {
			skipped++;
			continue;
		}
		if (r < 0) {
			if (r == -EINVAL) {
				free(sc);
				return EXIT_USAGE;
			}
			broken++;
		} else {
			failed += r;
		}
	}
	free(sc);
	if (!punchlab_stop)
		post_process(&o, dirs, ndirs);
	for (int i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	if (punchlab_stop)
		return EXIT_FAIL;
	if (broken || failed) {
		printf("punchlab: %d cell(s) outside expectation, %d "
		       "scenario(s) could not run\n",
		       failed, broken);
		return EXIT_FAIL;
	}
	if (skipped == n) {
		printf("punchlab: every scenario skipped\n");
		return EXIT_SKIP;
	}
	printf("punchlab: every cell within its expectation%s\n",
	       skipped ? " (some scenarios skipped)" : "");
	return EXIT_PASS;
}
