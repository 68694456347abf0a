#!/bin/sh
# The property and fuzz suite at 20 times npm test's counts, with a seed of the
# day (or FUZZ_SEED=n to replay a failure). Not run by npm test.
set -e
cd "$(dirname "$0")/.."
FUZZ_SCALE="${FUZZ_SCALE:-20}" FUZZ_SEED="${FUZZ_SEED:-$(date +%Y%m%d)}" npx vitest run test/fuzz --testTimeout=3600000
