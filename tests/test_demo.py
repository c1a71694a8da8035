"""The README's first command, reduced: the whole pipeline end to end."""
import json
import os
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_demo_quick(tmp_path):
    env = dict(os.environ, RSBNET_CACHE=str(tmp_path / 'cache'))
    r = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'demo.py'), '--quick',
         '--work-dir', str(tmp_path / 'demo')],
        capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = r.stdout
    for stage in ('stage 1/4', 'stage 2/4', 'stage 3/4', 'stage 4/4',
                  'summary'):
        assert stage in out
    assert 'SYNTHETIC' in out
    summary = json.load(open(tmp_path / 'demo' / 'summary.json'))
    rows = {r['subnet']: r for r in summary['rows']}
    assert set(rows) == {'max', 'min', 'found'}
    assert rows['min']['flops_224'] < rows['found']['flops_224'] <= 400e6 \
        < rows['max']['flops_224']
    for r in rows.values():
        assert 0 <= r['test_acc_inherited'] <= 100
    assert 0 <= rows['found']['test_acc_retrained'] <= 100
    for f in ('search/search_curve.png', 'search/pareto.png',
              'search/best_arch.yaml', 'found_subnet.pth', 'summary.md'):
        assert (tmp_path / 'demo' / f).stat().st_size > 0
    assert '| found |' in out


def test_stage_time_from_logs(tmp_path):
    """A stage finished by an earlier run without a kept time takes the
    span of its MMEngine logs (summed over runs); a kept time wins."""
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    import demo
    for run, lines in (('20261205_003845', ('2026/12/05 23:59:50',
                                            '2026/12/06 00:01:00')),
                       ('20261206_010000', ('2026/12/06 01:00:00',
                                            '2026/12/06 01:00:30'))):
        d = tmp_path / 'pretrain' / run
        d.mkdir(parents=True)
        (d / f'{run}.log').write_text(
            ''.join(f'{t} - mmengine - INFO - x\n  continued\n'
                    for t in lines))
    assert demo.logged_seconds(str(tmp_path / 'pretrain')) == 70 + 30
    times = demo.StageTimes(str(tmp_path))
    times.record('pretrain', 0.01, False, str(tmp_path / 'pretrain'))
    times.record('finetune', 5.0, True)
    times.record('finetune', 0.01, False, str(tmp_path / 'none'))
    assert json.load(open(tmp_path / 'times.json')) == {
        'pretrain': 100, 'finetune': 5.0}
