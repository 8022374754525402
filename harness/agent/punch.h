/* punch: the simultaneous open — waves of non-blocking connect() from the
 * shared local port to the peer's public endpoint until one connects or
 * the trial deadline passes; with the strategies' options a listener on
 * the same port, a first SYN with a small TTL, several ports per wave and
 * a cap on the SYNs sent. */
#ifndef PUNCHLAB_AGENT_PUNCH_H
#define PUNCHLAB_AGENT_PUNCH_H

#include <netinet/in.h>
#include <stdint.h>

#include "addr6.h"
#include "outcome.h"

/* syn_ns keeps the first this many connect() times; attempts counts on. */
#define PUNCH_MAX_SYN 1024

/* Ports one wave aims at, and sockets it opens, at most (predict's
 * window, birthday's spray and sockets); below the usual 1024 open files. */
#define PUNCH_MAX_PORTS 1000

struct punch_params {
	uint16_t local_port;
	union addr6 peer; /* its family is the punch sockets' */
	int64_t t_start_ns;
	int64_t deadline_ns;
	int64_t wave_ns; /* a wave without any answer ends after this */
	int listen;	 /* a listener on the punch port too */
	int initiator;	 /* keeps the first connection (see race.h) */
	int ttl;	 /* > 0: the first SYN leaves with this IP TTL */
	unsigned syn_budget; /* 0: no cap */
	/* Each wave connects to every one of these ports at peer's address;
	 * none: peer's own port. */
	uint16_t ports[PUNCH_MAX_PORTS];
	unsigned nports;
	/* predict: wave w (from 0) aims at each ports[k] + w * port_step,
	 * following the peer's NAT as the peer's own SYNs move it on. */
	int port_step;
	/* birthday's opener: each wave opens this many sockets (the first
	 * on the punch port, the others on fresh ports) to the peer. */
	unsigned sockets;
	unsigned max_waves; /* 0: until the deadline */
};

struct punch_result {
	int fd;		   /* the connected socket (non-blocking), or -1 */
	unsigned attempts; /* waves used */
	unsigned n_syn;
	int64_t syn_ns[PUNCH_MAX_SYN]; /* each connect() call */
	/* When the first connect() was due: the start time, plus a
	 * strategy's deliberate lag (birthday's sprayer). */
	int64_t t_punch_ns;
	int64_t t_established_ns;      /* 0 unless connected */
	int64_t syn_retrans;	       /* tcpi_total_retrans, -1 unknown */
	int accepted;		       /* the kept one came via the listener */
	unsigned syns;		       /* SYNs sent, retransmits included */
	unsigned rsts, icmps, accepts; /* what came back */
	int budget_hit;		       /* stopped by syn_budget */
	/* low-ttl: the first SYN's ICMP (sender, type, code), if any */
	int have_icmp;
	union addr6 icmp_from; /* port 0 */
	uint8_t icmp_type, icmp_code;
	int64_t t_probe_err_ns; /* when the low-TTL SYN's error came */
	unsigned probes;	/* low-TTL SYNs sent (one per socket) */
};

/* 0 with r->fd connected (the caller closes it), or -1 with o filled:
 * bind, refused / unreachable (the last error seen), timeout (including
 * "terminated"), setup. */
int punch_run(const struct punch_params *p, struct punch_result *r,
	      struct outcome *o);

#endif
