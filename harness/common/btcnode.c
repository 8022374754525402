/* btcnode: bitcoind as a child process. Readiness and block arrival are
 * polled over RPC; the wait between polls is a poll() on the process's
 * pidfd, so a bitcoind that dies ends the wait at once. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monoclock.h"
#include "btcnode.h"
#include "btcprobe.h"
#include "btcrpc.h"
#include "log.h"
#include "proc.h"

#define BTCNODE_RPC_MS 10000
#define BTCNODE_READY_POLL_MS 20
#define BTCNODE_BLOCK_POLL_MS 5
#define BTCNODE_MAX_ARGS 40

/* Bitcoin Core RPC error codes we wait through. */
#define BTCNODE_RPC_IN_WARMUP (-28)
#define BTCNODE_RPC_NOT_FOUND (-5)

#define NS_PER_MS INT64_C(1000000)

static int btcnode_executable(const char *path)
{
	struct stat st;

	return path && *path && !stat(path, &st) && S_ISREG(st.st_mode) &&
	       !access(path, X_OK);
}

int btcnode_find(const char **bitcoind, const char **cli)
{
	const char *b = getenv("BITCOIND"), *c = getenv("BITCOIN_CLI");

	if (!btcnode_executable(b) || (cli && !btcnode_executable(c)))
		return -ENOENT;
	*bitcoind = b;
	if (cli)
		*cli = c;
	return 0;
}

static void btcnode_cookie(const struct btcnode *n, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/regtest/.cookie", n->datadir);
}

int btcnode_rpc(struct btcnode *n, const char *method, const char *params_json,
		json_t **result)
{
	struct btcrpc_error e = {0};
	json_t *params = NULL;
	char cookie[300];
	int r;

	if (params_json) {
		params = json_loads(params_json, 0, NULL);
		if (!json_is_array(params)) {
			json_decref(params);
			return -EINVAL;
		}
	}
	btcnode_cookie(n, cookie, sizeof(cookie));
	r = btcrpc_call(n->netns_fd, n->rpc_port, cookie, method, params,
			mono_ns() + BTCNODE_RPC_MS * NS_PER_MS, result,
			&e);
	json_decref(params);
	n->rpc_code = e.code;
	snprintf(n->rpc_error, sizeof(n->rpc_error), "%s", r ? e.message : "");
	return r;
}

/* Appends "-name=value" (value NULL: "-name") to argv. */
static int btcnode_arg(char **argv, int *argc, const char *name,
		       const char *value)
{
	char *s;

	if (*argc >= BTCNODE_MAX_ARGS - 1)
		return -E2BIG;
	if ((value ? asprintf(&s, "-%s=%s", name, value)
		   : asprintf(&s, "-%s", name)) < 0)
		return -ENOMEM;
	argv[(*argc)++] = s;
	argv[*argc] = NULL;
	return 0;
}

static void btcnode_args_free(char **argv, int argc)
{
	for (int i = 1; i < argc; i++)
		free(argv[i]);
}

static int btcnode_args(const struct btcnode *n, const char *proxy,
			int natpmp, const struct btcprobe *caps, char **argv,
			int *argc)
{
	/* Small caches and queues: a run may hold hundreds of nodes, and
	 * regtest with a handful of blocks needs none of the defaults. */
	static const char *const fixed[][2] = {
		{"regtest", NULL},
		{"server", "1"},
		{"listen", "1"},
		{"rpcbind", "127.0.0.1"},
		{"rpcallowip", "127.0.0.1"},
		{"dnsseed", "0"},
		{"fixedseeds", "0"},
		{"discover", "0"},
		{"listenonion", "0"},
		{"debug", "net"},
		{"logtimemicros", "1"},
		{"printtoconsole", "0"},
		{"daemon", "0"},
		{"dbcache", "4"},
		{"maxmempool", "5"},
		{"par", "1"},
	};
	char bind[96], port[16], rpcport[16];
	int r = 0;

	snprintf(bind, sizeof(bind),
		 strchr(n->bind_ip, ':') ? "[%s]:%d" : "%s:%d", n->bind_ip,
		 n->p2p_port);
	snprintf(port, sizeof(port), "%d", n->p2p_port);
	snprintf(rpcport, sizeof(rpcport), "%d", n->rpc_port);
	r = btcnode_arg(argv, argc, "datadir", n->datadir);
	for (size_t i = 0; !r && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!natpmp || strcmp(fixed[i][0], "discover"))
			r = btcnode_arg(argv, argc, fixed[i][0], fixed[i][1]);
	if (!r)
		r = btcnode_arg(argv, argc, "bind", bind);
	if (!r)
		r = btcnode_arg(argv, argc, "port", port);
	if (!r)
		r = btcnode_arg(argv, argc, "rpcport", rpcport);
	if (!r && caps->natpmp)
		r = btcnode_arg(argv, argc, "natpmp", natpmp ? "1" : "0");
	/* A mapped node discovers its addresses as by default, so that
	 * only bitcoind's own rules decide whether it advertises the
	 * mapping (AddLocal); -logips shows what it added. */
	if (!r && natpmp)
		r = btcnode_arg(argv, argc, "discover", "1");
	if (!r && natpmp)
		r = btcnode_arg(argv, argc, "logips", "1");
	if (!r && caps->upnp)
		r = btcnode_arg(argv, argc, "upnp", "0");
	/* The default 32 MiB signature cache is most of an idle node's
	 * memory. */
	if (!r && caps->maxsigcachesize)
		r = btcnode_arg(argv, argc, "maxsigcachesize", "4");
	if (!r && proxy)
		r = btcnode_arg(argv, argc, "proxy", proxy);
	return r;
}

static int btcnode_spawn_as(struct btcnode *n, int netns_fd,
			    const char *bitcoind, const char *datadir,
			    const char *bind_ip, int p2p_port, int rpc_port,
			    const char *proxy, int natpmp, int log_fd)
{
	char *argv[BTCNODE_MAX_ARGS] = {(char *)bitcoind, NULL};
	struct btcprobe caps;
	int argc = 1, r;
	pid_t pid;

	memset(n, 0, sizeof(*n));
	n->pid = -1;
	n->netns_fd = netns_fd;
	if (strlen(datadir) >= sizeof(n->datadir) ||
	    strlen(bind_ip) >= sizeof(n->bind_ip) || p2p_port <= 0 ||
	    p2p_port > 65535 || rpc_port <= 0 || rpc_port > 65535)
		return -EINVAL;
	snprintf(n->datadir, sizeof(n->datadir), "%s", datadir);
	snprintf(n->bind_ip, sizeof(n->bind_ip), "%s", bind_ip);
	n->p2p_port = p2p_port;
	n->rpc_port = rpc_port;
	r = btcprobe_get(bitcoind, &caps);
	if (r)
		return r;
	if (mkdir(datadir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (natpmp && !caps.natpmp) {
		r = -ENOTSUP;
		goto out;
	}
	r = btcnode_args(n, proxy, natpmp, &caps, argv, &argc);
	if (r)
		goto out;
	n->t_spawn_ns = mono_ns();
	clock_gettime(CLOCK_REALTIME, &n->t_spawn_wall);
	pid = proc_spawn(netns_fd, argv, log_fd, log_fd);
	if (pid < 0) {
		r = pid;
		goto out;
	}
	n->pid = pid;
	log_debug("bitcoind %s pid %d: p2p %s:%d rpc %d%s%s", caps.version,
		  (int)pid, bind_ip, p2p_port, rpc_port, proxy ? " proxy " : "",
		  proxy ? proxy : "");
out:
	btcnode_args_free(argv, argc);
	return r;
}

int btcnode_spawn(struct btcnode *n, int netns_fd, const char *bitcoind,
		  const char *datadir, const char *bind_ip, int p2p_port,
		  int rpc_port, const char *proxy, int log_fd)
{
	return btcnode_spawn_as(n, netns_fd, bitcoind, datadir, bind_ip,
				p2p_port, rpc_port, proxy, 0, log_fd);
}

int btcnode_spawn_natpmp(struct btcnode *n, int netns_fd,
			 const char *bitcoind, const char *datadir,
			 const char *bind_ip, int p2p_port, int rpc_port,
			 int log_fd)
{
	return btcnode_spawn_as(n, netns_fd, bitcoind, datadir, bind_ip,
				p2p_port, rpc_port, NULL, 1, log_fd);
}

static int btcnode_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Waits up to ms for the process to exit; 1 when it did (not reaped). */
static int btcnode_exited_within(int pidfd, pid_t pid, int ms)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	struct timespec ts = {0, (long)ms * 1000000L};
	siginfo_t si;

	if (pidfd >= 0)
		return poll(&pfd, 1, ms) > 0;
	/* Without pidfd (old kernels): look, then sleep the interval. */
	memset(&si, 0, sizeof(si));
	if (!waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
	    si.si_pid == pid)
		return 1;
	nanosleep(&ts, NULL);
	return 0;
}

static int btcnode_reap(struct btcnode *n)
{
	int status = 0;

	while (waitpid(n->pid, &status, 0) < 0 && errno == EINTR)
		;
	n->pid = -1;
	return status;
}

int btcnode_wait_ready(struct btcnode *n, int timeout_ms)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_ms * NS_PER_MS;
	int pidfd, r;

	if (n->pid <= 0)
		return -ESRCH;
	pidfd = btcnode_pidfd(n->pid);
	for (;;) {
		r = btcnode_rpc(n, "getblockchaininfo", NULL, NULL);
		if (!r) {
			n->t_ready_ns = mono_ns();
			break;
		}
		if (btcnode_exited_within(pidfd, n->pid,
					  BTCNODE_READY_POLL_MS)) {
			int st = btcnode_reap(n);

			log_warnx("bitcoind in %s exited (status 0x%x) before "
				  "answering RPC; see its debug.log",
				  n->datadir, st);
			r = -ECHILD;
			break;
		}
		if (mono_ns() >= deadline) {
			log_warnx("bitcoind in %s: no RPC answer in %d ms "
				  "(last: %s)",
				  n->datadir, timeout_ms, n->rpc_error);
			r = -ETIMEDOUT;
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return r;
}

int btcnode_start(struct btcnode *n, int netns_fd, const char *bitcoind,
		  const char *datadir, const char *bind_ip, int p2p_port,
		  int rpc_port, const char *proxy, int log_fd)
{
	int r;

	r = btcnode_spawn(n, netns_fd, bitcoind, datadir, bind_ip, p2p_port,
			  rpc_port, proxy, log_fd);
	if (r)
		return r;
	r = btcnode_wait_ready(n, BTCNODE_READY_MS);
	if (r && n->pid > 0) {
		proc_stop(n->pid, 2000);
		n->pid = -1;
	}
	return r;
}

static void btcnode_copy_str(json_t *o, const char *key, char *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(out, cap, "%s", s ? s : "");
}

static int64_t btcnode_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

int btcnode_getpeerinfo(struct btcnode *n, struct btcnode_peer **peers)
{
	struct btcnode_peer *p;
	json_t *res, *o;
	size_t i, count;
	int r;

	*peers = NULL;
	r = btcnode_rpc(n, "getpeerinfo", NULL, &res);
	if (r)
		return r;
	if (!json_is_array(res)) {
		json_decref(res);
		return -EBADMSG;
	}
	count = json_array_size(res);
	if (!count) {
		json_decref(res);
		return 0;
	}
	p = calloc(count, sizeof(*p));
	if (!p) {
		json_decref(res);
		return -ENOMEM;
	}
	json_array_foreach(res, i, o)
	{
		p[i].id = btcnode_int(o, "id");
		btcnode_copy_str(o, "addr", p[i].addr, sizeof(p[i].addr));
		btcnode_copy_str(o, "addrbind", p[i].addrbind,
				 sizeof(p[i].addrbind));
		p[i].inbound = json_is_true(json_object_get(o, "inbound"));
		btcnode_copy_str(o, "connection_type", p[i].conn_type,
				 sizeof(p[i].conn_type));
		btcnode_copy_str(o, "transport_protocol_type", p[i].transport,
				 sizeof(p[i].transport));
		p[i].version = btcnode_int(o, "version");
		btcnode_copy_str(o, "subver", p[i].subver, sizeof(p[i].subver));
		p[i].bytessent = (uint64_t)btcnode_int(o, "bytessent");
		p[i].bytesrecv = (uint64_t)btcnode_int(o, "bytesrecv");
	}
	json_decref(res);
	*peers = p;
	return (int)count;
}

static int btcnode_addnode(struct btcnode *n, json_t *params)
{
	char *s;
	int r;

	s = params ? json_dumps(params, JSON_COMPACT) : NULL;
	json_decref(params);
	if (!s)
		return -ENOMEM;
	r = btcnode_rpc(n, "addnode", s, NULL);
	free(s);
	return r;
}

int btcnode_addnode_onetry(struct btcnode *n, const char *addr)
{
	return btcnode_addnode(n, json_pack("[s, s]", addr, "onetry"));
}

int btcnode_addnode_onetry_v2(struct btcnode *n, const char *addr, int v2)
{
	return btcnode_addnode(n,
			       json_pack("[s, s, b]", addr, "onetry", v2 != 0));
}

int btcnode_mine(struct btcnode *n, int nblocks, char hash[65])
{
	char params[64];
	const char *h;
	json_t *res;
	int r;

	if (nblocks < 1)
		return -EINVAL;
	snprintf(params, sizeof(params), "[%d, \"raw(51)\"]", nblocks);
	r = btcnode_rpc(n, "generatetodescriptor", params, &res);
	if (r)
		return r;
	h = json_string_value(json_array_get(res, json_array_size(res) - 1));
	if (!h || strlen(h) != 64) {
		json_decref(res);
		return -EBADMSG;
	}
	memcpy(hash, h, 65);
	json_decref(res);
	return 0;
}

int64_t btcnode_blockcount(struct btcnode *n)
{
	json_t *res;
	int64_t c;
	int r;

	r = btcnode_rpc(n, "getblockcount", NULL, &res);
	if (r)
		return r;
	c = json_is_integer(res) ? json_integer_value(res) : -EBADMSG;
	json_decref(res);
	return c;
}

/* 1 when hash is in the active chain, 0 when not (yet), -errno. */
static int btcnode_has_block(struct btcnode *n, const char *hash)
{
	char params[96];
	json_t *res;
	int r;

	snprintf(params, sizeof(params), "[\"%s\", true]", hash);
	r = btcnode_rpc(n, "getblockheader", params, &res);
	if (r == -EREMOTEIO && n->rpc_code == BTCNODE_RPC_NOT_FOUND)
		return 0;
	if (r)
		return r;
	/* Headers off the active chain have confirmations -1. */
	r = btcnode_int(res, "confirmations") >= 1;
	json_decref(res);
	return r;
}

int btcnode_wait_block(struct btcnode *n, const char *hash, int64_t deadline_ns,
		       int64_t *t_seen_ns)
{
	struct timespec ts = {0, BTCNODE_BLOCK_POLL_MS * 1000000L};
	int r;

	if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
		return -EINVAL;
	for (;;) {
		r = btcnode_has_block(n, hash);
		if (r < 0)
			return r;
		if (r) {
			if (t_seen_ns)
				*t_seen_ns = mono_ns();
			return 0;
		}
		if (mono_ns() >= deadline_ns)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
}

int btcnode_stop(struct btcnode *n, int grace_ms)
{
	int pidfd, r;

	if (n->pid <= 0)
		return -ESRCH;
	pidfd = btcnode_pidfd(n->pid);
	r = btcnode_rpc(n, "stop", NULL, NULL);
	if (r)
		log_debug("RPC stop: %s", n->rpc_error);
	if (!r && pidfd >= 0 && btcnode_exited_within(pidfd, n->pid, grace_ms))
		r = btcnode_reap(n);
	else
		r = proc_stop(n->pid, 2000);
	if (pidfd >= 0)
		close(pidfd);
	n->pid = -1;
	return r;
}

long btcnode_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}
