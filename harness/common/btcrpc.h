/* btcrpc: one JSON-RPC call to bitcoind — HTTP/1.1 POST with the cookie
 * as Basic auth, from a TCP socket opened inside the node's network
 * namespace (a socket stays in the namespace it was created in). */
#ifndef PUNCHLAB_BTCRPC_H
#define PUNCHLAB_BTCRPC_H

#include <jansson.h>
#include <stdint.h>

/* Largest response body accepted. */
#define BTCRPC_MAX_BODY (4 * 1024 * 1024)

struct btcrpc_error {
	int code; /* bitcoind's error code, 0 for transport errors */
	char message[256];
};

/* Calls method with params (a JSON array, borrowed; NULL: []) on
 * 127.0.0.1:port in netns_fd (-1: the caller's namespace; otherwise the
 * calling thread enters it for socket() only, which needs CAP_SYS_ADMIN).
 * On success *result (when result is not NULL) is the "result" member,
 * the caller's to json_decref. -EREMOTEIO when bitcoind returned an error
 * (err filled), -EACCES (HTTP 401: wrong cookie), -ENOENT (no cookie file
 * yet), -ECONNREFUSED, -ETIMEDOUT at deadline_ns, -EBADMSG (not HTTP or
 * not JSON-RPC), -EMSGSIZE, other -errno; err->message says what. */
int btcrpc_call(int netns_fd, int port, const char *cookie_path,
		const char *method, json_t *params, int64_t deadline_ns,
		json_t **result, struct btcrpc_error *err);

#endif
