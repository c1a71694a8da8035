"""EnsembleSinglePathLoop, SandwichFinetuneLoop, SubnetValLoop, BN
recalibration, resume and distributed training."""
import copy
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner
from mmpretrain.models import ImageClassifier

import rsbnet_mm  # noqa: F401
from rsbnet_mm.engine import recalibrated_bn
from rsbnet_mm.models import find_supernet
from toy import cls_cfg

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture
def spy(monkeypatch):
    """Record loss forwards (with the active path), backwards and steps."""
    events = []
    loss, backward, step = (ImageClassifier.loss, OptimWrapper.backward,
                            OptimWrapper.step)

    def spy_loss(self, *a, **k):
        events.append(('fwd', find_supernet(self).arch))
        return loss(self, *a, **k)

    def spy_backward(self, *a, **k):
        events.append(('bwd', None))
        return backward(self, *a, **k)

    def spy_step(self, *a, **k):
        events.append(('step', None))
        return step(self, *a, **k)

    monkeypatch.setattr(ImageClassifier, 'loss', spy_loss)
    monkeypatch.setattr(OptimWrapper, 'backward', spy_backward)
    monkeypatch.setattr(OptimWrapper, 'step', spy_step)
    return events


def _steps(events):
    """Split events into optimizer steps: [(archs, n_backward)]."""
    out, archs, nb = [], [], 0
    for kind, arch in events:
        if kind == 'fwd':
            archs.append(arch)
        elif kind == 'bwd':
            nb += 1
        else:
            out.append((archs, nb))
            archs, nb = [], 0
    return out


def _train(cfg):
    cfg.setdefault('experiment_name', osp.basename(cfg['work_dir']))
    runner = Runner.from_cfg(Config(copy.deepcopy(cfg)))
    runner.train()
    return runner


def test_ensemble_paths_per_step(tmp_path, spy):
    cfg = cls_cfg(tmp_path, dict(type='rsbnet_mm.EnsembleSinglePathLoop',
                                 max_epochs=1, num_paths=3),
                  num_samples=12, val=False)
    _train(cfg)
    steps = _steps(spy)
    assert len(steps) == 3  # 12 samples / batch 4: one step per iteration
    for archs, n_bwd in steps:
        assert len(archs) == n_bwd == 3
        assert len(set(archs)) == 3  # distinct paths
        assert all(set(a.expansions) == {6.0} for a in archs)  # full width
    # paths change between steps
    assert steps[0][0] != steps[1][0]


def test_sandwich_order(tmp_path, spy):
    cfg = cls_cfg(tmp_path, dict(type='rsbnet_mm.SandwichFinetuneLoop',
                                 max_epochs=1, num_paths=2,
                                 width_choices=[3, 4, 5]),
                  num_samples=8, val=False)
    _train(cfg)
    steps = _steps(spy)
    assert len(steps) == 2
    for archs, n_bwd in steps:
        assert len(archs) == n_bwd == 6
        mins, maxs, rands = archs[:2], archs[2:4], archs[4:]
        assert all(set(a.expansions) == {3.0} for a in mins)
        assert all(set(a.expansions) == {5.0} for a in maxs)
        assert all(set(a.expansions) <= {3.0, 4.0, 5.0} for a in rands)
        # the same kernel paths at each width
        assert [a.kernels for a in mins] == [a.kernels for a in maxs] == \
            [a.kernels for a in rands]
        assert mins[0].kernels != mins[1].kernels
    with pytest.raises(ValueError, match='width_choices'):
        bad = cls_cfg(tmp_path / 'bad', dict(
            type='rsbnet_mm.SandwichFinetuneLoop', max_epochs=1,
            width_choices=[2.2]), val=False)
        _train(bad)


def test_loss_falls_and_subnet_validation(tmp_path):
    cfg = cls_cfg(tmp_path, dict(type='rsbnet_mm.EnsembleSinglePathLoop',
                                 max_epochs=6, num_paths=2,
                                 val_interval=100),
                  num_samples=16)
    cfg['optim_wrapper'] = dict(optimizer=dict(type='Adam', lr=0.01))
    runner = _train(cfg)
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    first, last = losses[:4].mean(), losses[-4:].mean()
    assert last < 0.6 * first, (first, last)
    metrics = runner.val_loop.run()
    for tag in ('max', 'min', 'rand0'):
        assert f'{tag}/accuracy/top1' in metrics
    assert metrics['max/accuracy/top1'] >= 75


def test_resume_mid_run_continues_schedule(tmp_path):
    loop = dict(type='rsbnet_mm.EnsembleSinglePathLoop', max_epochs=3,
                num_paths=2)
    base = cls_cfg(tmp_path / 'straight', loop, num_samples=8, val=False)
    base['param_scheduler'] = dict(type='StepLR', step_size=1, gamma=0.5,
                                   end=3)
    base['experiment_name'] = 'straight'
    straight = _train(base)
    # interrupted after epoch 1, resumed in a new runner
    first = copy.deepcopy(base)
    first['work_dir'] = str(tmp_path / 'resumed')
    first['train_cfg']['max_epochs'] = 1
    first['experiment_name'] = 'first'
    _train(first)
    second = copy.deepcopy(base)
    second['work_dir'] = str(tmp_path / 'resumed')
    second['experiment_name'] = 'second'
    second['resume'] = True
    resumed = _train(second)
    assert resumed.train_loop.epoch == 3 and resumed.train_loop.iter == 6
    lr = resumed.optim_wrapper.get_lr()['lr'][0]
    assert abs(lr - 0.05 * 0.5**2) < 1e-9  # steps after epochs 1 and 2
    a = straight.model.state_dict()
    b = resumed.model.state_dict()
    for k in a:
        torch.testing.assert_close(a[k], b[k], msg=k)


def test_recalibrated_bn_restores_and_uses_true_mean(tmp_path):
    cfg = cls_cfg(tmp_path, dict(type='rsbnet_mm.EnsembleSinglePathLoop',
                                 max_epochs=1, num_paths=1), val=False)
    runner = Runner.from_cfg(Config(cfg))
    model = runner.model
    net = find_supernet(model)
    net.set_min()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    batches = list(runner.train_dataloader)[:3]
    bn = net.stem[1]
    inputs = []
    hook = net.stem[0].register_forward_hook(
        lambda m, i, o: inputs.append(o.detach()))
    with recalibrated_bn(model, batches, 12) as seen:
        hook.remove()
        assert seen == 12
        means = torch.stack([x.mean((0, 2, 3)) for x in inputs]).mean(0)
        torch.testing.assert_close(bn.running_mean, means)
        assert not bn.training
    after = model.state_dict()
    for k in before:
        torch.testing.assert_close(before[k], after[k], msg=k)
    assert bn.momentum == 0.1


def _torchrun(args, nproc, cwd):
    env = dict(os.environ, PYTHONPATH=osp.join(ROOT, 'tests'),
               OMP_NUM_THREADS='1')
    cmd = [sys.executable, '-m', 'torch.distributed.run',
           f'--nproc_per_node={nproc}', '--master_port', '29577'] + args
    if nproc == 1:
        cmd = [sys.executable] + args
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_ddp_two_processes_equal_single(tmp_path):
    """2 CPU processes (gloo) through tools/train.py --launcher pytorch:
    after N steps both ranks hold the same parameters, equal to a
    single-process run over the same global batches."""
    results = {}
    for nproc in (1, 2):
        loop = dict(type='rsbnet_mm.EnsembleSinglePathLoop', max_epochs=1,
                    num_paths=3, seed=7)
        cfg = cls_cfg(tmp_path / f'p{nproc}', loop, num_samples=16,
                      batch_size=8 // nproc, val=False)
        cfg['train_dataloader']['sampler']['shuffle'] = False
        # BN in eval mode: a batch's statistics then do not depend on how it
        # is split over ranks, so the runs must agree exactly
        cfg['model']['backbone']['norm_eval'] = True
        cfg['env_cfg'] = dict(dist_cfg=dict(backend='gloo'))
        cfg['default_hooks']['checkpoint'] = dict(
            type='CheckpointHook', interval=1)
        cfg_file = tmp_path / f'cfg{nproc}.py'
        Config(cfg).dump(str(cfg_file))
        args = [osp.join(ROOT, 'tools', 'train.py'), str(cfg_file)]
        if nproc == 2:
            args += ['--launcher', 'pytorch']
        r = _torchrun(args, nproc, tmp_path)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
        ck = torch.load(tmp_path / f'p{nproc}' / 'epoch_1.pth',
                        weights_only=True)
        results[nproc] = ck['state_dict']
    changed = 0
    for k, v in results[1].items():
        torch.testing.assert_close(results[2][k], v, rtol=1e-4, atol=1e-5,
                                   msg=k)
        changed += int(not torch.equal(v, v * 0))
    assert changed > 0
