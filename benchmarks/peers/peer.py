#!/usr/bin/env python3
"""Nabla's peers: the training step of `engine bench` written in NumPy and in PyTorch.

`engine bench --peers` starts this script and drives it with one JSON object per line on stdin;
it answers one JSON object per line on stdout. The step is Nabla's: sigmoid layers without bias,
loss = sum over the batch of 1/2 (t - o)^2, divided by the batch size, plain SGD, the hidden
deltas computed with the weights from before the update.

  {"cmd": "engines"}                       -> {"engines": [...], "versions": {...}}
  {"cmd": "load", "engine": E, "dir": D, "dtype": "float64"|"float32"|"tf32", "lr": X}
                                           -> {"ok": true}   D holds x.npy, t.npy, w0.npy .. w{L-1}.npy
  {"cmd": "losses", "engine": E, "steps": N} -> {"losses": [...]}  N steps from the loaded weights
  {"cmd": "time", "engine": E, "steps": N}   -> {"seconds": S}     N steps, synchronized at both ends
  {"cmd": "products", "engine": E, "steps": N} -> {"seconds": S}   the matrix products of N steps alone
  {"cmd": "square", "engine": E, "n": N, "dtype": D, "count": K} -> {"seconds": S}
                                           K products C = A B of N x N matrices with E's library
                                           (numpy: its BLAS; torch-eager-*: torch.mm), no load needed

Several engines stay loaded at once, so that the caller can time them in turn.

Engines: numpy (CPU, its BLAS), torch-eager-cpu, torch-compile-cpu, torch-eager-cuda,
torch-compile-cuda (where PyTorch and a GPU are there; autograd computes the gradients, as PyTorch
users write it). torch.compile needs a C compiler and Triton; where it cannot compile, its load or
first step answers an error, which the caller prints beside the other results.
"""
import glob
import json
import os
import sys
import time

import numpy as np

try:
    import torch
except ImportError:  # PyTorch is optional: the NumPy peer runs without it
    torch = None


class NumpyStep:
    def __init__(self, d, dtype, lr):
        self.dtype = np.float64 if dtype == "float64" else np.float32
        self.x = np.load(os.path.join(d, "x.npy")).astype(self.dtype)
        self.t = np.load(os.path.join(d, "t.npy")).astype(self.dtype)
        files = sorted(glob.glob(os.path.join(d, "w*.npy")), key=lambda f: int(os.path.basename(f)[1:-4]))
        self.initial = [np.load(f).astype(self.dtype) for f in files]
        self.lr = self.dtype(lr)
        self.reset()

    def reset(self):
        self.w = [w.copy() for w in self.initial]

    def step(self):
        batch = self.x.shape[0]
        acts = [self.x]
        for w in self.w:
            acts.append(1 / (1 + np.exp(-(acts[-1] @ w.T))))
        o = acts[-1]
        loss = 0.5 * float(np.sum((self.t - o) ** 2)) / batch
        g = (o - self.t) / batch
        grads = [None] * len(self.w)
        for l in range(len(self.w) - 1, -1, -1):
            a = acts[l + 1]
            delta = g * a * (1 - a)
            grads[l] = delta.T @ acts[l]
            if l > 0:
                g = delta @ self.w[l]
        for l, gw in enumerate(grads):
            self.w[l] -= self.lr * gw
        return loss

    def sync(self):
        pass


class TorchStep:
    def __init__(self, d, dtype, lr, device, compile_step):
        self.device = device
        if dtype == "tf32":
            torch.backends.cuda.matmul.allow_tf32 = True
        else:
            torch.backends.cuda.matmul.allow_tf32 = False
        self.dtype = torch.float64 if dtype == "float64" else torch.float32
        load = lambda f: torch.from_numpy(np.load(f)).to(device=device, dtype=self.dtype)
        self.x = load(os.path.join(d, "x.npy"))
        self.t = load(os.path.join(d, "t.npy"))
        files = sorted(glob.glob(os.path.join(d, "w*.npy")), key=lambda f: int(os.path.basename(f)[1:-4]))
        self.initial = [load(f) for f in files]
        self.lr = lr
        self.fn = torch.compile(self._step) if compile_step else self._step
        self.reset()

    def reset(self):
        self.w = [w.clone().requires_grad_(True) for w in self.initial]

    def _step(self):
        a = self.x
        for w in self.w:
            a = torch.sigmoid(a @ w.T)
        loss = 0.5 * ((self.t - a) ** 2).sum() / self.x.shape[0]
        loss.backward()
        with torch.no_grad():
            for w in self.w:
                w -= self.lr * w.grad
                w.grad = None
        return loss.detach()

    def step(self):
        return float(self.fn())

    def time_steps(self, n):
        for _ in range(n):
            self.fn()

    def sync(self):
        if self.device == "cuda":
            torch.cuda.synchronize()

    def time_products(self, n):
        """The step's matrix products alone, on tensors of the step's shapes: what the GEMM library gives."""
        acts = [self.x] + [torch.full((self.x.shape[0], w.shape[0]), 1 / 64, dtype=self.dtype, device=self.device)
                           for w in self.initial]
        ws = self.initial
        self.sync()
        start = time.perf_counter()
        for _ in range(n):
            for l, w in enumerate(ws):
                z = acts[l] @ w.T
                torch.mm(z.T, acts[l])
                if l > 0:
                    z @ w
        self.sync()
        return time.perf_counter() - start


def time_square(engine, n, dtype, count, cache):
    """Seconds for `count` products of two n x n matrices: the library's GEMM on a large square product."""
    key = (engine, n, dtype)
    if key not in cache:
        cache.clear()  # one pair of operands at a time: at n = 8192 they are half a GB in FP64
        rng = np.random.default_rng(1)
        a, b = (rng.random((n, n)) for _ in range(2))
        if engine == "numpy":
            dt = np.float64 if dtype == "float64" else np.float32
            cache[key] = (a.astype(dt), b.astype(dt), np.empty((n, n), dtype=dt), None)
        elif engine.startswith("torch-eager"):
            device = "cuda" if engine.endswith("cuda") else "cpu"
            dt = torch.float64 if dtype == "float64" else torch.float32
            ta, tb = (torch.from_numpy(m).to(device=device, dtype=dt) for m in (a, b))
            cache[key] = (ta, tb, torch.empty((n, n), dtype=dt, device=device), device)
        else:
            raise ValueError("no square product for " + engine)
    a, b, c, device = cache[key]
    if device is None:
        start = time.perf_counter()
        for _ in range(count):
            np.matmul(a, b, out=c)
        return time.perf_counter() - start
    torch.backends.cuda.matmul.allow_tf32 = dtype == "tf32"
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(count):
        torch.mm(a, b, out=c)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def blas_info():
    """NumPy's BLAS and its threads, as threadpoolctl reports them where it is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # then NumPy's own build record (NumPy 1.25 and later), without the threads
        try:
            blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
            return "%s %s (threadpoolctl not installed: threads not known)" % (blas.get("name"), blas.get("version"))
        except Exception:
            return "not known"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return "; ".join("%s %s %s, %s threads" % (p.get("internal_api"), p.get("version"), p.get("architecture", ""),
                                               p.get("num_threads")) for p in pools) or "none found"


def engines():
    names = ["numpy"]
    versions = {"numpy": np.__version__, "python": sys.version.split()[0], "numpy blas": blas_info()}
    if torch is not None:
        # the bench gives every peer Nabla's thread count; OMP_NUM_THREADS is set too, but say it to torch
        threads = os.environ.get("NABLA_PEER_THREADS")
        if threads:
            torch.set_num_threads(int(threads))
        versions["torch"] = torch.__version__
        versions["torch threads"] = str(torch.get_num_threads())
        versions["torch build"] = " ".join(torch.__config__.show().split())
        names += ["torch-eager-cpu", "torch-compile-cpu"]
        if torch.cuda.is_available():
            names += ["torch-eager-cuda", "torch-compile-cuda"]
            versions["cuda device"] = torch.cuda.get_device_name(0)
    return {"engines": names, "versions": versions}


def make(engine, d, dtype, lr):
    if engine == "numpy":
        return NumpyStep(d, dtype, lr)
    device = "cuda" if engine.endswith("cuda") else "cpu"
    return TorchStep(d, dtype, lr, device, engine.startswith("torch-compile"))


def main():
    loaded = {}
    squares = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["cmd"] == "engines":
                out = engines()
            elif req["cmd"] == "load":
                loaded[req["engine"]] = make(req["engine"], req["dir"], req["dtype"], req["lr"])
                out = {"ok": True}
            elif req["cmd"] == "losses":
                current = loaded[req["engine"]]
                current.reset()
                out = {"losses": [current.step() for _ in range(req["steps"])]}
                current.reset()
            elif req["cmd"] == "time":
                current = loaded[req["engine"]]
                current.sync()
                start = time.perf_counter()
                if isinstance(current, TorchStep):
                    current.time_steps(req["steps"])
                else:
                    for _ in range(req["steps"]):
                        current.step()
                current.sync()
                out = {"seconds": time.perf_counter() - start}
            elif req["cmd"] == "products":
                out = {"seconds": loaded[req["engine"]].time_products(req["steps"])}
            elif req["cmd"] == "square":
                out = {"seconds": time_square(req["engine"], req["n"], req["dtype"], req["count"], squares)}
            else:
                out = {"error": "unknown command " + req["cmd"]}
        except Exception as e:  # report, do not die: the caller prints it beside the other results
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
