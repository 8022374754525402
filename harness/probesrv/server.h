/* server: the probe server's listeners and its one poll() loop. Each
 * client gets one answer and is closed; a client that does not finish its
 * request in time is closed without one. */
#ifndef PROBESRV_SERVER_H
#define PROBESRV_SERVER_H

#include <netinet/in.h>
#include <signal.h>

#define SERVER_MAX_LISTEN 16
#define SERVER_MAX_CLIENTS 128

struct server;

/* Binds and listens on every address (SO_REUSEADDR). NULL with errno set;
 * the failing address is logged. server_free(NULL) is safe. */
struct server *server_open(const struct sockaddr_in *addrs, int n,
			   int client_timeout_ms);
void server_free(struct server *s);
/* Serves until *stop is set. 0, or -errno when poll itself fails. */
int server_loop(struct server *s, volatile sig_atomic_t *stop);

#endif
