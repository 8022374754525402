/* lograte: a fixed one-second window rather than a token bucket: the
 * report says what a second lost, and a burst at a window's end costs
 * at most 2N lines in any second, which is the bound that matters for
 * the log's size. */
#include <inttypes.h>

#include "log.h"
#include "lograte.h"
#include "monoclock.h"

void lograte_init(struct lograte *lr, unsigned rate, int64_t now_ns)
{
	lr->rate = rate;
	lr->window_ns = lr->report_ns = now_ns;
	lr->in_window = 0;
	lr->suppressed = lr->suppressed_total = 0;
}

int lograte_allow(struct lograte *lr, int64_t now_ns)
{
	if (!lr->rate)
		return 1;
	if (now_ns - lr->window_ns >= LOGRATE_WINDOW_NS) {
		lr->window_ns = now_ns;
		lr->in_window = 0;
	}
	if (lr->in_window < lr->rate) {
		lr->in_window++;
		return 1;
	}
	lr->suppressed++;
	lr->suppressed_total++;
	return 0;
}

uint64_t lograte_take_report(struct lograte *lr, int64_t now_ns)
{
	uint64_t k = lr->suppressed;

	if (!k || now_ns - lr->report_ns < LOGRATE_WINDOW_NS)
		return 0;
	lr->suppressed = 0;
	lr->report_ns = now_ns;
	return k;
}

static struct lograte lograte_proc;
static int lograte_bypass;

static int lograte_gate(void)
{
	return lograte_bypass || lograte_allow(&lograte_proc, mono_ns());
}

void lograte_install(unsigned rate)
{
	lograte_init(&lograte_proc, rate, mono_ns());
	if (rate)
		log_set_gate(lograte_gate);
}

void lograte_report(int64_t now_ns)
{
	uint64_t k = lograte_take_report(&lograte_proc, now_ns);

	if (!k)
		return;
	lograte_bypass = 1;
	log_info("suppressed %" PRIu64 " lines", k);
	lograte_bypass = 0;
}
