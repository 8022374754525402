/* scentext: scenario texts for the scenario reader's tests. */
#include <stdio.h>
#include <unistd.h>

#include "scentext.h"
#include "testutil.h"

int scentext_load(struct scenario *sc, char path[64], const char *text,
		  struct cfg_error *err)
{
	int r;

	scenario_free(sc);
	snprintf(path, 64, "/tmp/scen-text-XXXXXX.ini");
	if (testutil_temp_file(path, 4, text) < 0)
		return -2;
	r = scenario_load(path, SCENTEXT_PROFILES, sc, err);
	unlink(path);
	return r;
}

void scentext_refused(struct scenario *sc, const char *text, int line,
		      const char *key, const char *msg_part)
{
	struct cfg_error err;
	char path[64];

	if (scentext_load(sc, path, text, &err) != -1) {
		fprintf(stderr, "\naccepted:\n%s", text);
		CU_FAIL("accepted");
		return;
	}
	testutil_check_cfg_error(&err, path, path, line, key, msg_part);
}
