#!/usr/bin/env bash
# Fails (listing the files) when a C++ source differs from clang-format's output
# (.clang-format: Google style, 100 columns). Fix with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/dfsim_format.$$; then
  grep -o '^[^:]*:' /tmp/dfsim_format.$$ | sort -u | sed 's/:$//;s/^/  not formatted: /'
  rm -f /tmp/dfsim_format.$$
  echo "check_format: run clang-format -i on the files above" >&2
  exit 1
fi
rm -f /tmp/dfsim_format.$$
echo "check_format: ${#files[@]} files formatted"
