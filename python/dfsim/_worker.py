"""One dfsim call in a process of its own.

SystemC elaborates one design per process, and a simulation's module hierarchy cannot be torn
down and built again in the same process. The package therefore runs each call as
`python -c "...main(sys.argv)" REQUEST.json`: the worker imports the extension, makes the call and
writes {"value": ...} or {"error": message, "type": ...} to the result file the request names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile


class Error(Exception):
    """A dfsim call failed (the message says why)."""


class ConfigError(Error, ValueError):
    """Bad input: the message names the file, line, column and key, as the command line does."""


def _package_parent() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dfsim_program() -> str:
    """The dfsim program that runs sweep points: $DFSIM_PROGRAM, else the one the package ships."""
    exe = os.environ.get("DFSIM_PROGRAM") or os.path.join(os.path.dirname(__file__), "bin", "dfsim")
    if not os.access(exe, os.X_OK):
        raise Error(f"{exe}: no dfsim program there (set DFSIM_PROGRAM to the dfsim binary)")
    return exe


def call(what: str, options: dict, quiet: bool = True):
    """Runs `what` ("run", "map" or "sweep") with `options` in a worker process; returns its value.

    The worker's output (SystemC's messages, a sweep's progress) is printed when `quiet` is false
    and is part of the error otherwise.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_parent(), env.get("PYTHONPATH")) if p)
    env.setdefault("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1")
    if what == "sweep":
        options = dict(options, program=dfsim_program())
    with tempfile.TemporaryDirectory(prefix="dfsim-call-") as tmp:
        request = os.path.join(tmp, "request.json")
        result = os.path.join(tmp, "result.json")
        with open(request, "w", encoding="utf-8") as f:
            json.dump({"call": what, "options": options, "result": result}, f)
        # Not `-m dfsim._worker`: the package imports this module before runpy would run it.
        entry = "import sys; from dfsim._worker import main; sys.exit(main(sys.argv))"
        proc = subprocess.Popen([sys.executable, "-c", entry, request], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = []
        for line in proc.stdout:
            output.append(line)
            if not quiet:
                print(line, end="", flush=True)
        status = proc.wait()
        if not os.path.exists(result):
            tail = "".join(output[-20:]).strip()
            raise Error(f"dfsim worker for '{what}' ended with status {status} and no result"
                        + (f":\n{tail}" if tail else ""))
        with open(result, encoding="utf-8") as f:
            answer = json.load(f)
    if "error" in answer:
        raise (ConfigError if answer["type"] == "ConfigError" else Error)(answer["error"])
    return answer["value"]


def _serve(what: str, options: dict):
    from dfsim import _dfsim

    if what == "sweep":
        status = _dfsim.sweep(options["spec"], options["jobs"], options["out"], options["program"])
        if status not in (0, 1):  # 1: some points failed, which the table shows
            raise Error(f"the sweep stopped with status {status}")
        _dfsim.export_sweep(options["spec"], options["out"], options["export"])
        return status
    call_options = _dfsim.RunOptions()
    for key, value in options.items():
        setattr(call_options, key, value)
    if what == "run":
        return _dfsim.run_json(call_options)
    if what == "map":
        return _dfsim.map_layers(call_options)
    raise Error(f"unknown call '{what}'")


def main(argv) -> int:
    with open(argv[1], encoding="utf-8") as f:
        request = json.load(f)
    from dfsim import _dfsim

    try:
        answer = {"value": _serve(request["call"], request["options"])}
    except _dfsim.ConfigError as e:
        answer = {"error": str(e), "type": "ConfigError"}
    except Exception as e:  # every other failure reaches the caller with its kind
        answer = {"error": f"{type(e).__name__}: {e}", "type": "Error"}
    partial = request["result"] + ".tmp"
    with open(partial, "w", encoding="utf-8") as f:
        json.dump(answer, f)
    os.replace(partial, request["result"])
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
