/* agentcmd: one agent's command line. */
#include <stdio.h>

#include "celldraw.h"

#include "advcmd.h"
#include "agentcmd.h"
#include "modes.h"
#include "plan6.h"

#define LOCAL_PORT_BASE 20000
#define LOCAL_PORT_SPAN 40000
#define BTC_P2P_PORT 18444
#define BTC_SOCKS "127.0.0.1:19050"
#define BTC_HOLD_EXTRA_MS 30000

unsigned long long agentcmd_key(int cell, int trial)
{
	return (unsigned long long)(cell + 1) * 1000000ull + trial + 1;
}

/* Skew: bob starts this much after alice (or before, negative). */
static int skew_opts(const struct cell_cond *cc, int s, char **argv,
		     char *buf)
{
	if (s != 1 || cc->skew_ms == 0)
		return 0;
	snprintf(buf, 64, "%lld",
		 (long long)(cc->skew_ms >= 0 ? cc->skew_ms + 0.5 :
						cc->skew_ms - 0.5));
	argv[0] = "--skew-ms";
	argv[1] = buf;
	return 2;
}

/* The strategy and the parameters it was given; nothing for connect
 * without parameters, so that old scenarios run the same command line. */
static int strategy_opts(const struct cell_cond *cc, char **argv,
			 char (*buf)[64])
{
	static const struct {
		int param;
		const char *opt;
	} opts[] = {
		{CELLCOND_PREDICT_WINDOW, "--predict-window"},
		{CELLCOND_BIRTHDAY_SOCKETS, "--birthday-sockets"},
		{CELLCOND_BIRTHDAY_PORTS, "--birthday-ports"},
		{CELLCOND_SYN_BUDGET, "--syn-budget"},
	};
	int n = 0, b = 0;

	if (cc->strategy != CELLCOND_CONNECT) {
		argv[n++] = "--strategy";
		argv[n++] = (char *)cellcond_strategies[cc->strategy];
	}
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		double v = cellcond_get(cc, opts[i].param);

		if (v <= 0)
			continue;
		snprintf(buf[b], 64, "%u", (unsigned)v);
		argv[n++] = (char *)opts[i].opt;
		argv[n++] = buf[b++];
	}
	return n;
}

static int node_opts(const struct trials_cfg *cfg, const char *lan_addr,
		     char **argv, char (*buf)[64])
{
	if (cfg->s->node == SCENARIO_NODE_EMBEDDED)
		return 0;
	snprintf(buf[0], 64, "%s:%d", lan_addr, BTC_P2P_PORT);
	snprintf(buf[1], 64, "%d", cfg->s->timeout_ms + BTC_HOLD_EXTRA_MS);
	argv[0] = "--node";
	argv[1] = (char *)scenario_node_name(cfg->s->node);
	argv[2] = "--socks";
	argv[3] = BTC_SOCKS;
	argv[4] = "--bitcoind-p2p";
	argv[5] = buf[0];
	argv[6] = "--hold-ms";
	argv[7] = buf[1];
	return 8;
}

int agentcmd_argv(const struct trials_cfg *cfg, int cell, int trial, int s,
		  char **argv, char (*buf)[64])
{
	const struct world_side *ws = &cfg->w->cells[cell].side[s];
	struct cell_cond cc;
	int n = 0;

	celldraw_trial(cfg->s, cell, trial, &cc);

	/* an adversary cell's: mallory's, or its own (advcmd.h); family =
	 * 6: charlie's IPv6 listener (daemons.c), the punch over IPv6 */
	if (cc.family == CELLCOND_FAMILY_6)
		snprintf(buf[0], 64, "[%s]:%d", PLAN6_COORD_ADDR,
			 PLAN_COORD_PORT);
	else
		advcmd_coordinator(cfg, cell, buf[0], 64);
	snprintf(buf[1], 64, "%s:%d", PLAN_COORD_ADDR, PLAN_PROBE_PORT);
	snprintf(buf[2], 64, "%llu", agentcmd_key(cell, trial));
	snprintf(buf[3], 64, "%d", LOCAL_PORT_BASE + trial % LOCAL_PORT_SPAN);
	/* The run id in every process's command line (punchlab clean, tests). */
	snprintf(buf[4], 64, "%s-c%d-%s-t%d", cfg->w->rid, cell,
		 s ? "bob" : "alice", trial);
	snprintf(buf[5], 64, "%d", cfg->s->timeout_ms);
	argv[n++] = (char *)cfg->agent_path;
	n += trial_mode(cfg->s->mode)->agent_opts(argv + n, s, buf[0], buf[1],
						    buf[2]);
	argv[n++] = "--local-port";
	argv[n++] = buf[3];
	argv[n++] = "--name";
	argv[n++] = buf[4];
	argv[n++] = "--timeout-ms";
	argv[n++] = buf[5];
	n += skew_opts(&cc, s, argv + n, buf[6]);
	if (cfg->s->realtime)
		argv[n++] = "--realtime";
	n += node_opts(cfg, ws->p->lan_addr, argv + n, buf + 7);
	n += strategy_opts(&cc, argv + n, buf + 9);
	argv[n] = NULL;
	return n;
}

/* Keys of background nodes lie past every trial key (at most
 * SCENARIO_MAX_CELLS * 10^6 + 10^5): 10^10 per host slot. */
#define BACKGROUND_KEY_STEP 10000000000ull

int agentcmd_background_argv(const struct trials_cfg *cfg, int cell,
			     int trial, int s, int h, char **argv,
			     char (*buf)[64])
{
	int n = agentcmd_argv(cfg, cell, trial, s, argv, buf);

	/* buf[2] is the key, buf[4] the name (agentcmd_argv). */
	snprintf(buf[2], 64, "%llu",
		 agentcmd_key(cell, trial) +
			 BACKGROUND_KEY_STEP *
				 (unsigned long long)(1 + s * CELLCOND_HOSTS_MAX +
						      h));
	snprintf(buf[4], 64, "%s-c%d-%c%d-t%d", cfg->w->rid, cell,
		 s ? 'b' : 'a', h + 1, trial);
	return n;
}
