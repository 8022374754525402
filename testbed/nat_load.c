/* nat_load: loads a rendered ruleset, or reads a counter, through
 * libnftables in a forked child that enters the router's namespace first
 * (nft_ctx_new binds its netlink socket to the current namespace and may
 * exit() when it cannot). The rendering is in nat.c. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "log.h"
#include "nat.h"
#include "proc.h"

/* Table and counter names go into an nft command. */
static int nat_load_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 63)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* The child: enter the namespace, run cmd, send "status, text" up the
 * pipe (status 0 with nft's output, or an errno with the error text). */
static void nat_child(int fd, int netns_fd, const char *cmd, unsigned int flags)
{
	struct nft_ctx *nft = NULL;
	const char *text = "";
	int status = 0;

	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		status = errno;
		text = "setns into the router namespace failed";
		goto out;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft || nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		status = ENOMEM;
		text = "cannot set up libnftables";
		goto out;
	}
	nft_ctx_output_set_flags(nft, flags);
	if (nft_run_cmd_from_buffer(nft, cmd) != 0) {
		status = EPROTO;
		text = nft_ctx_get_error_buffer(nft);
	} else {
		text = nft_ctx_get_output_buffer(nft);
	}
out:
	if (!text)
		text = "";
	if (proc_write_all(fd, &status, sizeof(status)) < 0 ||
	    proc_write_all(fd, text, strlen(text)) < 0)
		status = EIO;
	/* The parent goes on at EOF; the exit below can take a while. */
	close(fd);
	_exit(status ? 1 : 0);
}

/* Children that have reported and are still exiting. Closing the nft
 * socket after a commit that deleted something (the ruleset's leading
 * `delete table`) waits in the kernel for the transaction's deferred
 * destruction, an RCU grace period: measured 8-16 ms per load here,
 * against 1.3 ms for the load itself. Nothing of ours depends on that
 * wait, so nat_run does not sit through it: it reaps such children on
 * its next call, or init does once we exit. */
#define NAT_EXITING_MAX 64
static pid_t nat_exiting[NAT_EXITING_MAX];
static size_t nat_nexiting;

static void nat_reap(void)
{
	size_t i = 0;

	while (i < nat_nexiting) {
		pid_t r = waitpid(nat_exiting[i], NULL, WNOHANG);

		if (r == 0 || (r < 0 && errno == EINTR)) {
			i++;
			continue;
		}
		nat_exiting[i] = nat_exiting[--nat_nexiting];
	}
}

/* The child has reported: reap it if it is gone, else leave it exiting. */
static void nat_done(pid_t pid)
{
	pid_t r;

	do
		r = waitpid(pid, NULL, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != 0)
		return;
	if (nat_nexiting == NAT_EXITING_MAX) {
		/* Bounded: wait for the oldest rather than grow. */
		while (waitpid(nat_exiting[0], NULL, 0) < 0 && errno == EINTR)
			;
		nat_exiting[0] = nat_exiting[--nat_nexiting];
	}
	nat_exiting[nat_nexiting++] = pid;
}

/* Runs cmd in netns_fd's namespace. 0 with nft's output in out, or
 * -errno with the error text in out (out may be NULL). */
static int nat_run(int netns_fd, const char *cmd, unsigned int flags, char *out,
		   size_t cap)
{
	char sink[256];
	size_t got = 0, hdr = 0;
	int fds[2], status = 0, wst, ret;
	ssize_t r;
	pid_t pid;

	if (!out || !cap) {
		out = sink;
		cap = sizeof(sink);
	}
	out[0] = '\0';
	if (netns_fd < 0)
		return -EBADF;
	nat_reap();
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		nat_child(fds[1], netns_fd, cmd, flags);
	}
	close(fds[1]);
	/* Read to EOF: the status word, then text (the tail that does not
	 * fit in out is drained so the child never blocks on the pipe). */
	for (;;) {
		char tmp[4096], *dst = tmp;
		size_t want = sizeof(tmp);

		if (hdr < sizeof(status)) {
			dst = (char *)&status + hdr;
			want = sizeof(status) - hdr;
		}
		r = read(fds[0], dst, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (hdr < sizeof(status)) {
			hdr += (size_t)r;
			continue;
		}
		if (got < cap - 1) {
			size_t n = (size_t)r < cap - 1 - got ? (size_t)r
							     : cap - 1 - got;

			memcpy(out + got, tmp, n);
			got += n;
		}
	}
	close(fds[0]);
	out[got] = '\0';
	while (got && isspace((unsigned char)out[got - 1]))
		out[--got] = '\0';
	if (hdr == sizeof(status)) {
		nat_done(pid);
	} else {
		while (waitpid(pid, &wst, 0) < 0)
			if (errno != EINTR)
				return -errno;
	}
	if (hdr < sizeof(status)) {
		/* libnftables can exit() on its own, e.g. without a netlink
		 * socket; the child then never reported. */
		snprintf(out, cap, "nft child ended without a report (%s %d)",
			 WIFEXITED(wst) ? "exit" : "signal",
			 WIFEXITED(wst) ? WEXITSTATUS(wst) : WTERMSIG(wst));
		return -EIO;
	}
	if (status && hdr == sizeof(status) && !out[0])
		snprintf(out, cap, "%s", strerror(status));
	return -status;
}

int nat_apply(int netns_fd, const char *ruleset, char *err, size_t err_cap)
{
	int e = nat_run(netns_fd, ruleset, 0, err, err_cap);

	if (e < 0)
		log_debug("nat: loading ruleset failed: %s",
			  err && err_cap ? err : strerror(-e));
	else if (err && err_cap)
		err[0] = '\0';
	return e;
}

int nat_counter(int netns_fd, const char *table, const char *name,
		unsigned long long *packets)
{
	char cmd[160], out[4096];
	json_error_t jerr;
	json_t *root, *items, *it, *ctr, *pk;
	size_t i;
	int e;

	if (!nat_load_name_ok(table) || !nat_load_name_ok(name))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "list counter ip %s %s", table, name);
	e = nat_run(netns_fd, cmd, NFT_CTX_OUTPUT_JSON, out, sizeof(out));
	if (e == -EPROTO && strstr(out, "No such file or directory"))
		e = -ENOENT;
	if (e < 0) {
		log_debug("nat: %s: %s", cmd, out);
		return e;
	}
	root = json_loads(out, 0, &jerr);
	if (!root) {
		log_warnx("nat: %s: unreadable JSON: %s", cmd, jerr.text);
		return -EPROTO;
	}
	e = -ENOENT;
	items = json_object_get(root, "nftables");
	json_array_foreach(items, i, it)
	{
		ctr = json_object_get(it, "counter");
		pk = json_object_get(ctr, "packets");
		if (json_is_integer(pk) && json_integer_value(pk) >= 0) {
			*packets = (unsigned long long)json_integer_value(pk);
			e = 0;
			break;
		}
	}
	json_decref(root);
	return e;
}
