/* keyowner bench: what one --key-owner registration check costs with N
 * keys held, and what registering N keys one after another costs (the
 * flood that fills the table), for the owners' index (keyowner.c as
 * built) against the whole-table scan it replaced (keyowner.c of BASE,
 * linked in as keyowner_busy_scan by bench/keyowner.sh). Figures only,
 * never a verdict. Usage: keyowner N... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/coordinator/keyindex.c"
#include "../harness/coordinator/keyowner.c"

const char *keyowner_busy_scan(const struct clients *cl, const struct conn *c);

static uint64_t bench_key(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Registers the n connections one after another (each checked against
 * those before it, then bound, as dispatch.c does): seconds taken. */
static double bench_fill(struct clients *cl, struct conn *c, size_t n, int scan)
{
	double t0 = bench_now();
	size_t busy = 0;

	for (size_t i = 0; i < n; i++) {
		busy += (scan ? keyowner_busy_scan(cl, &c[i])
			      : keyowner_busy(cl, &c[i])) != NULL;
		if (scan)
			c[i].owns_key = true;
		else if (keyowner_bind(cl, &c[i]))
			return -1;
		cl->conns[cl->n++] = &c[i];
	}
	if (busy)
		fprintf(stderr, "keyowner: %zu of fresh keys refused\n", busy);
	return bench_now() - t0;
}

/* One more registration of a fresh key with the table full: its check,
 * then (index) its bind and its leaving, so the table stays at n. */
static double bench_one(struct clients *cl, uint64_t *x, int scan, int m)
{
	struct conn nc;
	double t0 = bench_now();
	size_t busy = 0;

	for (int i = 0; i < m; i++) {
		memset(&nc, 0, sizeof(nc));
		nc.key = bench_key(x);
		nc.state = CONN_PINGED;
		busy += (scan ? keyowner_busy_scan(cl, &nc)
			      : keyowner_busy(cl, &nc)) != NULL;
		if (!scan && !keyowner_bind(cl, &nc))
			keyindex_del(&cl->keys, &nc);
	}
	if (busy)
		fprintf(stderr, "keyowner: %zu fresh keys refused\n", busy);
	return (bench_now() - t0) / m;
}

static int bench_n(size_t n)
{
	struct conn *c = calloc(n, sizeof(*c));
	struct clients cl;
	uint64_t x = 1;
	double fill[2], one[2];

	memset(&cl, 0, sizeof(cl));
	cl.conns = calloc(n, sizeof(*cl.conns));
	if (!c || !cl.conns)
		return -1;
	cl.opt.mode = OPTS_RENDEZVOUS;
	cl.opt.key_owner = true;
	for (int scan = 1; scan >= 0; scan--) {
		memset(c, 0, n * sizeof(*c));
		x = 1;
		for (size_t i = 0; i < n; i++) {
			c[i].key = bench_key(&x);
			c[i].state = CONN_WAITING; /* a lone owner each */
		}
		cl.n = 0;
		keyindex_init(&cl.keys, 7);
		fill[scan] = bench_fill(&cl, c, n, scan);
		/* fewer rounds for the scan: it is what is slow */
		one[scan] = bench_one(&cl, &x, scan, scan ? 2000 : 200000);
		keyindex_free(&cl.keys);
	}
	printf("%6zu keys held | one registration: scan %9.0f ns, index "
	       "%5.0f ns (%.0fx) | %zu registered one by one: scan %8.3f s, "
	       "index %.4f s\n",
	       n, one[1] * 1e9, one[0] * 1e9, one[1] / one[0], n, fill[1],
	       fill[0]);
	free(cl.conns);
	free(c);
	return fill[0] < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: keyowner N...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (bench_n((size_t)strtoul(argv[i], NULL, 10)))
			return 1;
	return 0;
}
