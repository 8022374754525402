/* flood: the role's options, its one poll loop and its events. The
 * loop owns every socket; floodconn.c decides what each one does. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "flood.h"
#include "log.h"
#include "monoclock.h"
#include "optparse.h"
#include "roles.h"

#define FLOOD_COUNT_MAX 5000	   /* the scenario key's range */
#define FLOOD_READY_MAX_NS (3 * 1000000000LL)
#define FLOOD_PAIR_WAIT_MS 20000   /* pairs: a pair's wait, default */
#define FLOOD_REPORT_NS 1000000000LL
#define FLOOD_FD_SPARE 32

const char adv_flood_usage[] =
	"    --target IP:PORT   the coordinator\n"
	"    --flood KIND       slowloris: COUNT idle connections, each one "
	"the\n"
	"                       coordinator closes opened again; pairs: "
	"COUNT pairs\n"
	"                       of registrations with fresh random keys\n"
	"    --count N          connections or pairs, 1..5000\n"
	"    --hold-ms N        slowloris: close and reopen each after N ms "
	"(default:\n"
	"                       hold until the coordinator closes it); "
	"pairs: give a\n"
	"                       pair up after N ms (default 20000)\n"
	"    --in-flight N      pairs: pairs at once (default: COUNT)\n"
	"    --handshake        slowloris: send version+verack first\n"
	"    --repeat           pairs: start another COUNT pairs when a round "
	"ends,\n"
	"                       until stopped (a flood for a whole cell)\n";

static int flood_usage_error(const char *opt, const char *v, const char *want)
{
	fprintf(stderr, "punch-adversary flood: %s %s: expected %s\n", opt,
		v ? v : "", want);
	return -EINVAL;
}

static int flood_opts(struct flood *f, int argc, char **argv)
{
	static const struct option lo[] = {
		{"target", required_argument, NULL, 't'},
		{"flood", required_argument, NULL, 'f'},
		{"count", required_argument, NULL, 'n'},
		{"hold-ms", required_argument, NULL, 'H'},
		{"in-flight", required_argument, NULL, 'i'},
		{"handshake", no_argument, NULL, 's'},
		{"repeat", no_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	bool target = false;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 't':
			if (optparse_sockaddr(optarg, OPTPARSE_V4 | OPTPARSE_V6,
					      &f->target, &f->target_len))
				return flood_usage_error("--target", optarg,
							 "IP:PORT");
			target = true;
			break;
		case 'f':
			if (!strcmp(optarg, "slowloris"))
				f->kind = FLOOD_SLOWLORIS;
			else if (!strcmp(optarg, "pairs"))
				f->kind = FLOOD_PAIRS;
			else
				return flood_usage_error("--flood", optarg,
							 "slowloris or pairs");
			break;
		case 'n':
			if (optparse_int(optarg, 1, FLOOD_COUNT_MAX, &f->count))
				return flood_usage_error("--count", optarg,
							 "1..5000");
			break;
		case 'H':
			if (optparse_int(optarg, 1, 3600000, &f->hold_ms))
				return flood_usage_error("--hold-ms", optarg,
							 "1..3600000");
			break;
		case 'i':
			if (optparse_int(optarg, 1, FLOOD_COUNT_MAX,
					 &f->in_flight))
				return flood_usage_error("--in-flight", optarg,
							 "1..5000");
			break;
		case 's':
			f->handshake = true;
			break;
		case 'r':
			f->repeat = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc)
		return flood_usage_error("argument", argv[optind], "none");
	if (!target || !f->count)
		return flood_usage_error("--target and --count", "",
					 "both");
	return 0;
}

/* Room for n sockets: the soft limit raised towards the hard one. The
 * sockets that fit, at most n. */
static size_t flood_fds(size_t n)
{
	rlim_t want = (rlim_t)n + FLOOD_FD_SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return n;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			log_warn("RLIMIT_NOFILE");
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return n;
	/* not even the spare: no socket at all (rlim_cur - spare would
	 * wrap) */
	if (rl.rlim_cur <= FLOOD_FD_SPARE) {
		log_warnx("RLIMIT_NOFILE hard limit %llu: below the %d "
			  "descriptors kept spare; no flood",
			  (unsigned long long)rl.rlim_max, FLOOD_FD_SPARE);
		return 0;
	}
	log_warnx("RLIMIT_NOFILE hard limit %llu: %zu sockets need %llu; "
		  "flooding with %llu",
		  (unsigned long long)rl.rlim_max, n, (unsigned long long)want,
		  (unsigned long long)(rl.rlim_cur - FLOOD_FD_SPARE));
	return (size_t)(rl.rlim_cur - FLOOD_FD_SPARE);
}

static int flood_setup(struct flood *f)
{
	size_t want;

	if (f->kind == FLOOD_PAIRS) {
		if (!f->in_flight || f->in_flight > f->count)
			f->in_flight = f->count;
		if (!f->hold_ms)
			f->hold_ms = FLOOD_PAIR_WAIT_MS;
		want = flood_fds(2 * (size_t)f->in_flight) & ~(size_t)1;
		f->in_flight = (int)(want / 2);
	} else {
		want = flood_fds((size_t)f->count);
	}
	if (!want)
		return -EMFILE;
	f->conns = calloc(want, sizeof(*f->conns));
	f->pairs = calloc(want / 2 + 1, sizeof(*f->pairs));
	if (!f->conns || !f->pairs)
		return -ENOMEM; /* nconns 0: adv_flood closes nothing */
	for (size_t i = 0; i < want; i++)
		f->conns[i].fd = -1;
	f->nconns = want;
	return 0;
}

static void flood_report(struct flood *f)
{
	json_t *m = json_object();

	json_object_set_new(m, "open", json_integer((json_int_t)f->open));
	json_object_set_new(m, "refused",
			    json_integer((json_int_t)f->refused));
	json_object_set_new(m, "pairs_sent",
			    json_integer((json_int_t)f->pairs_sent));
	json_object_set_new(m, "pairs_matched",
			    json_integer((json_int_t)f->pairs_matched));
	json_object_set_new(m, "rounds", json_integer((json_int_t)f->rounds));
	adv_event(f->c, "flood", m);
}

static uint64_t flood_key(void)
{
	uint64_t k = 0;

	while (!k)
		if (getrandom(&k, sizeof(k), 0) != (ssize_t)sizeof(k))
			k = ((uint64_t)rand() << 32) ^ (uint64_t)rand();
	return k;
}

/* pairs: end finished or overdue pairs, start new ones while any are
 * left. The earliest deadline, for the poll's timeout. */
static int64_t flood_tend_pairs(struct flood *f, int64_t now)
{
	int64_t wake = INT64_MAX;

	for (size_t p = 0; p < f->nconns / 2; p++) {
		struct fpair *fp = &f->pairs[p];
		struct fconn *a = &f->conns[2 * p], *b = &f->conns[2 * p + 1];

		if (fp->active && now >= fp->deadline_ns) {
			if (a->fd >= 0)
				floodconn_close(f, 2 * p, now, false);
			if (b->fd >= 0)
				floodconn_close(f, 2 * p + 1, now, false);
		}
		if (fp->active && a->state == FC_DONE && b->state == FC_DONE) {
			fp->active = false;
			f->pairs_done++;
		}
		if (!fp->active && f->pairs_started < (uint64_t)f->count) {
			memset(fp, 0, sizeof(*fp));
			fp->key = flood_key();
			fp->active = true;
			fp->deadline_ns = now + (int64_t)f->hold_ms * 1000000;
			f->pairs_started++;
			floodconn_open(f, 2 * p, now);
			floodconn_open(f, 2 * p + 1, now);
		}
		if (fp->active && fp->deadline_ns < wake)
			wake = fp->deadline_ns;
	}
	return wake;
}

/* slowloris: reopen what is due, close what has been held long enough.
 * The earliest next_ns, for the poll's timeout. */
static int64_t flood_tend_slowloris(struct flood *f, int64_t now)
{
	int64_t wake = INT64_MAX;

	for (size_t i = 0; i < f->nconns; i++) {
		struct fconn *fc = &f->conns[i];

		if (fc->state == FC_OPEN && now >= fc->next_ns)
			floodconn_close(f, i, now, false);
		if (fc->state == FC_IDLE && now >= fc->next_ns)
			floodconn_open(f, i, now);
		if ((fc->state == FC_IDLE || fc->state == FC_OPEN) &&
		    fc->next_ns < wake)
			wake = fc->next_ns;
	}
	return wake;
}

/* One poll over every open socket; events handed to floodconn. */
static int flood_poll(struct flood *f, struct pollfd *pfd, size_t *idx,
		      int64_t wake, int64_t now)
{
	size_t n = 0;
	int64_t ms = wake == INT64_MAX ? 1000 : (wake - now + 999999) / 1000000;
	int r;

	for (size_t i = 0; i < f->nconns; i++) {
		const struct fconn *fc = &f->conns[i];

		if (fc->fd < 0 ||
		    (fc->state != FC_CONNECTING && fc->state != FC_OPEN))
			continue;
		pfd[n].fd = fc->fd;
		pfd[n].events = fc->state == FC_CONNECTING ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		idx[n++] = i;
	}
	r = poll(pfd, n, adv_wait_ms(f->c, ms < 0 ? 0 : (int)ms));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	now = mono_ns();
	for (size_t k = 0; k < n && r > 0; k++)
		if (pfd[k].revents)
			floodconn_event(f, idx[k], pfd[k].revents, now);
	return 0;
}

/* Ready once the attack is in place: a pairs flood at once, slowloris
 * when every connection has been up or refused once, so the table is as
 * full as the flood can make it before the cell's first trial — or
 * FLOOD_READY_MAX_NS after the start, since SYNs past the coordinator's
 * listen backlog wait for their retransmission (1 s, 3 s, ...). */
static void flood_ready(struct flood *f, int64_t now)
{
	if (f->ready)
		return;
	if (f->kind == FLOOD_SLOWLORIS && f->tried < f->nconns &&
	    now - f->start_ns < FLOOD_READY_MAX_NS)
		return;
	f->ready = true;
	adv_event(f->c, "ready",
		  json_pack("{s:I, s:I}", "open", (json_int_t)f->open,
			    "refused", (json_int_t)f->refused));
}

static int flood_loop(struct flood *f)
{
	struct pollfd *pfd = calloc(f->nconns + 1, sizeof(*pfd));
	size_t *idx = calloc(f->nconns + 1, sizeof(*idx));
	int64_t now, wake, report = mono_ns() + FLOOD_REPORT_NS;
	int err = pfd && idx ? 0 : -ENOMEM;

	f->start_ns = mono_ns();
	while (!err && !adv_done(f->c)) {
		now = mono_ns();
		wake = f->kind == FLOOD_PAIRS ? flood_tend_pairs(f, now)
					      : flood_tend_slowloris(f, now);
		if (f->kind == FLOOD_PAIRS &&
		    f->pairs_done >= (uint64_t)f->count) {
			if (!f->repeat)
				break;
			f->rounds++;
			f->pairs_started = f->pairs_done = 0;
		}
		flood_ready(f, now);
		if (now >= report) {
			flood_report(f);
			report = now + FLOOD_REPORT_NS;
		}
		err = flood_poll(f, pfd, idx, wake < report ? wake : report,
				 now);
	}
	free(pfd);
	free(idx);
	return err;
}

int adv_flood(struct adv_ctx *c, int argc, char **argv)
{
	struct flood f = {.c = c};
	int err;

	if (flood_opts(&f, argc, argv))
		return 2;
	err = flood_setup(&f);
	if (!err) {
		log_info("flood %s: %d %s, %zu sockets",
			 f.kind == FLOOD_PAIRS ? "pairs" : "slowloris", f.count,
			 f.kind == FLOOD_PAIRS ? "pairs" : "connections",
			 f.nconns);
		err = flood_loop(&f);
	}
	flood_report(&f);
	for (size_t i = 0; i < f.nconns; i++)
		if (f.conns[i].fd >= 0)
			floodconn_close(&f, i, mono_ns(), false);
	adv_event(c, "stop", json_pack("{s:I}", "bytes_sent",
				       (json_int_t)f.bytes_sent));
	free(f.conns);
	free(f.pairs);
	if (err) {
		errno = -err;
		log_warn("flood");
		return 1;
	}
	return 0;
}
