/* profile6: a profile's [ipv6] section — whether the home (or carrier)
 * has IPv6, and how its router filters new inbound IPv6 connections
 * (docs/alternatives.md section 2; nat-profiles/README.md). */
#ifndef PUNCHLAB_PROFILE6_H
#define PUNCHLAB_PROFILE6_H

#include "cfg.h"
#include "profile_names.h"

/* RFC 4787 / RFC 6092 REC-33 filtering of a stateful IPv6 firewall;
 * open: none at all (a host with a public address, RFC 6092 REC-49's
 * transparent mode). */
enum profile6_filter {
	PROFILE6_EIF,
	PROFILE6_ADF,
	PROFILE6_APDF,
	PROFILE6_OPEN,
};

struct profile6 {
	int enabled;
	enum profile6_filter filtering;
	enum nat_syn unsolicited_syn; /* icmp: admin prohibited (REC-34) */
	int pinholes;
	/* Lines for errors (0 = not given): the section header, keys. */
	int line, enabled_line, pinholes_line;
};

extern const char *const profile6_filter_names[];

/* Defaults: no IPv6, address+port-dependent, drop, no pinholes. */
void profile6_defaults(struct profile6 *v6);
/* One line of [ipv6] from the cfg handler: key NULL is the section
 * header (line). 0, or -1 with err->msg set (cfg adds file:line:key). */
int profile6_line(struct profile6 *v6, const char *key, const char *value,
		  int line, struct cfg_error *err);
/* Keys that contradict each other, after the whole file: 0 or -1 with err
 * naming path, line and key. */
int profile6_check(const struct profile6 *v6, const char *path,
		   struct cfg_error *err);
const char *profile6_filter_str(enum profile6_filter f);

#endif
