/* opts_defence: the agent's defence options (docs/adversaries.md section
 * 4) — --target-policy, --wan-allow, the caps, --auth-secret and
 * --start-jitter-ms — apart
 * from opts.c so that each stays readable. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "optparse.h"
#include "opts.h"
#include "startjitter.h"

static int opts_defence_num(const char *opt, const char *s, long long min,
			    long long max, int64_t *out)
{
	long long v;

	if (optparse_ll(s, min, max, &v) < 0) {
		fprintf(stderr, "punch-agent: %s '%s': want an integer from "
				"%lld to %lld\n", opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int opts_parse_defence(int c, const char *v, struct opts *o)
{
	struct targetpolicy *tp = &o->policy;

	switch (c) {
	case OPTS_TARGET_POLICY:
		o->target_policy = 1;
		return 0;
	case OPTS_WAN_ALLOW:
		if (tp->nallow == TARGETPOLICY_MAX_ALLOW) {
			fprintf(stderr, "punch-agent: --wan-allow: at most %d "
					"prefixes\n", TARGETPOLICY_MAX_ALLOW);
			return -EINVAL;
		}
		if (targetpolicy_prefix_parse(v, &tp->allow[tp->nallow])) {
			fprintf(stderr, "punch-agent: --wan-allow '%s': want "
					"ADDRESS/LEN (IPv4 or IPv6)\n", v);
			return -EINVAL;
		}
		tp->nallow++;
		return 0;
	case OPTS_MAX_SYNS:
		return opts_defence_num("--max-syns", v, 1, 1000000,
					&o->max_syns);
	case OPTS_MAX_PUNCH_MS:
		return opts_defence_num("--max-punch-ms", v, 1, 86400000,
					&o->max_punch_ms);
	case OPTS_MAX_DELAY_MS:
		return opts_defence_num("--max-delay-ms", v, 0, UINT32_MAX,
					&o->max_delay_ms);
	case OPTS_START_JITTER_MS:
		return opts_defence_num("--start-jitter-ms", v, 0,
					STARTJITTER_MAX_MS, &o->start_jitter_ms);
	default:
		o->auth_secret = v;
		return 0;
	}
}

/* The defences are for the trial modes that punch (a coordinator, out of
 * band, --connect with --local-port); auth needs the embedded node. The
 * policy brings the caps' defaults; each cap can also stand alone. */
int opts_check_defence(struct opts *o)
{
	int any = o->target_policy || o->policy.nallow || o->max_syns >= 0 ||
		  o->max_punch_ms >= 0 || o->max_delay_ms >= 0 ||
		  o->auth_secret || o->start_jitter_ms >= 0;

	if (o->policy.nallow && !o->target_policy) {
		fprintf(stderr, "punch-agent: --wan-allow is for "
				"--target-policy\n");
		return -EINVAL;
	}
	if (any && o->connect && !o->local_port) {
		fprintf(stderr, "punch-agent: --target-policy, --max-* and "
				"--auth-secret are not for a --connect check "
				"(add --local-port to punch)\n");
		return -EINVAL;
	}
	/* derived from the secret: without one the coordinator, who sent
	 * the nonce, could compute the jitter too */
	if (o->start_jitter_ms >= 0 && !o->auth_secret) {
		fprintf(stderr, "punch-agent: --start-jitter-ms needs "
				"--auth-secret (the jitter is derived from the "
				"secret the peers share)\n");
		return -EINVAL;
	}
	if (o->auth_secret && (o->node != OPTS_NODE_EMBEDDED || o->exec)) {
		fprintf(stderr, "punch-agent: --auth-secret needs the embedded "
				"node (no --node bitcoind*, no --exec)\n");
		return -EINVAL;
	}
	if (o->match_ms < 0)
		o->match_ms = o->target_policy ? OPTS_POLICY_MATCH_MS
					       : OPTS_MATCH_MS;
	if (!o->target_policy)
		return 0;
	if (o->max_syns < 0)
		o->max_syns = OPTS_POLICY_MAX_SYNS;
	if (o->max_punch_ms < 0)
		o->max_punch_ms = OPTS_POLICY_MAX_PUNCH_MS;
	if (o->max_delay_ms < 0)
		o->max_delay_ms = OPTS_POLICY_MAX_DELAY_MS;
	return 0;
}
