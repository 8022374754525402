/* predict: the coordinator's view of a mapping's port delta. A probe
 * registration (COORD_REG_PROBE, on the second listener) leaves its
 * public port here; the real registration from the same address with
 * the same key (COORD_REG_PREDICT) takes it, and hppunch tells each side
 * the peer's delta and next port. */
#ifndef PUNCHLAB_COORD_PREDICT_H
#define PUNCHLAB_COORD_PREDICT_H

#include <stdint.h>

#include "coordmsg.h"

/* Probes not yet taken, at most; the oldest is overwritten. */
#define PREDICT_PROBES 64

struct predict_probe {
	uint64_t key;
	uint8_t ip[16];
	uint16_t port;
	int64_t t_us; /* 0: free slot */
};

struct predict_table {
	struct predict_probe p[PREDICT_PROBES];
	unsigned next;
};

struct clients;
struct conn;

/* Notes c's observed endpoint as the probe for key. */
void predict_note_probe(struct predict_table *t, const struct conn *c,
			uint64_t key, int64_t now_us);
/* Takes the newest probe for c's key from c's address, not older than
 * max_age_us, into c (have_probe, probe_port). 0, or -ENOENT. */
int predict_take_probe(struct predict_table *t, struct conn *c,
		       int64_t now_us, int64_t max_age_us);
/* hppunch's prediction fields for self, whose peer is peer. */
void predict_fill(struct coord_punch *m, const struct conn *self,
		  const struct conn *peer);

#endif
