"""The install step is idempotent: run again, it changes nothing."""
import os
import os.path as osp
import subprocess
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_second_install_is_a_no_op():
    venv = osp.join(ROOT, '.venv')
    stamp = osp.join(venv, '.rsbnet_mm_stamp')
    before = open(stamp).read() if osp.exists(stamp) else None
    t0 = time.perf_counter()
    r = subprocess.run(['bash', osp.join(ROOT, 'tools', 'install.sh'),
                        '--tests'], capture_output=True, text=True,
                       timeout=600, env=dict(os.environ))
    elapsed = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'environment up to date' in r.stdout, r.stdout
    assert elapsed < 30, elapsed
    assert open(stamp).read() == before


def test_install_rejects_unknown_argument():
    r = subprocess.run(['bash', osp.join(ROOT, 'tools', 'install.sh'),
                        '--nope'], capture_output=True, text=True)
    assert r.returncode == 2 and "'--nope'" in r.stderr
