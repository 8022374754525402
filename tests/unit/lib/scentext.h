/* scentext: a scenario written as text in a test, loaded from a scratch
 * file (the reader takes a path), and the check that a text is refused
 * with the file, line, key and message part expected. */
#ifndef SCENTEXT_H
#define SCENTEXT_H

#include "scenario.h"

#define SCENTEXT_PROFILES "tests/unit/data/profiles"

/* Writes text to a scratch .ini (its path left in path[64]) and loads it
 * into *sc (freed first) with the unit tests' profiles. The loader's
 * result: 0, -1 with err; -2 when the file could not be written. */
int scentext_load(struct scenario *sc, char path[64], const char *text,
		  struct cfg_error *err);
/* A CUnit failure unless text is refused naming that line, key and a
 * message holding msg_part. */
void scentext_refused(struct scenario *sc, const char *text, int line,
		      const char *key, const char *msg_part);

#endif
