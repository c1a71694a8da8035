"""The RSBNet search space (SPEC §2, Table 1) and its architecture values.

Pure Python: no torch, so the search algorithm and the analytic FLOPs counter
use it without building a model.

An architecture (:class:`Arch`) is one ``(kernel, expansion)`` choice per
searchable layer. Its text form is one token per layer, ``k<kernel>e<exp>``,
joined by ``-``, in layer order, e.g. ``k3e6-k5e2.5-...``.
"""
import json
import os.path as osp
import random
import re
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

#: Searchable stages of Table 1: [out_channels, num_layers, stride, act].
DEFAULT_STAGES = (
    (24, 4, 2, 'ReLU'),
    (40, 4, 2, 'Swish'),
    (80, 4, 2, 'Swish'),
    (112, 4, 1, 'Swish'),
    (192, 4, 2, 'Swish'),
    (320, 1, 1, 'Swish'),
)
DEFAULT_KERNELS = (3, 5)
DEFAULT_EXPANSIONS = tuple(2.0 + 0.5 * i for i in range(9))  # 2.0 .. 6.0

_TOKEN = re.compile(r'^k(\d+)e(\d+(?:\.\d+)?)$')


def _fmt_exp(e: float) -> str:
    return str(int(e)) if float(e).is_integer() else str(e)


def hidden_channels(in_channels: int, expansion: float) -> int:
    """Width of an inverted residual's expanded layer: ``round(C_in * e)``.

    Rounds half up (2.5 -> 3), not half to even, so the width is monotonic in
    ``e`` and independent of Python's banker's rounding.
    """
    return int(in_channels * expansion + 0.5)


@dataclass(frozen=True)
class LayerSpec:
    """One searchable layer: where it sits and what it maps."""
    index: int
    stage: int  # 1-based index of its searchable stage (stage 0 is fixed)
    in_channels: int
    out_channels: int
    stride: int
    act: str


class Arch(tuple):
    """An architecture: a tuple of ``(kernel, expansion)`` pairs, one a layer.

    ``str(arch)`` is the canonical text form; hashable, so usable as a key.
    Build one with :meth:`SearchSpace.parse` / :func:`parse_arch`, which
    validate it against a space.
    """

    def __new__(cls, layers: Iterable[Tuple[int, float]]):
        return super().__new__(
            cls, tuple((int(k), float(e)) for k, e in layers))

    def __str__(self) -> str:
        return '-'.join(f'k{k}e{_fmt_exp(e)}' for k, e in self)

    def __repr__(self) -> str:
        return f"Arch('{self}')"

    @property
    def kernels(self) -> Tuple[int, ...]:
        return tuple(k for k, _ in self)

    @property
    def expansions(self) -> Tuple[float, ...]:
        return tuple(e for _, e in self)

    def with_expansion(self, expansion: Union[float, Sequence[float]]):
        """The same kernels with one expansion for all layers, or a list."""
        if isinstance(expansion, (int, float)):
            expansion = [expansion] * len(self)
        return Arch(zip(self.kernels, expansion))

    def to_list(self) -> List[str]:
        return str(self).split('-')


class SearchSpace:
    """The layers of the supernet and the choices of each searchable layer.

    Args:
        stages: per searchable stage ``(out_channels, num_layers, stride,
            act)``; the paper's Table 1 by default (21 layers).
        kernel_choices: depthwise kernel sizes of the candidate blocks.
        expand_choices: expansion ratios of elastic width.
        in_channels: image channels.
        stem_channels: output of the 3x3 stride-2 stem conv.
        first_channels: output of the fixed k3, e1 inverted residual.
        head_channels: output of the final 1x1 conv (0 to drop it).
    """

    def __init__(self,
                 stages: Sequence[Sequence] = DEFAULT_STAGES,
                 kernel_choices: Sequence[int] = DEFAULT_KERNELS,
                 expand_choices: Sequence[float] = DEFAULT_EXPANSIONS,
                 in_channels: int = 3,
                 stem_channels: int = 32,
                 first_channels: int = 16,
                 head_channels: int = 1280):
        if not stages:
            raise ValueError('stages must hold at least one stage, got '
                             f'{stages!r}')
        self.stages = tuple(tuple(s) for s in stages)
        for s in self.stages:
            if len(s) != 4 or s[3] not in ('ReLU', 'Swish') or s[1] < 1 \
                    or s[2] not in (1, 2):
                raise ValueError(
                    'each stage must be (out_channels, num_layers>=1, '
                    f"stride in {{1, 2}}, act in {{'ReLU', 'Swish'}}), got {s!r}")
        self.kernel_choices = tuple(sorted(int(k) for k in kernel_choices))
        if any(k % 2 == 0 or k < 1 for k in self.kernel_choices):
            raise ValueError('kernel choices must be odd and positive, got '
                             f'{kernel_choices!r}')
        self.expand_choices = tuple(sorted(float(e) for e in expand_choices))
        if not self.expand_choices or self.expand_choices[0] <= 0:
            raise ValueError('expansion choices must be positive, got '
                             f'{expand_choices!r}')
        self.in_channels = in_channels
        self.stem_channels = stem_channels
        self.first_channels = first_channels
        self.head_channels = head_channels

        layers, c_in = [], first_channels
        for stage_idx, (c_out, n, stride, act) in enumerate(self.stages, 1):
            for i in range(n):
                layers.append(
                    LayerSpec(len(layers), stage_idx, c_in, c_out,
                              stride if i == 0 else 1, act))
                c_in = c_out
        self.layers: Tuple[LayerSpec, ...] = tuple(layers)

    @classmethod
    def from_cfg(cls, cfg: Union[None, dict, 'SearchSpace']) -> 'SearchSpace':
        if cfg is None:
            return cls()
        if isinstance(cfg, SearchSpace):
            return cfg
        return cls(**cfg)

    def to_cfg(self) -> dict:
        return dict(
            stages=[list(s) for s in self.stages],
            kernel_choices=list(self.kernel_choices),
            expand_choices=list(self.expand_choices),
            in_channels=self.in_channels,
            stem_channels=self.stem_channels,
            first_channels=self.first_channels,
            head_channels=self.head_channels)

    def __eq__(self, other) -> bool:
        return isinstance(other, SearchSpace) and \
            self.to_cfg() == other.to_cfg()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_cfg(), sort_keys=True))

    def __repr__(self) -> str:
        return (f'SearchSpace({self.num_layers} layers, kernels '
                f'{self.kernel_choices}, expansions {self.expand_choices})')

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_stages(self) -> int:
        """Stages of the backbone: fixed block, searchable ones, 1x1 head."""
        return len(self.stages) + 2

    @property
    def size(self) -> int:
        """Number of architectures in the space."""
        return (len(self.kernel_choices) *
                len(self.expand_choices))**self.num_layers

    @property
    def max_expansion(self) -> float:
        return self.expand_choices[-1]

    @property
    def min_expansion(self) -> float:
        return self.expand_choices[0]

    def max_hidden(self, layer: LayerSpec) -> int:
        return hidden_channels(layer.in_channels, self.max_expansion)

    def strides_dilations(self, output_stride: int = 32
                          ) -> Tuple[Tuple[int, int], ...]:
        """(stride, dilation) of each searchable layer at an output stride.

        Strides that would take the features below ``1/output_stride`` become
        dilations of the following layers (DeepLab); the layer that drops its
        stride keeps the previous dilation.
        """
        if output_stride not in (8, 16, 32):
            raise ValueError(
                f'output_stride must be 8, 16 or 32, got {output_stride!r}')
        cur, dilation, out = 2, 1, []  # the stem has stride 2
        for layer in self.layers:
            s, d = layer.stride, dilation
            if s > 1 and cur * s > output_stride:
                dilation *= s
                s = 1
            cur *= s
            out.append((s, d))
        return tuple(out)

    def stage_ends(self) -> Tuple[int, ...]:
        """Index of the last layer of each searchable stage."""
        ends, total = [], 0
        for _, n, _, _ in self.stages:
            total += n
            ends.append(total - 1)
        return tuple(ends)

    # ---- architectures -------------------------------------------------
    def max_arch(self) -> Arch:
        """Largest kernel, largest expansion everywhere."""
        return Arch([(self.kernel_choices[-1], self.max_expansion)] *
                    self.num_layers)

    def min_arch(self) -> Arch:
        """Smallest kernel, smallest expansion everywhere."""
        return Arch([(self.kernel_choices[0], self.min_expansion)] *
                    self.num_layers)

    def sample(self,
               rng: Union[None, int, random.Random, Callable[[int], int]] = None,
               max_width: bool = False) -> Arch:
        """A uniformly random architecture.

        Args:
            rng: a seed, a :class:`random.Random`, or a function ``f(n)``
                returning an int in ``[0, n)`` (e.g. backed by a
                ``torch.Generator``). ``None`` uses the global ``random``.
            max_width: fix every expansion at its maximum (pretraining).
        """
        randbelow = _randbelow(rng)
        nk, ne = len(self.kernel_choices), len(self.expand_choices)
        layers = []
        for _ in self.layers:
            k = self.kernel_choices[randbelow(nk)]
            e = self.max_expansion if max_width else \
                self.expand_choices[randbelow(ne)]
            layers.append((k, e))
        return Arch(layers)

    def sample_distinct(self,
                        n: int,
                        rng: Union[None, int, random.Random,
                                   Callable[[int], int]] = None,
                        max_width: bool = False,
                        constraint: Optional[Callable[[Arch], bool]] = None,
                        max_draws: Optional[int] = None) -> List[Arch]:
        """``n`` distinct uniformly random architectures, in the order
        drawn, keeping only those ``constraint`` accepts.

        Raises:
            ValueError: ``n`` exceeds the full-width architectures
                (``max_width``), or ``max_draws`` draws (``1000 * n`` by
                default) did not give ``n``.
        """
        if max_width and n > len(self.kernel_choices)**self.num_layers:
            raise ValueError(
                f'{n} distinct architectures asked, but there are only '
                f'{len(self.kernel_choices)**self.num_layers} at full width')
        randbelow = _randbelow(rng)
        draws = max_draws or 1000 * n
        out: List[Arch] = []
        for _ in range(draws):
            arch = self.sample(randbelow, max_width=max_width)
            if arch not in out and (constraint is None or constraint(arch)):
                out.append(arch)
                if len(out) == n:
                    return out
        raise ValueError(
            f'found only {len(out)} of {n} distinct architectures in '
            f'{draws} draws' +
            (' inside the constraint' if constraint is not None else ''))

    def parse(self, value: Union[str, Arch, Sequence]) -> Arch:
        """Validate and normalise an architecture.

        Accepts an :class:`Arch`, the canonical text, the path of a YAML or
        JSON file, or a list of tokens / ``(kernel, expansion)`` pairs /
        ``{kernel, expansion}`` mappings. Raises ``ValueError`` naming the
        layer index and the bad value.
        """
        if isinstance(value, str):
            value = value.strip()
            if osp.splitext(value)[1].lower() in ('.yaml', '.yml', '.json'):
                value = _load_arch_file(value)
            else:
                value = value.split('-') if value else []
        if isinstance(value, dict) and 'arch' in value:
            value = value['arch']
            if isinstance(value, str):
                value = value.split('-')
        if not isinstance(value, (list, tuple)):
            raise ValueError(
                'an architecture must be text, a file path or a list, got '
                f'{type(value).__name__}: {value!r}')
        if len(value) != self.num_layers:
            raise ValueError(
                f'an architecture of this space has {self.num_layers} '
                f'layers, got {len(value)}: {value!r}')
        layers = []
        for i, item in enumerate(value):
            k, e = _parse_item(i, item)
            if k not in self.kernel_choices:
                raise ValueError(
                    f'layer {i}: kernel {k} is not one of '
                    f'{self.kernel_choices}')
            if not any(abs(e - c) < 1e-9 for c in self.expand_choices):
                raise ValueError(
                    f'layer {i}: expansion {_fmt_exp(e)} is not one of '
                    f'{[_fmt_exp(c) for c in self.expand_choices]}')
            layers.append((k, e))
        return Arch(layers)


def _randbelow(rng) -> Callable[[int], int]:
    if rng is None:
        return lambda n: random.randrange(n)
    if isinstance(rng, int):
        rng = random.Random(rng)
    if isinstance(rng, random.Random):
        return rng.randrange
    if callable(rng):
        return rng
    raise TypeError(f'rng must be a seed, random.Random or callable, got '
                    f'{type(rng).__name__}')


def _parse_item(i: int, item) -> Tuple[int, float]:
    if isinstance(item, str):
        m = _TOKEN.match(item.strip())
        if m is None:
            raise ValueError(
                f"layer {i}: token {item!r} is not of the form "
                "'k<kernel>e<expansion>', e.g. 'k3e4.5'")
        return int(m.group(1)), float(m.group(2))
    if isinstance(item, dict):
        try:
            return int(item['kernel']), float(item['expansion'])
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f'layer {i}: mapping {item!r} needs integer "kernel" and '
                'numeric "expansion"') from None
    if isinstance(item, (list, tuple)) and len(item) == 2:
        try:
            return int(item[0]), float(item[1])
        except (TypeError, ValueError):
            raise ValueError(
                f'layer {i}: pair {item!r} is not (kernel, expansion)'
            ) from None
    raise ValueError(f'layer {i}: cannot read {item!r} as a layer choice')


def _load_arch_file(path: str):
    if not osp.isfile(path):
        raise FileNotFoundError(f'architecture file not found: {path}')
    try:
        with open(path) as f:
            if path.lower().endswith('.json'):
                return json.load(f)
            import yaml
            return yaml.safe_load(f)
    except Exception as e:  # yaml / json errors: name the file
        raise ValueError(f'cannot parse architecture file {path}: {e}') from e


def parse_arch(value: Union[str, Arch, Sequence],
               space: Optional[SearchSpace] = None) -> Arch:
    """Parse text, a YAML/JSON file or a list into a validated :class:`Arch`."""
    return (space or SearchSpace()).parse(value)


def dump_arch(arch: Arch, path: str, **extra) -> None:
    """Write an architecture as YAML (``arch:`` list of tokens plus extras)."""
    import yaml
    data = dict(arch=arch.to_list(), arch_text=str(arch), **extra)
    with open(path, 'w') as f:
        yaml.safe_dump(data, f, sort_keys=False)
