/* fuzzfile: the parsers' fuzz targets read files; this puts one input
 * into a memfd (made once per process) and names it as a path. */
#ifndef PUNCHLAB_FUZZFILE_H
#define PUNCHLAB_FUZZFILE_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* path (at least 32 bytes) names a file holding exactly data[0..size). */
static inline void fuzzfile_write(const uint8_t *data, size_t size,
				  char *path, size_t cap)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz-input", 0);
	assert(fd >= 0);
	assert(ftruncate(fd, 0) == 0);
	assert(pwrite(fd, data, size, 0) == (ssize_t)size);
	snprintf(path, cap, "/proc/self/fd/%d", fd);
}

#endif
