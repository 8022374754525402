/* btcpcp: bitcoind's own PCP/NAT-PMP port mapping behind the home router,
 * dialled from a node on the WAN. */
#ifndef PUNCHLAB_BTCPCP_H
#define PUNCHLAB_BTCPCP_H

#include <stdio.h>

#include "results.h"
#include "trialcfg.h"

/* natpmp scenarios: per trial alice's node starts with -natpmp=1, and a
 * node on charlie dials the external endpoint its log names (without a
 * mapping: the router's public address and the port it asked for);
 * success = alice's node lists that peer as inbound. b's home is not
 * used. Same contract as trials_run (trials.h). */
int btcpcp_run(const struct trials_cfg *cfg, FILE *jsonl,
	       struct cell_result *res);

#endif
