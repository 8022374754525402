/* events: the adversary's record of what it did, one JSON line per
 * action, read by the harness to put numbers beside the victims' own
 * counters (attacker bytes, who was played, when packets were spoofed). */
#include <stdio.h>

#include "adv.h"
#include "monoclock.h"

static unsigned adv_event_failures;

void adv_event(struct adv_ctx *c, const char *name, json_t *members)
{
	json_t *o = members ? members : json_object();

	json_object_set_new(o, "event", json_string(name));
	json_object_set_new(o, "t_ns", json_integer((json_int_t)mono_ns()));
	if (json_dumpf(o, c->events, JSON_COMPACT | JSON_SORT_KEYS) ||
	    fputc('\n', c->events) == EOF || fflush(c->events))
		adv_event_failures++;
	json_decref(o);
}

int adv_done(const struct adv_ctx *c)
{
	return *c->stop || mono_ns() >= c->deadline_ns;
}

int adv_wait_ms(const struct adv_ctx *c, int cap_ms)
{
	int64_t left = (c->deadline_ns - mono_ns()) / 1000000;

	if (left <= 0)
		return 0;
	return left < cap_ms ? (int)left : cap_ms;
}

unsigned adv_events_failed(void)
{
	return adv_event_failures;
}
