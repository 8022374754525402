/* pcpconf: the [pcp] keys of a NAT profile, each checked against what
 * miniupnpd 2.3.1 (Debian's miniupnpd-nftables) really does; read in its
 * source (miniupnp/miniupnp tag miniupnpd_2_3_1) and seen in punchlab
 * worlds (tests/integration/parts/pcp-router.sh). */
#include <stdio.h>
#include <string.h>

#include "pcpconf.h"

/* miniupnpd.c clamps min_lifetime to at most 120 and max_lifetime to at
 * most 86400, and refuses to start when min >= max. */
#define PCP_LIFETIME_MIN_CAP 120
#define PCP_LIFETIME_MAX_CAP 86400

static const char *const pcp_server_names[] = { "off", "pcp", "natpmp",
						"both", NULL };

const char *pcpconf_server_str(enum pcp_server s)
{
	return (unsigned int)s < 4 ? pcp_server_names[s] : "?";
}

void pcpconf_defaults(struct pcp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->server = PCP_SERVER_OFF;
	c->lifetime_max = PCP_LIFETIME_MAX_CAP;
	c->lifetime_min = PCP_LIFETIME_MIN_CAP;
	c->port_min = 1024;
	c->port_max = 65535;
	c->honour_port = 1;
}

/* miniupnpd 2.3.1 has one switch, enable_natpmp, for both protocols:
 * they share the socket on port 5351 and a datagram of version 0 goes to
 * the NAT-PMP code, any other to the PCP code (miniupnpd.c, the
 * snatpmp loop). A server of one protocol alone is not what it runs. */
static int key_server(struct pcp_conf *c, const char *v, struct cfg_error *err)
{
	int i = cfg_enum(v, pcp_server_names, err);

	if (i < 0)
		return -1;
	if (i == PCP_SERVER_PCP || i == PCP_SERVER_NATPMP) {
		snprintf(err->msg, sizeof(err->msg),
			 "'%s' cannot be made real: miniupnpd 2.3.1 serves "
			 "PCP and NAT-PMP together under one switch "
			 "(enable_natpmp); write both or off",
			 v);
		return -1;
	}
	c->server = (enum pcp_server)i;
	return 0;
}

static int key_lifetime(unsigned int *out, long cap, const char *v,
			struct cfg_error *err)
{
	long t;

	if (cfg_int(v, 1, cap, &t, err) < 0) {
		snprintf(err->msg + strlen(err->msg),
			 sizeof(err->msg) - strlen(err->msg),
			 " (miniupnpd caps it at %ld seconds)", cap);
		return -1;
	}
	*out = (unsigned int)t;
	return 0;
}

/* PCP (pcpserver.c CreatePCPMap_NAT) and NAT-PMP (natpmp.c) both try
 * the requested port first and give it whenever it is allowed and free;
 * only a refused or taken port makes them step to the next one. No
 * setting of 2.3.1 makes them give another port when the asked one is
 * free, so honour_port = no is refused rather than pretended. */
static int key_honour(struct pcp_conf *c, const char *v, struct cfg_error *err)
{
	if (cfg_bool(v, &c->honour_port, err) < 0)
		return -1;
	if (!c->honour_port) {
		snprintf(err->msg, sizeof(err->msg),
			 "'no' cannot be made real: miniupnpd 2.3.1 always "
			 "grants the requested external port when it is free "
			 "and inside ports; write yes, or narrow ports so "
			 "that the port asked for lies outside it");
		return -1;
	}
	return 0;
}

int pcpconf_key(struct pcp_conf *c, const char *key, const char *value,
		int line, struct cfg_error *err)
{
	if (!strcmp(key, "server"))
		return key_server(c, value, err);
	if (!strcmp(key, "lifetime_max")) {
		c->line_max = line;
		return key_lifetime(&c->lifetime_max, PCP_LIFETIME_MAX_CAP,
				    value, err);
	}
	if (!strcmp(key, "lifetime_min")) {
		c->line_min = line;
		return key_lifetime(&c->lifetime_min, PCP_LIFETIME_MIN_CAP,
				    value, err);
	}
	if (!strcmp(key, "ports"))
		return cfg_port_range(value, &c->port_min, &c->port_max, err);
	if (!strcmp(key, "honour_port"))
		return key_honour(c, value, err);
	snprintf(err->msg, sizeof(err->msg),
		 "unknown key in [pcp]; known keys: server lifetime_max "
		 "lifetime_min ports honour_port");
	return -1;
}

int pcpconf_check(const struct pcp_conf *c, const char *path,
		  struct cfg_error *err)
{
	if (c->lifetime_min >= c->lifetime_max)
		return cfg_fail(err, path,
				c->line_min ? c->line_min : c->line_max,
				c->line_min ? "lifetime_min" : "lifetime_max",
				"lifetime_min %u is not below lifetime_max %u "
				"(miniupnpd refuses to start)",
				c->lifetime_min, c->lifetime_max);
	return 0;
}
