"""Architecture search over a trained supernet: evolution and random search.

Pure Python (the standard library, :mod:`rsbnet_mm.space` and
:mod:`rsbnet_mm.flops`): no torch, no runner. The algorithms speak an
ask/tell protocol, so the loop that owns the supernet decides how candidates
are scored, broadcast between ranks and checkpointed::

    search = EvolutionSearch(space, constraint=make_constraint(
        space, flops=(None, 400e6)))
    while not search.done:
        archs = search.ask()
        search.tell(archs, [score(a) for a in archs])
    best_arch, best_score = search.best()[0]

Higher scores are better. Every architecture is scored at most once (a memo
of all scores is kept), and :meth:`BaseSearch.state_dict` is JSON
serialisable, random state included, so a resumed search reproduces an
uninterrupted one exactly.
"""
import math
import random
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ..flops import count_flops, count_params, flops_range, params_range
from ..space import Arch, SearchSpace

Constraint = Callable[[Arch], bool]
Bounds = Optional[Sequence[Optional[float]]]

_STATE_VERSION = 1


def _human(n: float) -> str:
    """``1234567`` -> ``'1.23M'``."""
    for div, unit in ((1e9, 'G'), (1e6, 'M'), (1e3, 'K')):
        if abs(n) >= div:
            return f'{n / div:.2f}{unit}'
    return f'{n:g}'


def _check_bounds(name: str, bounds: Bounds) -> Tuple[float, float]:
    """``(lo, hi)`` with ``None`` -> unbounded; ``ValueError`` if malformed."""
    if not isinstance(bounds, (list, tuple)) or len(bounds) != 2:
        raise ValueError(f'{name} must be a (low, high) pair, None for '
                         f'unbounded, got {bounds!r}')
    out = []
    for b, default in zip(bounds, (-math.inf, math.inf)):
        if b is None:
            out.append(default)
            continue
        if isinstance(b, bool) or not isinstance(b, (int, float)) or \
                math.isnan(b):
            raise ValueError(
                f'{name} bounds must be numbers or None, got {bounds!r}')
        out.append(float(b))
    if out[0] > out[1]:
        raise ValueError(f'{name} low bound exceeds its high bound: '
                         f'{bounds!r}')
    return out[0], out[1]


def make_constraint(space: SearchSpace,
                    flops: Bounds = None,
                    params: Bounds = None,
                    input_size: Sequence[int] = (224, 224)) -> Constraint:
    """A predicate accepting architectures within FLOPs and params budgets.

    Bounds are inclusive; ``None`` (for a whole budget or one of its ends)
    means unbounded. Counts are those of :func:`rsbnet_mm.flops.count_flops`
    (multiply-adds of one ``input_size`` image) and
    :func:`rsbnet_mm.flops.count_params`.

    Args:
        space: the search space.
        flops: ``(low, high)`` FLOPs budget, or None.
        params: ``(low, high)`` parameter budget, or None.
        input_size: ``(H, W)`` (or an int) at which FLOPs are counted.

    Returns:
        ``f(arch) -> bool``.

    Raises:
        ValueError: malformed bounds, or a budget no architecture of the
            space can meet; the message gives the space's range.
    """
    if isinstance(input_size, int):
        input_size = (input_size, input_size)
    input_size = tuple(int(s) for s in input_size)
    checks = []
    if flops is not None:
        lo, hi = _check_bounds('flops', flops)
        fmin, fmax = flops_range(space, input_size)
        if hi < fmin or lo > fmax:
            raise ValueError(
                f'no architecture meets the FLOPs budget {tuple(flops)!r}: '
                f'the space spans {_human(fmin)} to {_human(fmax)} FLOPs '
                f'({fmin} to {fmax}) at input {input_size[0]}x'
                f'{input_size[1]}')
        checks.append(lambda a, lo=lo, hi=hi: lo <= count_flops(
            a, input_size, space) <= hi)
    if params is not None:
        lo, hi = _check_bounds('params', params)
        pmin, pmax = params_range(space)
        if hi < pmin or lo > pmax:
            raise ValueError(
                f'no architecture meets the params budget {tuple(params)!r}: '
                f'the space spans {_human(pmin)} to {_human(pmax)} '
                f'parameters ({pmin} to {pmax})')
        checks.append(
            lambda a, lo=lo, hi=hi: lo <= count_params(a, space) <= hi)

    def constraint(arch: Arch) -> bool:
        return all(check(arch) for check in checks)

    return constraint


def _rank_key(item: Tuple[Arch, float]) -> Tuple[float, str]:
    """Best first; ties by architecture text, so ranking is deterministic."""
    return (-item[1], str(item[0]))


def _rng_state_to_json(state: tuple) -> list:
    version, internal, gauss_next = state
    return [version, list(internal), gauss_next]


def _rng_state_from_json(state: Sequence) -> tuple:
    version, internal, gauss_next = state
    return (version, tuple(internal), gauss_next)


class BaseSearch:
    """Ask/tell bookkeeping shared by the search algorithms.

    Keeps the memo of scored architectures, the history, the population (the
    best ``population_size`` scored so far) and the random state; subclasses
    only say how the candidates of a generation after the first are made
    (:meth:`_propose`).

    Args:
        space: the search space.
        population_size: candidates asked per generation and architectures
            kept by selection; at least 2.
        max_generations: number of :meth:`tell` calls after which the search
            is :attr:`done`; at least 1.
        constraint: ``f(arch) -> bool``; candidates failing it are never
            asked (see :func:`make_constraint`). None accepts all.
        seed: seed of the search's own :class:`random.Random`.
        max_retries: attempts (candidates drawn, valid or not) allowed per
            :meth:`ask`; bounds the work when valid candidates are rare.
    """

    def __init__(self,
                 space: SearchSpace,
                 population_size: int = 50,
                 max_generations: int = 30,
                 constraint: Optional[Constraint] = None,
                 seed: int = 0,
                 max_retries: int = 10000):
        if not isinstance(space, SearchSpace):
            raise ValueError('space must be a SearchSpace, got '
                             f'{type(space).__name__}: {space!r}')
        _check_int('population_size', population_size, 2)
        _check_int('max_generations', max_generations, 1)
        _check_int('max_retries', max_retries, 1)
        _check_int('seed', seed, None)
        if constraint is not None and not callable(constraint):
            raise ValueError('constraint must be callable or None, got '
                             f'{constraint!r}')
        self.space = space
        self.population_size = population_size
        self.max_generations = max_generations
        self.constraint = constraint
        self.seed = seed
        self.max_retries = max_retries
        self.rng = random.Random(seed)
        self._generation = 0
        self._memo: Dict[str, float] = {}
        self._archs: Dict[str, Arch] = {}
        self.history: List[dict] = []
        self.population: List[Tuple[Arch, float]] = []
        self._pending: Optional[List[Arch]] = None

    # ---- protocol ------------------------------------------------------
    @property
    def generation(self) -> int:
        """Number of :meth:`tell` calls so far (the index of the next)."""
        return self._generation

    @property
    def done(self) -> bool:
        """Whether ``max_generations`` generations have been told."""
        return self._generation >= self.max_generations

    @property
    def num_evaluated(self) -> int:
        """Number of architectures scored so far."""
        return len(self._memo)

    def is_scored(self, arch: Arch) -> bool:
        return str(arch) in self._memo

    def ask(self) -> List[Arch]:
        """Candidates of the current generation, to be scored and told.

        Distinct, never scored before, and all satisfying the constraint.
        May hold fewer than ``population_size`` (even none) when
        ``max_retries`` attempts could not find enough; empty once
        :attr:`done`. Asking again before :meth:`tell` returns the same
        candidates.

        Raises:
            ValueError: generation 0 found no architecture satisfying the
                constraint.
        """
        if self.done:
            return []
        if self._pending is None:
            if self._generation == 0 or not self.population:
                self._pending = self._sample_random(
                    self.population_size, self.max_retries,
                    raise_if_none=self._generation == 0)
            else:
                self._pending = self._propose()
        return list(self._pending)

    def tell(self, archs: Sequence[Arch], scores: Sequence[float]) -> None:
        """Record the scores of a generation, then select the population.

        Architectures are usually those of :meth:`ask`; others of the space
        (an :class:`Arch` or its text) are accepted as long as they were
        never scored. Selection keeps the best ``population_size`` of the
        previous population and the newly scored, ties broken by text.
        Nothing changes if an argument is rejected.

        Raises:
            ValueError: lengths differ, an architecture is not of the space,
                is repeated or was already scored, or a score is not a
                number (NaN included).
            RuntimeError: the search is already done.
        """
        if self.done:
            raise RuntimeError(
                f'the search is done ({self._generation} generations of '
                f'max_generations={self.max_generations}); nothing to tell')
        archs, scores = list(archs), list(scores)
        if len(archs) != len(scores):
            raise ValueError(f'got {len(archs)} architectures but '
                             f'{len(scores)} scores')
        parsed, seen = [], set()
        for arch, score in zip(archs, scores):
            arch = self.space.parse(arch)
            text = str(arch)
            if text in self._memo:
                raise ValueError(f'architecture {text} was already scored '
                                 f'({self._memo[text]}); it cannot be '
                                 'scored again')
            if text in seen:
                raise ValueError(f'architecture {text} is told twice')
            try:
                score = float(score)
            except (TypeError, ValueError):
                raise ValueError(f'score of {text} is not a number: '
                                 f'{score!r}') from None
            if math.isnan(score):
                raise ValueError(f'score of {text} is NaN')
            seen.add(text)
            parsed.append((arch, score))
        for arch, score in parsed:
            text = str(arch)
            self._memo[text] = score
            self._archs[text] = arch
            self.history.append(
                dict(arch=text, score=score, generation=self._generation))
        self.population = sorted(self.population + parsed,
                                 key=_rank_key)[:self.population_size]
        self._pending = None
        self._generation += 1

    def best(self, k: int = 1) -> List[Tuple[Arch, float]]:
        """The best ``k`` ``(arch, score)`` over everything scored."""
        _check_int('k', k, 1)
        if k <= len(self.population):
            return list(self.population[:k])
        items = [(self._archs[t], s) for t, s in self._memo.items()]
        return sorted(items, key=_rank_key)[:k]

    # ---- candidates ----------------------------------------------------
    def _propose(self) -> List[Arch]:
        """Candidates of a generation after the first (non-empty
        population)."""
        raise NotImplementedError

    def _accept(self, arch: Arch, taken: set) -> bool:
        """Whether ``arch`` is new (not scored, not in ``taken``) and valid;
        adds it to ``taken`` if so."""
        text = str(arch)
        if text in taken or text in self._memo:
            return False
        if self.constraint is not None and not self.constraint(arch):
            return False
        taken.add(text)
        return True

    def _sample_random(self, n: int, budget: int,
                       raise_if_none: bool = False) -> List[Arch]:
        """Up to ``n`` new valid random architectures in ``budget``
        draws."""
        out: List[Arch] = []
        taken: set = set()
        satisfied = 0
        for _ in range(budget):
            if len(out) >= n:
                break
            arch = self.space.sample(self.rng)
            if self.constraint is None or self.constraint(arch):
                satisfied += 1
            if self._accept(arch, taken):
                out.append(arch)
        if raise_if_none and satisfied == 0:
            raise ValueError(
                f'no architecture satisfies the constraint: none of '
                f'{budget} random architectures of {self.space!r} did '
                f'(max_retries={self.max_retries})')
        return out

    # ---- checkpointing -------------------------------------------------
    def _settings(self) -> dict:
        return dict(
            population_size=self.population_size,
            max_generations=self.max_generations,
            seed=self.seed,
            max_retries=self.max_retries)

    def state_dict(self) -> dict:
        """The whole search state as JSON-serialisable builtins.

        The constraint (a callable) is not saved: pass the same one to the
        constructor of the search that loads the state.
        """
        return dict(
            version=_STATE_VERSION,
            type=type(self).__name__,
            space=self.space.to_cfg(),
            settings=self._settings(),
            generation=self._generation,
            rng_state=_rng_state_to_json(self.rng.getstate()),
            history=[dict(h) for h in self.history],
            population=[[str(a), s] for a, s in self.population],
            pending=None if self._pending is None else
            [str(a) for a in self._pending])

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict`, settings included (they override
        the constructor's; the constraint is kept).

        Raises:
            ValueError: the state is of another algorithm or space, or is
                malformed.
        """
        try:
            if state['version'] != _STATE_VERSION:
                raise ValueError('unsupported search state version '
                                 f"{state['version']!r}")
            if state['type'] != type(self).__name__:
                raise ValueError(f"cannot load a {state['type']} state into "
                                 f'{type(self).__name__}')
            if SearchSpace(**state['space']) != self.space:
                raise ValueError(
                    'the state is of another search space: '
                    f"{state['space']!r}, not {self.space.to_cfg()!r}")
            settings = dict(state['settings'])
            archs = [self.space.parse(h['arch']) for h in state['history']]
            history = [
                dict(arch=str(a), score=float(h['score']),
                     generation=int(h['generation']))
                for a, h in zip(archs, state['history'])
            ]
            population = [(self.space.parse(t), float(s))
                          for t, s in state['population']]
            pending = None if state['pending'] is None else \
                [self.space.parse(t) for t in state['pending']]
            rng = random.Random()
            rng.setstate(_rng_state_from_json(state['rng_state']))
            generation = int(state['generation'])
        except (KeyError, TypeError) as e:
            raise ValueError(f'malformed search state: {e!r}') from e
        # validate the settings through the constructor's checks
        type(self).__init__(self, self.space, constraint=self.constraint,
                            **settings)
        self.rng = rng
        self._generation = generation
        self.history = history
        self._memo = {h['arch']: h['score'] for h in history}
        self._archs = {str(a): a for a in archs}
        self.population = population
        self._pending = pending


class RandomSearch(BaseSearch):
    """Random search (the paper's baseline).

    Every generation asks ``population_size`` new random valid
    architectures; the population is the best ``population_size`` seen.
    Arguments are those of :class:`BaseSearch`.
    """

    def _propose(self) -> List[Arch]:
        return self._sample_random(self.population_size, self.max_retries)


class EvolutionSearch(BaseSearch):
    """Genetic search: uniform crossover and per-layer mutation.

    Generation 0 asks ``population_size`` random valid architectures. Each
    later generation asks ``population_size`` offspring of the population:
    ``round(crossover_ratio * population_size)`` by uniform crossover of two
    distinct parents (each layer's choice from either with probability 0.5),
    the rest by mutation of one parent (each layer resampled, kernel and
    expansion uniformly, with probability ``mutation_ratio``). Parents are
    drawn uniformly from the population. Offspring satisfy the constraint,
    are distinct and never scored before. Crossover may use its share of
    ``max_retries``; mutation then fills the generation up to
    ``population_size`` with the remaining attempts, and if those run out
    fewer offspring are asked.

    Args:
        space: the search space.
        population_size: offspring per generation and population kept.
        max_generations: generations (:meth:`tell` calls) to run.
        crossover_ratio: fraction of offspring made by crossover, in [0, 1].
        mutation_ratio: per-layer mutation probability, in [0, 1].
        constraint: ``f(arch) -> bool`` that candidates must satisfy.
        seed: seed of the search's :class:`random.Random`.
        max_retries: attempts allowed per :meth:`ask`.
    """

    def __init__(self,
                 space: SearchSpace,
                 population_size: int = 50,
                 max_generations: int = 30,
                 crossover_ratio: float = 0.5,
                 mutation_ratio: float = 0.25,
                 constraint: Optional[Constraint] = None,
                 seed: int = 0,
                 max_retries: int = 10000):
        for name, value in (('crossover_ratio', crossover_ratio),
                            ('mutation_ratio', mutation_ratio)):
            if isinstance(value, bool) or \
                    not isinstance(value, (int, float)) or \
                    not 0 <= value <= 1:
                raise ValueError(f'{name} must be a number in [0, 1], got '
                                 f'{value!r}')
        super().__init__(space, population_size, max_generations, constraint,
                         seed, max_retries)
        self.crossover_ratio = float(crossover_ratio)
        self.mutation_ratio = float(mutation_ratio)

    def _settings(self) -> dict:
        return dict(super()._settings(),
                    crossover_ratio=self.crossover_ratio,
                    mutation_ratio=self.mutation_ratio)

    def _crossover(self) -> Arch:
        parents = [a for a, _ in self.population]
        if len(parents) >= 2:
            a, b = self.rng.sample(parents, 2)
        else:
            a = b = parents[0]
        return Arch(x if self.rng.random() < 0.5 else y
                    for x, y in zip(a, b))

    def _mutate(self) -> Arch:
        parent = self.rng.choice(self.population)[0]
        kernels, exps = self.space.kernel_choices, self.space.expand_choices
        return Arch((self.rng.choice(kernels), self.rng.choice(exps))
                    if self.rng.random() < self.mutation_ratio else layer
                    for layer in parent)

    def _propose(self) -> List[Arch]:
        n = self.population_size
        n_cross = int(n * self.crossover_ratio + 0.5)
        out: List[Arch] = []
        taken: set = set()
        attempts = 0
        # crossover may use its share of the attempts; mutation the rest
        cross_budget = math.ceil(self.max_retries * n_cross / n)
        while len(out) < n_cross and attempts < cross_budget:
            attempts += 1
            child = self._crossover()
            if self._accept(child, taken):
                out.append(child)
        while len(out) < n and attempts < self.max_retries:
            attempts += 1
            child = self._mutate()
            if self._accept(child, taken):
                out.append(child)
        return out


def _check_int(name: str, value, minimum: Optional[int]) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or \
            (minimum is not None and value < minimum):
        bound = '' if minimum is None else f' >= {minimum}'
        raise ValueError(f'{name} must be an integer{bound}, got {value!r}')
