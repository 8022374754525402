/* btcnode: a regtest bitcoind run inside a network namespace, and its
 * JSON-RPC (HTTP with the cookie, the socket opened in that namespace) —
 * start, wait until ready, peers, addnode, mine, wait for a block, stop. */
#ifndef PUNCHLAB_BTCNODE_H
#define PUNCHLAB_BTCNODE_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define BTCNODE_READY_MS 30000 /* from spawn to answering RPC */
#define BTCNODE_STOP_MS 10000  /* from RPC stop to exit, then SIGKILL */

struct btcnode {
	pid_t pid;    /* -1 when not running */
	int netns_fd; /* borrowed; -1: the caller's namespace */
	char datadir[256];
	char bind_ip[48];
	int p2p_port, rpc_port;
	int64_t t_spawn_ns, t_ready_ns; /* CLOCK_MONOTONIC */
	struct timespec t_spawn_wall;	/* CLOCK_REALTIME, as debug.log */
	/* The last RPC error: code and message from bitcoind (code 0 for a
	 * transport failure). */
	int rpc_code;
	char rpc_error[256];
};

struct btcnode_peer {
	int64_t id;
	char addr[64];	   /* as bitcoind shows it: "ip:port" */
	char addrbind[64]; /* our end, "" when not shown */
	int inbound;
	char conn_type[32]; /* "manual", "inbound", "outbound-full-relay" */
	char transport[16]; /* "v1", "v2", "detecting" */
	int64_t version;    /* 0 until the peer's version arrived */
	char subver[128];
	uint64_t bytessent, bytesrecv;
};

/* BITCOIND and BITCOIN_CLI from the environment (cli may be NULL when the
 * caller needs no bitcoin-cli). 0, or -ENOENT when unset or not an
 * executable file: the caller prints SKIP. */
int btcnode_find(const char **bitcoind, const char **cli);

/* Starts bitcoind in netns_fd (-1: here) with a fresh or existing datadir
 * (created, one level), listening for P2P on bind_ip:p2p_port and for RPC
 * on 127.0.0.1:rpc_port of that namespace, no seeds, no discovery, no
 * port mapping, no Tor; -proxy when proxy ("127.0.0.1:PORT") is not NULL.
 * bitcoind's stdout and stderr go to log_fd (-1: /dev/null); its debug.log
 * (-debug=net) stays in the datadir. Returns once the process runs:
 * n->pid is set and the caller registers it for cleanup at once, then
 * calls btcnode_wait_ready. 0 or -errno. */
int btcnode_spawn(struct btcnode *n, int netns_fd, const char *bitcoind,
		  const char *datadir, const char *bind_ip, int p2p_port,
		  int rpc_port, const char *proxy, int log_fd);
/* The same without a proxy and with -natpmp=1 (and -discover=1,
 * -logips=1): bitcoind's own PCP/NAT-PMP client maps p2p_port at its
 * default gateway. -ENOTSUP when this bitcoind has no -natpmp. */
int btcnode_spawn_natpmp(struct btcnode *n, int netns_fd,
			 const char *bitcoind, const char *datadir,
			 const char *bind_ip, int p2p_port, int rpc_port,
			 int log_fd);
/* Polls getblockchaininfo until it answers (the process exiting ends the
 * wait at once: -ECHILD, reaped, n->pid = -1). 0, -ETIMEDOUT, -errno. */
int btcnode_wait_ready(struct btcnode *n, int timeout_ms);
/* spawn + wait_ready; on failure the process is stopped and reaped. */
int btcnode_start(struct btcnode *n, int netns_fd, const char *bitcoind,
		  const char *datadir, const char *bind_ip, int p2p_port,
		  int rpc_port, const char *proxy, int log_fd);

/* One call. params_json is a JSON array text ("[]" when NULL). On success
 * *result (may be NULL to ignore it) is the "result" value, the caller's
 * to json_decref. -EREMOTEIO when bitcoind answered an error (n->rpc_code,
 * n->rpc_error), -ETIMEDOUT, -ECONNREFUSED / -ENOENT (no cookie yet) while
 * it starts, other -errno. Bounded by 10 s. */
int btcnode_rpc(struct btcnode *n, const char *method, const char *params_json,
		json_t **result);

/* getpeerinfo into a malloc'd array (*peers, the caller frees; NULL when
 * none). Returns the count or -errno. */
int btcnode_getpeerinfo(struct btcnode *n, struct btcnode_peer **peers);
/* addnode "ip:port" onetry: one manual outbound connection. 0 or -errno. */
int btcnode_addnode_onetry(struct btcnode *n, const char *addr);
/* The same with addnode's v2transport argument: 1 tries BIP 324 (falling
 * back to v1 as bitcoind does), 0 forces v1. */
int btcnode_addnode_onetry_v2(struct btcnode *n, const char *addr, int v2);
/* generatetodescriptor nblocks "raw(51)"; the last block's hash into
 * hash[65]. 0 or -errno. */
int btcnode_mine(struct btcnode *n, int nblocks, char hash[65]);
/* Block count of the active chain, or -errno. */
int64_t btcnode_blockcount(struct btcnode *n);
/* Polls until the block `hash` is in the active chain, or the absolute
 * CLOCK_MONOTONIC deadline. 0 (*t_seen_ns set when not NULL), -ETIMEDOUT,
 * -errno. */
int btcnode_wait_block(struct btcnode *n, const char *hash, int64_t deadline_ns,
		       int64_t *t_seen_ns);

/* RPC stop, up to grace_ms for the exit, then SIGTERM/SIGKILL by pid; the
 * process is reaped (the caller forgets it in its cleanup registry).
 * Returns its wait status, or -errno; n->pid = -1 after. */
int btcnode_stop(struct btcnode *n, int grace_ms);

/* VmRSS of pid in kB, or -errno. */
long btcnode_rss_kb(pid_t pid);

#endif
