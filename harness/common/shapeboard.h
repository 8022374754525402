/* shapeboard: a file both punchlab run and punch-shaper map, one slot per
 * NFQUEUE number. punchlab writes a slot's configuration (delay, jitter,
 * loss) to change a link between trials; the shaper writes the slot's
 * statistics (packets, how late releases were) so punchlab can say how
 * well the shaper kept time during each trial. Shared fields are C11
 * atomics; each half of a slot is a seqlock with a single writer side. */
#ifndef PUNCHLAB_SHAPEBOARD_H
#define PUNCHLAB_SHAPEBOARD_H

#include <stdint.h>

/* Lateness histogram: bucket 0 counts releases less than 1 us late,
 * bucket i (1..SHAPEBOARD_HIST-2) those in [2^(i-1), 2^i) us, the last one
 * everything from 2^(SHAPEBOARD_HIST-2) us (about 1 s) up. */
#define SHAPEBOARD_HIST 22
/* The file name inside the run's state folder (/run/punchlab/<rid>/). */
#define SHAPEBOARD_FILE "shapeboard"

struct shapeboard;

/* Cumulative since the shaper started; only the shaper writes them.
 * Lateness counts the packets released from the hold (released), each
 * (release time really reached - release time scheduled). */
struct shapeboard_stats {
	uint64_t packets;  /* seen on the queue (passed, held or dropped) */
	uint64_t lost;	   /* dropped by the loss draw or overflow */
	uint64_t released; /* let go after a hold; lateness counts these */
	uint64_t late_ns_sum, late_ns_max;
	uint64_t hist[SHAPEBOARD_HIST];
};

/* What happened between two snapshots of one queue. late_us_max is exact
 * when the cumulative maximum grew between them, else the upper edge of
 * the highest histogram bucket that grew (within a factor 2), never more
 * than the earlier maximum. All 0 when nothing was released. */
struct shapeboard_delta {
	uint64_t packets, lost, released;
	double late_us_mean, late_us_max;
};

/* A slot's configuration as the shaper reads it. */
struct shapeboard_config {
	int set; /* 0: the --queue spec applies */
	int64_t delay_ns, jitter_ns;
	uint32_t loss_ppb; /* parts per 1e9, as shapespec */
};

/* punchlab run, before the shaper starts: creates path (which must not
 * exist, mode 0600) for queue numbers 0..nqueues_max-1. 0 or -errno. */
int shapeboard_create(const char *path, unsigned nqueues_max,
		      struct shapeboard **out);
/* punch-shaper: maps a board made by shapeboard_create. 0, or -errno
 * (-EPROTO: not a board, or another version). */
int shapeboard_open(const char *path, struct shapeboard **out);
/* Unmaps; the file stays (the run's cleanup removes its folder). NULL is
 * safe. */
void shapeboard_close(struct shapeboard *b);
/* Queue numbers the board has slots for. */
unsigned shapeboard_nqueues(const struct shapeboard *b);

/* Configuration, written by punchlab (any thread). Takes effect for the
 * packets the shaper reads from the queue after it returns; loss is a
 * probability in [0, 1], negative delay or jitter count as 0. Queues
 * past nqueues_max are ignored. */
void shapeboard_set(struct shapeboard *b, unsigned queue, int64_t delay_ns,
		    int64_t jitter_ns, double loss);
/* Back to the --queue spec. */
void shapeboard_unset(struct shapeboard *b, unsigned queue);
/* A consistent copy of the queue's statistics (zero past nqueues_max). */
void shapeboard_stats(const struct shapeboard *b, unsigned queue,
		      struct shapeboard_stats *out);
/* The statistics of queues q[0..n) as one queue (max: the largest). */
void shapeboard_stats_sum(const struct shapeboard *b, const unsigned *q, int n,
			  struct shapeboard_stats *out);
/* end - start, as described at struct shapeboard_delta. */
void shapeboard_delta(const struct shapeboard_stats *start,
		      const struct shapeboard_stats *end,
		      struct shapeboard_delta *out);

/* Shaper side. The generation of the queue's configuration: it changes
 * with every set or unset, so a reader compares it with the one it last
 * applied before reading the rest (0 until the first set). */
uint64_t shapeboard_config_gen(const struct shapeboard *b, unsigned queue);
/* A consistent copy of the configuration; returns its generation. */
uint64_t shapeboard_config(const struct shapeboard *b, unsigned queue,
			   struct shapeboard_config *out);
/* One packet seen on queue; lost when it was dropped. */
void shapeboard_seen(struct shapeboard *b, unsigned queue, int lost);
/* One packet released late_ns after its scheduled time. */
void shapeboard_released(struct shapeboard *b, unsigned queue,
			 uint64_t late_ns);

/* The histogram bucket of a lateness (exposed for tests). */
unsigned shapeboard_bucket(uint64_t late_ns);

#endif
