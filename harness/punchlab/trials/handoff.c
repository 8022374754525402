/* handoff: learning that charlie holds alice, from the coordinator's
 * control channel (coordctl), read by the scheduler's poll loop. */
#include "agentcmd.h"
#include "coordctl.h"
#include "handoff.h"

int handoff_alice_held(const struct trials_cfg *cfg, const struct running *r)
{
	/* No channel (cannot happen in a run): do not wait forever. Alice
	 * gave up already: start bob anyway, he will report it. */
	return !cfg->ctl ||
	       coordctl_is_held(cfg->ctl, agentcmd_key(r->cell, r->trial)) ||
	       r->sd[0].fd < 0;
}
