/* redirect: the coordinator as a SYN cannon. Every registration is told,
 * at once, that its peer is the victim; the node then punches the victim
 * with its waves of SYNs, from its own address. */
#include <string.h>

#include "advcoord.h"
#include "roles.h"

#define REDIRECT_DELAY_MS 10

static struct p2p_netaddr redirect_victim;

static void redirect_register(struct advcoord *s, struct advcoord_agent *a)
{
	advcoord_punch(s, a, &redirect_victim, COORD_ROLE_INITIATOR,
		       advcoord_random64(), REDIRECT_DELAY_MS);
}

static int redirect_set_victim(const char *value)
{
	struct sockaddr_storage ss;

	if (advcoord_addr_opt("victim", value, &ss))
		return 2;
	return p2p_netaddr_from_sockaddr(&redirect_victim,
					 (struct sockaddr *)&ss) ? 2 : 0;
}

int adv_redirect_run(struct adv_ctx *c, int argc, char **argv)
{
	static const struct advcoord_ops ops = {
		.on_register = redirect_register,
	};
	static const struct advcoord_extra victim = {"victim", 1,
						     redirect_set_victim};

	return advcoord_main(c, argc, argv, &ops, &victim);
}
