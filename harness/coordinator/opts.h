/* opts: what punch-coordinator was told on its command line, as every
 * part of the daemon reads it (main.c fills it in; nothing changes it). */
#ifndef PUNCHLAB_COORD_OPTS_H
#define PUNCHLAB_COORD_OPTS_H

#include <stdint.h>
#include <sys/socket.h>

#define OPTS_INBOUND_MAX 1024 /* = CLIENTS_MAX: one slot per client */
#define OPTS_INBOUND_DEFAULT 8

/* The two coordinator modes of the proposal (see handoff.h). */
enum opts_mode {
	OPTS_RENDEZVOUS, /* pair two registrations with the same key */
	OPTS_HANDOFF,	 /* hold inbound peers; when full, hand off */
};

struct opts {
	struct sockaddr_storage listen;
	socklen_t listen_len;
	uint32_t magic;
	int pair_timeout_ms;
	int margin_ms;
	enum opts_mode mode;
	int inbound_limit; /* handoff: registered peers held at most */
};

#endif
