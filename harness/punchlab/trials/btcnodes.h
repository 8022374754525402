/* btcnodes: the regtest bitcoind of each home of a cell, started in the
 * home hosts with the agent as their SOCKS5 proxy, and what they say. */
#ifndef PUNCHLAB_BTCNODES_H
#define PUNCHLAB_BTCNODES_H

#include <jansson.h>

#include "btcnode.h"
#include "trialcfg.h"

#define BTC_P2P_PORT 18444
#define BTC_RPC_PORT 18443
#define BTC_SOCKS "127.0.0.1:19050"

/* node[0] for alice, node[1] for bob of cell, up and answering RPC.
 * 0 or -errno. */
int btcnodes_start(const struct trials_cfg *cfg, int cell,
		   struct btcnode *node);
/* Stops n (if it runs) and tells the cleanup registry. */
void btcnodes_stop_one(const struct trials_cfg *cfg, struct btcnode *n);
/* 1 when n lists a connected peer at addr; its connection type,
 * transport and user agent go into out. */
int btcnodes_sees(struct btcnode *n, const char *addr, json_t *out);
/* The wall time (s) of a debug.log line: -1 when it has none. */
double btcnodes_line_time_s(const char *line);
/* The first line of n's debug.log that holds want (without its newline,
 * into line when not NULL) and its wall time (s, the log's µs clock);
 * -1 when there is none yet. */
double btcnodes_log_time_s(const struct btcnode *n, const char *want,
			   char *line, size_t cap);
/* When n made block hash its tip, from its debug.log (wall clock, s);
 * -1 when not found. */
double btcnodes_tip_time_s(const struct btcnode *n, const char *hash);

#endif
