/* shapeboard: the shared file between punchlab run and punch-shaper. Each
 * slot holds two seqlocks: the configuration (written by punchlab, CAS on
 * the sequence so two writer threads cannot interleave) and the
 * statistics (written by the shaper alone). Readers retry while a write
 * is under way; a write is a handful of stores, so they never wait long. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "shapeboard.h"

#define SHAPEBOARD_MAGIC 0x3164726f62706870ULL /* "phpbord1" */
#define SHAPEBOARD_VERSION 1
#define SHAPEBOARD_LOSS_ONE 1000000000u

struct shapeboard_hdr {
	alignas(64) uint64_t magic; /* written last by create */
	uint32_t version, nqueues, slot_size;
};

struct shapeboard_slot {
	/* Configuration: even when stable, odd while punchlab writes. */
	alignas(64) _Atomic uint64_t cfg_seq;
	_Atomic int64_t delay_ns, jitter_ns;
	_Atomic uint32_t loss_ppb, set;
	/* Statistics, on their own cache line: the shaper writes them per
	 * packet and should not bounce the configuration's line. */
	alignas(64) _Atomic uint64_t st_seq;
	_Atomic uint64_t packets, lost, released, late_ns_sum, late_ns_max;
	_Atomic uint64_t hist[SHAPEBOARD_HIST];
};

struct shapeboard {
	void *map;
	size_t len;
	unsigned nq;
	struct shapeboard_slot *slot;
};

#define RLX memory_order_relaxed

static size_t shapeboard_len(unsigned nq)
{
	return sizeof(struct shapeboard_hdr) +
	       (size_t)nq * sizeof(struct shapeboard_slot);
}

static struct shapeboard *shapeboard_map(int fd, size_t len, int *err)
{
	struct shapeboard *b = calloc(1, sizeof(*b));

	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	b->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b->map == MAP_FAILED) {
		*err = -errno;
		free(b);
		return NULL;
	}
	b->len = len;
	b->slot = (struct shapeboard_slot *)((char *)b->map +
					     sizeof(struct shapeboard_hdr));
	return b;
}

int shapeboard_create(const char *path, unsigned nqueues_max,
		      struct shapeboard **out)
{
	struct shapeboard_hdr *h;
	struct shapeboard *b;
	size_t len = shapeboard_len(nqueues_max);
	int fd, e = 0;

	*out = NULL;
	if (!nqueues_max || nqueues_max > 65536)
		return -EINVAL;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* A sparse file of zeroes: every slot starts unset with no stats. */
	if (ftruncate(fd, (off_t)len) < 0) {
		e = -errno;
		goto err_file;
	}
	b = shapeboard_map(fd, len, &e);
	if (!b)
		goto err_file;
	close(fd);
	b->nq = nqueues_max;
	h = b->map;
	h->version = SHAPEBOARD_VERSION;
	h->nqueues = nqueues_max;
	h->slot_size = sizeof(struct shapeboard_slot);
	atomic_thread_fence(memory_order_release);
	h->magic = SHAPEBOARD_MAGIC;
	*out = b;
	return 0;

err_file:
	close(fd);
	unlink(path);
	return e;
}

int shapeboard_open(const char *path, struct shapeboard **out)
{
	struct shapeboard_hdr h;
	struct shapeboard *b;
	struct stat st;
	int fd, e = 0;

	*out = NULL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		e = -errno;
		goto out;
	}
	if ((size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    h.magic != SHAPEBOARD_MAGIC || h.version != SHAPEBOARD_VERSION ||
	    h.slot_size != sizeof(struct shapeboard_slot) || !h.nqueues ||
	    h.nqueues > 65536 ||
	    (size_t)st.st_size != shapeboard_len(h.nqueues)) {
		e = -EPROTO;
		goto out;
	}
	b = shapeboard_map(fd, (size_t)st.st_size, &e);
	if (b) {
		b->nq = h.nqueues;
		*out = b;
	}
out:
	close(fd);
	return e;
}

void shapeboard_close(struct shapeboard *b)
{
	if (!b)
		return;
	munmap(b->map, b->len);
	free(b);
}

unsigned shapeboard_nqueues(const struct shapeboard *b)
{
	return b ? b->nq : 0;
}

static struct shapeboard_slot *slot_of(const struct shapeboard *b,
				       unsigned queue)
{
	return b && queue < b->nq ? &b->slot[queue] : NULL;
}

/* A seqlock read of one half of slot s: copy() until the sequence was
 * even and unchanged around it. Returns that sequence. */
static uint64_t seq_read(const struct shapeboard_slot *s, _Atomic uint64_t *seq,
			 void (*copy)(const struct shapeboard_slot *, void *),
			 void *out)
{
	uint64_t s1, s2;

	for (;;) {
		s1 = atomic_load_explicit(seq, memory_order_acquire);
		if (s1 & 1)
			continue;
		copy(s, out);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(seq, RLX);
		if (s1 == s2)
			return s1;
	}
}

/* Takes the configuration's seqlock: even -> odd by CAS. */
static uint64_t cfg_lock(struct shapeboard_slot *s)
{
	uint64_t seq = atomic_load_explicit(&s->cfg_seq, RLX);

	for (;;) {
		if (seq & 1) {
			seq = atomic_load_explicit(&s->cfg_seq, RLX);
			continue;
		}
		if (atomic_compare_exchange_weak_explicit(
			    &s->cfg_seq, &seq, seq + 1, memory_order_acquire,
			    RLX))
			break;
	}
	atomic_thread_fence(memory_order_release);
	return seq + 1;
}

static void cfg_write(struct shapeboard *b, unsigned queue, int set,
		      int64_t delay_ns, int64_t jitter_ns, uint32_t loss_ppb)
{
	struct shapeboard_slot *s = slot_of(b, queue);
	uint64_t seq;

	if (!s)
		return;
	seq = cfg_lock(s);
	atomic_store_explicit(&s->delay_ns, delay_ns, RLX);
	atomic_store_explicit(&s->jitter_ns, jitter_ns, RLX);
	atomic_store_explicit(&s->loss_ppb, loss_ppb, RLX);
	atomic_store_explicit(&s->set, (uint32_t)set, RLX);
	atomic_store_explicit(&s->cfg_seq, seq + 1, memory_order_release);
}

void shapeboard_set(struct shapeboard *b, unsigned queue, int64_t delay_ns,
		    int64_t jitter_ns, double loss)
{
	uint32_t ppb;

	if (!(loss > 0))
		ppb = 0;
	else if (loss >= 1)
		ppb = SHAPEBOARD_LOSS_ONE;
	else
		ppb = (uint32_t)llround(loss * SHAPEBOARD_LOSS_ONE);
	cfg_write(b, queue, 1, delay_ns > 0 ? delay_ns : 0,
		  jitter_ns > 0 ? jitter_ns : 0, ppb);
}

void shapeboard_unset(struct shapeboard *b, unsigned queue)
{
	cfg_write(b, queue, 0, 0, 0, 0);
}

uint64_t shapeboard_config_gen(const struct shapeboard *b, unsigned queue)
{
	struct shapeboard_slot *s = slot_of(b, queue);

	return s ? atomic_load_explicit(&s->cfg_seq, memory_order_acquire) : 0;
}

static void cfg_copy(const struct shapeboard_slot *s, void *arg)
{
	struct shapeboard_config *out = arg;

	out->delay_ns = atomic_load_explicit(&s->delay_ns, RLX);
	out->jitter_ns = atomic_load_explicit(&s->jitter_ns, RLX);
	out->loss_ppb = atomic_load_explicit(&s->loss_ppb, RLX);
	out->set = (int)atomic_load_explicit(&s->set, RLX);
}

uint64_t shapeboard_config(const struct shapeboard *b, unsigned queue,
			   struct shapeboard_config *out)
{
	struct shapeboard_slot *s = slot_of(b, queue);

	memset(out, 0, sizeof(*out));
	return s ? seq_read(s, &s->cfg_seq, cfg_copy, out) : 0;
}

/* The shaper is the statistics' only writer: plain increments of the
 * sequence around relaxed stores are enough. */
static void st_begin(struct shapeboard_slot *s)
{
	atomic_store_explicit(&s->st_seq,
			      atomic_load_explicit(&s->st_seq, RLX) + 1, RLX);
	atomic_thread_fence(memory_order_release);
}

static void st_end(struct shapeboard_slot *s)
{
	atomic_store_explicit(&s->st_seq,
			      atomic_load_explicit(&s->st_seq, RLX) + 1,
			      memory_order_release);
}

static void st_add(_Atomic uint64_t *v, uint64_t d)
{
	atomic_store_explicit(v, atomic_load_explicit(v, RLX) + d, RLX);
}

/* The queue's slot with its statistics' write begun, or NULL. */
static struct shapeboard_slot *st_write(struct shapeboard *b, unsigned queue)
{
	struct shapeboard_slot *s = slot_of(b, queue);

	if (s)
		st_begin(s);
	return s;
}

void shapeboard_seen(struct shapeboard *b, unsigned queue, int lost)
{
	struct shapeboard_slot *s = st_write(b, queue);

	if (!s)
		return;
	st_add(&s->packets, 1);
	if (lost)
		st_add(&s->lost, 1);
	st_end(s);
}

unsigned shapeboard_bucket(uint64_t late_ns)
{
	uint64_t us = late_ns / 1000;
	unsigned i = 0;

	while (us && i < SHAPEBOARD_HIST - 1) {
		us >>= 1;
		i++;
	}
	return i;
}

void shapeboard_released(struct shapeboard *b, unsigned queue, uint64_t late_ns)
{
	struct shapeboard_slot *s = st_write(b, queue);

	if (!s)
		return;
	st_add(&s->released, 1);
	st_add(&s->late_ns_sum, late_ns);
	if (late_ns > atomic_load_explicit(&s->late_ns_max, RLX))
		atomic_store_explicit(&s->late_ns_max, late_ns, RLX);
	st_add(&s->hist[shapeboard_bucket(late_ns)], 1);
	st_end(s);
}

static void st_copy(const struct shapeboard_slot *s, void *arg)
{
	struct shapeboard_stats *out = arg;

	out->packets = atomic_load_explicit(&s->packets, RLX);
	out->lost = atomic_load_explicit(&s->lost, RLX);
	out->released = atomic_load_explicit(&s->released, RLX);
	out->late_ns_sum = atomic_load_explicit(&s->late_ns_sum, RLX);
	out->late_ns_max = atomic_load_explicit(&s->late_ns_max, RLX);
	for (unsigned i = 0; i < SHAPEBOARD_HIST; i++)
		out->hist[i] = atomic_load_explicit(&s->hist[i], RLX);
}

void shapeboard_stats(const struct shapeboard *b, unsigned queue,
		      struct shapeboard_stats *out)
{
	struct shapeboard_slot *s = slot_of(b, queue);

	memset(out, 0, sizeof(*out));
	if (s)
		seq_read(s, &s->st_seq, st_copy, out);
}

void shapeboard_stats_sum(const struct shapeboard *b, const unsigned *q, int n,
			  struct shapeboard_stats *out)
{
	struct shapeboard_stats s;

	memset(out, 0, sizeof(*out));
	for (int k = 0; k < n; k++) {
		shapeboard_stats(b, q[k], &s);
		out->packets += s.packets;
		out->lost += s.lost;
		out->released += s.released;
		out->late_ns_sum += s.late_ns_sum;
		if (s.late_ns_max > out->late_ns_max)
			out->late_ns_max = s.late_ns_max;
		for (unsigned i = 0; i < SHAPEBOARD_HIST; i++)
			out->hist[i] += s.hist[i];
	}
}

void shapeboard_delta(const struct shapeboard_stats *start,
		      const struct shapeboard_stats *end,
		      struct shapeboard_delta *out)
{
	double top_us = 0;

	memset(out, 0, sizeof(*out));
	out->packets = end->packets - start->packets;
	out->lost = end->lost - start->lost;
	out->released = end->released - start->released;
	if (!out->released)
		return;
	out->late_us_mean = (double)(end->late_ns_sum - start->late_ns_sum) /
			    (double)out->released / 1e3;
	if (end->late_ns_max > start->late_ns_max) {
		out->late_us_max = (double)end->late_ns_max / 1e3;
		return;
	}
	for (unsigned i = SHAPEBOARD_HIST; i-- > 0;)
		if (end->hist[i] != start->hist[i]) {
			/* bucket i holds [2^(i-1), 2^i) us; bucket 0 < 1 us */
			top_us = i == SHAPEBOARD_HIST - 1 ? INFINITY
							  : ldexp(1.0, (int)i);
			break;
		}
	if (top_us > (double)start->late_ns_max / 1e3)
		top_us = (double)start->late_ns_max / 1e3;
	out->late_us_max = top_us;
}
