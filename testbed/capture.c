/* capture: a group of capture rings (capture_ring.c), each opened inside
 * its interface's namespace by the caller (a socket stays in the namespace
 * it was created in), handed to one forked child that poll()s them all and
 * writes one pcap file per interface through libpcap. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "capture_ring.h"
#include "log.h"
#include "netns.h"
#include "proc.h"

#define CAPTURE_READY_MS 5000
/* Arming and closing a ring each wait for an RCU grace period (~15 ms
 * here); waits in parallel threads overlap, so 1000 interfaces do not
 * take 30 s. */
#define CAPTURE_THREADS 32
/* At stop, passes over the rings until one brings nothing: bounded, for
 * links that stay busy. */
#define CAPTURE_TAIL_PASSES 100

struct capture_if {
	struct capture_ring ring;
	int err; /* of arming */
	char *path;
	char *name;	     /* ifname, for logs */
	pcap_dumper_t *dump; /* child only */
	pcap_t *dead;	     /* child only */
};

/* What the child reports per interface at exit. */
struct capture_stat {
	uint64_t packets, drops;
};

struct capture {
	int snaplen;
	struct capture_if *ifs;
	size_t n, cap;
	pid_t pid;
	int report; /* read end of the child's status pipe */
};

static volatile sig_atomic_t capture_quit;

struct capture *capture_new(int snaplen)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->snaplen = snaplen > 0 ? snaplen : CAPTURE_SNAPLEN_DEFAULT;
	if (c->snaplen > CAPTURE_RING_SNAPLEN_MAX)
		c->snaplen = CAPTURE_RING_SNAPLEN_MAX;
	c->report = -1;
	return c;
}

/* Writes an empty pcap file: the path is checked now, in the caller, and
 * the child only appends. */
static int capture_header(const char *path, int linktype, int snaplen)
{
	pcap_dumper_t *d;
	pcap_t *p;
	int ret = 0;

	p = pcap_open_dead_with_tstamp_precision(linktype, snaplen,
						 PCAP_TSTAMP_PRECISION_NANO);
	if (!p)
		return -ENOMEM;
	errno = 0;
	d = pcap_dump_open(p, path);
	if (!d) {
		ret = errno ? -errno : -EIO;
		log_warnx("capture: %s", pcap_geterr(p)); /* names path */
	} else if (pcap_dump_flush(d) < 0) {
		ret = -EIO;
	}
	if (d)
		pcap_dump_close(d);
	pcap_close(p);
	return ret;
}

struct capture_job {
	struct capture *c;
	size_t first, step;
	void (*fn)(struct capture_if *);
};

static void *capture_worker(void *arg)
{
	struct capture_job *j = arg;

	for (size_t i = j->first; i < j->c->n; i += j->step)
		j->fn(&j->c->ifs[i]);
	return NULL;
}

/* fn on every interface, from up to CAPTURE_THREADS threads; a slice no
 * thread could be made for runs in the calling one. */
static void capture_each(struct capture *c, void (*fn)(struct capture_if *))
{
	struct capture_job jobs[CAPTURE_THREADS];
	pthread_t th[CAPTURE_THREADS];
	int made[CAPTURE_THREADS];
	size_t nt = c->n < CAPTURE_THREADS ? c->n : CAPTURE_THREADS;

	for (size_t t = 0; t < nt; t++) {
		jobs[t] = (struct capture_job){c, t, nt, fn};
		made[t] = nt > 1 && pthread_create(&th[t], NULL, capture_worker,
						   &jobs[t]) == 0;
		if (!made[t])
			capture_worker(&jobs[t]);
	}
	for (size_t t = 0; t < nt; t++)
		if (made[t])
			pthread_join(th[t], NULL);
}

static void capture_arm_one(struct capture_if *ci)
{
	ci->err = capture_ring_arm(&ci->ring);
}

static void capture_close_one(struct capture_if *ci)
{
	capture_ring_close(&ci->ring);
}

int capture_add(struct capture *c, int netns_fd, const char *ifname,
		const char *pcap_path)
{
	struct capture_if *ci;
	int self, back, ret;

	if (!c || netns_fd < 0 || !ifname || !pcap_path || !*pcap_path)
		return -EINVAL;
	if (!*ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	if (c->pid)
		return -EBUSY;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		void *p = realloc(c->ifs, ncap * sizeof(*c->ifs));

		if (!p)
			return -ENOMEM;
		c->ifs = p;
		c->cap = ncap;
	}
	ci = &c->ifs[c->n];
	*ci = (struct capture_if){.ring.sock = -1};
	self = netns_self();
	if (self < 0)
		return self;
	ret = netns_enter(netns_fd);
	if (ret < 0) {
		close(self);
		return ret;
	}
	ret = capture_ring_open(&ci->ring, ifname, c->snaplen);
	back = netns_enter(self);
	close(self);
	if (back < 0) {
		/* A thread stranded in a testbed namespace must not go on. */
		log_warnx("capture: cannot return to own namespace: %s",
			  strerror(-back));
		ret = back;
	}
	if (ret < 0)
		goto err_ring;
	ret = capture_header(pcap_path, ci->ring.linktype, c->snaplen);
	if (ret < 0)
		goto err_ring;
	ci->path = strdup(pcap_path);
	ci->name = strdup(ifname);
	if (!ci->path || !ci->name) {
		free(ci->path);
		free(ci->name);
		ret = -ENOMEM;
		goto err_ring;
	}
	c->n++;
	return 0;

err_ring:
	capture_ring_close(&ci->ring);
	return ret;
}

static void capture_on_term(int sig)
{
	(void)sig;
	capture_quit = 1;
}

static int capture_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Everything the parent had open (result files, other children's pipes)
 * would otherwise be held until the capture ends. */
static void capture_close_others(const struct capture *c, int report)
{
	int *keep = malloc((c->n + 4) * sizeof(*keep));
	unsigned int lo = 0;
	size_t nk = 0;

	if (!keep)
		return;
	keep[nk++] = 0;
	keep[nk++] = 1;
	keep[nk++] = 2;
	keep[nk++] = report;
	for (size_t i = 0; i < c->n; i++)
		keep[nk++] = c->ifs[i].ring.sock;
	qsort(keep, nk, sizeof(*keep), capture_cmp_int);
	for (size_t i = 0; i < nk; i++) {
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
	free(keep);
}

/* One look at every ring: writes what the kernel has handed over and
 * flushes each file that grew, so a run killed with SIGKILL still leaves
 * readable files. Returns the packets written. */
static long capture_pass(struct capture *c, struct pollfd *pfd,
			 struct capture_stat *st)
{
	long total = 0, got;

	for (size_t i = 0; i < c->n; i++) {
		if (pfd[i].fd < 0)
			continue;
		if (pfd[i].revents & POLLNVAL) {
			pfd[i].fd = -1;
			continue;
		}
		if (pfd[i].revents & POLLERR)
			capture_ring_clear_error(&c->ifs[i].ring);
		got = capture_ring_read(&c->ifs[i].ring, c->ifs[i].dump,
					c->snaplen, CAPTURE_RING_BLOCK_NR);
		if (got) {
			st[i].packets += (uint64_t)got;
			pcap_dump_flush(c->ifs[i].dump);
		}
		total += got;
	}
	return total;
}

/* Maps the rings and opens the files for appending: 0 or an errno. */
static int capture_child_open(struct capture *c, struct pollfd *pfd)
{
	for (size_t i = 0; i < c->n; i++) {
		struct capture_if *ci = &c->ifs[i];
		int e = capture_ring_map(&ci->ring);

		if (e < 0)
			return -e;
		ci->dead = pcap_open_dead_with_tstamp_precision(
			ci->ring.linktype, c->snaplen,
			PCAP_TSTAMP_PRECISION_NANO);
		errno = 0;
		ci->dump = ci->dead ? pcap_dump_open_append(ci->dead, ci->path)
				    : NULL;
		if (!ci->dump)
			return errno ? errno : EIO;
		pfd[i].fd = ci->ring.sock;
		pfd[i].events = POLLIN;
	}
	return 0;
}

/* The child: report that the files are open, then wait until SIGTERM
 * (from capture_stop, the cleanup registry, or the parent's death), write
 * what the rings still hold, report the counts. Never returns. */
static void capture_child(struct capture *c, int report, pid_t parent)
{
	struct capture_stat *st = calloc(c->n, sizeof(*st));
	struct pollfd *pfd = calloc(c->n, sizeof(*pfd));
	struct sigaction sa = {.sa_handler = capture_on_term};
	/* A partly filled block is handed over CAPTURE_RING_TOV_MS after
	 * it was opened: a wait of three times that sees the last one. */
	struct timespec tail = {0, 3 * CAPTURE_RING_TOV_MS * 1000000L};
	sigset_t block, wait_mask;
	int status = ENOMEM;

	/* SIGTERM only interrupts ppoll(), so none is missed between the
	 * check of capture_quit and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* a Ctrl-C reaches the whole group */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_NAME, "pl-capture"); /* for ps; the pid is registered */
	if (getppid() != parent)
		capture_quit = 1;
	capture_close_others(c, report);
	if (st && pfd)
		status = capture_child_open(c, pfd);
	if (proc_write_all(report, &status, sizeof(status)) < 0 || status)
		_exit(1);

	while (!capture_quit) {
		int r = ppoll(pfd, c->n, NULL, &wait_mask);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			capture_pass(c, pfd, st);
	}
	for (int k = 0; k < CAPTURE_TAIL_PASSES; k++) {
		int r = ppoll(pfd, c->n, &tail, &wait_mask);

		if (capture_pass(c, pfd, st) == 0 && r == 0)
			break;
	}
	for (size_t i = 0; i < c->n; i++) {
		st[i].drops = capture_ring_drops(&c->ifs[i].ring);
		pcap_dump_close(c->ifs[i].dump);
		pcap_close(c->ifs[i].dead);
	}
	proc_write_all(report, st, c->n * sizeof(*st));
	capture_each(c, capture_close_one);
	_exit(0);
}

/* Waits up to ms for exactly len bytes on fd. 0 or -errno. */
static int capture_read_full(int fd, void *data, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char *d = data;
	ssize_t r;

	while (len) {
		if (poll(&p, 1, ms) == 0)
			return -ETIMEDOUT;
		r = read(fd, d, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		d += r;
		len -= (size_t)r;
	}
	return 0;
}

int capture_run(struct capture *c)
{
	int fds[2], status = 0, ret;
	pid_t pid, self = getpid();

	if (!c || !c->n)
		return -EINVAL;
	if (c->pid)
		return -EBUSY;
	capture_each(c, capture_arm_one);
	for (size_t i = 0; i < c->n; i++)
		if (c->ifs[i].err < 0) {
			log_warnx("capture: %s: %s", c->ifs[i].name,
				  strerror(-c->ifs[i].err));
			return c->ifs[i].err;
		}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	/* What stdio holds would be written twice otherwise. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		capture_child(c, fds[1], self);
	}
	close(fds[1]);
	c->pid = pid;
	c->report = fds[0];
	/* The child holds the sockets now; closing ours frees nothing. */
	for (size_t i = 0; i < c->n; i++) {
		close(c->ifs[i].ring.sock);
		c->ifs[i].ring.sock = -1;
	}
	ret = capture_read_full(fds[0], &status, sizeof(status),
				CAPTURE_READY_MS);
	if (ret == 0 && status)
		ret = -status;
	if (ret < 0) {
		log_warnx("capture: the capture process did not start: %s",
			  strerror(-ret));
		proc_stop(pid, 0);
		c->pid = 0;
	}
	return ret;
}

struct capture *capture_start(int netns_fd, const char *ifname,
			      const char *pcap_path, int snaplen)
{
	struct capture *c = capture_new(snaplen);
	int e;

	if (!c)
		return NULL;
	e = capture_add(c, netns_fd, ifname, pcap_path);
	if (e < 0)
		goto err;
	e = capture_run(c);
	if (e < 0)
		goto err;
	return c;
err:
	capture_stop(c);
	errno = -e;
	return NULL;
}

pid_t capture_pid(const struct capture *c)
{
	return c ? c->pid : 0;
}

/* The child's last words: packets and drops per interface. */
static long long capture_collect(struct capture *c, long long *dropped)
{
	struct capture_stat *st = calloc(c->n, sizeof(*st));
	long long total = 0;
	int e;

	e = !st ? -ENOMEM
		: capture_read_full(c->report, st, c->n * sizeof(*st), 0);
	if (e < 0) {
		free(st);
		return e == -ETIMEDOUT || e == -EPIPE ? -EIO : e;
	}
	for (size_t i = 0; i < c->n; i++) {
		total += (long long)st[i].packets;
		*dropped += (long long)st[i].drops;
		log_debug("capture: %s: %llu packets -> %s", c->ifs[i].name,
			  (unsigned long long)st[i].packets, c->ifs[i].path);
		if (st[i].drops)
			log_warnx("capture: %s: the kernel dropped %llu "
				  "packets (the capture fell behind)",
				  c->ifs[i].path,
				  (unsigned long long)st[i].drops);
	}
	free(st);
	return total;
}

long long capture_stop(struct capture *c)
{
	long long dropped;

	return capture_stop_counted(c, &dropped);
}

long long capture_stop_counted(struct capture *c, long long *dropped)
{
	long long total = 0;
	int e;

	*dropped = 0;
	if (!c)
		return 0;
	if (c->pid > 0) {
		e = proc_stop(c->pid, CAPTURE_STOP_GRACE_MS);
		if (e >= 0 && !(WIFEXITED(e) && WEXITSTATUS(e) == 0))
			log_warnx("capture: the capture process ended badly "
				  "(status %#x)",
				  (unsigned int)e);
		total = capture_collect(c, dropped);
	}
	if (c->report >= 0)
		close(c->report);
	if (!c->pid)
		capture_each(c, capture_close_one); /* never handed over */
	for (size_t i = 0; i < c->n; i++) {
		free(c->ifs[i].path);
		free(c->ifs[i].name);
	}
	free(c->ifs);
	free(c);
	return total;
}
