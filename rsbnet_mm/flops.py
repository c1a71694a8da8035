"""Analytic FLOPs and parameter counts of an architecture: no model, no
forward pass.

Convention of MMEngine's ``get_model_complexity_info`` (eval mode):
a convolution counts its multiply-adds (``prod(weight.shape) * H_out *
W_out``, bias ignored), a BatchNorm ``2 * numel`` of its input, activations,
the SE pooling and gating, and residual additions nothing. The backbone
counted is the one built with default arguments: stem through the 1x1 conv
to ``head_channels``.
"""
from functools import lru_cache
from typing import Dict, Optional, Sequence, Tuple, Union

from .space import Arch, SearchSpace, hidden_channels

ArchLike = Union[str, Arch, Sequence]
_DEFAULT_SPACE = SearchSpace()


def _out(size: int, stride: int) -> int:
    # 'same' padding of an odd kernel: ceil(size / stride)
    return (size - 1) // stride + 1


def _conv_bn(c_in: int, c_out: int, k: int, groups: int, hw_out: int
             ) -> Tuple[int, int]:
    """(flops, params) of conv (no bias) + BN."""
    w = c_out * (c_in // groups) * k * k
    return w * hw_out + 2 * c_out * hw_out, w + 2 * c_out


def block_cost(c_in: int, c_out: int, hidden: int, k: int, hw_in: int,
               hw_out: int, se: bool = True, expand: bool = True
               ) -> Tuple[int, int]:
    """(flops, params) of one inverted residual (see ``blocks.py``)."""
    flops = params = 0
    if expand:
        f, p = _conv_bn(c_in, hidden, 1, 1, hw_in)
        flops, params = flops + f, params + p
    f, p = _conv_bn(hidden, hidden, k, hidden, hw_out)
    flops, params = flops + f, params + p
    if se:  # two 1x1 convs with bias on a 1x1 map; squeeze width = c_in
        flops += 2 * hidden * c_in
        params += 2 * hidden * c_in + c_in + hidden
    f, p = _conv_bn(hidden, c_out, 1, 1, hw_out)
    return flops + f, params + p


@lru_cache(maxsize=64)
def _tables(space: SearchSpace, input_size: Tuple[int, int],
            output_stride: int):
    """Fixed cost and, per layer, the cost of each (kernel, expansion)."""
    h, w = input_size
    h, w = _out(h, 2), _out(w, 2)
    flops, params = _conv_bn(space.in_channels, space.stem_channels, 3, 1,
                             h * w)
    f, p = block_cost(space.stem_channels, space.first_channels,
                      space.stem_channels, 3, h * w, h * w, se=False,
                      expand=False)
    fixed_flops, fixed_params = flops + f, params + p
    layer_flops: list = []
    layer_params: list = []
    for spec, (s, _) in zip(space.layers,
                            space.strides_dilations(output_stride)):
        ho, wo = _out(h, s), _out(w, s)
        lf: Dict[Tuple[int, float], int] = {}
        lp: Dict[Tuple[int, float], int] = {}
        for k in space.kernel_choices:
            for e in space.expand_choices:
                lf[(k, e)], lp[(k, e)] = block_cost(
                    spec.in_channels, spec.out_channels,
                    hidden_channels(spec.in_channels, e), k, h * w, ho * wo)
        layer_flops.append(lf)
        layer_params.append(lp)
        h, w = ho, wo
    if space.head_channels:
        f, p = _conv_bn(space.stages[-1][0], space.head_channels, 1, 1, h * w)
        fixed_flops, fixed_params = fixed_flops + f, fixed_params + p
    return fixed_flops, fixed_params, layer_flops, layer_params


def _as_size(input_size) -> Tuple[int, int]:
    if isinstance(input_size, int):
        return (input_size, input_size)
    h, w = input_size[-2:]
    return (int(h), int(w))


def count_flops(arch: ArchLike,
                input_size: Union[int, Sequence[int]] = (224, 224),
                space: Optional[SearchSpace] = None,
                output_stride: int = 32) -> int:
    """Multiply-adds of the backbone of ``arch`` on one ``input_size`` image.

    ``arch`` that is already an :class:`Arch` is taken as valid for
    ``space`` (no re-parse: the counter is on the search's hot path).
    """
    space = space or _DEFAULT_SPACE
    if not isinstance(arch, Arch):
        arch = space.parse(arch)
    fixed, _, table, _ = _tables(space, _as_size(input_size), output_stride)
    return fixed + sum(t[c] for t, c in zip(table, arch))


def count_params(arch: ArchLike, space: Optional[SearchSpace] = None) -> int:
    """Parameters of the backbone of ``arch`` (BN affine included)."""
    space = space or _DEFAULT_SPACE
    if not isinstance(arch, Arch):
        arch = space.parse(arch)
    _, fixed, _, table = _tables(space, (224, 224), 32)
    return fixed + sum(t[c] for t, c in zip(table, arch))


def flops_range(space: Optional[SearchSpace] = None,
                input_size: Union[int, Sequence[int]] = (224, 224)
                ) -> Tuple[int, int]:
    """Smallest and largest FLOPs of any architecture of the space."""
    fixed, _, table, _ = _tables(space or _DEFAULT_SPACE,
                                 _as_size(input_size), 32)
    return _range(fixed, table)


def params_range(space: Optional[SearchSpace] = None) -> Tuple[int, int]:
    """Smallest and largest parameter count of any architecture."""
    _, fixed, _, table = _tables(space or _DEFAULT_SPACE, (224, 224), 32)
    return _range(fixed, table)


def _range(fixed: int, table: list) -> Tuple[int, int]:
    return (fixed + sum(min(t.values()) for t in table),
            fixed + sum(max(t.values()) for t in table))
