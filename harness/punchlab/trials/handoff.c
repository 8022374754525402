/* handoff: learning that charlie holds alice. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agentcmd.h"
#include "handoff.h"

/* Handoff: alice is held at charlie once the coordinator logged her as an
 * inbound peer (polled from its event file, never slept). */
int handoff_alice_held(const struct trials_cfg *cfg, const struct running *r)
{
	char path[PATH_MAX], want[64], line[2048], *p;
	int found = 0;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/coordinator.jsonl",
		     cfg->run_dir) >= (int)sizeof(path))
		return 1;
	snprintf(want, sizeof(want), "\"key\":%llu",
		 agentcmd_key(r->cell, r->trial));
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		if (strstr(line, "\"inbound\"") && (p = strstr(line, want)) &&
		    !isdigit((unsigned char)p[strlen(want)]))
			found = 1;
	if (f)
		fclose(f);
	/* Alice gave up already: start bob anyway, he will report it. */
	return found || r->sd[0].fd < 0;
}
