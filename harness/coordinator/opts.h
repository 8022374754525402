/* opts: what punch-coordinator was told on its command line, as every
 * part of the daemon reads it (main.c fills it in; nothing changes it). */
#ifndef PUNCHLAB_COORD_OPTS_H
#define PUNCHLAB_COORD_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* --max-clients: the client table grows up to it (a slot per client). */
#define OPTS_CLIENTS_DEFAULT 1024
#define OPTS_CLIENTS_MAX 65536
#define OPTS_INBOUND_MAX OPTS_CLIENTS_MAX /* and at most --max-clients */
#define OPTS_INBOUND_DEFAULT 8

/* The two coordinator modes of the proposal (see handoff.h), and the
 * advertised mode of the May 2026 discussion (advertised.h). */
enum opts_mode {
	OPTS_RENDEZVOUS, /* pair two registrations with the same key */
	OPTS_HANDOFF,	 /* hold inbound peers; when full, hand off */
	OPTS_ADVERTISED, /* keep holders' light connections; punch seekers */
};

/* Bitcoin Core drops a peer silent for TIMEOUT_INTERVAL (20 min). */
#define OPTS_HOLD_TIMEOUT_DEFAULT 1200000

struct opts {
	struct sockaddr_storage listen;
	socklen_t listen_len;
	/* --listen6: a second, IPv6-only listener (listen6_len 0: none) */
	struct sockaddr_storage listen6;
	socklen_t listen6_len;
	uint32_t magic;
	int pair_timeout_ms;
	int margin_ms;
	enum opts_mode mode;
	int inbound_limit; /* handoff: registered peers held at most */
	int hold_timeout_ms; /* advertised: a holder's silence at most */
	/* Defences against a flood (limitopts.c; docs/adversaries.md 5). */
	int max_clients;    /* connections open at most */
	int per_addr_limit; /* per source address; 0: none */
	bool key_owner;	    /* keyowner.h */
	int log_rate;	    /* log lines a second; 0: no limit */
	int eclipse; /* lab: a lying coordinator (eclipse.h) */
};

#endif
