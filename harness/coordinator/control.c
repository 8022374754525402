/* control: one static channel, like evlog's stream. The harness starts
 * bob only after alice is held, so a "held" line must not wait for the
 * next event: it is written at once and, if the pipe is full, again as
 * soon as the poll loop sees room. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "coordctl.h"
#include "log.h"

static int control_fd = -1;
static size_t control_len;
static char control_buf[CONTROL_BUF];

int control_init(int fd)
{
	struct stat st;
	int fl;

	control_fd = -1;
	control_len = 0;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	control_fd = fd;
	return 0;
}

static void control_off(const char *why)
{
	log_info("control channel closed (%s); events go on to stdout only",
		 why);
	close(control_fd);
	control_fd = -1;
	control_len = 0;
}

void control_flush(void)
{
	ssize_t n;

	while (control_fd >= 0 && control_len) {
		/* SIGPIPE is ignored (main.c): a gone reader is EPIPE. */
		n = write(control_fd, control_buf, control_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			control_off(errno == EPIPE ? "reader gone"
						   : strerror(errno));
			return;
		}
		memmove(control_buf, control_buf + n, control_len - (size_t)n);
		control_len -= (size_t)n;
	}
}

void control_held(uint64_t key)
{
	struct coordctl_event ev = {.kind = COORDCTL_HELD, .key = key};
	int n;

	if (control_fd < 0)
		return;
	n = coordctl_format(control_buf + control_len,
			    sizeof(control_buf) - control_len, &ev);
	if (n < 0) {
		log_warnx("control: reader too slow, held %llu lost",
			  (unsigned long long)key);
		return;
	}
	control_len += (size_t)n;
	control_flush();
}

int control_poll_fd(void)
{
	return control_fd >= 0 && control_len ? control_fd : -1;
}
