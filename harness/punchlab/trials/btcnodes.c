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

double btcnodes_line_time_s(const char *line)
{
	struct tm tm;
	int us;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(line, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		   &us) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm) + us / 1e6;
}

double btcnodes_log_time_s(const struct btcnode *n, const char *want,
			   char *line, size_t cap)
{
	char path[PATH_MAX], buf[1024];
	double t = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/regtest/debug.log", n->datadir);
	f = fopen(path, "re");
	while (f && fgets(buf, sizeof(buf), f)) {
		if (!strstr(buf, want))
			continue;
		t = btcnodes_line_time_s(buf);
		if (line)
			snprintf(line, cap, "%.*s", (int)strcspn(buf, "\n"),
				 buf);
		break;
	}
	if (f)
		fclose(f);
	return t;
}

/* Exact, unlike polling 21 nodes over RPC one after another. */
double btcnodes_tip_time_s(const struct btcnode *n, const char *hash)
{
	char want[96];

	snprintf(want, sizeof(want), "UpdateTip: new best=%s", hash);
	return btcnodes_log_time_s(n, want, NULL, 0);
}
