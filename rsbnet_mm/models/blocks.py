"""Building blocks: MobileNetV2 inverted residual with SE, static and elastic.

Static and elastic blocks use the same attribute names, so the state dict of
an exported block is the elastic one's, each tensor cut to its leading
channels (see :func:`slice_state_dict`).
"""
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer

ACTS = {'ReLU': nn.ReLU, 'Swish': nn.SiLU}


def make_act(name: str) -> nn.Module:
    if name not in ACTS:
        raise ValueError(f'act must be one of {sorted(ACTS)}, got {name!r}')
    return ACTS[name](inplace=True)


def make_norm(norm_cfg: dict, channels: int) -> nn.Module:
    return build_norm_layer(norm_cfg, channels)[1]


class ConvBNAct(nn.Sequential):
    """conv -> norm -> (act); the stem and the final 1x1 conv."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int,
                 act: Optional[str], norm_cfg: dict):
        layers = [
            nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2, bias=False),
            make_norm(norm_cfg, out_ch)
        ]
        if act:
            layers.append(make_act(act))
        super().__init__(*layers)


class SqueezeExcite(nn.Module):
    """SE with a fixed squeeze width (the block's input channels).

    The paper sets the SE expansion ratio to 1: the hidden width equals the
    block input width, so it does not change with the elastic expansion.
    """

    def __init__(self, channels: int, squeeze: int):
        super().__init__()
        self.conv_reduce = nn.Conv2d(channels, squeeze, 1, bias=True)
        self.conv_expand = nn.Conv2d(squeeze, channels, 1, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        s = x.mean((2, 3), keepdim=True)
        s = F.relu(F.conv2d(s, self.conv_reduce.weight[:, :c],
                            self.conv_reduce.bias), inplace=True)
        s = F.conv2d(s, self.conv_expand.weight[:c],
                     self.conv_expand.bias[:c])
        return x * s.sigmoid()


class InvertedResidual(nn.Module):
    """expand 1x1 -> BN -> act -> kxk depthwise -> BN -> act -> SE ->
    project 1x1 -> BN (-> + x when stride 1 and C_in == C_out).

    With ``hidden == in_ch`` and ``expand=False`` the expand conv is dropped
    (MobileNetV2's first block). This is the static block of a subnet, and
    the full-width block inside a supernet layer.
    """

    def __init__(self,
                 in_ch: int,
                 out_ch: int,
                 hidden: int,
                 kernel: int,
                 stride: int = 1,
                 dilation: int = 1,
                 act: str = 'ReLU',
                 se: bool = True,
                 expand: bool = True,
                 norm_cfg: dict = dict(type='BN')):
        super().__init__()
        self.in_ch, self.out_ch, self.kernel = in_ch, out_ch, kernel
        self.stride, self.dilation = stride, dilation
        self.use_res = stride == 1 and in_ch == out_ch
        if expand:
            self.expand_conv = nn.Conv2d(in_ch, hidden, 1, bias=False)
            self.expand_bn = make_norm(norm_cfg, hidden)
        else:
            if hidden != in_ch:
                raise ValueError('a block without expand conv needs '
                                 f'hidden == in_ch, got {hidden} != {in_ch}')
            self.expand_conv = None
        self.dw_conv = nn.Conv2d(
            hidden, hidden, kernel, stride,
            padding=dilation * (kernel - 1) // 2, dilation=dilation,
            groups=hidden, bias=False)
        self.dw_bn = make_norm(norm_cfg, hidden)
        self.act = make_act(act)
        self.se = SqueezeExcite(hidden, in_ch) if se else None
        self.project_conv = nn.Conv2d(hidden, out_ch, 1, bias=False)
        self.project_bn = make_norm(norm_cfg, out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        if self.expand_conv is not None:
            x = self.act(self.expand_bn(self.expand_conv(x)))
        x = self.act(self.dw_bn(self.dw_conv(x)))
        if self.se is not None:
            x = self.se(x)
        x = self.project_bn(self.project_conv(x))
        return x + shortcut if self.use_res else x


class ElasticBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm whose width follows its input: weights, bias and running
    statistics are the first ``C`` entries (views, so running statistics of
    a narrow path update the shared buffers in place)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        if c == self.num_features:
            return super().forward(x)
        self._check_input_dim(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            x, self.running_mean[:c] if track else None,
            self.running_var[:c] if track else None,
            self.weight[:c] if self.affine else None,
            self.bias[:c] if self.affine else None, use_batch, factor,
            self.eps)


class ElasticInvertedResidual(InvertedResidual):
    """An inverted residual at full width (``max_hidden``) that runs at any
    ``hidden <= max_hidden`` by slicing its weights: a narrow path computes
    only its channels, so it really costs less."""

    def __init__(self, in_ch: int, out_ch: int, max_hidden: int, kernel: int,
                 stride: int = 1, dilation: int = 1, act: str = 'ReLU'):
        super().__init__(in_ch, out_ch, max_hidden, kernel, stride, dilation,
                         act, se=True, expand=True,
                         norm_cfg=dict(type='BN'))
        # swap in elastic norms (same parameter names and shapes)
        for name in ('expand_bn', 'dw_bn'):
            setattr(self, name, ElasticBatchNorm2d(max_hidden))
        self.max_hidden = max_hidden
        self.hidden = max_hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, c_in = self.hidden, x.shape[1]
        if h == self.max_hidden:
            return super().forward(x)
        shortcut = x
        x = F.conv2d(x, self.expand_conv.weight[:h, :c_in])
        x = self.act(self.expand_bn(x))
        dw = self.dw_conv
        x = F.conv2d(x, dw.weight[:h], None, dw.stride, dw.padding,
                     dw.dilation, h)
        x = self.act(self.dw_bn(x))
        x = self.se(x)
        x = F.conv2d(x, self.project_conv.weight[:, :h])
        x = self.project_bn(x)
        return x + shortcut if self.use_res else x


def slice_state_dict(source: Dict[str, torch.Tensor],
                     target: Dict[str, torch.Tensor],
                     key_map) -> Dict[str, torch.Tensor]:
    """Cut each ``source[key_map(k)]`` to the shape of ``target[k]``.

    Elastic width always keeps the *leading* channels, so every tensor of a
    subnet is the top-left corner of its supernet tensor.
    """
    out = {}
    for k, t in target.items():
        src = source[key_map(k)]
        if src.dim() != t.dim():
            raise ValueError(f'cannot slice {key_map(k)} {tuple(src.shape)} '
                             f'to {k} {tuple(t.shape)}')
        out[k] = src[tuple(slice(0, n) for n in t.shape)].clone()
    return out
