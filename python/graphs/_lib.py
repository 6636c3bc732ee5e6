"""Finding and loading libgraphs.so, and running its commands (gr_command_run)."""
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import threading


class GraphsError(Exception):
    """A query the library refused: the message is the library's (what `graphs` prints on
    stderr), `code` the CLI's exit code (1 usage, 2 bad input)."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


def _candidates():
    """Where libgraphs.so may be, in the order tried (docs/python.md)."""
    env = os.environ.get("GRAPHS_LIBRARY")
    if env:
        yield env
        return
    if shutil.which("pkg-config"):
        try:
            libdir = subprocess.run(["pkg-config", "--variable=libdir", "graphs"],
                                    capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            libdir = ""
        if libdir:
            yield os.path.join(libdir, "libgraphs.so.0")
            yield os.path.join(libdir, "libgraphs.so")
    found = ctypes.util.find_library("graphs")
    if found:
        yield found
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "libgraphs.so.0")
    yield os.path.join(here, "libgraphs.so")


_lib = None
_lock = threading.Lock()  # gr_command_run swaps the process's C stdout/stderr: one at a time


def library():
    """The loaded libgraphs (ctypes.CDLL), loaded on first use."""
    global _lib
    if _lib is not None:
        return _lib
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        if not hasattr(lib, "gr_command_run"):
            tried.append(path + " (no gr_command_run: a libgraphs older than this package)")
            continue
        lib.gr_version.restype = ctypes.c_char_p
        lib.gr_version.argtypes = []
        lib.gr_data_dir.restype = ctypes.c_char_p
        lib.gr_data_dir.argtypes = []
        lib.gr_command_run.restype = ctypes.c_int
        lib.gr_command_run.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                                       ctypes.POINTER(ctypes.c_void_p),
                                       ctypes.POINTER(ctypes.c_void_p)]
        _lib = lib
        return lib
    raise GraphsError("libgraphs.so not found; set GRAPHS_LIBRARY to its path, or "
                      "PKG_CONFIG_PATH to the prefix's lib/pkgconfig. Tried: "
                      + "; ".join(tried or ["nothing"]))


_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]
_libc.free.restype = None


def _take(ptr):
    """The text of a malloc'd C string, freed."""
    if not ptr.value:
        return ""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8", "replace")
    finally:
        _libc.free(ptr.value)


def run(args):
    """Runs `graphs ARGS...` in-process; returns its stdout, raises GraphsError on a non-zero
    exit with what it printed on stderr."""
    lib = library()
    enc = [os.fsencode(str(a)) for a in args]
    argv = (ctypes.c_char_p * len(enc))(*enc)
    out, err = ctypes.c_void_p(), ctypes.c_void_p()
    with _lock:
        rc = lib.gr_command_run(len(enc), argv, ctypes.byref(out), ctypes.byref(err))
    text, msg = _take(out), _take(err)
    if rc != 0:
        lines = [l for l in msg.splitlines() if l.strip() and not l.startswith("run 'graphs")]
        message = "\n".join(lines) or "graphs %s failed (exit %d)" % (args[0] if args else "", rc)
        if message.startswith("graphs: error: "):
            message = message[len("graphs: error: "):]
        raise GraphsError(message, rc)
    return text
