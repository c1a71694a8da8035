"""tools/rank_correlation.py on a tiny supernet: tau in range, resumable."""
import json
import os
import os.path as osp
import subprocess
import sys

from mmengine.config import Config

from rsbnet_mm import SearchSpace
from test_search_loop import search_cfg, supernet_ckpt  # noqa: F401,F811
from toy import TINY_SPACE, cls_cfg

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_rank_correlation_tool(tmp_path, supernet_ckpt):  # noqa: F811
    search = search_cfg(tmp_path / 'unused', None)
    Config(search).dump(str(tmp_path / 'search.py'))
    arch = str(SearchSpace(**TINY_SPACE).max_arch())
    standalone = cls_cfg(tmp_path / 'unused2',
                         dict(by_epoch=True, max_epochs=1), num_samples=8,
                         val_cfg=dict(), val=True)
    standalone['val_cfg'] = dict()
    standalone['model']['backbone'] = dict(
        type='rsbnet_mm.RSBNetSubNet', arch=arch, search_space=TINY_SPACE)
    Config(standalone).dump(str(tmp_path / 'standalone.py'))
    wd = tmp_path / 'corr'
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'rank_correlation.py'),
           str(tmp_path / 'search.py'), '--checkpoint', supernet_ckpt,
           '--standalone-config', str(tmp_path / 'standalone.py'),
           '--num-archs', '4', '--work-dir', str(wd)]
    env = dict(os.environ, PYTHONPATH=osp.join(ROOT, 'tests'))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    report = json.load(open(wd / 'correlation.json'))
    assert report['num_archs'] == 4 and len(report['archs']) == 4
    tau = report['kendall_tau']
    assert tau is None or -1 <= tau <= 1
    assert all(0 <= a['oneshot'] <= 100 and 0 <= a['standalone'] <= 100
               for a in report['archs'])
    assert len({a['arch'] for a in report['archs']}) == 4
    assert (wd / 'correlation.png').stat().st_size > 0
    stamps = {p: os.stat(wd / 'standalone' / str(p) / 'result.json').st_mtime
              for p in range(4)}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    # nothing retrained: finished runs are kept
    for p, t in stamps.items():
        assert os.stat(wd / 'standalone' / str(p) /
                       'result.json').st_mtime == t
    assert json.load(open(wd / 'correlation.json')) == report


def test_kendall_spearman():
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    from rank_correlation import kendall_spearman
    assert kendall_spearman([1, 2, 3, 4], [10, 20, 30, 40]) == (1.0, 1.0)
    tau, rho = kendall_spearman([1, 2, 3, 4], [4, 3, 2, 1])
    assert tau == -1.0 and rho == -1.0
    tau, _ = kendall_spearman([1, 2, 3, 4], [1, 3, 2, 4])
    assert abs(tau - 2 / 3) < 1e-9
    assert kendall_spearman([1, 2, 3], [5, 5, 5]) == (None, None)
