/* btcprobe: the options a bitcoind binary knows, from its -help-debug.
 * bitcoind refuses to start on an unknown option, and options come and go
 * between versions (-upnp left in v29); -importpeersocket tells whether
 * the bitcoind-import node mode is possible. */
#ifndef PUNCHLAB_BTCPROBE_H
#define PUNCHLAB_BTCPROBE_H

struct btcprobe {
	int natpmp;
	int upnp;
	int importpeersocket;
	int v2transport;
	int maxsigcachesize; /* a debug option: may go away */
	char version[64];    /* "v31.99.0-b88bffe550a3" */
};

/* Runs `bitcoind -help-debug` (in the caller's namespace) the first time
 * a path is asked for, then answers from a cache. 0, -ENOEXEC when the
 * output shows no version, or -errno. */
int btcprobe_get(const char *bitcoind, struct btcprobe *caps);

#endif
