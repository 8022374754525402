/* fuzz_scenario: the scenario parser (scenario.c and its sections) on
 * arbitrary file contents. A scenario file is user input; the parser must
 * refuse bad input with a file:line:key error, never crash, leak or read
 * out of bounds. Profiles come from nat-profiles/ (FUZZ_PROFILE_DIR). The
 * input goes through a memfd so the parser reads it as a file. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "fuzzfile.h"
#include "scenario.h"

#ifndef FUZZ_PROFILE_DIR
#define FUZZ_PROFILE_DIR "nat-profiles"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct scenario s;
	struct cfg_error err;
	int rc;

	fuzzfile_write(data, size, path, sizeof(path));
	memset(&s, 0, sizeof(s));
	memset(&err, 0, sizeof(err));
	rc = scenario_load(path, FUZZ_PROFILE_DIR, &s, &err);
	/* a refusal always says why */
	assert(rc == 0 || err.msg[0] != '\0');
	scenario_free(&s);
	return 0;
}
