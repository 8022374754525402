/* pcpconf: the [pcp] section of a NAT profile — whether the router runs
 * a PCP (RFC 6887) / NAT-PMP (RFC 6886) server (Debian's miniupnpd 2.3.1)
 * and what it grants. Only values miniupnpd 2.3.1 can really do are
 * accepted; nat-profiles/README.md says why the others are refused. */
#ifndef PUNCHLAB_PCPCONF_H
#define PUNCHLAB_PCPCONF_H

#include <stdint.h>

#include "cfg.h"

enum pcp_server {
	PCP_SERVER_OFF = 0,
	PCP_SERVER_PCP,	   /* refused: see pcpconf.c */
	PCP_SERVER_NATPMP, /* refused: see pcpconf.c */
	PCP_SERVER_BOTH,
};

struct pcp_conf {
	enum pcp_server server;
	unsigned int lifetime_max, lifetime_min; /* seconds */
	uint16_t port_min, port_max; /* external ports it grants from */
	int honour_port;	     /* always 1: see pcpconf.c */
	int line;		     /* of the [pcp] header, 0 = none */
	int line_max, line_min;	     /* of those keys, 0 = not given */
};

/* What a profile without [pcp] (or a key left out) means: no server;
 * miniupnpd's own defaults for the rest. */
void pcpconf_defaults(struct pcp_conf *c);
/* One key of [pcp] (a cfg handler's part: line is the key's): 0, or -1
 * with err->msg (cfg adds file, line and key) for unknown keys, bad
 * values and values miniupnpd cannot do. */
int pcpconf_key(struct pcp_conf *c, const char *key, const char *value,
		int line, struct cfg_error *err);
/* After the whole file: keys that contradict each other (lifetime_min
 * not below lifetime_max). 0 or -1 with err. */
int pcpconf_check(const struct pcp_conf *c, const char *path,
		  struct cfg_error *err);
/* "off", "pcp", "natpmp", "both"; "?" out of range. */
const char *pcpconf_server_str(enum pcp_server s);

#endif
