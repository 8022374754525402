/* coordctl: the coordinator's control channel to the harness that started
 * it. `punch-coordinator --control-fd N` writes one short line per event
 * on an inherited pipe: "held KEY\n" when a handoff peer with that key
 * takes an inbound slot, or (advertised mode) a holder of KEY is held. This header is the line format (both sides) and
 * the harness's reader; the reader never blocks. */
#ifndef PUNCHLAB_COORDCTL_H
#define PUNCHLAB_COORDCTL_H

#include <stddef.h>
#include <stdint.h>

/* One event line, '\n' included. Longer lines are skipped as malformed. */
#define COORDCTL_LINE_MAX 64

enum coordctl_kind {
	COORDCTL_HELD = 1, /* "held KEY": KEY holds an inbound slot */
};

struct coordctl_event {
	enum coordctl_kind kind;
	uint64_t key;
};

/* ev as its line, '\n' included, NUL-terminated. Length without the NUL,
 * -EINVAL for an unknown kind, -ENOSPC when cap is too small. */
int coordctl_format(char *buf, size_t cap, const struct coordctl_event *ev);
/* One line of len bytes without its '\n'. 0; -ENOENT for a well-formed
 * line with a verb this reader does not know (newer writer: skip it);
 * -EBADMSG for anything else. */
int coordctl_parse(const char *line, size_t len, struct coordctl_event *ev);

struct coordctl;
typedef void (*coordctl_cb)(void *arg, const struct coordctl_event *ev);

/* A pipe for one coordinator. *write_fd gets the end to pass as
 * --control-fd: inheritable and >= 3; the caller closes it as soon as the
 * coordinator is spawned (else later children inherit it too, and the
 * reader never sees EOF). The reader keeps the read end, close-on-exec
 * and non-blocking. NULL with errno set. Free with coordctl_free. */
struct coordctl *coordctl_open(int *write_fd);
/* NULL is fine. Closes the read end: the coordinator's later writes fail
 * with EPIPE, which it survives. */
void coordctl_free(struct coordctl *ctl);

/* The fd to poll for POLLIN, or -1 (which poll() skips) once the
 * coordinator's end is closed and everything was read. */
int coordctl_poll_fd(const struct coordctl *ctl);
/* Reads everything the pipe holds now, without blocking; records held
 * keys and calls cb (NULL: none) for each event, in order. Malformed and
 * unknown lines are skipped. Returns the number of events (>= 0),
 * -EPIPE once the writer is gone and all was read, or -errno. */
int coordctl_read(struct coordctl *ctl, coordctl_cb cb, void *arg);
/* 1 when the coordinator reported key as held since ctl was opened (as
 * far as coordctl_read has read), else 0. A held peer that later leaves
 * its slot still counts: the channel reports arrivals only. */
int coordctl_is_held(const struct coordctl *ctl, uint64_t key);

#endif
