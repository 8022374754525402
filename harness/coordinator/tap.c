/* tap: one static channel, like control.c's. */
#include <errno.h>
#include <stdio.h>

#include "coordtap.h"
#include "linechan.h"
#include "log.h"
#include "monoclock.h"
#include "tap.h"

static struct linechan tap_ch = {.fd = -1};

int tap_init(int fd)
{
	return linechan_init(&tap_ch, "tap", fd);
}

void tap_pair(const struct conn *a, const struct conn *b,
	      uint32_t delay_a_ms)
{
	struct coordtap_pair p = {
		.key = a->key,
		.start_ns = mono_ns() + a->rtt_us * 1000 / 2 +
			    (int64_t)delay_a_ms * 1000000,
	};
	char line[COORDTAP_LINE_MAX];
	int n;

	if (tap_ch.fd < 0)
		return;
	snprintf(p.a, sizeof(p.a), "%s", a->name);
	snprintf(p.b, sizeof(p.b), "%s", b->name);
	n = coordtap_format(line, sizeof(line), &p);
	if (n < 0 || linechan_put(&tap_ch, line, (size_t)n) == -ENOSPC)
		log_warnx("tap: pair %llu lost (%s)",
			  (unsigned long long)p.key,
			  n < 0 ? "bad endpoint" : "reader too slow");
}

int tap_poll_fd(void)
{
	return linechan_poll_fd(&tap_ch);
}

void tap_flush(void)
{
	linechan_flush(&tap_ch);
}
