/* punch-adversary: the attacker of a punchlab run (docs/adversaries.md).
 * It runs in the run's mallory namespace and plays one role per process:
 * a lying coordinator, a hijacker, an off-path injector or a flooder.
 * This file takes the options every role shares, the signals and the
 * time bound; the role parses the rest. Exit codes: 0 stopped (SIGTERM,
 * SIGINT or --duration-ms reached), 1 failed, 2 usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adv.h"
#include "log.h"
#include "monoclock.h"
#include "optparse.h"
#include "p2p.h"
#include "roles.h"

#define ADV_DURATION_DEFAULT_MS 120000
#define ADV_DURATION_MAX_MS 86400000 /* = the harness's bound (advcell.c) */

static volatile sig_atomic_t adv_stop;

static void adv_on_signal(int sig)
{
	(void)sig;
	adv_stop = 1;
}

static void adv_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: punch-adversary --role ROLE [--run-id RID] "
		"[--events PATH]\n"
		"         [--duration-ms N] [--magic regtest|mainnet] [-v] "
		"[--help] ROLE-OPTIONS\n"
		"\n"
		"  --role ROLE        what to play (below)\n"
		"  --run-id RID       tag log lines with the run id\n"
		"  --events PATH      one JSON line per action (default: "
		"stdout)\n"
		"  --duration-ms N    stop after N ms whatever happens "
		"(default %d, max %d)\n"
		"  --magic NET        P2P network magic (default regtest)\n"
		"\nroles:\n",
		ADV_DURATION_DEFAULT_MS, ADV_DURATION_MAX_MS);
	for (i = 0; i < adv_nroles; i++)
		fprintf(f, "  %s\n%s", adv_roles[i].name, adv_roles[i].usage);
	fprintf(f, "\nexit codes: 0 stopped (signal or --duration-ms), "
		   "1 failed, 2 usage\n");
}

static const struct adv_role *adv_role_find(const char *name)
{
	size_t i;

	for (i = 0; i < adv_nroles; i++)
		if (!strcmp(adv_roles[i].name, name))
			return &adv_roles[i];
	return NULL;
}

struct adv_common {
	const char *role, *run_id, *events;
	int duration_ms;
	uint32_t magic;
	int verbose, help;
};

/* The value of a shared option: "--x=v" or "--x v". Returns the value
 * and advances *i, or NULL when argv[*i] is not --name. */
static const char *adv_take(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int adv_common_value(struct adv_common *o, const char *opt,
			    const char *v)
{
	if (!strcmp(opt, "--role"))
		o->role = v;
	else if (!strcmp(opt, "--run-id"))
		o->run_id = v;
	else if (!strcmp(opt, "--events"))
		o->events = v;
	else if (!strcmp(opt, "--duration-ms")) {
		if (optparse_int(v, 1, ADV_DURATION_MAX_MS, &o->duration_ms)) {
			fprintf(stderr, "punch-adversary: --duration-ms: "
					"want 1..%d, got '%s'\n",
				ADV_DURATION_MAX_MS, v);
			return -EINVAL;
		}
	} else if (!strcmp(v, "regtest"))
		o->magic = P2P_MAGIC_REGTEST;
	else if (!strcmp(v, "mainnet"))
		o->magic = P2P_MAGIC_MAINNET;
	else {
		fprintf(stderr, "punch-adversary: --magic: want regtest or "
				"mainnet, got '%s'\n", v);
		return -EINVAL;
	}
	return 0;
}

/* Splits argv: the shared options into o, the rest (argv[0] first) into
 * rest for the role's own getopt. */
static int adv_split(int argc, char **argv, struct adv_common *o,
		     char **rest, int *nrest)
{
	static const char *const shared[] = {"--role", "--run-id", "--events",
					     "--duration-ms", "--magic"};
	const char *v;
	size_t k;
	int i;

	*nrest = 0;
	rest[(*nrest)++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			o->verbose = 1;
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			o->help = 1;
			continue;
		}
		for (k = 0, v = NULL; k < sizeof(shared) / sizeof(*shared); k++)
			if ((v = adv_take(argc, argv, &i, shared[k])))
				break;
		if (!v) {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (adv_common_value(o, shared[k], v))
			return -EINVAL;
	}
	rest[*nrest] = NULL;
	return 0;
}

static int adv_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = adv_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL) ? -errno : 0;
}

static int adv_start(struct adv_common *o, char **rest, int nrest)
{
	const struct adv_role *role = adv_role_find(o->role);
	struct adv_ctx c = {
		.run_id = o->run_id ? o->run_id : "",
		.role = o->role,
		.magic = o->magic,
		.stop = &adv_stop,
		.verbose = o->verbose,
	};
	int rc, existed;

	if (!role) {
		fprintf(stderr, "punch-adversary: --role: no role '%s' "
				"(see --help)\n", o->role);
		return 2;
	}
	/* a usage error of the role (exit 2) takes back a file it made */
	existed = o->events && access(o->events, F_OK) == 0;
	c.events = o->events ? fopen(o->events, "a") : stdout;
	if (!c.events) {
		fprintf(stderr, "punch-adversary: --events %s: %s\n", o->events,
			strerror(errno));
		return 2;
	}
	if (adv_signals()) {
		perror("punch-adversary: sigaction");
		return 1;
	}
	c.deadline_ns = mono_ns() + (int64_t)o->duration_ms * 1000000;
	log_init("adv", o->verbose);
	rc = role->run(&c, nrest, rest);
	if (adv_events_failed())
		log_warnx("%u event lines could not be written",
			  adv_events_failed());
	if (c.events != stdout)
		fclose(c.events);
	if (rc == 2 && o->events && !existed)
		unlink(o->events);
	return rc;
}

int main(int argc, char **argv)
{
	struct adv_common o = {.duration_ms = ADV_DURATION_DEFAULT_MS,
			       .magic = P2P_MAGIC_REGTEST};
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int nrest, rc;

	if (!rest)
		return 1;
	if (adv_split(argc, argv, &o, rest, &nrest)) {
		free(rest);
		return 2;
	}
	if (o.help) {
		adv_usage(stdout);
		free(rest);
		return 0;
	}
	if (!o.role) {
		adv_usage(stderr);
		free(rest);
		return 2;
	}
	rc = adv_start(&o, rest, nrest);
	free(rest);
	return rc;
}
