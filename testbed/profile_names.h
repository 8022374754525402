/* profile_names: the values the keys of a NAT profile take — one enum
 * per key — and their names in the file format, NULL-terminated in enum
 * order for cfg_enum(), and as text for reports and rulesets. */
#ifndef PUNCHLAB_PROFILE_NAMES_H
#define PUNCHLAB_PROFILE_NAMES_H

enum nat_mapping {
	NAT_MAP_EIM,  /* endpoint-independent */
	NAT_MAP_ADM,  /* address-dependent */
	NAT_MAP_APDM, /* address+port-dependent (symmetric) */
	NAT_MAP_NONE, /* no translation (public address, firewall only) */
};
enum nat_ports { NAT_PORTS_PRESERVE, NAT_PORTS_SEQUENTIAL, NAT_PORTS_RANDOM };
enum nat_filter { NAT_FILTER_EIF, NAT_FILTER_ADF, NAT_FILTER_APDF };
enum nat_syn { NAT_SYN_DROP, NAT_SYN_RST, NAT_SYN_ICMP };
/* The answer to an unsolicited UDP datagram: UDP has no RST. */
enum nat_udp { NAT_UDP_DROP, NAT_UDP_ICMP };
/* An inbound bare SYN for a mapping whose own SYN is unanswered (a
 * simultaneous open, RFC 5382 REQ-2): let through or dropped. */
enum nat_simopen { NAT_SIMOPEN_PASS, NAT_SIMOPEN_DROP };
/* Which packets keep a mapping alive: both directions (conntrack) or
 * outbound ones only (RFC 4787 REQ-6's minimum). */
enum nat_refresh { NAT_REFRESH_BOTH, NAT_REFRESH_OUTBOUND };

extern const char *const profile_mapping_names[];
extern const char *const profile_ports_names[];
extern const char *const profile_filter_names[];
extern const char *const profile_syn_names[];
extern const char *const profile_udp_names[];
extern const char *const profile_simopen_names[];
extern const char *const profile_refresh_names[];

/* The name of a value; "?" for one outside its enum. */
const char *profile_mapping_str(enum nat_mapping m);
const char *profile_ports_str(enum nat_ports p);
const char *profile_filter_str(enum nat_filter f);
const char *profile_syn_str(enum nat_syn s);
const char *profile_udp_str(enum nat_udp u);
const char *profile_simopen_str(enum nat_simopen s);
const char *profile_refresh_str(enum nat_refresh r);

#endif
