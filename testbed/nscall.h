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

#endif
