/* fuzz_profile: the NAT profile parser (profile.c) on arbitrary file
 * contents. Profiles are user input (a bug report becomes a profile);
 * bad ones must be refused with a file:line:key error, never crash. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct nat_profile p;
	struct cfg_error err;
	int rc;

	if (fd < 0)
		fd = memfd_create("fuzz-profile", 0);
	assert(fd >= 0);
	assert(ftruncate(fd, 0) == 0);
	assert(pwrite(fd, data, size, 0) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	rc = profile_load(path, &p, &err);
	assert(rc == 0 || err.msg[0] != '\0');
	return 0;
}
