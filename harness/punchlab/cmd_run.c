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

#include "cleanup.h"
#include "log.h"
#include "nat.h"
#include "proc.h"
#include "punchlab.h"
#include "results.h"
#include "trials.h"
#include "world.h"

#define COORD_READY_MS 5000

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

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int open_out(const char *dir, const char *name, int flags)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
}

/* Readiness is polled, not slept: the coordinator prints its "listening"
 * event once its socket is bound. */
static int coord_wait_ready(const char *dir, pid_t pid)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char path[PATH_MAX], line[512];

	if (snprintf(path, sizeof(path), "%s/coordinator.jsonl", dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	for (int waited = 0; waited < COORD_READY_MS; waited += 10) {
		FILE *f = fopen(path, "re");

		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, "\"listening\"")) {
				fclose(f);
				return 0;
			}
		if (f)
			fclose(f);
		if (proc_starttime(pid) == 0 || punchlab_stop)
			return -ECHILD;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static pid_t coord_start(struct world *w, const char *dir, int verbose)
{
	char path[PATH_MAX], listen[64];
	char *argv[] = { path,	       "--listen",	  listen, "--run-id",
			 (char *)w->rid, verbose ? "-v" : NULL, NULL };
	int out, err;
	pid_t pid;

	if (punchlab_sibling("punch-coordinator", path, sizeof(path)) < 0)
		return -ENOENT;
	snprintf(listen, sizeof(listen), "%s:%d", WORLD_COORD_ADDR,
		 WORLD_COORD_PORT);
	out = open_out(dir, "coordinator.jsonl", O_TRUNC);
	err = open_out(dir, "coordinator.log", O_TRUNC);
	if (out < 0 || err < 0) {
		pid = -errno;
		goto out;
	}
	pid = proc_spawn(w->charlie.fd, argv, out, err);
	if (pid > 0)
		cleanup_pid(w->cu, pid);
out:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return pid;
}

static void read_counters(struct world *w, struct nat_counts (*nc)[2])
{
	for (int c = 0; c < w->ncells; c++)
		for (int s = 0; s < 2; s++) {
			unsigned long long v;
			int fd = w->cells[c].side[s].router.fd;

			nc[c][s].syn_dropped =
				nat_counter(fd, w->table, "syn_dropped", &v) ?
					-1 :
					(long long)v;
			nc[c][s].rst_sent =
				nat_counter(fd, w->table, "rst_sent", &v) ?
					-1 :
					(long long)v;
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

/* One scenario, start to finish; its folder goes to dir_out. Returns
 * failed cells (>= 0) or -errno. */
static int run_one(const struct scenario *s, const struct run_opts *o,
		   char *dir_out, size_t dir_cap)
{
	struct cell_result *res = NULL;
	struct nat_counts(*nc)[2] = NULL;
	char rid[RUNID_LEN + 1], dir[PATH_MAX], err[1024] = "",
				   agent[PATH_MAX], path[PATH_MAX];
	struct trials_cfg tc;
	struct world *w = NULL;
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
	if ((e = runid_new(rid)) < 0 ||
	    (e = punchlab_sibling("punch-agent", agent, sizeof(agent))) < 0)
		return e;
	snprintf(dir, sizeof(dir), "%s/%s/%s", o->results_dir, s->name, rid);
	if ((e = mkdir_p(dir)) < 0) {
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
	coord = coord_start(w, dir, o->verbose);
	if (coord < 0 || (e = coord_wait_ready(dir, coord)) < 0) {
		e = coord < 0 ? coord : e;
		fprintf(stderr,
			"punchlab run: coordinator did not come up: %s (see "
			"%s/coordinator.log)\n",
			strerror(-e), dir);
		goto out;
	}
	jsonl = NULL;
	if (snprintf(path, sizeof(path), "%s/trials.jsonl", dir) <
	    (int)sizeof(path))
		jsonl = fopen(path, "we");
	logfd = open_out(dir, "agents.log", O_APPEND);
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
				  .only_trial = o->only_trial };
	e = trials_run(&tc, jsonl, res);
	if (e < 0)
		goto out;
	read_counters(w, nc);
	if (snprintf(path, sizeof(path), "%s/summary.json", dir) >=
	    (int)sizeof(path)) {
		e = -ENAMETOOLONG;
		goto out;
	}
	e = results_write(s, rid, res, nc, path);
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
	int opt, n, failed = 0, broken = 0, ret, ndirs = 0;
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
	printf("punchlab: every cell within its expectation\n");
	return EXIT_PASS;
}
