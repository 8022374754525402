/* fuzz_profile: the NAT profile parser (profile.c) on arbitrary file
 * contents. Profiles are user input (a bug report becomes a profile);
 * bad ones must be refused with a file:line:key error, never crash. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "fuzzfile.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct nat_profile p;
	struct cfg_error err;
	int rc;

	fuzzfile_write(data, size, path, sizeof(path));
	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	rc = profile_load(path, &p, &err);
	assert(rc == 0 || err.msg[0] != '\0');
	return 0;
}
