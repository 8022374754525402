/* nscall: run a function in another network namespace, in a child. */
#ifndef PUNCHLAB_NSCALL_H
#define PUNCHLAB_NSCALL_H

#include <stddef.h>
#include <stdio.h>

/* Runs in the child; writes its text to out and returns 0 or the errno
 * of what failed (the child's exit code). */
typedef int (*nscall_fn)(FILE *out, const void *arg);

/* Runs fn(out, arg) in a child inside netns_fd's namespace; what it
 * writes lands in *text (NUL-terminated, caller frees; at most max
 * bytes, more is drained and makes the call -EFBIG). 0, -(fn's errno),
 * -EIO when the child died or exited without fn returning, or -errno of
 * the plumbing. On failure *text may hold the child's error message.
 * Returns when the child has reported, not when it has exited: children
 * still exiting are reaped by later calls (at most 64 wait at once). */
int nscall(int netns_fd, nscall_fn fn, const void *arg, size_t max,
	   char **text, size_t *len);

/* Runs each(out, i, arg) in one child, inside fds[i]'s namespace, for
 * i = 0 .. n-1 in order, stopping at the first that fails: one fork for a
 * batch (a fork copies the parent's fd table, 10,000 namespace fds in a
 * world of 5,000 homes). *done: how many succeeded. Otherwise as
 * nscall, the text being what every call wrote. */
typedef int (*nscall_each_fn)(FILE *out, int i, const void *arg);
int nscall_each(const int *fds, int n, nscall_each_fn each, const void *arg,
		size_t max, char **text, size_t *len, int *done);

#endif
