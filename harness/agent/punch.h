/* punch: the simultaneous open — waves of non-blocking connect() from the
 * shared local port to the peer's public endpoint until one connects or
 * the trial deadline passes. */
#ifndef PUNCHLAB_AGENT_PUNCH_H
#define PUNCHLAB_AGENT_PUNCH_H

#include <netinet/in.h>
#include <stdint.h>

#include "outcome.h"

/* syn_ns keeps the first this many connect() times; attempts counts on. */
#define PUNCH_MAX_SYN 1024

struct punch_params {
	uint16_t local_port;
	struct sockaddr_in peer;
	int64_t t_start_ns;
	int64_t deadline_ns;
	int64_t wave_ns; /* a wave without any answer ends after this */
};

struct punch_result {
	int fd;		   /* the connected socket (non-blocking), or -1 */
	unsigned attempts; /* waves used */
	unsigned n_syn;
	int64_t syn_ns[PUNCH_MAX_SYN]; /* each connect() call */
	int64_t t_established_ns;      /* 0 unless connected */
	int64_t syn_retrans;	       /* tcpi_total_retrans, -1 unknown */
};

/* 0 with r->fd connected (the caller closes it), or -1 with o filled:
 * bind, refused / unreachable (the last error seen), timeout (including
 * "terminated"), setup. */
int punch_run(const struct punch_params *p, struct punch_result *r,
	      struct outcome *o);

#endif
