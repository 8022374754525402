/* control: one static channel, like evlog's stream. The harness starts
 * bob only after alice is held, so a "held" line goes out at once
 * (linechan.c). */
#include <errno.h>

#include "control.h"
#include "coordctl.h"
#include "linechan.h"
#include "log.h"

static struct linechan control_ch = {.fd = -1};

int control_init(int fd)
{
	return linechan_init(&control_ch, "control", fd);
}

void control_flush(void)
{
	linechan_flush(&control_ch);
}

void control_held(uint64_t key)
{
	struct coordctl_event ev = {.kind = COORDCTL_HELD, .key = key};
	char line[COORDCTL_LINE_MAX];
	int n;

	if (control_ch.fd < 0)
		return;
	n = coordctl_format(line, sizeof(line), &ev);
	if (n < 0 || linechan_put(&control_ch, line, (size_t)n) == -ENOSPC)
		log_warnx("control: reader too slow, held %llu lost",
			  (unsigned long long)key);
}

int control_poll_fd(void)
{
	return linechan_poll_fd(&control_ch);
}
