/* btcprobe: asks a bitcoind binary what it offers (`-help-debug`), once
 * per path; spawned with proc_spawn like every other child. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monoclock.h"
#include "btcprobe.h"
#include "btcrpc.h"
#include "log.h"
#include "proc.h"

#define BTCPROBE_MS 10000
#define BTCPROBE_HELP_MAX (1024 * 1024)
#define BTCPROBE_NS_PER_MS INT64_C(1000000)

/* "  -name" at a line start, followed by '=', a space or the line end. */
static int btcprobe_has_option(const char *help, const char *name)
{
	size_t len = strlen(name);
	const char *p = help;

	while ((p = strstr(p, "\n  -")) != NULL) {
		p += 4;
		if (!strncmp(p, name, len) &&
		    (p[len] == '=' || p[len] == ' ' || p[len] == '\n'))
			return 1;
	}
	return 0;
}

static void btcprobe_parse(const char *help, struct btcprobe *c)
{
	const char *v = strstr(help, "version v");

	memset(c, 0, sizeof(*c));
	if (v)
		sscanf(v + 8, "%63s", c->version);
	c->natpmp = btcprobe_has_option(help, "natpmp");
	c->upnp = btcprobe_has_option(help, "upnp");
	c->importpeersocket = btcprobe_has_option(help, "importpeersocket");
	c->v2transport = btcprobe_has_option(help, "v2transport");
	c->maxsigcachesize = btcprobe_has_option(help, "maxsigcachesize");
}

/* Everything the child writes on out until EOF or the deadline. */
static char *btcprobe_read_all(int fd, int64_t deadline_ns)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = deadline_ns - mono_ns();
		ssize_t n;

		if (left <= 0 ||
		    poll(&pfd, 1, (int)(left / BTCPROBE_NS_PER_MS) + 1) == 0)
			break;
		if (len + 1 == cap) {
			char *nb = cap < BTCPROBE_HELP_MAX
					   ? realloc(buf, cap * 2)
					   : NULL;

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

int btcprobe_get(const char *bitcoind, struct btcprobe *caps)
{
	/* A run uses one binary; a couple of slots cover tests. */
	static struct {
		char path[256];
		struct btcprobe caps;
	} cache[4];
	static unsigned n_cache;
	char *argv[] = {(char *)bitcoind, "-help-debug", NULL};
	int pfd[2], status;
	unsigned i;
	char *help;
	pid_t pid;

	for (i = 0; i < n_cache; i++) {
		if (!strcmp(cache[i].path, bitcoind)) {
			*caps = cache[i].caps;
			return 0;
		}
	}
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = proc_spawn(-1, argv, pfd[1], -1);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return pid;
	}
	help = btcprobe_read_all(
		pfd[0], mono_ns() + BTCPROBE_MS * BTCPROBE_NS_PER_MS);
	close(pfd[0]);
	status = proc_stop(pid, 1000);
	if (!help)
		return -ENOMEM;
	btcprobe_parse(help, caps);
	free(help);
	if (!caps->version[0]) {
		log_warnx("%s -help-debug (status %d) shows no version",
			  bitcoind, status);
		return -ENOEXEC;
	}
	if (n_cache < sizeof(cache) / sizeof(cache[0]) &&
	    strlen(bitcoind) < sizeof(cache[0].path)) {
		snprintf(cache[n_cache].path, sizeof(cache[0].path), "%s",
			 bitcoind);
		cache[n_cache++].caps = *caps;
	}
	return 0;
}
