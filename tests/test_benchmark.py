"""tools/benchmark.py runs every subcommand and reports its figures (the
figures themselves are measured by running it, not asserted here)."""
import json
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TINY = ['--input-size', '32', '--batch-size', '4', '--repeats', '1',
        '--warmup', '0', '--threads', '1']


def _bench(tmp_path, *args):
    out = tmp_path / 'report.json'
    r = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'benchmark.py'), *args,
         '--out', str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(out.read_text())
    assert json.loads(r.stdout[r.stdout.index('{'):]) == report
    return report


@pytest.mark.parametrize('stage, passes', [('pretrain', 3), ('finetune', 6)])
def test_train_step_benchmarks(tmp_path, stage, passes):
    rep = _bench(tmp_path, stage, *TINY, '--num-paths',
                 '3' if stage == 'pretrain' else '2',
                 '--data-root', str(tmp_path / 'absent'))
    assert rep['settings']['passes_per_update'] == passes
    assert rep['images_per_s']['multi_path_update'] > 0
    # FLOPs of the passes against one pass of the largest subnet: B
    # full-width paths cost between B x min-kernel and B x max-kernel
    ratio = rep['update_over_exported_flops']
    assert (0.5 * passes < ratio <= passes) if stage == 'pretrain' else \
        (1 < ratio < passes)


def test_search_benchmark(tmp_path):
    rep = _bench(tmp_path, 'search', *TINY, '--calib-samples', '8',
                 '--search-images', '8', '--data-root',
                 str(tmp_path / 'absent'))
    assert rep['settings']['search_images'] == 8
    assert rep['s_per_candidate'] > 0
    assert 0 < rep['recalibration_share'] < 1
    assert rep['supernet_over_exported_eval'] > 0


def test_supernet_benchmark(tmp_path):
    rep = _bench(tmp_path, 'supernet', '--input-size', '32', '--batch-size',
                 '2', '--repeats', '1', '--warmup', '0', '--threads', '1',
                 '--num-archs', '200')
    assert rep['archs_counted'] >= 200
