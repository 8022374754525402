/* profile: a NAT behaviour as declared in nat-profiles/<name>.ini, in the
 * terms of RFC 4787 / RFC 5382. */
#ifndef PUNCHLAB_PROFILE_H
#define PUNCHLAB_PROFILE_H

#include <stdint.h>

#include "cfg.h"
#include "profile6.h"
#include "pcpconf.h"
#include "profile_names.h"

#define PROFILE_NAME_MAX 64
/* A sequential port assignment lists every port of its range (or block)
 * in the ruleset, so the range is bounded. */
#define PROFILE_SEQ_PORTS_MAX 1024

struct nat_profile {
	char name[PROFILE_NAME_MAX]; /* file name without .ini */
	char path[512];
	char description[256];
	enum nat_mapping mapping;
	enum nat_ports ports;
	uint16_t port_min, port_max; /* used by sequential/random */
	enum nat_filter filtering;
	enum nat_syn unsolicited_syn;
	/* UDP gets the same mapping; its filtering and its answer to an
	 * unsolicited datagram follow the TCP ones unless set (read them
	 * through profile_udp_filtering / profile_udp_unsolicited). */
	enum nat_filter udp_filtering;
	int udp_filtering_set;
	enum nat_udp udp_unsolicited;
	int udp_unsolicited_set;
	int hairpin;
	/* Two inside endpoints given the same public port (toward different
	 * destinations; RFC 4787 REQ-3 forbids it). Read it through
	 * profile_port_overloading: the default follows port_assignment. */
	int port_overloading;
	int port_overloading_set;
	enum nat_simopen simultaneous_open;
	enum nat_refresh refresh;
	/* conntrack TCP timeouts in seconds; 0 = kernel default */
	unsigned int timeout_syn_sent, timeout_established, timeout_transitory;
	/* NAT444: the carrier profile whose NAT this router's WAN sits
	 * behind ("" = none), and the line of that key for errors. */
	char behind[PROFILE_NAME_MAX];
	int behind_line;
	/* Carrier: ports per subscriber block (RFC 6888 REQ-4); 0 = all
	 * subscribers share port_range. */
	unsigned int port_block;
	struct profile6 ipv6; /* [ipv6] (profile6.h) */
	/* [pcp]: the router's PCP/NAT-PMP server (pcpconf.h). */
	struct pcp_conf pcp;
};

/* Reads one profile file. 0 or -1 with err naming file, line and key.
 * Unknown keys and sections are errors; missing keys take defaults noted
 * in nat-profiles/README.md. */
int profile_load(const char *path, struct nat_profile *p,
		 struct cfg_error *err);
/* Loads <dir>/<name>.ini; a name with '/' or '..' is refused. On -1,
 * errno is ENOENT when there is no such file, else EINVAL. */
int profile_find(const char *dir, const char *name, struct nat_profile *p,
		 struct cfg_error *err);

/* Loads the carrier profile p names in `behind` from dir. 0, or -1 with
 * err naming p's file, the line of `behind` and that key: no such
 * profile (errno ENOENT), a broken one, or one that is itself behind a
 * carrier (NAT4444 is not supported; errno EINVAL). */
int profile_load_carrier(const char *dir, const struct nat_profile *p,
			 struct nat_profile *carrier, struct cfg_error *err);

/* UDP filtering: udp_filtering when the profile sets it, else filtering. */
enum nat_filter profile_udp_filtering(const struct nat_profile *p);
/* The answer to an unsolicited datagram: udp_unsolicited when set, else
 * what the TCP answer stands for — silence for unsolicited_syn = drop,
 * ICMP port unreachable for rst (a reject rule's answer to UDP) and
 * icmp. */
enum nat_udp profile_udp_unsolicited(const struct nat_profile *p);
/* Port overloading: port_overloading when set, else what the rules
 * without the key do — the kernel keeps a preserved source port for a
 * second inside host (on) unless ports are drawn or come from subscriber
 * blocks (off); never with mapping = none (nothing is translated). */
int profile_port_overloading(const struct nat_profile *p);

#endif
