#!/usr/bin/python3
"""Regenerates (or checks) every figure in docs/ from the program.

Two kinds of markers in the Markdown files (invisible when rendered):

1. Generated blocks: the output of a command, verbatim.

       <!-- generated: ./build/dfsim run --arch configs/eyeriss_v1.yaml ... -->
       ```
       ...the command's stdout...
       ```
       <!-- end generated -->

   The command runs in bash from the repository root (pipes such as `| sed -n 3,9p` are
   allowed). If the block's content is a fenced code block, the output replaces the inside of
   the fence; otherwise it replaces the whole content (for commands that print Markdown, such
   as a table). `<!-- generated slow: ... -->` marks a command that takes minutes: it is
   regenerated and checked only with --all.

2. Figures in prose: a value computed from a named run's stats.json.

       <!-- run alex4: run --arch configs/eyeriss_v1.yaml --workload ... --batch 4 -->
       ... the five layers take <!--= alex4 | total['cycles'] | , -->19,815,640<!--=--> cycles

   `run NAME: ARGS` runs `./build/dfsim ARGS --out DIR` once; a figure is
   `<!--= NAME | EXPRESSION | FORMAT -->VALUE<!--=-->`, where EXPRESSION is Python over `total`
   (the run's total), `L('layer')` (a layer's object), `stats` (the whole file) and `out` (its
   stdout), and FORMAT a Python format spec (`.3f`, `,`, `d`, `.1%`).

Usage (from anywhere; needs a build in ./build, or the binary in the DFSIM variable):
  /usr/bin/python3 scripts/update_docs.py            rewrite the figures in place
  /usr/bin/python3 scripts/update_docs.py --check    exit 1 and show what differs
  options: --all (include slow blocks), FILE... (only these files)
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = re.compile(r"(<!-- generated( slow)?: (.*?) -->\n)(.*?)(<!-- end generated -->)", re.S)
RUN = re.compile(r"<!-- run ([A-Za-z0-9_]+): (.*?) -->")
FIG = re.compile(r"<!--= ([A-Za-z0-9_]+) \| (.*?) \| (.*?) -->(.*?)<!--=-->", re.S)


def shell(cmd):
    # The documented commands use ./build/dfsim; DFSIM names another binary (CTest's build).
    if os.environ.get("DFSIM"):
        cmd = cmd.replace("./build/dfsim", os.environ["DFSIM"])
    # Documented commands write their results under out/ (git-ignored), as a user would.
    os.makedirs(os.path.join(ROOT, "out"), exist_ok=True)
    env = dict(os.environ, DFSIM_THREADS="1", LC_ALL="C")
    p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, capture_output=True,
                       text=True, env=env)
    if p.returncode not in (0,):
        raise RuntimeError(f"`{cmd}` exited {p.returncode}:\n{p.stderr.strip()}")
    return p.stdout


def regenerate_block(match, outputs):
    head, slow, cmd, body, tail = match.groups()
    if cmd not in outputs:
        return match.group(0)
    out = outputs[cmd]
    lines = body.split("\n")
    if lines and lines[0].startswith("```"):
        fence = lines[0]
        return f"{head}{fence}\n{out.rstrip()}\n```\n{tail}"
    return f"{head}{out.rstrip()}\n{tail}"


class Run:
    def __init__(self, name, args, tmp):
        self.name, self.args = name, args
        self.dir = os.path.join(tmp, name)

    def execute(self):
        self.stdout = shell(f"./build/dfsim {self.args} --out '{self.dir}'")
        with open(os.path.join(self.dir, "stats.json")) as f:
            self.stats = json.load(f)

    def figure(self, expr, fmt):
        layers = {l["name"]: l for l in self.stats["layers"]}
        env = {"total": self.stats["total"], "stats": self.stats, "out": self.stdout,
               "L": lambda n: layers[n]}
        value = eval(expr, {"__builtins__": {"min": min, "max": max, "sum": sum, "abs": abs,
                                             "len": len, "round": round}}, env)
        return format(value, fmt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--all", action="store_true", help="also the slow generated blocks")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(
        os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs"))
        if f.endswith(".md"))
    texts = {f: open(f).read() for f in files}
    commands, runs = set(), {}
    tmp = tempfile.mkdtemp(prefix="dfsim_docs_")
    for f, text in texts.items():
        for m in GEN.finditer(text):
            if args.all or not m.group(2):
                commands.add(m.group(3))
        for m in RUN.finditer(text):
            name, run_args = m.groups()
            if name in runs and runs[name].args != run_args:
                sys.exit(f"{f}: run '{name}' defined twice with different arguments")
            runs[name] = Run(name, run_args, tmp)
    outputs, errors = {}, []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futs = {pool.submit(shell, c): c for c in sorted(commands)}
        futs.update({pool.submit(r.execute): r for r in runs.values()})
        for fut in concurrent.futures.as_completed(futs):
            try:
                res = fut.result()
                if isinstance(futs[fut], str):
                    outputs[futs[fut]] = res
            except Exception as e:  # report every failing command
                errors.append(str(e))
    if errors:
        sys.exit("update_docs: " + "\n".join(errors))
    differs = False
    for f, text in texts.items():
        new = GEN.sub(lambda m: regenerate_block(m, outputs), text)

        def figure(m):
            name, expr, fmt, _ = m.groups()
            if name not in runs:
                raise SystemExit(f"{f}: figure refers to undefined run '{name}'")
            return f"<!--= {name} | {expr} | {fmt} -->{runs[name].figure(expr, fmt)}<!--=-->"

        new = FIG.sub(figure, new)
        if new == text:
            continue
        rel = os.path.relpath(f, ROOT)
        if args.check:
            differs = True
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), new.splitlines(True), f"{rel} (documented)",
                f"{rel} (program)", n=1))
        else:
            with open(f, "w") as out:
                out.write(new)
            print(f"update_docs: rewrote {rel}")
    if args.check and differs:
        print("update_docs: docs/ differ from the program's output; run "
              "/usr/bin/python3 scripts/update_docs.py to regenerate them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
