/* delay: the coordinator that pairs honestly but schedules the punch for
 * the far future (delay_ms up to 2^32-1 ms, 49.7 days): each node waits
 * on its request with its socket open, until its own bound, if any. */
#include <stdint.h>

#include "advcoord.h"
#include "optparse.h"
#include "roles.h"

static uint32_t delay_ms = UINT32_MAX;

static void delay_pair(struct advcoord *s, struct advcoord_agent *ini,
		       struct advcoord_agent *rsp)
{
	uint64_t nonce = advcoord_random64();

	advcoord_punch(s, ini, &rsp->observed, COORD_ROLE_INITIATOR, nonce,
		       delay_ms);
	advcoord_punch(s, rsp, &ini->observed, COORD_ROLE_RESPONDER, nonce,
		       delay_ms);
}

static int delay_set(const char *value)
{
	uint64_t v;

	if (optparse_u64(value, 0, UINT32_MAX, &v)) {
		fprintf(stderr, "punch-adversary: --delay-ms: want "
				"0..4294967295, got '%s'\n", value);
		return 2;
	}
	delay_ms = (uint32_t)v;
	return 0;
}

int adv_delay_run(struct adv_ctx *c, int argc, char **argv)
{
	static const struct advcoord_ops ops = {
		.pair = 1,
		.on_pair = delay_pair,
	};
	static const struct advcoord_extra delay = {"delay-ms", 0, delay_set};

	return advcoord_main(c, argc, argv, &ops, &delay);
}
