"""tools/experiment.py at toy scale: every step, the shared stand-alone
runs, the report, and a rerun that redoes nothing."""
import json
import os.path as osp
import subprocess
import sys

from rsbnet_mm.datasets.synthetic import make_synthetic_scenes

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_experiment_toy_scale(tmp_path):
    data = make_synthetic_scenes(str(tmp_path / 'scenes'), num_classes=3,
                                 images_per_class=8, size=32, seed=0)
    wd = tmp_path / 'exp'
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'experiment.py'),
           '--data-root', data, '--work-dir', str(wd),
           '--pretrain-epochs', '1', '--finetune-epochs', '1',
           '--retrain-epochs', '1', '--population-size', '3',
           '--generations', '1', '--num-archs', '3']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    res = json.load(open(wd / 'results.json'))
    assert set(res['step_times_s']) == {'pipeline_b5', 'pipeline_b1',
                                        'tau_b5', 'tau_b1'}
    rows = {r['subnet']: r for r in res['runs']['5']['rows']}
    assert set(rows) == {'max', 'min', 'found', 'mobilenetv2', 'resnet18'}
    for name in ('found', 'mobilenetv2', 'resnet18'):
        assert 0 <= rows[name]['test_acc_retrained'] <= 100
        assert 0 < rows[name]['test_map_retrained'] <= 100
    assert set(res['runs']['5']['searches']) == {'evolution', 'random'}
    assert set(res['runs']['1']['searches']) == {'evolution'}
    # the same architectures for both supernets, each trained once
    archs = {b: [a['arch'] for a in res['tau'][b]['archs']] for b in '51'}
    assert archs['5'] == archs['1'] and len(set(archs['5'])) == 3
    assert len(res['standalone']) == 3
    assert not (wd / 'tau' / 'b1' / 'standalone').exists()
    for b in '51':
        for a in res['tau'][b]['archs']:
            assert 250e6 <= a['flops'] <= 400e6
    report = (wd / 'report.md').read_text()
    for text in ('## Models', 'MobileNetV2', 'ResNet-18', 'Kendall tau',
                 '| evolution |', '| random |', '## Wall clock'):
        assert text in report
    for p in ('search_curve.png', 'pareto.png', 'found_arch.png',
              'tau_b5.png', 'tau_b1.png'):
        assert (wd / 'plots' / p).stat().st_size > 0

    # a rerun finds every step done and only rewrites the report
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('done before') == 4
    assert json.load(open(wd / 'results.json'))['step_times_s'] == \
        res['step_times_s']
