/* btcnodes: a cell's two regtest nodes. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "btcnodes.h"
#include "cleanup.h"
#include "log.h"

int btcnodes_start(const struct trials_cfg *cfg, int cell,
		       struct btcnode *node)
{
	char dir[PATH_MAX];
	int e;

	for (int s = 0; s < 2; s++) {
		const struct world_side *ws = &cfg->w->cells[cell].side[s];

		snprintf(dir, sizeof(dir), "%s/bitcoind-c%d-%s", cfg->run_dir,
			 cell, s ? "bob" : "alice");
		/* Both get the proxy: the role is only known at the match,
		 * and a node that dials nobody never uses it. */
		e = btcnode_spawn(&node[s], ws->host->fd, cfg->bitcoind, dir,
				  ws->p->lan_addr, BTC_P2P_PORT, BTC_RPC_PORT,
				  BTC_SOCKS, cfg->log_fd);
		if (e < 0)
			return e;
		cleanup_pid(cfg->w->cu, node[s].pid);
		e = btcnode_wait_ready(&node[s], BTCNODE_READY_MS);
		if (e < 0) {
			log_warnx("bitcoind in %s did not come up (see %s)",
				  ws->host->ns, dir);
			return e;
		}
	}
	return 0;
}

void btcnodes_stop_one(const struct trials_cfg *cfg, struct btcnode *n)
{
	pid_t pid = n->pid;

	if (pid > 0) {
		btcnode_stop(n, BTCNODE_STOP_MS);
		cleanup_reaped(cfg->w->cu, pid);
	}
}

/* The peer entry of this trial's connection: the spliced event names the
 * address the local node sees for it. */
int btcnodes_sees(struct btcnode *n, const char *addr, json_t *out)
{
	struct btcnode_peer *p = NULL;
	int np = btcnode_getpeerinfo(n, &p), found = 0;

	for (int i = 0; i < np && !found; i++)
		if (p[i].version > 0 && !strcmp(p[i].addr, addr)) {
			found = 1;
			json_object_set_new(out, "conn_type",
					    json_string(p[i].conn_type));
			json_object_set_new(out, "transport",
					    json_string(p[i].transport));
			json_object_set_new(out, "peer_subver",
					    json_string(p[i].subver));
		}
	free(p);
	return found;
}

/* When a node made the block its tip, from its debug.log (wall clock, µs,
 * the same clock in every namespace): -1 when not found. Exact, unlike
 * polling 21 nodes over RPC one after another. */
double btcnodes_tip_time_s(const struct btcnode *n, const char *hash)
{
	char path[PATH_MAX], line[1024], want[96];
	struct tm tm;
	double t = -1;
	int us;
	FILE *f;

	snprintf(path, sizeof(path), "%s/regtest/debug.log", n->datadir);
	snprintf(want, sizeof(want), "UpdateTip: new best=%s", hash);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, want))
			continue;
		memset(&tm, 0, sizeof(tm));
		if (sscanf(line, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year,
			   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			   &tm.tm_sec, &us) == 7) {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			t = (double)timegm(&tm) + us / 1e6;
		}
		break;
	}
	if (f)
		fclose(f);
	return t;
}
