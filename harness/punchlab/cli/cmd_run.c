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
#include <unistd.h>

#include <jansson.h>

#include "btcnode.h"
#include "rundir.h"
#include "btctrials.h"
#include "btcprobe.h"
#include "capture.h"
#include "daemons.h"
#include "evidence.h"
#include "hostfit.h"
#include "log.h"
#include "netrun.h"
#include "optparse.h"
#include "postrun.h"
#include "punchlab.h"
#include "results.h"
#include "runinfo.h"
#include "shapeboard.h"
#include "session.h"
#include "shard.h"
#include "trialrtt.h"
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
	struct trialrtt trial_rtt;
	struct shard shard; /* count 0: every cell */
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
		"  --shard I/N      run only the cells at positions I, I+N, "
		"I+2N, ...\n"
		"                   (0-based, file order); `punchlab merge` "
		"joins the shards\n"
		"  --trial-rtt-ms LIST  trial t of every shaped cell runs at "
		"the t-th RTT\n"
		"                   of LIST (ms, comma-separated, cycling), "
		"set through\n"
		"                   the shaper's board before its agents start "
		"(tests,\n"
		"                   benchmarks; the cell's trials in flight "
		"share it)\n"
		"  -v, --verbose    agents and coordinator log more\n"
		"  -h, --help       this text\n\n"
		"Writes results/<scenario>/<run-id>/{trials.jsonl,summary.json,"
		"*.log};\nevery trial and cell carries the harness's timing "
		"(start_error_us,\nfirst_syn_gap_us, shaper_late_us_*; a cell "
		"past the scenario's\ntiming_error_max_ms is marked timing: "
		"degraded).\nExit codes: 0 every cell met its expectation, 1 a "
		"cell did not or the\nrun failed, 2 bad input, 4 not root.\n");
}

#define RUN_SKIPPED (-100000) /* not an errno: the scenario was skipped */

/* bitcoind modes need the user's build, and bitcoind-import a build with
 * -importpeersocket; without them the scenario is skipped, never failed. */
static int node_available(const struct scenario *s, const char **bitcoind)
{
	struct btcprobe caps;

	*bitcoind = NULL;
	if (s->node == SCENARIO_NODE_EMBEDDED)
		return 1;
	if (btcnode_find(bitcoind, NULL) < 0) {
		printf("SKIP: %s needs bitcoind: set BITCOIND (and "
		       "BITCOIN_CLI) to your build\n",
		       s->name);
		return 0;
	}
	if (s->node == SCENARIO_NODE_BITCOIND_IMPORT &&
	    (btcprobe_get(*bitcoind, &caps) < 0 || !caps.importpeersocket)) {
		printf("SKIP: %s needs a bitcoind with -importpeersocket; %s "
		       "has none\n",
		       s->name, *bitcoind);
		return 0;
	}
	return 1;
}

static int cell_index(const struct scenario *s, const char *name)
{
	for (int c = 0; name && c < s->ncells; c++)
		if (!strcmp(s->cells[c].name, name))
			return c;
	return -1;
}

/* The trials of a started session, into trials.jsonl and agents.log. */
static int run_trials(struct session *ss, const struct run_opts *o,
		      int only_cell, const char *bitcoind,
		      struct cell_result *res)
{
	char agent[PATH_MAX];
	struct trials_cfg tc;
	FILE *jsonl;
	int e, logfd;

	if ((size_t)snprintf(agent, sizeof(agent), "%s/punch-agent",
			     ss->bindir) >= sizeof(agent))
		return -ENAMETOOLONG;
	jsonl = fdopen(rundir_open(ss->dir, "trials.jsonl", O_TRUNC),
		       "w");
	logfd = rundir_open(ss->dir, "agents.log", O_APPEND);
	if (!jsonl || logfd < 0) {
		e = -errno;
		goto out;
	}
	tc = (struct trials_cfg){ .s = ss->s,
				  .w = ss->w,
				  .agent_path = agent,
				  .log_fd = logfd,
				  .stop = &punchlab_stop,
				  .progress = isatty(2),
				  .only_cell = only_cell,
				  .only_trial = o->only_trial,
				  .run_dir = ss->dir,
				  .ctl = ss->ctl,
				  .bitcoind = bitcoind,
				  .board = ss->board,
				  .trial_rtt = &o->trial_rtt };
	e = ss->s->node == SCENARIO_NODE_EMBEDDED ?
		    trials_run(&tc, jsonl, res) :
		    btctrials_run(&tc, jsonl, res);
out:
	if (jsonl)
		fclose(jsonl);
	if (logfd >= 0)
		close(logfd);
	return e;
}

/* The session's measurements: NAT counters, snapshots, summary.json. */
static int run_results(struct session *ss, const struct run_opts *o,
		       int only_cell, struct cell_result *res)
{
	struct nat_counts(*nc)[2] = calloc(ss->s->ncells, sizeof(*nc));
	char path[PATH_MAX];
	int e;

	if (!nc)
		return -ENOMEM;
	evidence_counters(ss->w, nc);
	for (int c = 0; c < ss->s->ncells && ss->board; c++) {
		unsigned q[WORLD_CELL_QUEUES];
		int n = world_cell_queues(ss->w, c, q);
		struct shapeboard_stats st;

		shapeboard_stats_sum(ss->board, q, n, &st);
		res[c].timing.shaped = n > 0;
		res[c].timing.shaper_released = st.released;
		res[c].timing.shaper_late_us_mean =
			st.released ? st.late_ns_sum / 1e3 / st.released : 0;
		res[c].timing.shaper_late_us_max = st.late_ns_max / 1e3;
	}
	if (o->capture)
		evidence_snapshots(ss->w, ss->dir, only_cell);
	if (snprintf(path, sizeof(path), "%s/summary.json", ss->dir) >=
	    (int)sizeof(path))
		e = -ENAMETOOLONG;
	else
		e = results_write(ss->s, ss->rid, res, nc, ss->link_method,
				  path);
	free(nc);
	return e;
}

/* One scenario, start to finish; its folder goes to dir_out. Returns
 * failed cells (>= 0), RUN_SKIPPED, or -errno. */
static int run_one(const struct scenario *s, const struct run_opts *o,
		   char *dir_out, size_t dir_cap)
{
	struct cell_result *res = calloc(s->ncells, sizeof(*res));
	int only_cell = cell_index(s, o->only_cell), e = 0;
	struct session ss = { .s = s };
	struct capture *cap = NULL;
	const char *bitcoind;
	char err[1024] = "";

	if (!res)
		return -ENOMEM;
	for (int c = 0; c < s->ncells && e == 0; c++)
		e = results_cell_init(&res[c], s->trials);
	if (e < 0 || !node_available(s, &bitcoind)) {
		e = e < 0 ? e : RUN_SKIPPED;
		goto out;
	}
	if ((e = session_open(&ss, s, punchlab_bindir(), o->results_dir,
			      &punchlab_stop, err, sizeof(err))) < 0) {
		fprintf(stderr, "punchlab run: %s: %s\n", s->name, err);
		goto out;
	}
	snprintf(dir_out, dir_cap, "%s", ss.dir);
	printf("%s (run %s, %d cells x %d trials) -> %s\n", s->name, ss.rid,
	       s->ncells, only_cell >= 0 || o->only_trial >= 0 ? 1 : s->trials,
	       ss.dir);
	fflush(stdout);
	runinfo_write(ss.dir, s, ss.rid, o->profile_dir);
	/* Before the coordinator starts: its registrations are on the wire. */
	if (o->capture && !(cap = evidence_capture(ss.w, ss.dir, only_cell))) {
		e = -errno;
		goto out;
	}
	if ((e = session_start(&ss, o->verbose, 0)) < 0 ||
	    (e = run_trials(&ss, o, only_cell, bitcoind, res)) < 0)
		goto out;
	e = run_results(&ss, o, only_cell, res);
	if (e >= 0 && o->shard.count && shard_note(ss.dir, &o->shard) < 0)
		fprintf(stderr, "punchlab run: %s: cannot mark the shard\n",
			ss.dir);
out:
	if (e == -EINTR || punchlab_stop)
		fprintf(stderr, "punchlab run: interrupted, removing run %s\n",
			ss.rid);
	if (cap)
		evidence_capture_end(ss.w, cap, ss.dir);
	session_close(&ss);
	for (int c = 0; c < s->ncells; c++)
		results_cell_free(&res[c]);
	free(res);
	return e;
}

/* sc[0..n-1], each loaded or zeroed. */
static void scenarios_free(struct scenario *sc, int n)
{
	for (int i = 0; i < n; i++)
		scenario_free(&sc[i]);
	free(sc);
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
		{ "trial-rtt-ms", required_argument, NULL, 'T' },
		{ "shard", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .results_dir = "results",
			      .profile_dir = punchlab_profile_dir(),
			      .only_trial = -1 };
	struct scenario *sc;
	char **dirs, **netdirs;
	int opt, n, failed = 0, broken = 0, ret, ndirs = 0, skipped = 0;
	int nnet = 0, ncell;

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
			if (optparse_int(optarg, 0, INT_MAX, &o.only_trial) <
			    0) {
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
		case 'T':
			if (trialrtt_parse(optarg, &o.trial_rtt) < 0)
				return EXIT_USAGE;
			break;
		case 'S':
			if (shard_parse(optarg, &o.shard) < 0) {
				fprintf(stderr, "punchlab run: --shard wants "
						"I/N with 0 <= I < N\n");
				return EXIT_USAGE;
			}
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
			scenarios_free(sc, n);
			return EXIT_USAGE;
		}
		/* Before the plan: a shard builds only its own cells. */
		if (o.shard.count)
			shard_select(&sc[i], &o.shard);
	}
	/* A scenario the WAN cannot address is bad input too. */
	for (int i = 0; i < n; i++) {
		char err[512] = "";
		struct plan *pl;

		if (sc[i].net) { /* a [network] scenario: its own plan */
			if (netrun_check(&sc[i], err, sizeof(err)) == 0)
				continue;
			fprintf(stderr, "punchlab run: %s\n", err);
			scenarios_free(sc, n);
			return EXIT_USAGE;
		}
		pl = plan_new(&sc[i], "000000", err, sizeof(err));

		/* ... and so is one this machine cannot hold. */
		if (!pl || hostfit_check(pl, &sc[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "punchlab run: %s\n", err);
			plan_free(pl);
			scenarios_free(sc, n);
			return EXIT_USAGE;
		}
		plan_free(pl);
	}
	for (int i = 0; o.only_cell && i < n; i++)
		if (cell_index(&sc[i], o.only_cell) < 0) {
			fprintf(stderr, "punchlab run: %s has no cell '%s'\n",
				sc[i].path, o.only_cell);
			scenarios_free(sc, n);
			return EXIT_USAGE;
		}
	if (o.only_trial >= 0)
		for (int i = 0; i < n; i++)
			if (o.only_trial >= sc[i].trials) {
				fprintf(stderr,
					"punchlab run: %s has trials 0..%d\n",
					sc[i].path, sc[i].trials - 1);
				scenarios_free(sc, n);
				return EXIT_USAGE;
			}
	ret = punchlab_need_root("run");
	if (ret != EXIT_PASS) {
		scenarios_free(sc, n);
		return ret;
	}
	log_init("punchlab", o.verbose);
	punchlab_signals();
	dirs = calloc(n + 4, sizeof(*dirs));
	netdirs = calloc(n + 4, sizeof(*netdirs));
	if (!dirs || !netdirs) {
		free(dirs);
		free(netdirs);
		scenarios_free(sc, n);
		return EXIT_FAIL;
	}
	for (int i = 0; i < n && !punchlab_stop; i++) {
		char dir[PATH_MAX] = "";
		int r;

		/* A network is one unit: shard 0 runs it, and analyses it
		 * itself (network.py). */
		if (sc[i].net && o.shard.count && o.shard.index) {
			printf("SKIP: %s is a network, run whole in shard "
			       "0/%d\n", sc[i].name, o.shard.count);
			r = RUN_SKIPPED;
		} else if (sc[i].net) {
			r = netrun_one(&sc[i], o.results_dir, o.profile_dir,
				       o.capture, dir, sizeof(dir));
		} else if (!sc[i].ncells) {
			printf("SKIP: %s has no cell in shard %d/%d\n",
			       sc[i].name, o.shard.index, o.shard.count);
			r = RUN_SKIPPED;
		} else {
			r = run_one(&sc[i], &o, dir, sizeof(dir));
		}

		if (r == NETRUN_SKIPPED)
			r = RUN_SKIPPED;
		if (dir[0] && r >= 0 && sc[i].net)
			netdirs[nnet++] = strdup(dir);
		else if (dir[0] && r >= 0)
			dirs[ndirs++] = strdup(dir);
		if (r == RUN_SKIPPED) {
			skipped++;
			continue;
		}
		if (r < 0) {
			broken++;
		} else {
			failed += r;
		}
	}
	scenarios_free(sc, n);
	/* network runs after the cell runs (post_process) */
	ncell = ndirs;
	for (int i = 0; i < nnet; i++)
		dirs[ndirs++] = netdirs[i];
	free(netdirs);
	if (!punchlab_stop)
		postrun(o.results_dir, o.report, o.junit, dirs, ndirs, ncell);
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
