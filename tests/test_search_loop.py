"""EvoSearchLoop on a tiny supernet: outputs, resume, distributed."""
import copy
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

import rsbnet_mm  # noqa: F401
from rsbnet_mm import count_flops, parse_arch
from rsbnet_mm.search import EvoSearchLoop
from toy import TINY_SPACE, cls_cfg

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='module')
def supernet_ckpt(tmp_path_factory):
    wd = tmp_path_factory.mktemp('supernet')
    cfg = cls_cfg(wd, dict(type='rsbnet_mm.EnsembleSinglePathLoop',
                           max_epochs=2, num_paths=2),
                  num_samples=16, val=False, experiment_name='supernet')
    Runner.from_cfg(Config(cfg)).train()
    return str(wd / 'epoch_2.pth')


def search_cfg(work_dir, ckpt, **loop):
    train = cls_cfg(work_dir, {}, num_samples=16, val=False)['train_dataloader']
    search_dl = copy.deepcopy(train)
    search_dl['sampler']['shuffle'] = False
    search_dl['dataset']['seed'] = 1  # a separate split
    train_cfg = dict(type='rsbnet_mm.EvoSearchLoop', dataloader=search_dl,
                     evaluator=dict(type='Accuracy'), calib_samples=8,
                     population_size=4, max_generations=3,
                     constraints=dict(flops=(0, 2.0e6)),
                     constraint_input_size=64, seed=3)
    train_cfg.update(loop)
    return cls_cfg(work_dir, train_cfg, num_samples=16, val=False,
                   load_from=ckpt, experiment_name=osp.basename(work_dir))


def _candidates(wd):
    with open(osp.join(wd, 'candidates.jsonl')) as f:
        return [json.loads(line) for line in f]


def test_search_outputs_and_constraint(tmp_path, supernet_ckpt):
    wd = tmp_path / 'search'
    Runner.from_cfg(Config(search_cfg(wd, supernet_ckpt))).train()
    recs = _candidates(wd)
    assert len(recs) == len({r['arch'] for r in recs}) >= 8
    assert {r['generation'] for r in recs} == {0, 1, 2}
    space = rsbnet_mm.SearchSpace(**TINY_SPACE)
    for r in recs:
        arch = parse_arch(r['arch'], space)
        assert r['flops'] == count_flops(arch, 64, space) <= 2.0e6
        assert 0 <= r['score'] <= 100
    top = max(r['score'] for r in recs)
    best = parse_arch(str(wd / 'best_arch.yaml'), space)
    assert str(best) in {r['arch'] for r in recs if r['score'] == top}
    for f in ('search_curve.png', 'pareto.png', 'topk_archs.yaml',
              'search_state.json', 'best_arch.png'):
        assert (wd / f).stat().st_size > 0


def test_infeasible_budget_stops_before_evaluation(tmp_path, supernet_ckpt):
    cfg = search_cfg(tmp_path / 's', supernet_ckpt,
                     constraints=dict(flops=(0, 1000)))
    with pytest.raises(ValueError, match=r'spans .*M.* to .*M'):
        Runner.from_cfg(Config(cfg)).train()
    assert not (tmp_path / 's' / 'candidates.jsonl').exists() or \
        not _candidates(tmp_path / 's')


def test_resume_after_interruption_equals_straight(tmp_path, supernet_ckpt,
                                                   monkeypatch):
    straight = tmp_path / 'straight'
    Runner.from_cfg(Config(search_cfg(straight, supernet_ckpt))).train()

    interrupted = tmp_path / 'interrupted'
    calls = []
    original = EvoSearchLoop.run_generation

    def crash_in_second(self):
        calls.append(1)
        if len(calls) == 2:
            # die half way through generation 2: one candidate scored
            self.evaluate(self.searcher.ask()[0])
            raise KeyboardInterrupt('simulated crash')
        return original(self)

    monkeypatch.setattr(EvoSearchLoop, 'run_generation', crash_in_second)
    with pytest.raises(KeyboardInterrupt):
        Runner.from_cfg(Config(search_cfg(interrupted,
                                          supernet_ckpt))).train()
    monkeypatch.setattr(EvoSearchLoop, 'run_generation', original)
    state = json.load(open(interrupted / 'search_state.json'))
    assert state['searcher']['generation'] == 1  # generation 1 was kept
    cfg = search_cfg(interrupted, supernet_ckpt, resume=True)
    cfg['experiment_name'] = 'resumed'
    Runner.from_cfg(Config(cfg)).train()
    a, b = _candidates(straight), _candidates(interrupted)
    assert [(r['arch'], r['score']) for r in a] == \
        [(r['arch'], r['score']) for r in b]



def test_resume_with_another_budget_is_refused(tmp_path, supernet_ckpt):
    """The state records the budget: resuming under another one stops with
    an error naming both, and the saved search is left as it was."""
    wd = tmp_path / 's'
    Runner.from_cfg(Config(search_cfg(wd, supernet_ckpt,
                                      max_generations=1))).train()
    before = (wd / 'search_state.json').read_text()
    cfg = search_cfg(wd, supernet_ckpt, resume=True, max_generations=2,
                     constraints=dict(flops=(0, 1.5e6)))
    cfg['experiment_name'] = 'other_budget'
    with pytest.raises(ValueError, match=r"constraints=.*2000000\.0.*"
                       r"1500000\.0"):
        Runner.from_cfg(Config(cfg)).train()
    assert (wd / 'search_state.json').read_text() == before

def test_two_processes_equal_one(tmp_path, supernet_ckpt):
    """tools/search.py under torchrun (2 CPU processes, gloo) scores every
    candidate as the single-process run does."""
    out = {}
    for nproc in (1, 2):
        wd = tmp_path / f'p{nproc}'
        cfg = search_cfg(wd, None, max_generations=2)
        cfg['search_dataloader_note'] = 'evaluated data-parallel'
        cfg['env_cfg'] = dict(dist_cfg=dict(backend='gloo'))
        cfg_file = tmp_path / f'search{nproc}.py'
        Config(cfg).dump(str(cfg_file))
        args = [osp.join(ROOT, 'tools', 'search.py'), str(cfg_file),
                '--checkpoint', supernet_ckpt]
        env = dict(os.environ, PYTHONPATH=osp.join(ROOT, 'tests'),
                   OMP_NUM_THREADS='1')
        if nproc == 2:
            cmd = [sys.executable, '-m', 'torch.distributed.run',
                   '--nproc_per_node=2', '--master_port', '29588'] + args + [
                       '--launcher', 'pytorch']
        else:
            cmd = [sys.executable] + args
        r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
        out[nproc] = [(c['arch'], c['score']) for c in _candidates(wd)]
    assert len(out[1]) == 8
    assert out[1] == out[2]


def test_search_tool_rejects_bad_checkpoint(tmp_path):
    cfg = search_cfg(tmp_path / 's', None)
    cfg_file = tmp_path / 'search.py'
    Config(cfg).dump(str(cfg_file))
    bad = tmp_path / 'garbage.pth'
    bad.write_bytes(b'garbage')
    r = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'search.py'), str(cfg_file),
         '--checkpoint', str(bad)],
        env=dict(os.environ, PYTHONPATH=osp.join(ROOT, 'tests')),
        capture_output=True, text=True, timeout=300)
    assert r.returncode != 0
    assert 'garbage.pth' in r.stderr and 'cannot read checkpoint' in r.stderr
