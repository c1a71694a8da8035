import os
import os.path as osp
import pickle
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import _load_checkpoint

import rsbnet_mm  # noqa: F401  registers the safe loader
from rsbnet_mm.utils import load_checkpoint_safe, load_state_dict_safe
from toy import cls_cfg

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


class Evil:
    """Unpickling this would run code."""

    def __reduce__(self):
        return (os.system, ('echo pwned > /dev/null', ))


def test_plain_state_dict_loads(tmp_path):
    sd = {'w': torch.randn(3, 3), 'b': torch.zeros(3)}
    f = tmp_path / 'ok.pth'
    torch.save(dict(state_dict=sd, meta=dict(epoch=1)), f)
    out = load_state_dict_safe(str(f))
    torch.testing.assert_close(out['w'], sd['w'])
    # through MMEngine's loader (load_from, Pretrained init) too
    torch.testing.assert_close(_load_checkpoint(str(f))['state_dict']['b'],
                               sd['b'])


def test_pickled_object_refused(tmp_path):
    f = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={'w': torch.ones(1)}, payload=Evil()), f)
    with pytest.raises(ValueError, match=r'refusing to load .*evil\.pth'):
        load_checkpoint_safe(str(f))
    with pytest.raises(ValueError, match='evil.pth'):
        _load_checkpoint(str(f))  # MMEngine's path: load_from, Pretrained


def test_missing_and_corrupt(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_checkpoint_safe(str(tmp_path / 'nope.pth'))
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint at all')
    with pytest.raises(ValueError, match='bad.pth'):
        load_checkpoint_safe(str(bad))
    trunc = tmp_path / 'trunc.pth'
    torch.save({'w': torch.randn(100)}, trunc)
    trunc.write_bytes(trunc.read_bytes()[:200])
    with pytest.raises(ValueError, match='trunc.pth'):
        load_checkpoint_safe(str(trunc))


def _run(args, cwd):
    env = dict(os.environ, PYTHONPATH=osp.join(ROOT, 'tests'))
    return subprocess.run([sys.executable] + args, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_train_then_resume(tmp_path):
    """tools/train.py trains 2 epochs; --resume continues to 3, with
    weights-only loading on torch >= 2.6."""
    cfg = cls_cfg(tmp_path / 'wd', dict(by_epoch=True, max_epochs=2),
                  val=False, log_level='INFO')
    cfg['param_scheduler'] = dict(type='StepLR', step_size=1, gamma=0.5,
                                  end=10)
    cfg_file = tmp_path / 'toy_cfg.py'
    Config(cfg).dump(str(cfg_file))
    train = [osp.join(ROOT, 'tools', 'train.py'), str(cfg_file)]
    r = _run(train, tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    ckpt2 = tmp_path / 'wd' / 'epoch_2.pth'
    assert ckpt2.exists()
    plain = torch.load(ckpt2, weights_only=True)  # no pickled objects
    assert plain['meta']['epoch'] == 2
    assert abs(plain['optimizer']['param_groups'][0]['lr'] - 0.0125) < 1e-9
    r = _run(train + ['--resume', '--cfg-options', 'train_cfg.max_epochs=3'],
             tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'resumed epoch: 2' in r.stdout + r.stderr
    ckpt3 = torch.load(tmp_path / 'wd' / 'epoch_3.pth', weights_only=True)
    assert ckpt3['meta']['epoch'] == 3 and ckpt3['meta']['iter'] == 18
    # the LR schedule continued from the checkpoint: 0.05 * 0.5**3
    lr = ckpt3['optimizer']['param_groups'][0]['lr']
    assert abs(lr - 0.00625) < 1e-9
    # the message hub came back as HistoryBuffers (loss history kept)
    assert ckpt3['message_hub']['log_scalars']['train/loss']['count']


def test_history_buffer_round_trip():
    from mmengine.logging import HistoryBuffer
    import numpy as np
    from rsbnet_mm.utils.checkpoint import from_plain, to_plain
    buf = HistoryBuffer()
    for v in (1.0, 2.0, 3.5):
        buf.update(v)
    obj = dict(a=buf, b=np.float64(2.5), c=[np.int64(3)], d=np.arange(3))
    plain = to_plain(obj)
    torch.save(plain, '/dev/null')  # picklable
    assert pickle.loads(pickle.dumps(plain)) == plain
    back = from_plain(plain)
    assert back['a'].mean() == buf.mean() and back['a'].current() == 3.5
    assert back['b'] == 2.5 and back['c'] == [3]
    assert (back['d'] == np.arange(3)).all()


def test_url_checkpoints_load_weights_only(tmp_path, monkeypatch):
    """http(s) and the schemes built on it (open-mmlab://, torchvision://)
    load with weights_only=True too (torch.hub's default is False)."""
    import torch.hub
    from mmengine.runner.checkpoint import CheckpointLoader
    seen = {}

    def fake_download(url, dst, hash_prefix=None, progress=True):
        seen['url'] = url
        torch.save(dict(state_dict={'w': torch.ones(1)}, payload=Evil()),
                   dst)

    monkeypatch.setattr(torch.hub, 'download_url_to_file', fake_download)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    with pytest.raises(ValueError, match='refusing to load'):
        CheckpointLoader.load_checkpoint('https://example.invalid/evil.pth')
    assert seen['url'] == 'https://example.invalid/evil.pth'
    with pytest.raises(ValueError, match='refusing to load'):
        CheckpointLoader.load_checkpoint('torchvision://resnet18')


def test_tools_test_on_a_supernet_tests_its_subnets(tmp_path):
    """tools/test.py on a supernet config reports the largest, smallest and
    random subnets, each after BN recalibration (SubnetTestLoop), not the
    supernet with its mixed running statistics."""
    cfg = cls_cfg(tmp_path / 'wd', dict(by_epoch=True, max_epochs=1),
                  val=True, log_level='INFO')
    cfg.update(test_dataloader=cfg['val_dataloader'],
               test_evaluator=cfg['val_evaluator'], test_cfg=dict())
    cfg_file = tmp_path / 'toy_cfg.py'
    Config(cfg).dump(str(cfg_file))
    r = _run([osp.join(ROOT, 'tools', 'train.py'), str(cfg_file)], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    r = _run([osp.join(ROOT, 'tools', 'test.py'), str(cfg_file),
              str(tmp_path / 'wd' / 'epoch_1.pth')], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout + r.stderr
    for tag in ('max', 'min', 'rand0'):
        assert f'{tag}/accuracy/top1' in out
