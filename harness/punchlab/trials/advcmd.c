/* advcmd: an agent's coordinator and defence options. */
#include <stdio.h>

#include "advcmd.h"

int advcmd_port(int cell)
{
	return PLAN_ADV_PORT_BASE + cell;
}

void advcmd_coordinator(const struct trials_cfg *cfg, int cell, char *buf,
			size_t cap)
{
	switch (cfg->s->cells[cell].adv.attack) {
	case CELL_ATTACK_NONE:
		snprintf(buf, cap, "%s:%d", PLAN_COORD_ADDR, PLAN_COORD_PORT);
		return;
	case CELL_ATTACK_REDIRECT:
	case CELL_ATTACK_IMPERSONATE:
	case CELL_ATTACK_WITHHOLD:
	case CELL_ATTACK_DELAY:
		snprintf(buf, cap, "%s:%d", PLAN_MALLORY_ADDR,
			 advcmd_port(cell));
		return;
	default:
		snprintf(buf, cap, "%s:%d", PLAN_COORD_ADDR, advcmd_port(cell));
	}
}

/* The WAN's addresses the policy would refuse as private or CGN, but
 * the testbed uses for public hosts: cells past 249 sit in 172.16/12
 * (plan.c), a NAT444 router's WAN is 100.64.0.2. */
static int wan_allow(const struct plan *p, char **argv)
{
	int n = 0, carrier = 0;

	for (int c = 0; c < p->ncells && !carrier; c++)
		carrier = p->cells[c].side[0].carrier >= 0 ||
			  p->cells[c].side[1].carrier >= 0;
	if (p->ncells > 250) {
		argv[n++] = "--wan-allow";
		argv[n++] = "172.16.0.0/12";
	}
	if (carrier) {
		argv[n++] = "--wan-allow";
		argv[n++] = "100.64.0.0/10";
	}
	return n;
}

int advcmd_argv(const struct trials_cfg *cfg, int cell,
		const struct adv_trial *t, int s, char **argv)
{
	const struct cell_adv *a = &cfg->s->cells[cell].adv;
	int n = 0;

	if (a->target_policy) {
		argv[n++] = "--target-policy";
		n += wan_allow(cfg->w->plan, argv + n);
	}
	if (a->peer_auth && t->auth[s][0]) {
		argv[n++] = "--auth-secret";
		argv[n++] = (char *)t->auth[s];
		if (t->jitter[0]) {
			argv[n++] = "--start-jitter-ms";
			argv[n++] = (char *)t->jitter;
		}
	}
	return n;
}

static int advcmd_lie_wait_ms(const struct cell_adv *a)
{
	if (a->attack == CELL_ATTACK_WITHHOLD)
		return 60000;
	if (a->attack == CELL_ATTACK_DELAY)
		return a->attack_delay_ms < 120000 ? (int)a->attack_delay_ms
						   : 120000;
	return 0;
}

int advcmd_wait_ms(const struct cell_adv *a)
{
	/* the agents' timeout counts from their jittered start */
	int jitter = a->peer_auth ? a->start_jitter_ms : 0;

	return jitter + advcmd_lie_wait_ms(a);
}
