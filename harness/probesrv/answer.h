/* answer: the probe server's side of one HTTP/1.0 exchange — where a
 * request head ends, whether it is a GET, and the JSON answer naming the
 * endpoint the server saw (the form TCP NAT checkers use). */
#ifndef PROBESRV_ANSWER_H
#define PROBESRV_ANSWER_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ANSWER_REQ_MAX 2048 /* a request head longer than this is refused */
#define ANSWER_MAX 512	    /* any response fits */

enum answer_status {
	ANSWER_OK, /* 200, {"observed_ip", "observed_port", "server_port"} */
	ANSWER_NOT_GET,	  /* 400: only GET is served */
	ANSWER_TOO_LARGE, /* 431: no end of head within ANSWER_REQ_MAX */
};

/* 1 when buf[0..len) holds a whole request head (an empty line ends it,
 * CRLF or bare LF), else 0. */
int answer_head_done(const char *buf, size_t len);
/* 1 when the request line is "GET <target> HTTP/1.<d>", else 0. */
int answer_is_get(const char *buf, size_t len);
/* The whole response into buf (no NUL counted). Returns its length or
 * -ENOSPC; -EINVAL for a peer that is not IPv4. */
int answer_format(char *buf, size_t cap, enum answer_status st,
		  const struct sockaddr_in *peer, uint16_t server_port);

#endif
