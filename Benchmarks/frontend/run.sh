#!/usr/bin/env bash
# Front-end throughput: lex + parse + check of a generated 1 MB .ppl file, release build,
# median of 5 runs, one thread. The figure the issue asks for is the last line (< 1 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product ppl-frontend-bench >&2
.build/release/ppl-frontend-bench --bytes 1000000 --runs 5 "$@"
