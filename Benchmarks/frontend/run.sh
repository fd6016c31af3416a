#!/usr/bin/env bash
# Front-end throughput: lex + parse + check of a generated 1 MB .ppl file, release build,
# median of 5 runs, one thread; beside it, a minimal hand-written C lexer (cc -O2) over the
# same file as the floor for the lexing step. The figure the issue asks for is the
# "lex+parse+check" line (< 1 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
swift build -c release --product ppl-frontend-bench >&2
cc -O2 -o "$work/lex_baseline" Benchmarks/frontend/lex_baseline.c
.build/release/ppl-frontend-bench --bytes 1000000 --runs 5 --write "$work/generated.ppl" "$@"
"$work/lex_baseline" "$work/generated.ppl" 5
