/* shapecalc: what punch-shaper decides for each packet of one queue — lost
 * or not, and when to release it — as pure arithmetic on a seeded PRNG, so
 * a run is reproducible and every rule is testable without a kernel. */
#ifndef PUNCHLAB_SHAPECALC_H
#define PUNCHLAB_SHAPECALC_H

#include <stdint.h>

#include "shapespec.h"

/* xoshiro256**, seeded through splitmix64: tiny, fast, and the same
 * sequence on every machine for a given (seed, stream). */
struct shapecalc_rng {
	uint64_t s[4];
};

void shapecalc_rng_seed(struct shapecalc_rng *r, uint64_t seed,
			uint64_t stream);
uint64_t shapecalc_rng_next(struct shapecalc_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double shapecalc_rng_unit(struct shapecalc_rng *r);
/* Standard normal (mean 0, sigma 1), Box-Muller; one draw per call. */
double shapecalc_rng_normal(struct shapecalc_rng *r);

enum shapecalc_dist {
	SHAPECALC_UNIFORM, /* delay + U(-jitter, +jitter), as netem's default */
	SHAPECALC_NORMAL,  /* delay + N(0, jitter), cut at 0 */
};

/* Per-queue state. The link is a FIFO: a packet is serialised after the
 * one before it (rate), then travels delay + jitter. Unless reorder is
 * set a packet is never released before one that came earlier on the
 * same queue (a real link's queue does not reorder); with reorder, jitter
 * alone decides, as netem without rate does. */
struct shapecalc {
	struct shape_spec spec;
	enum shapecalc_dist dist;
	int reorder;
	struct shapecalc_rng loss_rng, jitter_rng;
	uint64_t loss_threshold; /* drop when next() >> 32 < this, of 2^32 */
	uint64_t link_free_ns;	 /* when the last packet finished serialising */
	uint64_t last_release_ns;
};

/* Loss and jitter draw from separate streams derived from seed and the
 * queue number, so changing one parameter or adding a queue does not
 * change the other draws. */
void shapecalc_init(struct shapecalc *c, const struct shape_spec *sp,
		    uint64_t seed, enum shapecalc_dist dist, int reorder);
/* Changes delay, jitter and loss for the packets that follow (a
 * shapeboard configuration); the draws' streams and the FIFO state go on. */
void shapecalc_configure(struct shapecalc *c, uint64_t delay_ns,
			 uint64_t jitter_ns, uint32_t loss_ppb);
/* Time on the wire of len bytes at rate_kbit (> 0), rounded up, in ns. */
uint64_t shapecalc_tx_ns(uint32_t len, uint64_t rate_kbit);
/* One packet of len bytes (IP length) that arrived at now_ns. Returns 1
 * and its release time in *release_ns, or 0 when it is lost. */
int shapecalc_packet(struct shapecalc *c, uint64_t now_ns, uint32_t len,
		     uint64_t *release_ns);

#endif
