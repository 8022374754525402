/* relay: the agent's data path in bitcoind mode — bytes both ways between
 * the punched socket and bitcoind's socket, zero-copy with splice(2)
 * through one pipe per direction, read/write where splice is refused. */
#ifndef PUNCHLAB_AGENT_RELAY_H
#define PUNCHLAB_AGENT_RELAY_H

#include <stdint.h>

enum relay_mode {
	RELAY_SPLICE, /* splice, falling back to copying on EINVAL */
	RELAY_COPY,   /* read/write from the start */
};

enum relay_end {
	RELAY_END_PEER_CLOSED,	/* the punched side sent FIN */
	RELAY_END_LOCAL_CLOSED, /* bitcoind's side sent FIN */
	RELAY_END_PEER_ERROR,	/* reset or error on the punched side */
	RELAY_END_LOCAL_ERROR,
	RELAY_END_DEADLINE, /* --hold-ms ran out */
	RELAY_END_TERMINATED,
	RELAY_END_SETUP, /* pipes could not be made */
};

struct relay_result {
	uint64_t bytes_in;  /* punched -> local, delivered */
	uint64_t bytes_out; /* local -> punched, delivered */
	int copied;	    /* some direction used read/write */
	enum relay_end end;
	int err; /* -errno behind an *_ERROR or SETUP end, else 0 */
};

/* "peer closed", "bitcoind closed", ... as the JSON says it. */
const char *relay_end_name(enum relay_end e);

/* Relays between two connected non-blocking sockets until one side
 * closes (what is already in flight towards the other is delivered first,
 * then the other is shut down for writing), an error, SIGTERM or the
 * deadline. Neither fd is closed. Always fills r; returns 0, or -1 when
 * the relay could not start (end SETUP). */
int relay_run(int peer_fd, int local_fd, enum relay_mode mode,
	      int64_t deadline_ns, struct relay_result *r);

#endif
