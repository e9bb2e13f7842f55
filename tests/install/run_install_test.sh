#!/usr/bin/env bash
# cmake --install into a fresh prefix, then the README's examples from the installed tree, outside
# the source and build folders: the program on a shipped config and its report, and the README's
# Python example with only the installed package on the path.
#   run_install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
site=$(echo "$prefix"/lib/python3.*/site-packages)
for f in "$prefix/bin/dfsim" "$site/dfsim/__init__.py" "$site/dfsim/bin/dfsim" \
         "$prefix/share/dfsim/configs/eyeriss_v1.yaml" "$prefix/share/dfsim/docs/user-guide.md"; do
  [ -e "$f" ] || { echo "install test: $f was not installed"; exit 1; }
done
ls "$site"/dfsim/_dfsim*.so > /dev/null

cd "$prefix/share/dfsim"
"$prefix/bin/dfsim" run --arch configs/eyeriss_v1.yaml --workload workloads/alexnet.yaml \
  --layers conv1 --batch 1 --summary --out "$work/out" > "$work/run.txt"
grep -q "^total" "$work/run.txt" || { cat "$work/run.txt"; echo "install test: no total row"; exit 1; }
# dfsim report finds the installed package next to the program (no PYTHONPATH).
env -u PYTHONPATH "$prefix/bin/dfsim" report "$work/out" > "$work/report.txt"
grep -q "<svg" "$work/out/report/index.html" \
  || { cat "$work/report.txt"; echo "install test: dfsim report wrote no plot"; exit 1; }

sed -n '/^```python$/,/^```$/p' "$src/README.md" | sed '1d;$d' > "$work/example.py"
[ -s "$work/example.py" ] || { echo "install test: no python block in README.md"; exit 1; }
env PYTHONPATH="$site" /usr/bin/python3 -c 'import dfsim, sys; sys.exit(0 if dfsim.__file__.startswith(sys.argv[1]) else 1)' "$site" \
  || { echo "install test: dfsim imported from elsewhere than $site"; exit 1; }
env PYTHONPATH="$site" /usr/bin/python3 "$work/example.py" > "$work/example.txt"
cat "$work/example.txt"
grep -q "cycles," "$work/example.txt" && grep -q "conv2" "$work/example.txt" \
  || { echo "install test: the README's Python example printed no result"; exit 1; }
echo "install test: passed ($prefix)"
