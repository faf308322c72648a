"""PyTorch baselines of bench/run.ts (never part of the tests; needs Debian's python3-torch).

What a researcher would run instead of flowcheck, on the very numbers flowcheck uses (bench/run.ts
writes X, y, W0, a0 as raw float64 files into spec["dir"]; results go to spec["dir"]/result.json).
One thread (torch.set_num_threads(1)), like the single-threaded JavaScript core.

Cases
- "dbp25": the DBP25 authors' algorithm (Dana, Bach, Pillaud-Vivien, arXiv 2502.16977; their
  model_data_train.py): f(x) = (1/p) sum_j a_j relu(<w_j, x>), loss p/(2n) sum_i (f_i - y_i)^2, plain
  SGD (full batch) with lr 1, at most `steps` steps, early stop once the loss of the current step
  is below p/(2n) * cv_threshold (the step is taken before the test, as in their loop). K
  trajectories (one instance each):
    loop      their per-trajectory loop: an nn.Sequential per trajectory, autograd, optim.SGD
    batched   all K trajectories in one tensor program (bmm), autograd, finished trajectories
              frozen by a mask; the program stops when all have stopped
    manual    the batched program with hand-written gradients (no autograd), the fastest
              formulation of the same algorithm
- "paper": one instance at paper scale, their loop for a fixed number of steps (no early stop).
- "gd": a claim's training run (e.g. leaky-rank): f = s sum_j a_j sigma(<w_j, x>), sigma relu or
  leaky (slope g), square / logistic / exponential loss averaged over the samples, full-batch
  gradient descent (optim.SGD, lr eta) on W only or on W and a, a fixed number of steps; the loop
  a researcher would write (autograd, one nn.Parameter per layer).

Every mode runs in float32 and float64. Times are wall-clock milliseconds (time.perf_counter);
the loop modes report one time per trajectory, the batched ones one time per repetition of the
whole batch.
"""
import json
import os
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)


def load(spec, name, shape):
    return np.fromfile(os.path.join(spec["dir"], name + ".f64"), dtype=np.float64).reshape(shape)


def authors_model(W, a, dtype):
    """Their One_hidden_layer with the given weights: Linear(d, p) - ReLU - Linear(p, 1), f / p."""
    p, d = W.shape
    net = torch.nn.Sequential(
        torch.nn.Linear(d, p, bias=False, dtype=dtype),
        torch.nn.ReLU(inplace=True),
        torch.nn.Linear(p, 1, bias=False, dtype=dtype),
    )
    with torch.no_grad():
        net[0].weight.copy_(torch.as_tensor(W, dtype=dtype))
        net[2].weight.copy_(torch.as_tensor(a, dtype=dtype).reshape(1, p))
    return net


def authors_train(net, X, Y, p, lr, epochs, cv_threshold):
    """Their train(): returns the list of losses (one per step taken)."""
    opt = torch.optim.SGD(net.parameters(), lr, momentum=0, dampening=0, weight_decay=0, nesterov=False)
    n = X.shape[0]
    losses = []
    for _ in range(epochs):
        residuals = Y - net(X).squeeze() / p
        loss = p * torch.mean(residuals**2) / 2
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
        if cv_threshold is not None and loss < p / (2 * n) * cv_threshold:
            break
    return losses


def run_loop(X, Y, W, A, dtype, lr, steps, cv):
    K = X.shape[0]
    times, nsteps, finals = [], [], []
    for k in range(K):
        t0 = time.perf_counter()
        net = authors_model(W[k], A[k], dtype)
        Xk = torch.as_tensor(X[k], dtype=dtype)
        Yk = torch.as_tensor(Y[k], dtype=dtype)
        losses = authors_train(net, Xk, Yk, W.shape[1], lr, steps, cv)
        times.append(1000.0 * (time.perf_counter() - t0))
        nsteps.append(len(losses))
        finals.append(losses[-1])
    return {"times": times, "steps": nsteps, "finalLoss": finals}


def run_batched(X, Y, W, A, dtype, lr, steps, cv):
    """All trajectories at once with autograd; stopped trajectories get a zero gradient."""
    K, n, d = X.shape
    p = W.shape[1]
    Xt = torch.as_tensor(X, dtype=dtype)
    Yt = torch.as_tensor(Y, dtype=dtype)
    Wt = torch.as_tensor(W, dtype=dtype).clone().requires_grad_(True)
    At = torch.as_tensor(A, dtype=dtype).reshape(K, 1, p).clone().requires_grad_(True)
    active = torch.ones(K, dtype=dtype)
    nsteps = torch.zeros(K, dtype=torch.int64)
    last = torch.zeros(K, dtype=dtype)
    thr = p / (2 * n) * cv
    for _ in range(steps):
        H = torch.relu(torch.bmm(Wt, Xt.transpose(1, 2)))  # [K, p, n]
        f = torch.bmm(At, H).squeeze(1) / p  # [K, n]
        loss = p * torch.mean((Yt - f) ** 2, dim=1) / 2  # [K]
        loss.sum().backward()
        with torch.no_grad():
            m = active.reshape(K, 1, 1)
            Wt -= lr * m * Wt.grad
            At -= lr * m * At.grad
            Wt.grad = None
            At.grad = None
            nsteps += active.to(torch.int64)
            last = torch.where(active > 0, loss.detach(), last)
            active = active * (loss.detach() >= thr).to(dtype)
        if not bool(active.any()):
            break
    return nsteps.tolist(), last.tolist()


def run_manual(X, Y, W, A, dtype, lr, steps, cv):
    """The batched program with hand-written gradients of p/(2n) sum (f - y)^2, f = a relu(W x) / p."""
    K, n, d = X.shape
    p = W.shape[1]
    Xt = torch.as_tensor(X, dtype=dtype)
    XT = Xt.transpose(1, 2).contiguous()
    Yt = torch.as_tensor(Y, dtype=dtype).reshape(K, 1, n)
    Wt = torch.as_tensor(W, dtype=dtype).clone()
    At = torch.as_tensor(A, dtype=dtype).reshape(K, 1, p).clone()
    active = torch.ones(K, 1, 1, dtype=dtype)
    nsteps = torch.zeros(K, dtype=torch.int64)
    last = torch.zeros(K, dtype=dtype)
    thr = p / (2 * n) * cv
    for _ in range(steps):
        Z = torch.bmm(Wt, XT)  # [K, p, n]
        H = torch.relu(Z)
        res = torch.bmm(At, H) / p - Yt  # [K, 1, n]
        loss = (p / (2 * n)) * (res**2).sum(dim=(1, 2))
        g = res * (active / n)  # dL/df = (p / n) res; times 1/p of the output scale
        gA = torch.bmm(g, H.transpose(1, 2))  # [K, 1, p]
        gZ = At.transpose(1, 2) * g * (Z > 0)  # [K, p, n]
        Wt -= lr * torch.bmm(gZ, Xt)
        At -= lr * gA
        act = active.reshape(K)
        nsteps += act.to(torch.int64)
        last = torch.where(act > 0, loss, last)
        active = active * (loss >= thr).to(dtype).reshape(K, 1, 1)
        if not bool(active.any()):
            break
    return nsteps.tolist(), last.tolist()


def run_gd(X, Y, W, A, spec, dtype, steps):
    """Gradient descent on the core's model and loss; returns the loss after the last step."""
    Xt = torch.as_tensor(X, dtype=dtype)
    Yt = torch.as_tensor(Y, dtype=dtype)
    Wp = torch.nn.Parameter(torch.as_tensor(W, dtype=dtype).clone())
    Ap = torch.nn.Parameter(torch.as_tensor(A, dtype=dtype).clone(), requires_grad=spec["train"] == "both")
    params = [Wp, Ap] if spec["train"] == "both" else [Wp]
    opt = torch.optim.SGD(params, spec["eta"])
    g, s, loss_kind = spec["leak"], spec["s"], spec["loss"]

    def loss_of():
        Z = Xt @ Wp.T  # [n, m]
        H = torch.nn.functional.leaky_relu(Z, g) if g > 0 else torch.relu(Z)
        f = s * (H @ Ap)
        if loss_kind == "square":
            return 0.5 * torch.mean((f - Yt) ** 2)
        if loss_kind == "logistic":
            return torch.mean(torch.nn.functional.softplus(-Yt * f))
        return torch.mean(torch.exp(-Yt * f))

    for _ in range(steps):
        loss = loss_of()
        loss.backward()
        opt.step()
        opt.zero_grad()
    with torch.no_grad():
        return float(loss_of())


def timed_batch(fn, reps, *args):
    fn(*args)  # warm-up
    times = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(1000.0 * (time.perf_counter() - t0))
    return times, out


def main():
    spec = json.loads(sys.argv[1])
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    dtypes = {"f32": torch.float32, "f64": torch.float64}
    if spec["case"] == "dbp25":
        K, n, d, p = spec["K"], spec["n"], spec["d"], spec["m"]
        X = load(spec, "X", (K, n, d))
        Y = load(spec, "y", (K, n))
        W = load(spec, "W", (K, p, d))
        A = load(spec, "a", (K, p))
        lr, steps, cv = spec["lr"], spec["steps"], spec["cv"]
        for name, dt in dtypes.items():
            run_loop(X[:2], Y[:2], W[:2], A[:2], dt, lr, steps, cv)  # warm-up
            out[f"loop {name}"] = run_loop(X, Y, W, A, dt, lr, steps, cv)
            for mode, fn in (("batched", run_batched), ("manual", run_manual)):
                times, (ns, fl) = timed_batch(fn, spec["reps"], X, Y, W, A, dt, lr, steps, cv)
                out[f"{mode} {name}"] = {"times": times, "steps": ns, "finalLoss": fl, "K": K}
    elif spec["case"] == "paper":
        n, d, p = spec["n"], spec["d"], spec["m"]
        X = load(spec, "X", (1, n, d))
        Y = load(spec, "y", (1, n))
        W = load(spec, "W", (1, p, d))
        A = load(spec, "a", (1, p))
        for name, dt in dtypes.items():
            run_loop(X, Y, W, A, dt, spec["lr"], 20, None)  # warm-up
            times, steps, finals = [], [], []
            for _ in range(spec["reps"]):
                r = run_loop(X, Y, W, A, dt, spec["lr"], spec["steps"], None)
                times += r["times"]
                steps += r["steps"]
                finals += r["finalLoss"]
            out[f"loop {name}"] = {"times": times, "steps": steps, "finalLoss": finals}
    elif spec["case"] == "gd":
        n, d, m = spec["n"], spec["d"], spec["m"]
        X = load(spec, "X", (n, d))
        Y = load(spec, "y", (n,))
        W = load(spec, "W", (m, d))
        A = load(spec, "a", (m,))
        for name, dt in dtypes.items():
            run_gd(X, Y, W, A, spec, dt, 20)  # warm-up
            times, finals = [], []
            for _ in range(spec["reps"]):
                t0 = time.perf_counter()
                finals.append(run_gd(X, Y, W, A, spec, dt, spec["steps"]))
                times.append(1000.0 * (time.perf_counter() - t0))
            out[f"loop {name}"] = {"times": times, "steps": [spec["steps"]] * len(times), "finalLoss": finals}
    else:
        raise ValueError(spec["case"])
    with open(os.path.join(spec["dir"], "result.json"), "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
