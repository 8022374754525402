/* punch-coordinator: the coordinator (Charlie) of a punchlab run, in
 * rendezvous, inbound-handoff or advertised mode. Options, signals and exit codes live
 * here; the daemon itself is coordd.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "coordd.h"
#include "evlog.h"
#include "limitopts.h"
#include "log.h"
#include "rt.h"
#include "tap.h"
#include "optparse.h"

static volatile sig_atomic_t coord_stop;

static void coord_on_signal(int sig)
{
	(void)sig;
	coord_stop = 1;
}

/* The options that exist for the adversary lab (docs/adversaries.md),
 * and how the program talks and ends. */
static void coord_usage_lab(FILE *f)
{
	fputs(
		"\nAdversary lab (docs/adversaries.md):\n"
		"  --tap-fd N             an inherited pipe to write one line "
		"per pairing to:\n"
		"                         \"pair KEY A_IP:PORT B_IP:PORT "
		"START_MONO_NS\"\n"
		"                         (the leak an off-path injector "
		"gets; as --control-fd)\n"
		"  --eclipse              lab switch: lie as the eclipse "
		"attack's coordinator,\n"
		"                         pairing every registration with one "
		"flagged 0x40\n"
		"                         (the attacker's; advertised: its "
		"holders) and never\n"
		"                         two honest ones (docs/adversaries.md)\n"
		"\n"
		"Events go to stdout as JSON lines; logs go to stderr.\n"
		"Exit: 0 stopped by SIGINT/SIGTERM, 1 runtime failure, "
		"2 usage error.\n",
		f);
}

static void coord_usage(FILE *f)
{
	fprintf(f,
		"usage: punch-coordinator --listen IP:PORT [--listen6 [V6]:PORT]\n"
		"         [--run-id RID]\n"
		"         [--mode rendezvous|handoff|advertised] "
		"[--inbound-limit N]\n"
		"         [--hold-timeout-ms N] [--pair-timeout-ms N] "
		"[--margin-ms N]\n"
		"         [--magic regtest|mainnet] [--control-fd N] "
		"[--tap-fd N]\n"
		"         [--realtime] [-v] [--eclipse] [--help]\n"
		"\n"
		"  --listen IP:PORT       address to listen on; [v6]:PORT for "
		"IPv6, port 0 picks one\n"
		"  --listen6 [V6]:PORT    a second listener, IPv6 only (it may "
		"share\n"
		"                         --listen's port); each key pairs "
		"only\n"
		"                         registrants of one family\n"
		"  --run-id RID           tag log lines with the run id\n"
		"  --mode MODE            rendezvous (default): pair two "
		"registrations\n"
		"                         with the same key; handoff: hold "
		"each\n"
		"                         registration in an inbound slot, and "
		"when all\n"
		"                         are taken hand a newcomer and a held "
		"peer\n"
		"                         (both flagged unreachable) to each "
		"other;\n"
		"                         advertised: keep each holder's "
		"light connection\n"
		"                         (hpregister flag 0x10, one per "
		"key) and punch a\n"
		"                         seeker (0x20) of its key to it\n"
		"  --inbound-limit N      handoff: inbound slots, 1..%d "
		"(default %d)\n"
		"  --hold-timeout-ms N    advertised: drop a holder that leaves "
		"a keepalive\n"
		"                         ping (sent every N/2 ms) unanswered "
		"(default\n"
		"                         %d, Bitcoin Core's peer timeout)\n"
		"  --pair-timeout-ms N    reject a registration unmatched "
		"(handoff:\n"
		"                         held) after N ms (default 15000)\n"
		"  --margin-ms N          added to max(RTT)/2 when scheduling "
		"the punch (default 30)\n"
		"  --magic NET            P2P network magic (default regtest)\n"
		"  --control-fd N         an inherited pipe to write control "
		"events to,\n"
		"                         one line each: \"held KEY\" when a "
		"handoff\n"
		"                         peer takes an inbound slot, or an "
		"advertised\n"
		"                         holder is held. Never blocks; a\n"
		"                         reader that goes away only closes "
		"the channel\n"
		"  --realtime             run under SCHED_FIFO (priority 15; "
		"RLIMIT_RTTIME\n"
		"                         200 ms): RTT pings answered and "
		"punches sent\n"
		"                         when due on a loaded machine "
		"(refused: runs as\n"
		"                         usual, with a warning)\n"
		"  -v                     debug logging\n",
		OPTS_INBOUND_MAX, OPTS_INBOUND_DEFAULT,
		OPTS_HOLD_TIMEOUT_DEFAULT);
	limitopts_usage(f);
	coord_usage_lab(f);
}

/* "a.b.c.d:port" or "[v6]:port", port 0 (any) allowed. 0 or -errno. */
static int coord_parse_listen(const char *s, struct opts *o)
{
	return optparse_sockaddr(s, OPTPARSE_V4 | OPTPARSE_V6 | OPTPARSE_PORT0,
				 &o->listen, &o->listen_len);
}

/* Milliseconds that still fit in an int once multiplied by 1000. */
static int coord_parse_ms(const char *s, int min, int *out)
{
	return optparse_int(s, min, INT_MAX / 1000, out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"listen6", required_argument, NULL, 'L'},
		{"run-id", required_argument, NULL, 'r'},
		{"pair-timeout-ms", required_argument, NULL, 't'},
		{"margin-ms", required_argument, NULL, 'm'},
		{"magic", required_argument, NULL, 'g'},
		{"mode", required_argument, NULL, 'M'},
		{"inbound-limit", required_argument, NULL, 'i'},
		{"hold-timeout-ms", required_argument, NULL, 'H'},
		{"control-fd", required_argument, NULL, 'c'},
		{"tap-fd", required_argument, NULL, 'T'},
		{"realtime", no_argument, NULL, 'R'},
		{"eclipse", no_argument, NULL, 'E'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		LIMITOPTS_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct opts o = {
		.magic = P2P_MAGIC_REGTEST,
		.pair_timeout_ms = 15000,
		.margin_ms = 30,
		.mode = OPTS_RENDEZVOUS,
		.inbound_limit = OPTS_INBOUND_DEFAULT,
		.hold_timeout_ms = OPTS_HOLD_TIMEOUT_DEFAULT,
		.max_clients = OPTS_CLIENTS_DEFAULT,
	};
	int limit_given = 0, hold_given = 0, chan_fd = -1;
	const char *run_id = NULL, *listen_arg = NULL;
	struct sigaction sa;
	sigset_t block, waitmask;
	static struct coordd d;
	char tag[96];
	int verbose = 0, realtime = 0, opt, err;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (limitopts_parse(opt, optarg, &o, &err)) {
			if (err)
				return 2;
			continue;
		}
		switch (opt) {
		case 'l':
			listen_arg = optarg;
			if (coord_parse_listen(optarg, &o)) {
				fprintf(stderr,
					"punch-coordinator: --listen %s: "
					"expected IPv4:PORT or [IPv6]:PORT\n",
					optarg);
				return 2;
			}
			break;
		case 'L':
			if (optparse_sockaddr(optarg,
					      OPTPARSE_V6 | OPTPARSE_PORT0,
					      &o.listen6, &o.listen6_len)) {
				fprintf(stderr,
					"punch-coordinator: --listen6 %s: "
					"expected [IPv6]:PORT\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			run_id = optarg;
			break;
		case 't':
			if (coord_parse_ms(optarg, 1, &o.pair_timeout_ms)) {
				fprintf(stderr,
					"punch-coordinator: --pair-timeout-ms "
					"%s: expected a positive number of "
					"milliseconds\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			if (coord_parse_ms(optarg, 0, &o.margin_ms)) {
				fprintf(stderr,
					"punch-coordinator: --margin-ms %s: "
					"expected 0 or more milliseconds\n",
					optarg);
				return 2;
			}
			break;
		case 'g':
			if (!strcmp(optarg, "regtest")) {
				o.magic = P2P_MAGIC_REGTEST;
			} else if (!strcmp(optarg, "mainnet")) {
				o.magic = P2P_MAGIC_MAINNET;
			} else {
				fprintf(stderr,
					"punch-coordinator: --magic %s: "
					"expected regtest or mainnet\n",
					optarg);
				return 2;
			}
			break;
		case 'M':
			if (!strcmp(optarg, "rendezvous")) {
				o.mode = OPTS_RENDEZVOUS;
			} else if (!strcmp(optarg, "handoff")) {
				o.mode = OPTS_HANDOFF;
			} else if (!strcmp(optarg, "advertised")) {
				o.mode = OPTS_ADVERTISED;
			} else {
				fprintf(stderr,
					"punch-coordinator: --mode %s: "
					"expected rendezvous, handoff or "
					"advertised\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			if (optparse_int(optarg, 1, OPTS_INBOUND_MAX,
					    &o.inbound_limit)) {
				fprintf(stderr,
					"punch-coordinator: --inbound-limit "
					"%s: expected 1 to %d\n",
					optarg, OPTS_INBOUND_MAX);
				return 2;
			}
			limit_given = 1;
			break;
		case 'H':
			/* 2 at least: keepalives go every N/2 ms. */
			if (coord_parse_ms(optarg, 2, &o.hold_timeout_ms)) {
				fprintf(stderr,
					"punch-coordinator: --hold-timeout-ms "
					"%s: expected 2 or more milliseconds\n",
					optarg);
				return 2;
			}
			hold_given = 1;
			break;
		case 'c':
		case 'T':
			/* 0..2 are stdio; events on stdout are evlog's. */
			err = optparse_int(optarg, 3, INT_MAX, &chan_fd);
			if (!err)
				err = opt == 'c' ? control_init(chan_fd)
						 : tap_init(chan_fd);
			if (err) {
				fprintf(stderr,
					"punch-coordinator: --%s %s: "
					"expected the number (3 or more) of an "
					"inherited pipe: %s\n",
					opt == 'c' ? "control-fd" : "tap-fd",
					optarg, strerror(-err));
				return 2;
			}
			break;
		case 'R':
			realtime = 1;
			break;
		case 'E':
			o.eclipse = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			coord_usage(stdout);
			return 0;
		default:
			coord_usage(stderr);
			return 2;
		}
	}
	if (limit_given && o.mode != OPTS_HANDOFF) {
		fprintf(stderr, "punch-coordinator: --inbound-limit is for "
				"--mode handoff\n");
		coord_usage(stderr);
		return 2;
	}
	if (hold_given && o.mode != OPTS_ADVERTISED) {
		fprintf(stderr, "punch-coordinator: --hold-timeout-ms is for "
				"--mode advertised\n");
		coord_usage(stderr);
		return 2;
	}
	if (limitopts_check(&o))
		return 2;
	if (optind != argc || !listen_arg) {
		if (!listen_arg)
			fprintf(stderr, "punch-coordinator: --listen is "
					"required\n");
		coord_usage(stderr);
		return 2;
	}

	if (run_id)
		snprintf(tag, sizeof(tag), "coord %s", run_id);
	else
		snprintf(tag, sizeof(tag), "coord");
	log_init(tag, verbose);
	evlog_init(stdout);
	limitopts_apply(&o);

	/* Handlers only set a flag; the signals stay blocked except inside
	 * ppoll(), so a stop request is never lost between check and wait. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = coord_on_signal;
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

	/* The RTTs it measures and the instant it sends both punches from
	 * set the two starts: a CFS coordinator woken late skews them. */
	if (realtime && rt_enter(RT_PRIO_COORD, 200, &err) != RT_FIFO) {
		errno = -err;
		log_warn("realtime refused, running as usual");
	}
	err = coordd_open(&d, &o);
	if (err) {
		errno = -err;
		log_warn("listen on %s", listen_arg);
		return 1;
	}
	err = coordd_run(&d, &coord_stop, &waitmask);
	coordd_close(&d);
	if (rt_demoted())
		log_warnx("ran past RLIMIT_RTTIME: demoted to the normal "
			  "scheduler");
	return err ? 1 : 0;
}
