#!/usr/bin/python3
"""liar: an outside puncher that claims success without connecting: it
prints what a happy puncher would and exits 0. The harness must call every
one of its trials `unverified` (tests/integration/parts/punchers.sh)."""
import sys

sys.stdout.write("connected to %s, token exchanged\n" % " ".join(sys.argv[1:]))
sys.exit(0)
