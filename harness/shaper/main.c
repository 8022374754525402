/* punch-shaper: link conditions (delay, jitter, loss, rate) for kernels
 * without sch_netem, on NFQUEUE. Options, signals and the JSON lines on
 * stdout live here; the engine is shaper.c. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <jansson.h>

#include "log.h"
#include "optparse.h"
#include "rt.h"
#include "shaper.h"
#include "shapespec.h"

#define SHAPER_MAXLEN_MAX 65536

static volatile sig_atomic_t shaper_stop;

static void shaper_on_signal(int sig)
{
	(void)sig;
	shaper_stop = 1;
}

static void shaper_usage(FILE *f)
{
	fprintf(f,
		"usage: punch-shaper --queue N:delay_ms:jitter_ms:loss:"
		"rate_kbit [--queue ...]\n"
		"         [--seed S] [--jitter-dist uniform|normal] "
		"[--reorder]\n"
		"         [--maxlen N] [--trace FILE] [--board FILE]\n"
		"         [--realtime] [--run-id RID] [-v] [--help]\n"
		"\n"
		"Holds the packets the kernel queues to NFQUEUE N for the "
		"link's one-way\n"
		"delay (+ jitter), drops them with probability loss, and "
		"paces them at\n"
		"rate_kbit (0 = unlimited). Run it in the namespace whose "
		"rules queue the\n"
		"packets (see testbed/linkcond.h).\n"
		"\n"
		"  --queue SPEC        e.g. 1:25:2:0.01:8000 (25 ms +-2 ms, "
		"1%% "
		"loss, 8 Mbit/s)\n"
		"  --seed S            PRNG seed for loss and jitter "
		"(default 1)\n"
		"  --jitter-dist D     uniform: +-jitter (default); normal: "
		"sigma = jitter\n"
		"  --reorder           let jitter reorder packets of a queue "
		"(default: FIFO)\n"
		"  --maxlen N          packets held per queue (default %d)\n"
		"  --trace FILE        one line per packet: queue, IP length, "
		"arrival (ns,\n"
		"                      CLOCK_MONOTONIC) and the hold scheduled "
		"for it in ns\n"
		"                      (-1: dropped), in arrival order, written "
		"as they come\n"
		"  --board FILE        a shapeboard made by punchlab run: "
		"per-queue delay,\n"
		"                      jitter and loss written there override "
		"--queue for\n"
		"                      packets read after the write; lateness "
		"statistics\n"
		"                      are written there per packet\n"
		"  --realtime          run under SCHED_FIFO (priority 20, above "
		"the agents';\n"
		"                      RLIMIT_RTTIME 200 ms); the ready line "
		"says \"rt\":\n"
		"                      \"fifo\", \"unavailable\" (refused: "
		"runs as usual) or \"off\"\n"
		"  --run-id RID        tag log lines with the run id\n"
		"\n"
		"stdout: {\"event\":\"ready\",...} once every queue is bound; "
		"one\n"
		"{\"event\":\"stats\",...} per queue and {\"event\":\"exit\","
		"...} on SIGTERM;\n"
		"hold_us_* in stats are the holds scheduled (what the link was "
		"told),\n"
		"late_us_* how much later than scheduled packets really left.\n"
		"Exit: 0 stopped by SIGTERM/SIGINT, 1 failure, 2 usage.\n",
		SHAPER_DEFAULT_MAXLEN);
}

static double shaper_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void shaper_print(json_t *j)
{
	if (!j)
		return;
	json_dumpf(j, stdout, JSON_COMPACT);
	json_decref(j);
	fputc('\n', stdout);
	fflush(stdout);
}

static void shaper_print_ready(const struct shape_spec *specs, size_t n,
			       const struct shaper_opts *o, enum rt_state rt)
{
	json_t *qs = json_array();
	char text[SHAPESPEC_TEXT_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		shapespec_format(&specs[i], text, sizeof(text));
		json_array_append_new(
			qs,
			json_pack("{s:i, s:s, s:f, s:f, s:f, s:I}", "queue",
				  (int)specs[i].queue, "spec", text, "delay_ms",
				  shaper_ms(specs[i].delay_ns), "jitter_ms",
				  shaper_ms(specs[i].jitter_ns), "loss",
				  specs[i].loss_ppb / 1e9, "rate_kbit",
				  (json_int_t)specs[i].rate_kbit));
	}
	shaper_print(json_pack(
		"{s:s, s:s, s:I, s:s, s:b, s:i, s:s, s:o}", "event", "ready",
		"method", "nfqueue", "seed", (json_int_t)o->seed, "jitter_dist",
		o->dist == SHAPECALC_NORMAL ? "normal" : "uniform", "reorder",
		o->reorder, "maxlen", (int)o->maxlen, "rt", rt_state_name(rt),
		"queues", qs));
}

static void shaper_print_stats(const struct shaper *s)
{
	unsigned long long total = 0;
	struct rusage ru;
	size_t i;

	for (i = 0; i < s->nq; i++) {
		const struct shaper_queue *q = &s->q[i];
		double n = q->holds ? (double)q->holds : 1.0;
		double mean = q->hold_ns_sum / n;
		double var = q->hold_ns_sum2 / n - mean * mean;
		json_t *j;

		total += q->packets;
		j = json_pack(
			"{s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, "
			"s:f}",
			"event", "stats", "queue", (int)q->calc.spec.queue,
			"packets", (json_int_t)q->packets, "bytes",
			(json_int_t)q->bytes, "dropped", (json_int_t)q->lost,
			"overflow", (json_int_t)q->overflow, "max_queue",
			(json_int_t)q->max_held, "kernel_dropped",
			(json_int_t)q->kernel_dropped, "user_dropped",
			(json_int_t)q->user_dropped, "late_us_mean",
			q->released ? (double)q->late_ns_sum / q->released / 1e3
				    : 0.0,
			"late_us_max", (double)q->late_ns_max / 1e3);
		if (j)
			json_object_update_new(
				j,
				json_pack("{s:I, s:f, s:f, s:f, s:f}", "holds",
					  (json_int_t)q->holds, "hold_us_min",
					  (double)q->hold_ns_min / 1e3,
					  "hold_us_max",
					  (double)q->hold_ns_max / 1e3,
					  "hold_us_mean", mean / 1e3,
					  "hold_us_sd",
					  var > 0 ? sqrt(var) / 1e3 : 0.0));
		shaper_print(j);
	}
	getrusage(RUSAGE_SELF, &ru);
	shaper_print(
		json_pack("{s:s, s:I, s:f, s:f, s:I}", "event", "exit",
			  "packets", (json_int_t)total, "cpu_user_ms",
			  ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
			  "cpu_sys_ms",
			  ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
			  "socket_overflows", (json_int_t)s->enobufs));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"queue", required_argument, NULL, 'q'},
		{"seed", required_argument, NULL, 's'},
		{"jitter-dist", required_argument, NULL, 'd'},
		{"reorder", no_argument, NULL, 'o'},
		{"maxlen", required_argument, NULL, 'm'},
		{"trace", required_argument, NULL, 't'},
		{"run-id", required_argument, NULL, 'r'},
		{"board", required_argument, NULL, 'b'},
		{"realtime", no_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct shaper s;
	/* One bit per queue number, to refuse a number given twice. */
	static unsigned char seen[(SHAPESPEC_MAX_QUEUE + 1) / 8];
	struct shape_spec *specs = NULL, *grown;
	size_t cap = 0;
	struct shaper_opts o = {
		.seed = 1,
		.dist = SHAPECALC_UNIFORM,
		.maxlen = SHAPER_DEFAULT_MAXLEN,
	};
	const char *run_id = NULL;
	struct sigaction sa;
	sigset_t block, waitmask;
	char why[160], tag[96];
	uint64_t v;
	size_t n = 0;
	int verbose = 0, realtime = 0, opt, err;
	enum rt_state rt = RT_OFF;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				grown = realloc(specs, cap * sizeof(*specs));
				if (!grown) {
					fprintf(stderr, "punch-shaper: out of "
							"memory\n");
					return 1;
				}
				specs = grown;
			}
			if (shapespec_parse(optarg, &specs[n], why,
					    sizeof(why))) {
				fprintf(stderr,
					"punch-shaper: --queue %s: %s\n",
					optarg, why);
				return 2;
			}
			if (seen[specs[n].queue / 8] &
			    1u << specs[n].queue % 8) {
				fprintf(stderr,
					"punch-shaper: --queue %s: "
					"queue %u given twice\n",
					optarg, specs[n].queue);
				return 2;
			}
			seen[specs[n].queue / 8] |= 1u << specs[n].queue % 8;
			n++;
			break;
		case 's':
			if (optparse_u64(optarg, 0, UINT64_MAX, &o.seed)) {
				fprintf(stderr,
					"punch-shaper: --seed %s: expected "
					"an unsigned integer\n",
					optarg);
				return 2;
			}
			break;
		case 'd':
			if (!strcmp(optarg, "uniform")) {
				o.dist = SHAPECALC_UNIFORM;
			} else if (!strcmp(optarg, "normal")) {
				o.dist = SHAPECALC_NORMAL;
			} else {
				fprintf(stderr,
					"punch-shaper: --jitter-dist %s: "
					"expected uniform or normal\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			o.reorder = 1;
			break;
		case 'm':
			if (optparse_u64(optarg, 1, SHAPER_MAXLEN_MAX,
					     &v)) {
				fprintf(stderr,
					"punch-shaper: --maxlen %s: expected "
					"1..%d\n",
					optarg, SHAPER_MAXLEN_MAX);
				return 2;
			}
			o.maxlen = (uint32_t)v;
			break;
		case 't':
			o.trace = optarg;
			break;
		case 'b':
			o.board = optarg;
			break;
		case 'R':
			realtime = 1;
			break;
		case 'r':
			run_id = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			shaper_usage(stdout);
			return 0;
		default:
			shaper_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || n == 0) {
		if (n == 0)
			fprintf(stderr, "punch-shaper: at least one --queue "
					"is required\n");
		shaper_usage(stderr);
		return 2;
	}

	if (run_id)
		snprintf(tag, sizeof(tag), "shaper %.64s", run_id);
	else
		snprintf(tag, sizeof(tag), "shaper");
	log_init(tag, verbose);

	/* Handlers only set a flag; the signals stay blocked except inside
	 * ppoll(), so a stop request is never lost between check and wait. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shaper_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	/* Release times are exact to the ns; do not let the kernel batch our
	 * wake-ups by its default 50 us slack. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	/* Releases are wake-ups: under load a CFS shaper is woken late, and
	 * every held packet with it. RLIMIT_RTTIME: the loop blocks in
	 * ppoll between wake-ups; 200 ms without blocking is a bug. */
	if (realtime) {
		rt = rt_enter(RT_PRIO_SHAPER, 200, &err);
		if (rt != RT_FIFO) {
			errno = -err;
			log_warn("realtime refused, running as usual");
		}
	}
	err = shaper_open(&s, specs, n, &o);
	if (err) {
		errno = -err;
		log_warn("cannot bind the queues");
		return 1;
	}
	shaper_print_ready(specs, n, &o, rt);
	log_debug("ready, %zu queue(s)", n);
	err = shaper_run(&s, &shaper_stop, &waitmask);
	shaper_close(&s);
	if (rt_demoted())
		log_warnx("ran past RLIMIT_RTTIME: demoted to the normal "
			  "scheduler");
	shaper_print_stats(&s);
	shaper_free(&s);
	free(specs);
	return err ? 1 : 0;
}
