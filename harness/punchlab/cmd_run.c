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

#include <jansson.h>

#include "btcnode.h"
#include "btcprobe.h"
#include "capture.h"
#include "cleanup.h"
#include "ctsnap.h"
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
	int capture;
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
		"  --capture        write pcaps of every router, carrier and "
		"charlie,\n"
		"                   and conntrack/nft snapshots of each NAT "
		"after the trials\n"
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
static void copy_inputs(const char *dir, const struct scenario *s)
{
	char pdir[PATH_MAX], name[PROFILE_NAME_MAX + 8];

	copy_file(s->path, dir, "scenario.ini");
	if (snprintf(pdir, sizeof(pdir), "%s/profiles", dir) >=
		    (int)sizeof(pdir) ||
	    daemons_mkdir_p(pdir) < 0)
		return;
	for (int c = 0; c < s->ncells; c++) {
		const struct scenario_cell *sc = &s->cells[c];
		const struct nat_profile *p[4] = {
			&sc->a, &sc->b, sc->a_has_carrier ? &sc->a_carrier : NULL,
			sc->b_has_carrier ? &sc->b_carrier : NULL
		};

		for (int k = 0; k < 4; k++) {
			if (!p[k])
				continue;
			snprintf(name, sizeof(name), "%s.ini", p[k]->name);
			copy_file(p[k]->path, pdir, name);
		}
	}
}

/* realtime_minus_monotonic_ns maps pcap times (CLOCK_REALTIME) onto the
 * trials' CLOCK_MONOTONIC stamps. */
static void write_run_info(const char *dir, const struct scenario *s,
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
	j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I}", "scenario",
		      s->name, "path", s->path, "profiles", prof, "run_id",
		      rid, "seed", (json_int_t)s->seed, "kernel", u.release,
		      "realtime_minus_monotonic_ns",
		      (json_int_t)((rt.tv_sec - mono.tv_sec) * 1000000000LL +
				   (rt.tv_nsec - mono.tv_nsec)));
	if (j)
		json_dump_file(j, path, JSON_INDENT(2));
	json_decref(j);
	copy_inputs(dir, s);
}

static int capture_host(struct capture *c, const struct nb_host *h,
			const char *ifn, const char *cdir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s-%s.pcap", cdir, h->ns, ifn) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return capture_add(c, h->fd, ifn, path);
}

/* Every router's and carrier's WAN and LAN (only_cell's, when >= 0) and
 * charlie's WAN, into <dir>/captures/<namespace>-<ifname>.pcap, by one
 * capture process. */
static struct capture *capture_world(struct world *w, const char *dir,
				     int only_cell)
{
	char cdir[PATH_MAX], ifn[2][16];
	struct capture *c;
	int e;

	snprintf(ifn[0], sizeof(ifn[0]), "%s-wan", w->rid);
	snprintf(ifn[1], sizeof(ifn[1]), "%s-lan", w->rid);
	e = -ENAMETOOLONG;
	if (snprintf(cdir, sizeof(cdir), "%s/captures", dir) >=
		    (int)sizeof(cdir) ||
	    (e = daemons_mkdir_p(cdir)) < 0)
		goto err;
	c = capture_new(0);
	if (!c)
		return NULL;
	e = capture_host(c, &w->charlie, ifn[0], cdir);
	for (int i = 0; e == 0 && i < w->ncells; i++)
		for (int s = 0; e == 0 && s < 2; s++) {
			if (only_cell >= 0 && i != only_cell)
				break;
			const struct world_side *sd = &w->cells[i].side[s];

			for (int k = 0; e == 0 && k < 2; k++) {
				e = capture_host(c, &sd->router, ifn[k], cdir);
				if (e == 0 && sd->carrier.fd >= 0)
					e = capture_host(c, &sd->carrier,
							 ifn[k], cdir);
			}
		}
	if (e == 0)
		e = capture_run(c);
	if (e == 0)
		e = cleanup_pid(w->cu, capture_pid(c));
	if (e == 0)
		return c;
	capture_stop(c);
err:
	fprintf(stderr, "punchlab run: cannot capture: %s\n", strerror(-e));
	errno = -e;
	return NULL;
}

static void capture_end(struct world *w, struct capture *c, const char *dir)
{
	pid_t pid = capture_pid(c);
	long long n = capture_stop(c);

	if (pid > 0)
		cleanup_reaped(w->cu, pid);
	if (n >= 0)
		printf("captured %lld packets -> %s/captures\n", n, dir);
}

/* Conntrack tables and rulesets of every NAT (only_cell's, when >= 0),
 * as the trials left them. */
static void snapshot_world(struct world *w, const char *dir, int only_cell)
{
	char sdir[PATH_MAX];
	int e;

	e = -ENAMETOOLONG;
	if (snprintf(sdir, sizeof(sdir), "%s/snapshots", dir) >=
		    (int)sizeof(sdir) ||
	    (e = daemons_mkdir_p(sdir)) < 0) {
		log_warnx("snapshots: %s: %s", sdir, strerror(-e));
		return;
	}
	for (int i = 0; i < w->ncells; i++)
		for (int s = 0; s < 2; s++) {
			const struct world_side *sd = &w->cells[i].side[s];
			const struct nb_host *h[2] = { &sd->router,
							  &sd->carrier };

			if (only_cell >= 0 && i != only_cell)
				break;
			for (int k = 0; k < 2; k++) {
				if (h[k]->fd < 0)
					continue;
				e = ctsnap_files(h[k]->fd, w->table, sdir,
						 h[k]->ns);
				if (e < 0)
					log_warnx("snapshot of %s: %s",
						  h[k]->ns, strerror(-e));
			}
		}
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
	struct capture *cap = NULL;
	struct coordctl *ctl = NULL;
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
	write_run_info(dir, s, rid, o->profile_dir);
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
	/* Before the coordinator starts: its registrations are on the wire. */
	if (o->capture && !(cap = capture_world(w, dir, only_cell))) {
		e = -errno;
		goto out;
	}
	if ((e = daemons_shaper(w, s, dir, &link_method, 0)) < 0)
		goto out;
	coord = daemons_coordinator(w, dir, s->mode, o->verbose, 0, &ctl);
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
				  .ctl = ctl,
				  .node = (enum trials_node)s->node };
	e = s->node == NODE_EMBEDDED ? trials_run(&tc, jsonl, res) :
				       btctrials_run(&tc, jsonl, res);
	if (e < 0)
		goto out;
	read_counters(w, nc);
	if (o->capture)
		snapshot_world(w, dir, only_cell);
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
	if (cap)
		capture_end(w, cap, dir);
	world_free(w);
	coordctl_free(ctl);
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
	if (punchlab_python_wait("trialcsv.py", n, av) != 0)
		fprintf(stderr, "punchlab run: results.csv failed\n");
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
		{ "capture", no_argument, NULL, 'C' },
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
		case 'C':
			o.capture = 1;
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
