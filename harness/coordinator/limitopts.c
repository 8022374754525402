/* limitopts: parsing and applying the flood defences' options. */
#include <errno.h>
#include <limits.h>
#include <sys/resource.h>

#include "limitopts.h"
#include "log.h"
#include "lograte.h"
#include "optparse.h"

#define LIMITOPTS_FD_SPARE 64 /* listeners, stdio, the control pipe */

static int limitopts_int(const char *name, const char *arg, int min, int max,
			 int *out)
{
	if (!optparse_int(arg, min, max, out))
		return 0;
	fprintf(stderr, "punch-coordinator: --%s %s: expected %d to %d\n",
		name, arg, min, max);
	return -EINVAL;
}

int limitopts_parse(int opt, const char *arg, struct opts *o, int *err)
{
	switch (opt) {
	case LIMITOPTS_MAX_CLIENTS:
		*err = limitopts_int("max-clients", arg, 1, OPTS_CLIENTS_MAX,
				     &o->max_clients);
		return 1;
	case LIMITOPTS_PER_ADDR:
		*err = limitopts_int("per-addr-limit", arg, 0,
				     OPTS_CLIENTS_MAX, &o->per_addr_limit);
		return 1;
	case LIMITOPTS_KEY_OWNER:
		o->key_owner = true;
		*err = 0;
		return 1;
	case LIMITOPTS_LOG_RATE:
		*err = limitopts_int("log-rate", arg, 0, INT_MAX, &o->log_rate);
		return 1;
	default:
		return 0;
	}
}

void limitopts_usage(FILE *f)
{
	fprintf(f,
		"\nAgainst floods (docs/adversaries.md, section 5):\n"
		"  --max-clients N        connections open at once, 1..%d "
		"(default %d);\n"
		"                         one more is dropped (\"full\")\n"
		"  --per-addr-limit N     connections open at once from one "
		"source address\n"
		"                         (default 0: no limit); one more is "
		"reset at\n"
		"                         accept, counted, reported once a "
		"second\n"
		"  --key-owner            a key is bound to the connections "
		"that registered\n"
		"                         it while they are open; another "
		"registration of\n"
		"                         it is rejected (hpreject 3)\n"
		"  --log-rate N           log lines a second at most (default 0: "
		"no limit);\n"
		"                         the rest are reported once a second "
		"as\n"
		"                         \"suppressed K lines\"\n",
		OPTS_CLIENTS_MAX, OPTS_CLIENTS_DEFAULT);
}

int limitopts_check(const struct opts *o)
{
	if (o->mode != OPTS_HANDOFF || o->inbound_limit <= o->max_clients)
		return 0;
	fprintf(stderr, "punch-coordinator: --inbound-limit %d is more than "
			"--max-clients %d\n", o->inbound_limit, o->max_clients);
	return -EINVAL;
}

void limitopts_apply(const struct opts *o)
{
	rlim_t want = (rlim_t)o->max_clients + LIMITOPTS_FD_SPARE;
	struct rlimit rl;

	lograte_install((unsigned)o->log_rate);
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("RLIMIT_NOFILE");
	else if (rl.rlim_cur < want)
		log_warnx("open files limited to %llu: fewer than "
			  "--max-clients %d can connect",
			  (unsigned long long)rl.rlim_cur, o->max_clients);
}
