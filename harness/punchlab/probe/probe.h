/* probe: the data model of `punchlab probe` — what a profile declares, what
 * the probe saw on the wire, and the rows of the verdict that compare them.
 * Plain data: everything that fills or reads it lives in the probe_* files. */
#ifndef PUNCHLAB_PROBE_H
#define PUNCHLAB_PROBE_H

#include <stdint.h>

#include "profile.h"

#define PROBE_NPORTS 6 /* new mappings in the port-assignment test */
#define PROBE_NLIFE 6  /* idle connections in the lifetime test */
#define PROBE_LIFE_S                                                           \
	3		    /* established timeout the probe sets when the     \
			     * profile's is the kernel default or too long */
#define PROBE_LIFE_MAX_S 10 /* longest declared timeout measured as is */
/* datagrams S sends, one each PROBE_REFRESH_STEP_MS, in the refresh test */
#define PROBE_NREFRESH (2 * PROBE_LIFE_MAX_S + 4)
#define PROBE_REFRESH_STEP_MS 500

/* An IPv4 endpoint; ip in network byte order, port in host order. */
struct probe_ep {
	uint32_t ip;
	uint16_t port;
};

/* How an outbound connection attempt ended. */
enum probe_answer {
	PROBE_ANS_NONE,	    /* no answer within the window: dropped */
	PROBE_ANS_ACCEPTED, /* handshake completed */
	PROBE_ANS_RST,	    /* ECONNREFUSED without an ICMP error */
	PROBE_ANS_ICMP,	    /* an ICMP error (type, code recorded) */
	PROBE_ANS_ERROR,    /* anything else (errno recorded) */
};

struct probe_attempt {
	enum probe_answer ans;
	int err; /* errno of PROBE_ANS_ERROR / ICMP */
	uint8_t icmp_type, icmp_code;
	int arrived;		 /* the listener behind the NAT accepted it */
	struct probe_ep seen_as; /* the source the listener saw */
};

/* The behaviour the probe expects: the profile's, or for NAT444 what a
 * home router behind a carrier NAT looks like from outside. */
struct probe_decl {
	int layers; /* 1, or 2 with a carrier NAT */
	enum nat_mapping mapping;
	enum nat_ports ports;
	uint16_t port_min, port_max; /* H1's block when block is set */
	int block;		     /* ports come from a subscriber block */
	enum nat_filter filtering;
	enum nat_syn syn;
	/* UDP maps as TCP (mapping, ports above); it filters and answers
	 * unsolicited datagrams as profile_udp_*() say. */
	enum nat_filter udp_filtering;
	enum nat_udp udp_unsolicited;
	int hairpin;
	/* Idle lifetime of an established mapping the probe checks, and
	 * the profile's own value (0 = kernel default) when it overrode it. */
	unsigned int life_s, life_profile_s;
	int life_override;
	/* the keys of issue 11, as seen from outside */
	int overloading;
	enum nat_simopen simopen;
	enum nat_refresh refresh;
	int refresh_measure; /* measured: --timeouts or declared outbound */
	/* SYN_SENT timeout as probed and as declared (0 = kernel default);
	 * syn_measure: --timeouts or declared by the profile */
	unsigned int syn_s, syn_profile_s;
	int syn_measure;
};

/* What the mapping tests of one protocol saw, TCP and UDP alike: one
 * local endpoint toward three server endpoints (map_*), and new mappings
 * from consecutive local ports (port_*). */
struct probe_map_obs {
	int map_err;
	struct probe_ep map_local, map_seen[3];
	int ports_err;
	int nports;
	uint16_t port_local[PROBE_NPORTS], port_seen[PROBE_NPORTS];
};

/* Raw UDP observations, laid out as the TCP ones: datagrams from one
 * socket per local port; "arrived" is a datagram read behind the NAT. */
struct probe_udp_obs {
	/* H1:base toward S:a:p1, S:a:p2, S:b:p1; new mappings from
	 * H1:base+10.. toward S:a:p1 */
	struct probe_map_obs m;
	/* inbound: to the mapping H1:base+20 made toward S:a:p1, datagrams
	 * from S:a:p1 (the reply every filter admits), S:a:p2 and S:b:p1;
	 * one from T to a public port without mapping */
	int in_err;
	struct probe_ep filt_public;
	struct probe_attempt reply, from_port, from_addr, unsol;
	uint16_t unsol_port;
	char why[256]; /* first UDP error, for the report */
};

/* Raw observations; a test that could not run leaves its err set
 * (-errno) and its why text filled. */
struct probe_obs {
	/* one local endpoint toward S:a:p1, S:a:p2, S:b:p1; new mappings
	 * from consecutive local ports */
	struct probe_map_obs m;
	/* inbound: to a mapping held toward S:a:hold, from T (other
	 * host) and from S:a:other-port; unsolicited SYN from T to a port
	 * without mapping; hairpin from H2 to H1's mapping */
	int in_err;
	struct probe_ep filt_public;
	struct probe_attempt from_host, from_addr, syn, hairpin;
	uint16_t syn_port;
	struct probe_ep h2_public; /* H2's own mapping toward S */
	/* lifetime: connection i idle life_ms[i], then S sends a byte */
	int life_err;
	int nlife;
	int life_ms[PROBE_NLIFE];
	int life_alive[PROBE_NLIFE];
	char why[256]; /* first error, for the report */
	struct probe_udp_obs udp;
	/* port overloading: H1 and H2 from the same local port toward
	 * S:a:p1 and S:b:p1 at once, and the sources S saw */
	int ovl_err, udp_ovl_err;
	uint16_t ovl_local, udp_ovl_local;
	struct probe_ep ovl_h1, ovl_h2, udp_ovl_h1, udp_ovl_h2;
	/* simultaneous open: H1's SYN to T, swallowed there; T's own SYN
	 * back to the public endpoint it came from; how both ended */
	int so_err;
	struct probe_ep so_public;
	struct probe_attempt so_h1, so_t;
	/* SYN_SENT: mapping i made by one unanswered SYN, probed by T's SYN
	 * after syn_ms[i] */
	int syn_err;
	int nsyn;
	int syn_ms[PROBE_NLIFE];
	int syn_alive[PROBE_NLIFE];
	/* refresh: H1 sends one datagram, then only S sends: datagram i
	 * left refresh_ms[i] after H1's and arrived or not */
	int refresh_err;
	int nrefresh;
	int refresh_ms[PROBE_NREFRESH];
	int refresh_in[PROBE_NREFRESH];
	char keys_why[256]; /* first error of the tests above */
};

enum probe_verdict { PROBE_PASS, PROBE_DIFF, PROBE_ERROR };

struct probe_row {
	char axis[24];
	int udp; /* a UDP axis (JSON "proto") */
	char declared[64];
	char measured[64];
	char detail[256];
	enum probe_verdict verdict;
};

#define PROBE_MAX_ROWS 26

struct probe_report {
	char profile[PROFILE_NAME_MAX];
	char behind[PROFILE_NAME_MAX]; /* "" without a carrier NAT */
	char rid[8];
	long duration_ms;
	int nrows;
	struct probe_row rows[PROBE_MAX_ROWS];
};

#endif
