/* stund: the run's STUN server (Debian's coturn, STUN only) on charlie,
 * and the hosts file that names it in every process of the run. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "hostsfile.h"
#include "monoclock.h"
#include "nscall.h"
#include "proc.h"
#include "rundir.h"
#include "runid.h"
#include "stun.h"
#include "stund.h"

#define STUN_READY_MS 5000

int stund_names(struct world *w, char *path, size_t cap)
{
	static const struct hostsfile_entry names[] = {
		{ PLAN_COORD_ADDR, STUND_NAME },
		{ PLAN_COORD_ADDR, "coordinator.punchlab.test" },
		{ PLAN_COORD_ADDR, "probe.punchlab.test" },
	};
	int e;

	/* In the run's state folder: removed with it by cleanup_run and by
	 * `punchlab clean` after a SIGKILL. */
	if ((size_t)snprintf(path, cap, "%s/%s/hosts", RUNID_STATE_DIR,
			     w->rid) >= cap)
		return -ENAMETOOLONG;
	e = hostsfile_write(path, w->rid, names,
			    sizeof(names) / sizeof(*names));
	return e < 0 ? e : proc_set_hosts(path);
}

/* coturn's turnserver: PUNCHLAB_TURNSERVER, else where Debian puts it. */
static const char *stund_binary(void)
{
	static const char *const where[] = { "/usr/bin/turnserver",
					     "/usr/sbin/turnserver",
					     "/usr/local/bin/turnserver" };
	const char *env = getenv("PUNCHLAB_TURNSERVER");

	if (env && env[0])
		return access(env, X_OK) == 0 ? env : NULL;
	for (size_t i = 0; i < sizeof(where) / sizeof(*where); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* STUN only (TURN allocations ignored), plain UDP and TCP on charlie's
 * WAN address alone, no CLI, no TLS; pid file, log and user database in
 * the run folder (coturn's defaults are /var/run, /var/log and
 * /var/lib/turn on the host). RFC 5780 needs a second address. */
static int stund_config(const char *dir, char *path, size_t cap)
{
	FILE *f;
	int e = 0;

	if ((size_t)snprintf(path, cap, "%s/turnserver.conf", dir) >= cap)
		return -ENAMETOOLONG;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f,
		"# punchlab: STUN Binding only, inside the run's charlie\n"
		"listening-ip=%s\nlistening-port=%d\nstun-only\nno-auth\n"
		"no-tls\nno-dtls\nno-cli\nno-rfc5780\n"
		"log-file=%s/stun.log\nsimple-log\n"
		"pidfile=%s/turnserver.pid\nuserdb=%s/turndb\n",
		PLAN_COORD_ADDR, STUN_PORT, dir, dir, dir);
	if (ferror(f))
		e = -EIO;
	if (fclose(f) < 0 && !e)
		e = -errno;
	return e;
}

/* One Binding over fd (connected); the mapped address into *m. */
static int stund_binding(int fd, int tcp, struct sockaddr_in *m)
{
	uint8_t req[STUN_HEADER_LEN], buf[512], txid[12];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	for (int i = 0; i < 12; i++)
		txid[i] = (uint8_t)rand();
	stun_binding_request(req, sizeof(req), txid);
	if (send(fd, req, sizeof(req), MSG_NOSIGNAL) != sizeof(req))
		return -errno;
	do {
		if (poll(&p, 1, 100) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, buf + got, sizeof(buf) - got, 0);
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		got += (size_t)n;
		/* TCP: a response may come in pieces */
	} while (tcp && (got < STUN_HEADER_LEN ||
			 got < STUN_HEADER_LEN + (size_t)(buf[2] << 8 | buf[3])));
	return stun_binding_parse(buf, got, txid, m);
}

/* In charlie: Bindings over UDP, then TCP, until both are answered or
 * STUN_READY_MS; prints how long each took to be answered. */
static int stund_ready_child(FILE *out, const void *arg)
{
	struct sockaddr_in srv = { .sin_family = AF_INET,
				   .sin_port = htons(STUN_PORT) }, m;
	int64_t t0 = mono_us(), end = mono_ms() + STUN_READY_MS, took[2];
	int step = 1;

	(void)arg;
	inet_pton(AF_INET, PLAN_COORD_ADDR, &srv.sin_addr);
	srand((unsigned int)t0);
	for (int tcp = 0; tcp < 2; tcp++) {
		int e = -ETIMEDOUT;

		while (e < 0 && mono_ms() < end) {
			int fd = socket(AF_INET,
					tcp ? SOCK_STREAM : SOCK_DGRAM, 0);

			if (fd < 0)
				return errno;
			e = connect(fd, (struct sockaddr *)&srv, sizeof(srv));
			e = e < 0 ? -errno : stund_binding(fd, tcp, &m);
			close(fd);
			if (e < 0) {
				usleep((useconds_t)step * 1000);
				step = step < 64 ? step * 2 : 64;
			}
		}
		if (e < 0) {
			fprintf(out, "%s Binding: %s", tcp ? "TCP" : "UDP",
				strerror(-e));
			return -e;
		}
		took[tcp] = mono_us() - t0;
	}
	fprintf(out, "%lld %lld", (long long)took[0], (long long)took[1]);
	return 0;
}

/* Waits for answered Bindings over UDP and TCP; records the times. */
static int stund_wait(struct world *w, const char *dir)
{
	char *text = NULL, line[160];
	size_t len;
	long long udp_us, tcp_us;
	int e, fd;

	e = nscall(w->charlie->fd, stund_ready_child, NULL, 8192, &text, &len);
	if (e < 0) {
		fprintf(stderr,
			"punchlab run: the STUN server does not answer: %s "
			"(see %s/stun.log)\n",
			text && text[0] ? text : strerror(-e), dir);
		free(text);
		return e;
	}
	if (!text || sscanf(text, "%lld %lld", &udp_us, &tcp_us) != 2)
		udp_us = tcp_us = -1;
	free(text);
	snprintf(line, sizeof(line),
		 "{\"event\": \"ready\", \"udp_us\": %lld, \"tcp_us\": %lld}\n",
		 udp_us, tcp_us);
	fd = rundir_open(dir, "stun.jsonl", O_TRUNC);
	if (fd >= 0) {
		proc_write_all(fd, line, strlen(line));
		close(fd);
	}
	return 0;
}

pid_t stund_start(struct world *w, const char *dir, int keep)
{
	const char *bin = stund_binary();
	char conf[PATH_MAX], *argv[4];
	int err, e;
	pid_t pid;

	if (!bin) {
		fprintf(stderr, "punchlab run: no STUN server in this run: "
				"coturn's turnserver is not installed "
				"(tools/deps.sh installs it)\n");
		return 0;
	}
	if ((e = stund_config(dir, conf, sizeof(conf))) < 0)
		return e;
	argv[0] = (char *)bin;
	argv[1] = "-c";
	argv[2] = conf;
	argv[3] = NULL;
	/* Its own messages go to stun.log; what it prints before the log
	 * is open goes here. */
	err = rundir_open(dir, "stun-stderr.log", O_TRUNC);
	if (err < 0)
		return -errno;
	pid = keep ? proc_spawn_kept(w->charlie->fd, argv, err, err) :
		     proc_spawn(w->charlie->fd, argv, err, err);
	close(err);
	if (pid < 0)
		return pid;
	cleanup_pid(w->cu, pid);
	e = stund_wait(w, dir);
	return e < 0 ? e : pid;
}
