/* testutil: helpers the CUnit test programs share. Children are waited for
 * by pid with poll() deadlines, never by name; their stderr goes to
 * /dev/null unless PUNCHLAB_TEST_VERBOSE is set. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "btcnode.h"
#include "cfg.h"
#include "profile.h"
#include "rundir.h"
#include "testutil.h"

int testutil_left_ms(int64_t deadline)
{
	int64_t l = deadline - mono_ms();

	return l < 0 ? 0 : (int)l;
}

/* With in not NULL, the child's stdin is a pipe whose write end *in
 * becomes (closing it is the child's EOF). */
int testutil_proc_spawn_in(struct testutil_proc *p, char *const argv[], int *in)
{
	int pfd[2], ifd[2] = {-1, -1};

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	if (in && pipe2(ifd, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (in)
			dup2(ifd[0], STDIN_FILENO);
		dup2(pfd[1], STDOUT_FILENO);
		if (!getenv("PUNCHLAB_TEST_VERBOSE") && devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	p->out = pfd[0];
	p->len = 0;
	if (in) {
		close(ifd[0]);
		*in = ifd[1];
	}
	return 0;
}

int testutil_proc_spawn(struct testutil_proc *p, char *const argv[])
{
	return testutil_proc_spawn_in(p, argv, NULL);
}

/* The next JSON line from the child's stdout (bytes after it are kept for
 * the next call); NULL on timeout, EOF or junk. */
json_t *testutil_proc_json(struct testutil_proc *p, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	struct pollfd pfd = {.fd = p->out, .events = POLLIN};
	size_t used;
	ssize_t n;
	json_t *j;
	char *nl;

	while (!(nl = memchr(p->buf, '\n', p->len))) {
		if (p->len == sizeof(p->buf) - 1 ||
		    poll(&pfd, 1, testutil_left_ms(deadline)) <= 0)
			return NULL;
		n = read(p->out, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
		if (n <= 0)
			return NULL;
		p->len += (size_t)n;
	}
	*nl = '\0';
	j = json_loads(p->buf, 0, NULL);
	used = (size_t)(nl + 1 - p->buf);
	memmove(p->buf, nl + 1, p->len - used);
	p->len -= used;
	return j;
}

/* Exit status of the child (-1 when killed after the timeout). */
int testutil_proc_wait(struct testutil_proc *p, int timeout_ms)
{
	int status = -1, pidfd;

	if (p->pid <= 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

		if (poll(&pfd, 1, timeout_ms) <= 0)
			kill(p->pid, SIGKILL);
		close(pidfd);
	} else {
		kill(p->pid, SIGKILL);
	}
	waitpid(p->pid, &status, 0);
	p->pid = -1;
	close(p->out);
	p->out = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A program's path: $env when set; else the program of fallback's name in
 * $PUNCHLAB_BIN_DIR (the build under test: `make test` sets it, so a
 * DEBUG=1 build tests its own sanitized daemons); else fallback
 * (relative to the repo root, where the tests run). */
const char *testutil_bin(const char *env, const char *fallback)
{
	static char paths[8][4096];
	static unsigned next;
	const char *s = getenv(env), *dir = getenv("PUNCHLAB_BIN_DIR");
	const char *name = strrchr(fallback, '/');
	char *p;

	if (s && *s)
		return s;
	if (!dir || !*dir)
		return fallback;
	p = paths[next++ % TESTUTIL_N(paths)];
	snprintf(p, sizeof(paths[0]), "%s/%s", dir, name ? name + 1 : fallback);
	return p;
}

/* Starts the coordinator at bin on 127.0.0.1, port 0, and copies the
 * address it reports listening on to addr. */
int testutil_coord_start(struct testutil_proc *p, const char *bin,
			 const char *run_id, char *addr, size_t cap,
			 int timeout_ms)
{
	char *argv[] = {(char *)bin, "--listen",     "127.0.0.1:0",
			"--run-id",  (char *)run_id, NULL};
	json_t *ev;
	int r = -EBADMSG;

	if (testutil_proc_spawn(p, argv))
		return -errno;
	ev = testutil_proc_json(p, timeout_ms);
	if (ev && !strcmp(testutil_jstr(ev, "event"), "listening")) {
		snprintf(addr, cap, "%s", testutil_jstr(ev, "addr"));
		r = 0;
	}
	json_decref(ev);
	return r;
}

/* A port nobody holds now; never the same one twice in this run. */
uint16_t testutil_free_port(void)
{
	static uint16_t used[64];
	static unsigned n_used;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	uint16_t port = 0;

	for (int tries = 0; tries < 16 && !port; tries++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_port = 0;
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    getsockname(fd, (struct sockaddr *)&sin, &len))
			port = 0;
		else
			port = ntohs(sin.sin_port);
		close(fd);
		for (unsigned i = 0; i < n_used; i++)
			if (used[i] == port)
				port = 0;
	}
	if (port && n_used < 64)
		used[n_used++] = port;
	return port;
}

/* Listener on 0.0.0.0:port, sharing the port (SO_REUSEPORT) as the agent
 * does when reuseport is set. With backlog 0 and one connection queued
 * (*filler), further SYNs to the port are dropped instead of refused,
 * as a NAT that drops unsolicited SYNs does. */
int testutil_listener(uint16_t port, int backlog, int reuseport, int *filler)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	struct pollfd pfd = {.events = POLLIN};
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, backlog))
		goto err;
	if (!filler)
		return fd;
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*filler < 0 ||
	    connect(*filler, (struct sockaddr *)&sin, sizeof(sin)))
		goto err;
	pfd.fd = fd; /* readable once the filler sits in the accept queue */
	if (poll(&pfd, 1, 2000) == 1)
		return fd;
err:
	close(fd);
	return -1;
}

/* The whole of a small file into buf (NUL-terminated, cut at cap - 1):
 * its length, or -1. */
int testutil_read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (int)n;
}

/* profile_load, printing the error when it fails: 0 or -1. */
int testutil_profile_load(const char *path, struct nat_profile *p)
{
	struct cfg_error err;
	char msg[1200];

	if (profile_load(path, p, &err) == 0)
		return 0;
	fprintf(stderr, "\n%s\n", cfg_error_str(&err, msg, sizeof(msg)));
	return -1;
}

/* Asserts that the load of path (shown as name) failed with err at line
 * and key, its message holding msg_part. */
void testutil_check_cfg_error(const struct cfg_error *err, const char *path,
			      const char *name, int line, const char *key,
			      const char *msg_part)
{
	CU_ASSERT_STRING_EQUAL(err->file, path);
	CU_ASSERT_EQUAL(err->line, line);
	CU_ASSERT_STRING_EQUAL(err->key, key);
	if (!strstr(err->msg, msg_part))
		fprintf(stderr, "\n%s: '%s' lacks '%s'\n", name, err->msg,
			msg_part);
	CU_ASSERT_PTR_NOT_NULL(strstr(err->msg, msg_part));
}

/* text into a fresh file made from pattern (mkstemps, ending in suffix_len
 * fixed characters, e.g. "/tmp/x-XXXXXX.ini" and 4); its path stays in
 * pattern. 0, or -1 with nothing left behind. */
int testutil_temp_file(char *pattern, int suffix_len, const char *text)
{
	int fd = mkstemps(pattern, suffix_len);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		if (fd >= 0) {
			close(fd);
			unlink(pattern);
		}
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		unlink(pattern);
		return -1;
	}
	return 0;
}

/* The peer of n whose handshake is done and that matches addr (NULL: any
 * inbound). 1 when found (copied to *out). */
int testutil_find_peer(struct btcnode *n, const char *addr,
		       struct btcnode_peer *out)
{
	struct btcnode_peer *p;
	int count, found = 0;

	count = btcnode_getpeerinfo(n, &p);
	for (int i = 0; i < count && !found; i++) {
		if (p[i].version <= 0)
			continue;
		if (addr ? !strcmp(p[i].addr, addr) : p[i].inbound) {
			*out = p[i];
			found = 1;
		}
	}
	free(p);
	return found;
}

/* Removes dir and all below it (a test's scratch datadirs). */
int testutil_rm_tree(const char *dir)
{
	return rundir_rm_tree(dir);
}

/* String member k of j; "" when absent or not a string. */
const char *testutil_jstr(json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));

	return s ? s : "";
}

/* Integer member k of j; 0 when absent or not an integer. */
int64_t testutil_jint(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

/* Runs the suite name of the n tests verbosely in a registry of its own:
 * how many assertions failed, or -ENOMEM when the registry could not be
 * built (it is freed either way). */
int testutil_run_suite(const char *name, CU_InitializeFunc init,
		       CU_CleanupFunc clean, const struct testutil_case *tests,
		       size_t n)
{
	unsigned fails;
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return -ENOMEM;
	s = CU_add_suite(name, init, clean);
	if (!s)
		goto err;
	for (size_t i = 0; i < n; i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			goto err;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* A suite whose init failed ran nothing and failed no assertion:
	 * it counts, or a suite that could not start would pass. */
	fails = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return (int)fails;
err:
	CU_cleanup_registry();
	return -ENOMEM;
}
