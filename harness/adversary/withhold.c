/* withhold: the coordinator that listens and never answers. A node has
 * registered and waits for hppunch until its own match deadline: the
 * cost is its time and its socket, and no SYN at all. */

#include "advcoord.h"
#include "monoclock.h"
#include "roles.h"

static void withhold_register(struct advcoord *s, struct advcoord_agent *a)
{
	adv_event(s->ctx, "held",
		  json_pack("{s:I,s:s}", "key", (json_int_t)a->reg.key, "from",
			    a->name));
}

static void withhold_close(struct advcoord *s, struct advcoord_agent *a)
{
	int64_t held_ns;

	if (a->state != ADVCOORD_REGISTERED)
		return;
	held_ns = mono_ns() - a->t_register_ns;
	adv_event(s->ctx, "released",
		  json_pack("{s:I,s:s,s:I}", "key", (json_int_t)a->reg.key,
			    "from", a->name, "held_ms",
			    (json_int_t)(held_ns / 1000000)));
}

int adv_withhold_run(struct adv_ctx *c, int argc, char **argv)
{
	static const struct advcoord_ops ops = {
		.on_register = withhold_register,
		.on_close = withhold_close,
	};

	return advcoord_main(c, argc, argv, &ops, NULL);
}
