"""graphs: latency, energy and memory of neural networks on hardware, from Python.

Each function runs the same library code as the `graphs` command line and returns what
`graphs ... --format json` prints, parsed: plain dicts and lists with the same keys and values.
A refused query raises GraphsError with the library's message. docs/python.md has examples.
"""
import json
import os

from ._lib import GraphsError, library, run

__all__ = ["GraphsError", "version", "data_dir", "hw_list", "profile", "estimate", "compare",
           "sweep", "command"]


def version():
    """The version of the libgraphs loaded ("MAJOR.MINOR.PATCH")."""
    return library().gr_version().decode()


def data_dir():
    """The data folder the library uses (registry, calibration profiles, zoo)."""
    return os.fsdecode(library().gr_data_dir())


def command(*args):
    """Runs `graphs ARGS...` in-process and returns what it prints on stdout (text);
    raises GraphsError on a non-zero exit. The functions below are built on it."""
    return run([str(a) for a in args])


def _json(args):
    return json.loads(run(args))


def _list(v):
    """A comma-separated list argument from a str or an iterable."""
    if isinstance(v, (str, bytes, os.PathLike)):
        return os.fsdecode(v)
    return ",".join(os.fsdecode(x) if isinstance(x, (bytes, os.PathLike)) else str(x) for x in v)


def _model_args(model, batch, dims, input_shapes, format_in):
    args = [os.fsdecode(model)]
    if batch is not None:
        args += ["--batch", str(int(batch))]
    for name, n in (dims or {}).items():
        args += ["--dim", "%s=%d" % (name, int(n))]
    for name, shape in (input_shapes or {}).items():
        if not isinstance(shape, str):
            shape = "x".join(str(int(d)) for d in shape)
        args += ["--input-shape", "%s=%s" % (name, shape)]
    if format_in:
        args += ["--format-in", format_in]
    return args


def _estimate_flags(precision, runtime, calibration, transfer):
    args = []
    if precision is not None:
        args += ["--precision", precision]
    if runtime is not None:
        args += ["--runtime", runtime]
    if not calibration:
        args.append("--no-calibration")
    if not transfer:
        args.append("--no-transfer")
    return args


def hw_list():
    """Every platform of the registry (`graphs hw list --format json`): a list of dicts."""
    return _json(["hw", "list", "--format", "json"])


def hw_show(hw):
    """One platform in full (`graphs hw show ID --format json`)."""
    return _json(["hw", "show", hw, "--format", "json"])


def profile(model, batch=None, dims=None, input_shapes=None, format_in=None):
    """Parameters, FLOPs, bytes and per-node shapes of model (a zoo name or a model file),
    as `graphs profile MODEL --format json`. batch None: the command's default."""
    return _json(["profile"] + _model_args(model, batch, dims, input_shapes, format_in)
                 + ["--format", "json"])


def estimate(model, hw, precision=None, batch=None, runtime=None, calibration=True,
             transfer=True, profile_file=None, dims=None, input_shapes=None, format_in=None):
    """Latency, energy and memory of model on platform hw ("id" or "id:mode"), as
    `graphs estimate MODEL --hw HW --format json`: precision None is the platform's preferred,
    runtime None the platform's default (as the CLI picks it), batch None the command's default
    (1 for zoo models). calibration=False is --no-calibration, transfer=False --no-transfer,
    profile_file a calibration profile (--profile)."""
    args = ["estimate"] + _model_args(model, batch, dims, input_shapes, format_in)
    args += ["--hw", hw] + _estimate_flags(precision, runtime, calibration, transfer)
    if profile_file is not None:
        args += ["--profile", os.fsdecode(profile_file)]
    return _json(args + ["--format", "json"])


def compare(model, hw, precision=None, batch=None, runtime=None, calibration=True,
            transfer=True, dims=None, input_shapes=None, format_in=None):
    """model on each platform of hw (a list of "id[:mode]", or "all"), fastest first, as
    `graphs compare MODEL --hw A,B,... --format json`: a list of dicts."""
    args = ["compare"] + _model_args(model, batch, dims, input_shapes, format_in)
    args += ["--hw", _list(hw)] + _estimate_flags(precision, runtime, calibration, transfer)
    return _json(args + ["--format", "json"])


def sweep(models, hw, batches=(1,), precisions="native", runtimes=None, calibration=True,
          transfer=True, jobs=None):
    """The grid models x batches x hw x precisions (x runtimes), as
    `graphs sweep MODELS --hw LIST --batch LIST --precision LIST --format json`: a dict with
    "grid", "points" and "rows" (one dict per point, in the command's order). models and hw are
    lists (or "all"), precisions a list or "native" (each platform's native precisions)."""
    args = ["sweep", _list(models), "--hw", _list(hw), "--batch", _list(batches),
            "--precision", _list(precisions)]
    if runtimes is not None:
        args += ["--runtime", _list(runtimes)]
    if not calibration:
        args.append("--no-calibration")
    if not transfer:
        args.append("--no-transfer")
    if jobs is not None:
        args += ["--jobs", str(int(jobs))]
    return _json(args + ["--format", "json"])
