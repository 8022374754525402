/* inject: the off-path injector (docs/adversaries.md, sections 3 and 6).
 * The honest coordinator leaks each pairing on --tap-fd ("pair KEY A B
 * START", coordtap.h); at START + --offset-ms this role spoofs TCP
 * segments between the two public endpoints, both ways: B->A as if from
 * B, A->B as if from A. It is blind: it never sees the sequence numbers.
 *   rst: RSTs without ACK, their sequence numbers spread evenly over the
 *        2^32 space from a random base — a blind attacker's best guess,
 *        since any RST (without ACK) a conntrack takes in SYN_SENT is
 *        one whose window it cannot check yet, and a host only takes a
 *        RST in SYN_SENT that ACKs its SYN (1 in 2^32: not tried).
 *   syn: SYNs with a random ISN each, which a NAT that already sent its
 *        host's SYN takes for the peer's (simultaneous open).
 * Bounded: --count segments per pair, only to addresses inside the run's
 * WAN (--wan, default the plan's WAN ranges). A line that arrives after
 * its instant is served at once (offset_ns says how late). The role ends
 * like every role, or when the tap closes (the coordinator stopped) and
 * no burst waits. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "adv.h"
#include "coordtap.h"
#include "log.h"
#include "monoclock.h"
#include "optparse.h"
#include "roles.h"
#include "spoof.h"

#define INJECT_QUEUE 64	     /* bursts waiting for their instant */
#define INJECT_COUNT_MAX 64  /* segments per pair at most */
#define INJECT_SPREAD_MAX 100000
#define INJECT_WAN_MAX 8

enum inject_kind { INJECT_RST, INJECT_SYN };

struct inject_net {
	uint32_t addr, mask; /* host order */
};

struct inject_opts {
	int tap_fd;
	enum inject_kind kind;
	int offset_ms, count, spread_us;
	struct inject_net wan[INJECT_WAN_MAX];
	int nwan;
};

struct inject_burst {
	uint64_t key;
	struct sockaddr_in src, dst;
	int64_t start_ns, due_ns;
	int count;
};

struct inject {
	struct adv_ctx *c;
	struct inject_opts o;
	int raw;
	int eof;
	uint64_t rng, bytes;
	size_t in_len;
	char in[COORDTAP_LINE_MAX];
	struct inject_burst q[INJECT_QUEUE];
	size_t nq;
};

/* The plan's WAN (plan.h): RFC 5737's three nets, the CGN range its
 * carrier homes use, and 172.16/12 for cells past 249. */
static const char *const inject_wan_default[] = {
	"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
	"100.64.0.0/10", "172.16.0.0/12",
};

static int inject_net_parse(const char *s, struct inject_net *n)
{
	char host[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	int bits;

	if (!slash || (size_t)(slash - s) >= sizeof(host) ||
	    optparse_int(slash + 1, 0, 32, &bits))
		return -EINVAL;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = '\0';
	if (inet_pton(AF_INET, host, &a) != 1)
		return -EINVAL;
	n->mask = bits ? ~0u << (32 - bits) : 0;
	n->addr = ntohl(a.s_addr) & n->mask;
	return 0;
}

static int inject_wan_ok(const struct inject_opts *o, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	for (int i = 0; i < o->nwan; i++)
		if ((h & o->wan[i].mask) == o->wan[i].addr)
			return 1;
	return 0;
}

static uint32_t inject_rand(struct inject *in)
{
	/* xorshift64*: seeded from getrandom; the guesses need spread,
	 * not secrecy. */
	in->rng ^= in->rng >> 12;
	in->rng ^= in->rng << 25;
	in->rng ^= in->rng >> 27;
	return (uint32_t)((in->rng * 0x2545F4914F6CDD1DULL) >> 32);
}

const char adv_inject_usage[] =
	"    --tap-fd N         the coordinator's tap (read end of its pipe)\n"
	"    --inject rst|syn   what to spoof (default rst)\n"
	"    --offset-ms N      when: START + N ms, -1000..1000 (default 0)\n"
	"    --count N          segments per pair, both ways, 1..64 "
	"(default 8)\n"
	"    --spread-us N      between a burst's segments (default 0)\n"
	"    --wan CIDR         an allowed destination net (repeatable; "
	"default the plan's WAN)\n";

static int inject_bad(const char *opt, const char *v, const char *want)
{
	fprintf(stderr, "punch-adversary: inject: %s %s: want %s\n", opt, v,
		want);
	return -EINVAL;
}

static int inject_opt(struct inject_opts *o, int opt, const char *v)
{
	switch (opt) {
	case 't':
		return optparse_int(v, 0, INT_MAX, &o->tap_fd)
			       ? inject_bad("--tap-fd", v, "an fd number")
			       : 0;
	case 'k':
		if (strcmp(v, "rst") && strcmp(v, "syn"))
			return inject_bad("--inject", v, "rst or syn");
		o->kind = strcmp(v, "rst") ? INJECT_SYN : INJECT_RST;
		return 0;
	case 'o':
		return optparse_int(v, -1000, 1000, &o->offset_ms)
			       ? inject_bad("--offset-ms", v, "-1000..1000")
			       : 0;
	case 'n':
		return optparse_int(v, 1, INJECT_COUNT_MAX, &o->count)
			       ? inject_bad("--count", v, "1..64")
			       : 0;
	case 's':
		return optparse_int(v, 0, INJECT_SPREAD_MAX, &o->spread_us)
			       ? inject_bad("--spread-us", v, "0..100000")
			       : 0;
	case 'w':
		if (o->nwan >= INJECT_WAN_MAX ||
		    inject_net_parse(v, &o->wan[o->nwan]))
			return inject_bad("--wan", v, "at most 8 of a.b.c.d/N");
		o->nwan++;
		return 0;
	}
	return -EINVAL;
}

static int inject_parse(int argc, char **argv, struct inject_opts *o)
{
	static const struct option longopts[] = {
		{"tap-fd", required_argument, NULL, 't'},
		{"inject", required_argument, NULL, 'k'},
		{"offset-ms", required_argument, NULL, 'o'},
		{"count", required_argument, NULL, 'n'},
		{"spread-us", required_argument, NULL, 's'},
		{"wan", required_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (opt == '?' || inject_opt(o, opt, optarg))
			return -EINVAL;
	if (optind != argc || o->tap_fd < 0) {
		fprintf(stderr, "punch-adversary: inject: --tap-fd is "
				"required (see --help)\n");
		return -EINVAL;
	}
	if (!o->nwan)
		for (size_t i = 0; i < sizeof(inject_wan_default) /
					       sizeof(*inject_wan_default);
		     i++)
			inject_net_parse(inject_wan_default[i],
					 &o->wan[o->nwan++]);
	return 0;
}

static int inject_endpoint(const struct inject_opts *o, const char *ep,
			   struct sockaddr_in *sin)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (optparse_sockaddr(ep, OPTPARSE_V4, &ss, &len))
		return -EINVAL;
	memcpy(sin, &ss, sizeof(*sin));
	return inject_wan_ok(o, sin->sin_addr) ? 0 : -EPERM;
}

/* One burst each way, due at START + offset: (count+1)/2 as if from B
 * to A, count/2 as if from A to B. */
static void inject_pair(struct inject *in, const struct coordtap_pair *p)
{
	struct sockaddr_in a, b;
	int64_t due = p->start_ns + (int64_t)in->o.offset_ms * 1000000;

	if (inject_endpoint(&in->o, p->a, &a) ||
	    inject_endpoint(&in->o, p->b, &b)) {
		log_warnx("pair %llu: %s or %s is not an IPv4 endpoint inside "
			  "the WAN: skipped", (unsigned long long)p->key,
			  p->a, p->b);
		return;
	}
	if (in->nq + 2 > INJECT_QUEUE) {
		log_warnx("pair %llu: %d bursts already waiting: skipped",
			  (unsigned long long)p->key, INJECT_QUEUE);
		return;
	}
	in->q[in->nq++] = (struct inject_burst){p->key, b, a, p->start_ns,
						due, (in->o.count + 1) / 2};
	if (in->o.count / 2)
		in->q[in->nq++] = (struct inject_burst){
			p->key, a, b, p->start_ns, due, in->o.count / 2};
}

/* Everything the tap holds now, line by line. */
static void inject_read(struct inject *in)
{
	struct coordtap_pair p;
	char *nl;
	ssize_t n;

	for (;;) {
		n = read(in->o.tap_fd, in->in + in->in_len,
			 sizeof(in->in) - in->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			in->eof = n == 0 || errno != EAGAIN;
			return;
		}
		in->in_len += (size_t)n;
		while ((nl = memchr(in->in, '\n', in->in_len))) {
			size_t len = (size_t)(nl - in->in);

			if (coordtap_parse(in->in, len, &p))
				log_warnx("tap: malformed line skipped");
			else
				inject_pair(in, &p);
			memmove(in->in, nl + 1, in->in_len - len - 1);
			in->in_len -= len + 1;
		}
		if (in->in_len == sizeof(in->in)) /* no '\n' in a full line */
			in->in_len = 0;
	}
}

static void inject_pause_us(int us)
{
	struct timespec ts = {0, (long)us * 1000};

	if (us > 0)
		nanosleep(&ts, NULL);
}

static void inject_fire(struct inject *in, const struct inject_burst *b)
{
	struct spoof_seg s = {.src = b->src, .dst = b->dst, .window = 64240};
	uint32_t base = inject_rand(in), step = (uint32_t)(0x100000000ULL /
						       (uint64_t)b->count);
	int64_t sent_ns = mono_ns();
	char src[INET_ADDRSTRLEN + 8], dst[INET_ADDRSTRLEN + 8];
	int sent = 0, n;

	s.flags = in->o.kind == INJECT_RST ? SPOOF_RST : SPOOF_SYN;
	s.mss = in->o.kind == INJECT_SYN ? 1460 : 0;
	/* --spread-us makes a burst last up to 6.3 s: a stop ends it */
	for (int i = 0; i < b->count && !adv_done(in->c); i++) {
		s.seq = in->o.kind == INJECT_RST ? base + (uint32_t)i * step
						 : inject_rand(in);
		n = spoof_send(in->raw, &s);
		if (n < 0) {
			errno = -n;
			log_warn("send to %s", inet_ntoa(b->dst.sin_addr));
		} else {
			in->bytes += (uint64_t)n;
			sent++;
		}
		if (i + 1 < b->count)
			inject_pause_us(in->o.spread_us);
	}
	snprintf(src, sizeof(src), "%s:%u", inet_ntoa(b->src.sin_addr),
		 ntohs(b->src.sin_port));
	snprintf(dst, sizeof(dst), "%s:%u", inet_ntoa(b->dst.sin_addr),
		 ntohs(b->dst.sin_port));
	adv_event(in->c, "inject",
		  json_pack("{sI ss ss ss si sI}", "key", (json_int_t)b->key,
			    "kind", in->o.kind == INJECT_RST ? "rst" : "syn",
			    "src", src, "dst", dst, "count", sent,
			    "offset_ns", (json_int_t)(sent_ns - b->start_ns)));
}

/* Fires every burst that is due; returns the ns until the next one
 * (INT64_MAX when none waits). */
static int64_t inject_due(struct inject *in)
{
	int64_t next = INT64_MAX, now = mono_ns();
	size_t i = 0;

	while (i < in->nq && !adv_done(in->c)) {
		if (in->q[i].due_ns <= now) {
			inject_fire(in, &in->q[i]);
			in->q[i] = in->q[--in->nq];
			now = mono_ns();
			continue;
		}
		if (in->q[i].due_ns - now < next)
			next = in->q[i].due_ns - now;
		i++;
	}
	return next;
}

static void inject_loop(struct inject *in)
{
	struct pollfd pfd = {.fd = in->o.tap_fd, .events = POLLIN};
	struct timespec ts;
	int64_t next, cap;

	while (!adv_done(in->c) && !(in->eof && !in->nq)) {
		next = inject_due(in);
		cap = (int64_t)adv_wait_ms(in->c, 1000) * 1000000;
		if (next < cap)
			cap = next;
		ts.tv_sec = (time_t)(cap / 1000000000);
		ts.tv_nsec = (long)(cap % 1000000000);
		pfd.fd = in->eof ? -1 : in->o.tap_fd;
		if (ppoll(&pfd, 1, &ts, NULL) > 0 && pfd.revents)
			inject_read(in);
	}
}

int adv_inject(struct adv_ctx *c, int argc, char **argv)
{
	static struct inject in;

	in.c = c;
	in.o = (struct inject_opts){.tap_fd = -1, .count = 8};
	if (inject_parse(argc, argv, &in.o))
		return 2;
	if (fcntl(in.o.tap_fd, F_SETFL, O_NONBLOCK) < 0) {
		log_warn("--tap-fd %d", in.o.tap_fd);
		return 2;
	}
	in.raw = spoof_open();
	if (in.raw < 0) {
		errno = -in.raw;
		log_warn("raw socket");
		return 1;
	}
	if (getrandom(&in.rng, sizeof(in.rng), 0) != sizeof(in.rng) || !in.rng)
		in.rng = (uint64_t)mono_ns() | 1;
	adv_event(c, "ready", NULL);
	inject_loop(&in);
	adv_event(c, "stop", json_pack("{sI}", "bytes_sent",
				       (json_int_t)in.bytes));
	close(in.raw);
	return 0;
}
