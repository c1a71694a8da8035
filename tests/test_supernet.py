import random

import pytest
import torch
from mmengine.analysis import get_model_complexity_info

from rsbnet_mm import SearchSpace, count_flops, count_params, flops_range
from rsbnet_mm.models import RSBNetSubNet, RSBNetSuperNet
from rsbnet_mm.registry import MODELS


def _archs(space, n=20, seed=0):
    rng = random.Random(seed)
    return [space.max_arch(), space.min_arch()] + [
        space.sample(rng) for _ in range(n)
    ]


@pytest.fixture(scope='module')
def supernets():
    torch.manual_seed(0)
    nets = {}
    for os_ in (32, 16, 8):
        net = RSBNetSuperNet(out_indices=(0, 1, 2, 3, 4, 5, 6, 7),
                             output_stride=os_)
        if os_ != 32:  # same weights at every output stride
            net.load_state_dict(nets[32].state_dict())
        else:
            net.init_weights()
            # non-trivial BN statistics and affine parameters
            for m in net.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-.1, .1)
                    m.running_var.uniform_(.5, 1.5)
                    m.weight.data.uniform_(.5, 1.5)
                    m.bias.data.uniform_(-.1, .1)
        nets[os_] = net.eval()
    return nets


@pytest.mark.parametrize('output_stride', [32, 16, 8])
def test_export_equals_supernet(supernets, output_stride):
    net = supernets[output_stride]
    x = torch.randn(2, 3, 64, 64)
    for arch in _archs(net.space):
        net.set_arch(arch)
        sub = net.export().eval()
        with torch.no_grad():
            ys, yb = net(x), sub(x)
        assert len(ys) == len(yb) == 8
        for a, b in zip(ys, yb):
            assert a.shape == b.shape
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
        # the subnet holds only its own weights
        assert sum(p.numel() for p in sub.parameters()) == count_params(
            arch, net.space)


def test_output_stride_shapes(supernets):
    x = torch.randn(1, 3, 64, 64)
    expect = {32: [32, 16, 8, 4, 4, 2, 2, 2], 16: [32, 16, 8, 4, 4, 4, 4, 4],
              8: [32, 16, 8, 8, 8, 8, 8, 8]}
    for os_, sizes in expect.items():
        net = supernets[os_]
        net.set_max()
        with torch.no_grad():
            outs = net(x)
        assert [o.shape[-1] for o in outs] == sizes
        assert [o.shape[1] for o in outs] == [16, 24, 40, 80, 112, 192, 320,
                                              1280]


def test_flops_params_agree_with_mmengine(supernets):
    net = supernets[32]
    net_default = RSBNetSuperNet()
    for arch in _archs(net.space):
        net_default.set_arch(arch)
        sub = net_default.export().eval()
        info = get_model_complexity_info(
            sub, input_shape=(3, 224, 224), show_table=False,
            show_arch=False)
        assert abs(count_flops(arch) - info['flops']) <= 0.01 * info['flops']
        assert abs(count_params(arch) - info['params']) <= 0.01 * info[
            'params']


def test_flops_monotonic_and_range():
    space = SearchSpace()
    lo, hi = flops_range(space)
    assert lo == count_flops(space.min_arch())
    assert hi == count_flops(space.max_arch())
    arch = space.sample(0)
    wider = arch.with_expansion([min(e + 0.5, 6.0) for e in arch.expansions])
    assert count_flops(wider) > count_flops(arch)
    assert count_flops(arch, (112, 112)) < count_flops(arch)


def test_narrow_path_really_smaller():
    """Elastic width slices weights (no masking): the activations of a
    narrow path have fewer channels."""
    net = RSBNetSuperNet(search_space=dict(
        stages=[(8, 2, 2, 'ReLU')], head_channels=0))
    seen = []
    blk = net.layers[0].candidates['k3']
    hook = blk.dw_bn.register_forward_hook(
        lambda m, i, o: seen.append(o.shape[1]))
    net.set_arch('k3e2-k3e2')
    net(torch.randn(1, 3, 16, 16))
    net.set_arch('k3e6-k3e6')
    net(torch.randn(1, 3, 16, 16))
    hook.remove()
    assert seen == [32, 96]


def test_subnet_from_config_loads_export(tmp_path):
    space = SearchSpace()
    arch = space.sample(5)
    net = RSBNetSuperNet(out_indices=(2, 4))
    net.init_weights()
    sub = net.export(arch)
    cfg = dict(type='rsbnet_mm.RSBNetSubNet', arch=str(arch),
               out_indices=(2, 4))
    built = MODELS.build(cfg)
    missing = built.load_state_dict(sub.state_dict(), strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys
    x = torch.randn(1, 3, 64, 64)
    built.eval(), sub.eval()
    for a, b in zip(built(x), sub(x)):
        torch.testing.assert_close(a, b)
    # an arch file works too
    f = tmp_path / 'arch.yaml'
    f.write_text('arch: ' + str(arch.to_list()))
    assert MODELS.build(dict(type='rsbnet_mm.RSBNetSubNet',
                             arch=str(f))).arch == arch


def test_backbone_contract():
    net = RSBNetSuperNet(out_indices=(1, 7), frozen_stages=2, norm_eval=True)
    net.train()
    assert not any(p.requires_grad for p in net.stem.parameters())
    assert not any(p.requires_grad for p in net.first_block.parameters())
    assert not any(p.requires_grad for p in net.layers[0].parameters())
    assert all(p.requires_grad for p in net.layers[4].parameters())
    assert not net.layers[5].candidates['k3'].dw_bn.training  # norm_eval
    assert net.out_channels == (24, 1280)
    # no head conv unless its output is asked for (no unused parameters)
    assert RSBNetSuperNet(out_indices=(1, 6)).head_conv is None
    with pytest.raises(ValueError, match='out_indices.*got 9'):
        RSBNetSuperNet(out_indices=(9, ))
    with pytest.raises(ValueError, match='frozen_stages.*got 12'):
        RSBNetSuperNet(frozen_stages=12)
    with pytest.raises(ValueError, match='output_stride.*got 4'):
        RSBNetSuperNet(output_stride=4)
    with pytest.raises(ValueError, match='layer 0: kernel 7'):
        RSBNetSuperNet().set_arch('k7e6-' + 'k3e6-' * 19 + 'k3e6')
    with pytest.raises(ValueError, match="norm_cfg"):
        RSBNetSuperNet(norm_cfg=dict(type='GN', num_groups=2))


def test_sample_arch_generators():
    net = RSBNetSuperNet(search_space=dict(stages=[(8, 3, 2, 'ReLU')],
                                           head_channels=0))
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert net.sample_arch(g1) == net.sample_arch(g2)
    assert set(net.sample_arch(0, max_width=True).expansions) == {6.0}
    assert net.set_min() == net.min_arch()


def test_export_tool_dense_supernet(tmp_path):
    """A segmentation / detection supernet (no 1x1 head conv) exports."""
    import subprocess
    import sys
    import os.path as osp
    net = RSBNetSuperNet(out_indices=(1, 2, 4, 6), output_stride=16)
    net.init_weights()
    ckpt = tmp_path / 'dense.pth'
    torch.save(dict(state_dict={f'backbone.{k}': v
                                for k, v in net.state_dict().items()}), ckpt)
    arch = net.space.sample(3)
    out = tmp_path / 'sub.pth'
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    r = subprocess.run([sys.executable, osp.join(root, 'tools',
                                                 'export_subnet.py'),
                        str(ckpt), str(arch), '-o', str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "type='rsbnet_mm.RSBNetSubNet'" in r.stdout or \
        "'type': 'rsbnet_mm.RSBNetSubNet'" in r.stdout
    sd = torch.load(out, weights_only=True)['state_dict']
    sub = RSBNetSubNet(arch=arch, out_indices=(1, 2, 4, 6),
                       output_stride=16)
    sub.load_state_dict({k[len('backbone.'):]: v for k, v in sd.items()})
    x = torch.randn(1, 3, 64, 64)
    net.set_arch(arch)
    net.eval(), sub.eval()
    for a, b in zip(net(x), sub(x)):
        torch.testing.assert_close(a, b)
