#!/bin/bash
# The regression gate, measured: a correct build must pass run after run
# (no false alarms), and a build whose punches succeed only ~80% of the
# time must be caught. Needs root. Usage: bench/gate.sh [RUNS] [FAULTY_RUNS]
#
#   correct build:  RUNS x scenarios/eim-vs-eim.ini (50 trials, >= 0.95)
#   faulty build:   the same with agents built FAULT_PERCENT=20
set -u
cd "$(dirname "$0")/.."
runs=${1:-20}
faulty=${2:-5}
out=$(mktemp -d /tmp/punchlab-gate.XXXXXX)
trap 'rm -rf "$out"' EXIT

make --no-print-directory all >/dev/null || exit 1
make --no-print-directory B=build-fault FAULT_PERCENT=20 \
	build-fault/bin/punchlab build-fault/bin/punch-agent \
	build-fault/bin/punch-coordinator >/dev/null || exit 1

pass=0
for i in $(seq 1 "$runs"); do
	if build/bin/punchlab run --results "$out/ok" scenarios/eim-vs-eim.ini \
		>"$out/ok-$i.txt" 2>/dev/null; then
		pass=$((pass + 1))
	fi
	grep -o '[0-9]*/50 ' "$out/ok-$i.txt" | tr '\n' ' '
done
echo
caught=0
for i in $(seq 1 "$faulty"); do
	if ! build-fault/bin/punchlab run --results "$out/bad" \
		scenarios/eim-vs-eim.ini >"$out/bad-$i.txt" 2>/dev/null; then
		caught=$((caught + 1))
	fi
	grep -o '[0-9]*/50 ' "$out/bad-$i.txt" | tr '\n' ' '
done
echo
echo "correct build: $pass/$runs runs passed the gate (false alarms: $((runs - pass)))"
echo "80% build:     $caught/$faulty runs failed the gate (caught)"
[ "$pass" -eq "$runs" ] && [ "$caught" -eq "$faulty" ]
