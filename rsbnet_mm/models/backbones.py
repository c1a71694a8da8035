"""RSBNetSuperNet (every candidate) and RSBNetSubNet (one static path)."""
import random
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..registry import MODELS
from ..space import Arch, SearchSpace, hidden_channels
from .blocks import (ConvBNAct, ElasticInvertedResidual, InvertedResidual,
                     slice_state_dict)

ArchLike = Union[str, Arch, Sequence]
#: mmpretrain MobileNetV2's initialisation
DEFAULT_INIT_CFG = (dict(type='Kaiming', layer=['Conv2d']),
                    dict(type='Constant', val=1, layer=['_BatchNorm']))


class _RSBNetBackbone(BaseModule):
    """What the supernet and the subnet share: the fixed stem, first block
    and 1x1 head conv, and the mmpretrain backbone contract.

    Stages for ``out_indices`` / ``frozen_stages``: 0 is the fixed first
    block (stride 2, 16 channels), 1..6 the searchable stages of Table 1
    (strides 4, 8, 16, 16, 32, 32; 24, 40, 80, 112, 192, 320 channels), 7 the
    1x1 conv to 1280 channels. ``frozen_stages=0`` freezes the stem alone,
    ``n`` the stem and stages ``0..n-1``.
    """

    def __init__(self,
                 search_space: Union[None, dict, SearchSpace] = None,
                 out_indices: Optional[Sequence[int]] = None,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 output_stride: int = 32,
                 norm_cfg: dict = dict(type='BN'),
                 zero_init_residual: bool = True,
                 init_cfg=DEFAULT_INIT_CFG):
        self.zero_init_residual = zero_init_residual
        super().__init__(
            init_cfg=list(init_cfg) if isinstance(init_cfg, tuple) else
            init_cfg)
        self.space = SearchSpace.from_cfg(search_space)
        sp = self.space
        self.stage_channels = (sp.first_channels, ) + tuple(
            s[0] for s in sp.stages) + ((sp.head_channels, )
                                        if sp.head_channels else ())
        n_stages = len(self.stage_channels)
        if out_indices is None:
            out_indices = (n_stages - 1, )
        if isinstance(out_indices, int):
            out_indices = (out_indices, )
        for i in out_indices:
            if not 0 <= i < n_stages:
                raise ValueError(f'out_indices must be in range(0, {n_stages})'
                                 f', got {i}')
        if list(out_indices) != sorted(set(out_indices)):
            raise ValueError('out_indices must be increasing without '
                             f'repeats (features come in stage order), got '
                             f'{tuple(out_indices)}')
        if frozen_stages not in range(-1, n_stages + 1):
            raise ValueError(f'frozen_stages must be in range(-1, '
                             f'{n_stages + 1}), got {frozen_stages}')
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.output_stride = output_stride
        self.norm_cfg = norm_cfg
        self.geometry = sp.strides_dilations(output_stride)
        # searchable stage s ends at layer ends[s-1]
        self._stage_of_end = {
            end: s
            for s, end in enumerate(sp.stage_ends(), 1)
        }

        self.stem = ConvBNAct(sp.in_channels, sp.stem_channels, 3, 2, 'ReLU',
                              norm_cfg)
        self.first_block = InvertedResidual(
            sp.stem_channels, sp.first_channels, sp.stem_channels, 3, 1, 1,
            'ReLU', se=False, expand=False, norm_cfg=norm_cfg)
        self.layers = nn.ModuleList(self._build_layers())
        # the 1x1 conv to head_channels only when its output is asked for:
        # otherwise its parameters would get no gradient (DDP would fail)
        head_idx = len(self.stage_channels) - 1
        self.head_conv = ConvBNAct(
            sp.stages[-1][0], sp.head_channels, 1, 1, 'Swish', norm_cfg
        ) if sp.head_channels and head_idx in self.out_indices else None

    def _build_layers(self):
        raise NotImplementedError

    def init_weights(self) -> None:
        super().init_weights()
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [
            self.init_cfg
        ]
        pretrained = any(
            isinstance(c, dict) and c.get('type') == 'Pretrained'
            for c in cfgs)
        if self.zero_init_residual and not pretrained:
            # residual blocks start as identities: a deep supernet trained
            # from scratch learns much faster (as mmpretrain's ResNet)
            for m in self.modules():
                if isinstance(m, InvertedResidual) and m.use_res:
                    nn.init.zeros_(m.project_bn.weight)

    @property
    def out_channels(self) -> Tuple[int, ...]:
        """Channels of the returned feature maps, in order."""
        return tuple(self.stage_channels[i] for i in self.out_indices)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self.first_block(self.stem(x))
        outs = [x] if 0 in self.out_indices else []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if self._stage_of_end.get(i, -1) in self.out_indices:
                outs.append(x)
        if self.head_conv is not None:
            outs.append(self.head_conv(x))
        return tuple(outs)

    def _stage_modules(self, stage: int):
        if stage == 0:
            return [self.first_block]
        if stage <= len(self.space.stages):
            return [
                self.layers[spec.index] for spec in self.space.layers
                if spec.stage == stage
            ]
        return [self.head_conv] if self.head_conv is not None else []

    def _freeze_stages(self):
        if self.frozen_stages < 0:
            return
        modules = [self.stem]
        for s in range(self.frozen_stages):
            modules += self._stage_modules(s)
        for m in modules:
            m.eval()
            for p in m.parameters():
                p.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self


def supernet_key(key: str, arch: Arch, prefix: str = '') -> str:
    """The supernet state-dict key that a subnet key of ``arch`` is cut
    from: ``layers.<i>.<rest>`` lives in the chosen kernel's candidate."""
    if key.startswith('layers.'):
        _, idx, rest = key.split('.', 2)
        key = f'layers.{idx}.candidates.k{arch[int(idx)][0]}.{rest}'
    return prefix + key


class RSBNetChoiceLayer(nn.Module):
    """One searchable layer: a candidate block per kernel size, each with
    its own full-width weights; the active one runs at the active width."""

    def __init__(self, in_ch: int, out_ch: int, max_hidden: int,
                 kernels: Sequence[int], stride: int, dilation: int,
                 act: str):
        super().__init__()
        self.in_ch = in_ch
        self.candidates = nn.ModuleDict({
            f'k{k}': ElasticInvertedResidual(in_ch, out_ch, max_hidden, k,
                                             stride, dilation, act)
            for k in kernels
        })
        self.kernel = max(kernels)

    def set_choice(self, kernel: int, expansion: float) -> None:
        block = self.candidates[f'k{kernel}']
        block.hidden = hidden_channels(self.in_ch, expansion)
        self.kernel = kernel

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.candidates[f'k{self.kernel}'](x)


@MODELS.register_module()
class RSBNetSuperNet(_RSBNetBackbone):
    """The RSBNet supernet: every candidate block of SPEC §2.

    21 searchable MobileNetV2 inverted residual layers with SE; each holds a
    k=3 and a k=5 candidate with separate weights, and runs at any expansion
    in 2..6 (step 0.5) by slicing its full-width (e=6) weights. Choose a path
    with :meth:`set_arch`; :meth:`export` copies it into a plain
    :class:`RSBNetSubNet`.

    Args:
        search_space: a :class:`~rsbnet_mm.SearchSpace` or its kwargs
            (per-stage table, kernel and expansion choices); Table 1 by
            default.
        arch: the initial path (default: the largest).
        out_indices: stages whose features are returned (see
            :class:`_RSBNetBackbone`); default the last stage.
        frozen_stages: stages whose parameters are frozen; -1 for none.
        norm_eval: keep BN layers in eval mode while training.
        output_stride: 32, or 16 / 8 to turn the last strides into
            dilations (dense features for segmentation).
        zero_init_residual: zero the last BN weight of residual blocks at
            initialisation (each starts as an identity).
        init_cfg: MMEngine initialisation config.
    """

    def __init__(self,
                 search_space: Union[None, dict, SearchSpace] = None,
                 arch: Optional[ArchLike] = None,
                 out_indices: Optional[Sequence[int]] = None,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 output_stride: int = 32,
                 norm_cfg: dict = dict(type='BN'),
                 zero_init_residual: bool = True,
                 init_cfg=DEFAULT_INIT_CFG):
        if norm_cfg.get('type') != 'BN':
            raise ValueError(
                'RSBNetSuperNet slices its BatchNorm layers per width and '
                f"supports norm_cfg=dict(type='BN') only, got {norm_cfg!r}; "
                'use SyncBN in the exported RSBNetSubNet')
        super().__init__(search_space, out_indices, frozen_stages, norm_eval,
                         output_stride, norm_cfg, zero_init_residual,
                         init_cfg)
        self.set_arch(self.space.max_arch() if arch is None else arch)

    def _build_layers(self):
        sp = self.space
        return [
            RSBNetChoiceLayer(spec.in_channels, spec.out_channels,
                              sp.max_hidden(spec), sp.kernel_choices, s, d,
                              spec.act)
            for spec, (s, d) in zip(sp.layers, self.geometry)
        ]

    # ---- path control ---------------------------------------------------
    @property
    def arch(self) -> Arch:
        """The active path."""
        return self._arch

    def set_arch(self, arch: ArchLike) -> Arch:
        """Activate a path (text, file, list or :class:`Arch`)."""
        arch = self.space.parse(arch)
        for layer, (k, e) in zip(self.layers, arch):
            layer.set_choice(k, e)
        self._arch = arch
        return arch

    def sample_arch(self,
                    generator: Union[None, int, random.Random,
                                     torch.Generator] = None,
                    max_width: bool = False) -> Arch:
        """A uniformly random path (not activated).

        Args:
            generator: a ``torch.Generator``, ``random.Random`` or seed.
            max_width: fix every expansion at its maximum (pretraining).
        """
        if isinstance(generator, torch.Generator):
            g = generator
            generator = lambda n: int(torch.randint(n, (1, ), generator=g))
        return self.space.sample(generator, max_width=max_width)

    def max_arch(self) -> Arch:
        return self.space.max_arch()

    def min_arch(self) -> Arch:
        return self.space.min_arch()

    def set_max(self) -> Arch:
        return self.set_arch(self.max_arch())

    def set_min(self) -> Arch:
        return self.set_arch(self.min_arch())

    def export(self, arch: Optional[ArchLike] = None,
               **kwargs) -> 'RSBNetSubNet':
        """A plain :class:`RSBNetSubNet` of one path with its weights copied.

        Args:
            arch: the path; the active one if None.
            kwargs: override the subnet's backbone arguments (e.g.
                ``norm_cfg`` or ``out_indices``).
        """
        arch = self.arch if arch is None else self.space.parse(arch)
        cfg = dict(
            arch=arch,
            search_space=self.space,
            out_indices=self.out_indices,
            frozen_stages=self.frozen_stages,
            norm_eval=self.norm_eval,
            output_stride=self.output_stride,
            init_cfg=None)
        cfg.update(kwargs)
        subnet = RSBNetSubNet(**cfg)
        subnet.load_state_dict(self.export_state_dict(arch, subnet))
        subnet.train(self.training)
        return subnet

    def export_state_dict(self, arch: ArchLike,
                          subnet: Optional['RSBNetSubNet'] = None) -> dict:
        """The weights of one path, keyed as an :class:`RSBNetSubNet`'s."""
        arch = self.space.parse(arch)
        if subnet is None:
            subnet = RSBNetSubNet(
                arch=arch, search_space=self.space, init_cfg=None)

        return slice_state_dict(self.state_dict(), subnet.state_dict(),
                                lambda key: supernet_key(key, arch))


@MODELS.register_module()
class RSBNetSubNet(_RSBNetBackbone):
    """A static RSBNet backbone: one path of the search space, plain modules.

    What a user retrains and deploys; the weights that
    :meth:`RSBNetSuperNet.export` produces load into one built from a
    config with the same ``arch``.

    Args:
        arch: the architecture: canonical text (``k3e6-k5e2.5-...``), the
            path of a YAML/JSON architecture file, or a list.
        norm_cfg: any mmcv norm (e.g. ``dict(type='SyncBN')`` for
            distributed retraining).
        Other arguments as :class:`RSBNetSuperNet`.
    """

    def __init__(self,
                 arch: ArchLike,
                 search_space: Union[None, dict, SearchSpace] = None,
                 out_indices: Optional[Sequence[int]] = None,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 output_stride: int = 32,
                 norm_cfg: dict = dict(type='BN'),
                 zero_init_residual: bool = True,
                 init_cfg=DEFAULT_INIT_CFG):
        self.arch = SearchSpace.from_cfg(search_space).parse(arch)
        super().__init__(search_space, out_indices, frozen_stages, norm_eval,
                         output_stride, norm_cfg, zero_init_residual,
                         init_cfg)

    def _build_layers(self):
        return [
            InvertedResidual(
                spec.in_channels, spec.out_channels,
                hidden_channels(spec.in_channels, e), k, s, d, spec.act,
                norm_cfg=self.norm_cfg)
            for spec, (k, e), (s, d) in zip(self.space.layers, self.arch,
                                            self.geometry)
        ]
