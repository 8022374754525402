/* handoff: learning that charlie holds a trial's first side, from the
 * coordinator's control channel (coordctl), read by the scheduler's poll
 * loop. Both sides register under the trial's key, so "held KEY" names
 * the trial whichever side is first. */
#include "agentcmd.h"
#include "coordctl.h"
#include "handoff.h"
#include "modes.h"

int handoff_first_held(const struct trials_cfg *cfg, const struct running *r)
{
	int first = trial_mode(cfg->s->mode)->first;

	/* No channel (cannot happen in a run): do not wait forever. The
	 * first side gave up: start the second anyway, it will report it. */
	return !cfg->ctl ||
	       coordctl_is_held(cfg->ctl, agentcmd_key(r->cell, r->trial)) ||
	       r->sd[first].fd < 0;
}
