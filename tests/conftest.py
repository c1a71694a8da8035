import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED_DATA = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data'))
sys.path.insert(0, HERE)  # tests/toy.py

# One thread: these tiny models run faster so on 2 shared cores (a second
# thread mostly waits), and subprocesses inherit it.
os.environ.setdefault('OMP_NUM_THREADS', '1')
import torch  # noqa: E402

torch.set_num_threads(1)
