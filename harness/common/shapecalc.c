/* shapecalc: loss draw, serialisation at the configured rate, then delay and
 * jitter, in that order (as netem does: a lost packet uses no link time). */
#include <math.h>
#include <string.h>

#include "shapecalc.h"

static uint64_t shapecalc_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t shapecalc_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void shapecalc_rng_seed(struct shapecalc_rng *r, uint64_t seed, uint64_t stream)
{
	/* Mixing the stream through splitmix first keeps (s, 1) and (s+1, 0)
	 * far apart. */
	uint64_t x = stream;
	uint64_t y = seed ^ shapecalc_splitmix(&x);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = shapecalc_splitmix(&y);
}

uint64_t shapecalc_rng_next(struct shapecalc_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = shapecalc_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = shapecalc_rotl(s[3], 45);
	return out;
}

double shapecalc_rng_unit(struct shapecalc_rng *r)
{
	return (double)(shapecalc_rng_next(r) >> 11) * 0x1.0p-53;
}

double shapecalc_rng_normal(struct shapecalc_rng *r)
{
	/* 1 - unit() is in (0, 1]: log() never sees 0. */
	double u1 = 1.0 - shapecalc_rng_unit(r);
	double u2 = shapecalc_rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ppb -> fraction of 2^32, rounded to nearest; 1e9 ppb -> 2^32 (always
 * drop), 0 -> never. */
static void shapecalc_loss_threshold(struct shapecalc *c)
{
	uint64_t scaled = (uint64_t)c->spec.loss_ppb << 32;

	c->loss_threshold = scaled / SHAPESPEC_LOSS_ONE;
	if (scaled % SHAPESPEC_LOSS_ONE >= SHAPESPEC_LOSS_ONE / 2)
		c->loss_threshold++;
}

void shapecalc_init(struct shapecalc *c, const struct shape_spec *sp,
		    uint64_t seed, enum shapecalc_dist dist, int reorder)
{
	memset(c, 0, sizeof(*c));
	c->spec = *sp;
	c->dist = dist;
	c->reorder = reorder;
	shapecalc_rng_seed(&c->loss_rng, seed, (uint64_t)sp->queue * 2);
	shapecalc_rng_seed(&c->jitter_rng, seed, (uint64_t)sp->queue * 2 + 1);
	shapecalc_loss_threshold(c);
}

void shapecalc_configure(struct shapecalc *c, uint64_t delay_ns,
			 uint64_t jitter_ns, uint32_t loss_ppb)
{
	c->spec.delay_ns = delay_ns;
	c->spec.jitter_ns = jitter_ns;
	c->spec.loss_ppb =
		loss_ppb > SHAPESPEC_LOSS_ONE ? SHAPESPEC_LOSS_ONE : loss_ppb;
	shapecalc_loss_threshold(c);
}

uint64_t shapecalc_tx_ns(uint32_t len, uint64_t rate_kbit)
{
	/* len * 8 bits / (rate_kbit * 1000 bit/s) in ns; len * 8e6 stays far
	 * below 2^64 for any 32-bit length. */
	uint64_t num = (uint64_t)len * 8 * 1000000;

	if (!rate_kbit)
		return 0;
	return (num + rate_kbit - 1) / rate_kbit;
}

static uint64_t shapecalc_delay(struct shapecalc *c)
{
	double d = (double)c->spec.delay_ns, j = (double)c->spec.jitter_ns;

	if (!c->spec.jitter_ns)
		return c->spec.delay_ns;
	if (c->dist == SHAPECALC_NORMAL)
		d += j * shapecalc_rng_normal(&c->jitter_rng);
	else
		d += j * (2.0 * shapecalc_rng_unit(&c->jitter_rng) - 1.0);
	return d > 0 ? (uint64_t)llround(d) : 0;
}

int shapecalc_packet(struct shapecalc *c, uint64_t now_ns, uint32_t len,
		     uint64_t *release_ns)
{
	uint64_t start, t;

	/* One loss draw per packet whatever the outcome, so the n-th packet's
	 * fate depends only on the seed and n. */
	if ((shapecalc_rng_next(&c->loss_rng) >> 32) < c->loss_threshold)
		return 0;
	start = now_ns > c->link_free_ns ? now_ns : c->link_free_ns;
	c->link_free_ns = start + shapecalc_tx_ns(len, c->spec.rate_kbit);
	t = c->link_free_ns + shapecalc_delay(c);
	if (!c->reorder && t < c->last_release_ns)
		t = c->last_release_ns;
	c->last_release_ns = t;
	*release_ns = t;
	return 1;
}
