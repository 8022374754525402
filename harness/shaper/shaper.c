/* shaper: receive, decide (shapecalc), hold (shapeheap), release on time.
 * Verdicts for everything due are sent in one datagram per wake-up. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <linux/netfilter.h>

#include "log.h"
#include "qsock.h"
#include "monoclock.h"
#include "shapeboard.h"
#include "shaper.h"

#define SHAPER_READ_BATCH 256 /* datagrams per wake-up before releasing */
/* Per held packet message in the socket's receive buffer (skb truesize
 * of a metadata-only message, rounded up generously). */
#define SHAPER_RCVBUF_PER_PKT 1024
#define SHAPER_RCVBUF_MAX (64u << 20)
#define SHAPER_PROC_QUEUES "/proc/net/netfilter/nfnetlink_queue"

/* Binary search: q[] is sorted by queue number, and a run may hold
 * hundreds of queues. */
static struct shaper_queue *shaper_find(struct shaper *s, uint16_t queue,
					uint16_t *index)
{
	size_t lo = 0, hi = s->nq, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->q[mid].calc.spec.queue == queue) {
			*index = (uint16_t)mid;
			return &s->q[mid];
		}
		if (s->q[mid].calc.spec.queue < queue)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int shaper_spec_cmp(const void *a, const void *b)
{
	const struct shape_spec *x = a, *y = b;

	return (x->queue > y->queue) - (x->queue < y->queue);
}

static void shaper_verdict(struct shaper *s, uint16_t queue, uint32_t id,
			   int verdict)
{
	int r = qsock_verdict(s->qs, queue, id, verdict);

	if (r) {
		errno = -r;
		log_warn("verdict for packet %u on queue %u", id, queue);
	}
}

static void shaper_trace(struct shaper *s, uint16_t queue, uint32_t len,
			 uint64_t now, long long hold_ns)
{
	if (s->trace)
		fprintf(s->trace, "%u %u %llu %lld\n", queue, len,
			(unsigned long long)now, hold_ns);
}

/* A packet let through, hold_ns after its arrival at now. */
static void shaper_hold(struct shaper *s, struct shaper_queue *q,
			uint16_t queue, uint32_t len, uint64_t now,
			uint64_t hold_ns)
{
	if (!q->holds || hold_ns < q->hold_ns_min)
		q->hold_ns_min = hold_ns;
	if (hold_ns > q->hold_ns_max)
		q->hold_ns_max = hold_ns;
	q->holds++;
	q->hold_ns_sum += (double)hold_ns;
	q->hold_ns_sum2 += (double)hold_ns * (double)hold_ns;
	shaper_trace(s, queue, len, now, (long long)hold_ns);
}

/* A configuration punchlab wrote on the board since the last packet of
 * this queue applies from this packet on; unset returns to --queue. One
 * atomic load per packet when nothing changed. */
static void shaper_board_config(struct shaper *s, struct shaper_queue *q)
{
	struct shapeboard_config c;
	unsigned queue = q->calc.spec.queue;

	if (!s->board || shapeboard_config_gen(s->board, queue) == q->board_gen)
		return;
	q->board_gen = shapeboard_config(s->board, queue, &c);
	if (c.set)
		shapecalc_configure(&q->calc, (uint64_t)c.delay_ns,
				    (uint64_t)c.jitter_ns, c.loss_ppb);
	else
		shapecalc_configure(&q->calc, q->base.delay_ns,
				    q->base.jitter_ns, q->base.loss_ppb);
	log_debug("queue %u: board generation %llu: %s", queue,
		  (unsigned long long)q->board_gen, c.set ? "set" : "unset");
}

static void shaper_on_packet(uint16_t queue, uint32_t id, uint32_t len,
			     void *arg)
{
	struct shaper *s = arg;
	struct shaper_queue *q;
	uint64_t now = (uint64_t)mono_ns(), release;
	uint16_t index;

	q = shaper_find(s, queue, &index);
	if (!q) {
		/* Cannot happen: only our queues are bound. Let it pass
		 * rather than hold it forever. */
		shaper_verdict(s, queue, id, NF_ACCEPT);
		return;
	}
	if (!len && !s->zero_len++)
		log_warnx("queue %u: packet without a length; rate ignores "
			  "it",
			  queue);
	q->packets++;
	q->bytes += len;
	shaper_board_config(s, q);
	if (!shapecalc_packet(&q->calc, now, len, &release)) {
		q->lost++;
		shapeboard_seen(s->board, queue, 1);
		shaper_trace(s, queue, len, now, -1);
		shaper_verdict(s, queue, id, NF_DROP);
		return;
	}
	shapeboard_seen(s->board, queue, 0);
	/* Nothing of this queue is held, so nothing can be overtaken. */
	if (release <= now && q->held == 0) {
		shaper_hold(s, q, queue, len, now, 0);
		shaper_verdict(s, queue, id, NF_ACCEPT);
		return;
	}
	if (shapeheap_push(&s->heap, release, id, index) < 0) {
		q->overflow++;
		shapeboard_seen(s->board, queue, 1);
		shaper_trace(s, queue, len, now, -1);
		shaper_verdict(s, queue, id, NF_DROP);
		return;
	}
	shaper_hold(s, q, queue, len, now, release > now ? release - now : 0);
	if (++q->held > q->max_held)
		q->max_held = q->held;
}

static void shaper_release_due(struct shaper *s)
{
	const struct shapeheap_item *top;
	struct shapeheap_item it;
	struct shaper_queue *q;
	uint64_t now = (uint64_t)mono_ns();

	while ((top = shapeheap_top(&s->heap)) && top->release_ns <= now) {
		shapeheap_pop(&s->heap, &it);
		q = &s->q[it.qindex];
		q->held--;
		q->released++;
		q->late_ns_sum += now - it.release_ns;
		if (now - it.release_ns > q->late_ns_max)
			q->late_ns_max = now - it.release_ns;
		shapeboard_released(s->board, q->calc.spec.queue,
				    now - it.release_ns);
		shaper_verdict(s, (uint16_t)q->calc.spec.queue, it.id,
			       NF_ACCEPT);
	}
}

/* Keeps the timer on the earliest held packet. */
static int shaper_arm(struct shaper *s)
{
	const struct shapeheap_item *top = shapeheap_top(&s->heap);
	struct itimerspec its = {{0, 0}, {0, 0}};
	uint64_t want = top ? top->release_ns : 0;

	if (want == s->armed_ns)
		return 0;
	if (want) {
		its.it_value.tv_sec = (time_t)(want / 1000000000ULL);
		its.it_value.tv_nsec = (long)(want % 1000000000ULL);
	}
	if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	s->armed_ns = want;
	return 0;
}

/* s->q: one entry per queue, sorted by queue number (shaper_find
 * searches it), duplicates refused. 0, -EINVAL or -ENOMEM. */
static int shaper_queues(struct shaper *s, const struct shape_spec *specs,
			 size_t n, const struct shaper_opts *o)
{
	struct shape_spec *sorted = malloc(n * sizeof(*sorted));
	int r = 0;

	s->q = calloc(n, sizeof(*s->q));
	if (!sorted || !s->q) {
		free(sorted);
		return -ENOMEM;
	}
	memcpy(sorted, specs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), shaper_spec_cmp);
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i && sorted[i].queue == sorted[i - 1].queue)
			r = -EINVAL;
		/* shapecalc seeds by queue number: sorting changes no draw. */
		shapecalc_init(&s->q[i].calc, &sorted[i], o->seed, o->dist,
			       o->reorder);
		s->q[i].base = sorted[i];
	}
	free(sorted);
	s->nq = r == 0 ? n : 0;
	return r;
}

int shaper_open(struct shaper *s, const struct shape_spec *specs, size_t n,
		const struct shaper_opts *o)
{
	uint64_t rcvbuf, held;
	size_t i;
	int r;

	memset(s, 0, sizeof(*s));
	s->tfd = -1;
	/* qindex in the heap is 16 bits; queue numbers are too. */
	if (n == 0 || n > (size_t)SHAPESPEC_MAX_QUEUE + 1 || !o->maxlen)
		return -EINVAL;
	if (o->trace) {
		s->trace = fopen(o->trace, "we");
		if (!s->trace) {
			r = -errno;
			log_warn("--trace %s", o->trace);
			return r;
		}
	}
	if (o->board && (r = shapeboard_open(o->board, &s->board)) < 0) {
		errno = -r;
		log_warn("--board %s", o->board);
		goto err_alloc;
	}
	if ((r = shaper_queues(s, specs, n, o)) < 0)
		goto err_alloc;
	held = (uint64_t)n * o->maxlen;
	r = shapeheap_init(&s->heap, held > SHAPER_HELD_MAX ? SHAPER_HELD_MAX
							    : (size_t)held);
	if (r)
		goto err_alloc;
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->tfd < 0) {
		r = -errno;
		goto err_timer;
	}
	rcvbuf = (uint64_t)n * o->maxlen * SHAPER_RCVBUF_PER_PKT;
	if (rcvbuf > SHAPER_RCVBUF_MAX)
		rcvbuf = SHAPER_RCVBUF_MAX;
	s->qs = qsock_open((unsigned int)rcvbuf, shaper_on_packet, s);
	if (!s->qs) {
		r = -errno;
		goto err_qsock;
	}
	for (i = 0; i < n; i++) {
		r = qsock_bind(s->qs, (uint16_t)s->q[i].calc.spec.queue,
			       o->maxlen);
		if (r) {
			errno = -r;
			log_warn("bind queue %u", s->q[i].calc.spec.queue);
			goto err_bind;
		}
	}
	return 0;

err_bind:
	qsock_free(s->qs);
	s->qs = NULL;
err_qsock:
	close(s->tfd);
	s->tfd = -1;
err_timer:
	shapeheap_fini(&s->heap);
err_alloc:
	shapeboard_close(s->board);
	s->board = NULL;
	free(s->q);
	s->q = NULL;
	s->nq = 0;
	if (s->trace)
		fclose(s->trace);
	s->trace = NULL;
	return r;
}

int shaper_run(struct shaper *s, volatile sig_atomic_t *stop,
	       const sigset_t *waitmask)
{
	struct pollfd pfd[2];
	uint64_t expirations;
	int r;

	pfd[0].fd = qsock_fd(s->qs);
	pfd[0].events = POLLIN;
	pfd[1].fd = s->tfd;
	pfd[1].events = POLLIN;
	while (!*stop) {
		r = shaper_arm(s);
		if (r)
			return r;
		if (ppoll(pfd, 2, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents & POLLIN) {
			if (read(s->tfd, &expirations, sizeof(expirations)) <
				    0 &&
			    errno != EAGAIN)
				return -errno;
			s->armed_ns = 0;
		}
		if (pfd[0].revents & (POLLIN | POLLERR)) {
			r = qsock_read(s->qs, SHAPER_READ_BATCH);
			if (r == -ENOBUFS) {
				if (!s->enobufs++)
					log_warnx("queue socket overflowed: "
						  "packets are stuck in the "
						  "kernel queue");
			} else if (r < 0) {
				errno = -r;
				log_warn("read from queue socket");
				return r;
			}
			/* A reader may wait for a packet's decision. */
			if (s->trace)
				fflush(s->trace);
		}
		shaper_release_due(s);
		r = qsock_flush(s->qs);
		if (r) {
			errno = -r;
			log_warn("send verdicts");
		}
	}
	return 0;
}

/* /proc/net/netfilter/nfnetlink_queue: queue portid waiting copy_mode
 * copy_range queue_dropped user_dropped id_seq 1, one line per queue. */
static void shaper_read_kernel_counters(struct shaper *s)
{
	unsigned long long num, portid, waiting, mode, range, qdrop, udrop;
	struct shaper_queue *q;
	char line[256];
	uint16_t index;
	FILE *f;

	f = fopen(SHAPER_PROC_QUEUES, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %llu %llu %llu %llu %llu %llu", &num,
			   &portid, &waiting, &mode, &range, &qdrop,
			   &udrop) != 7 ||
		    num > 65535)
			continue;
		q = shaper_find(s, (uint16_t)num, &index);
		if (q) {
			q->kernel_dropped = qdrop;
			q->user_dropped = udrop;
		}
	}
	fclose(f);
}

void shaper_close(struct shaper *s)
{
	struct shapeheap_item it;

	if (!s->qs)
		return;
	while (shapeheap_pop(&s->heap, &it) == 0) {
		s->q[it.qindex].held--;
		shaper_verdict(s, (uint16_t)s->q[it.qindex].calc.spec.queue,
			       it.id, NF_DROP);
	}
	qsock_flush(s->qs);
	shaper_read_kernel_counters(s);
	qsock_free(s->qs);
	s->qs = NULL;
	close(s->tfd);
	s->tfd = -1;
	shapeheap_fini(&s->heap);
	shapeboard_close(s->board);
	s->board = NULL;
	if (s->trace && fclose(s->trace) != 0)
		log_warn("writing the trace");
	s->trace = NULL;
}

void shaper_free(struct shaper *s)
{
	free(s->q);
	s->q = NULL;
	s->nq = 0;
}
