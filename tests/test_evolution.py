import ast
import json
import os.path as osp
import subprocess
import sys

import pytest

from rsbnet_mm.flops import count_flops, count_params, flops_range, \
    params_range
from rsbnet_mm.search import EvolutionSearch, RandomSearch, make_constraint
from rsbnet_mm.search.evolution import _human
from rsbnet_mm.space import Arch, SearchSpace

SMALL = SearchSpace(
    stages=[(8, 2, 2, 'ReLU'), (16, 2, 2, 'Swish')],
    stem_channels=8,
    first_channels=8,
    head_channels=32)
DEFAULT = SearchSpace()
ALGOS = [EvolutionSearch, RandomSearch]


def fitness(arch: Arch) -> float:
    """Structured score: wide layers and 5x5 kernels are better."""
    return sum(arch.expansions) + sum(k == 5 for k in arch.kernels)


def run(search, score=fitness, check=None):
    while not search.done:
        archs = search.ask()
        if check is not None:
            check(search, archs)
        search.tell(archs, [score(a) for a in archs])
        if check is not None:
            check(search, None)
    return search


def ranked(items):
    return sorted(items, key=lambda x: (-x[1], str(x[0])))


def middle_band(space, lo_frac=0.4, hi_frac=0.6):
    fmin, fmax = flops_range(space)
    return (fmin + lo_frac * (fmax - fmin), fmin + hi_frac * (fmax - fmin))


# ---- 0. no torch --------------------------------------------------------
def test_module_does_not_import_torch():
    path = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                    'rsbnet_mm', 'search', 'evolution.py')
    tree = ast.parse(open(path).read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or '']
            if node.level:  # relative: only ..space / ..flops
                assert node.level == 2 and names[0] in ('space', 'flops')
                continue
        else:
            continue
        for name in names:
            assert name.split('.')[0] in sys.stdlib_module_names, name
    # import it for real without the package __init__ (which needs torch)
    root = osp.dirname(osp.dirname(path))
    code = (
        'import sys, types\n'
        f'root = {root!r}\n'
        'for name, sub in (("rsbnet_mm", ""),\n'
        '                  ("rsbnet_mm.search", "/search")):\n'
        '    m = types.ModuleType(name)\n'
        '    m.__path__ = [root + sub]\n'
        '    sys.modules[name] = m\n'
        'import rsbnet_mm.search.evolution as ev\n'
        'assert "torch" not in sys.modules\n'
        's = ev.EvolutionSearch(ev.SearchSpace(), population_size=4, '
        'max_generations=1)\n'
        'a = s.ask(); s.tell(a, [0.0] * len(a)); assert s.done\n')
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# ---- 1. constraints -----------------------------------------------------
@pytest.mark.parametrize('cls', ALGOS)
@pytest.mark.parametrize('space', [SMALL, DEFAULT], ids=['small', 'default'])
def test_constraint_never_violated(cls, space):
    lo, hi = middle_band(space, 0.45, 0.5)
    constraint = make_constraint(space, flops=(lo, hi))
    asked = []

    def check(search, archs):
        for a in archs if archs is not None else []:
            asked.append(a)
        for a, _ in search.population:
            assert lo <= count_flops(a, space=space) <= hi

    search = run(
        cls(space, population_size=16, max_generations=8, seed=1,
            constraint=constraint), check=check)
    assert len(asked) > 16  # more than generation 0 was asked
    for a in asked:
        assert lo <= count_flops(a, space=space) <= hi, str(a)
    # the band is binding: unconstrained samples violate it
    free = EvolutionSearch(space, population_size=16, seed=1).ask()
    assert any(not lo <= count_flops(a, space=space) <= hi for a in free)
    assert search.best()[0][1] == max(h['score'] for h in search.history)


def test_make_constraint_params_and_open_bounds():
    pmin, pmax = params_range(DEFAULT)
    mid = (pmin + pmax) / 2
    below = make_constraint(DEFAULT, params=(None, mid))
    fmin, fmax = flops_range(DEFAULT)
    both = make_constraint(DEFAULT, flops=(fmin, None), params=(mid, None))
    assert make_constraint(DEFAULT)(DEFAULT.max_arch())
    assert below(DEFAULT.min_arch()) and not below(DEFAULT.max_arch())
    assert both(DEFAULT.max_arch()) and not both(DEFAULT.min_arch())
    search = EvolutionSearch(DEFAULT, population_size=10, seed=0,
                             constraint=below)
    assert all(count_params(a, DEFAULT) <= mid for a in search.ask())


# ---- 2. no architecture scored twice ------------------------------------
@pytest.mark.parametrize('cls', ALGOS)
def test_never_evaluated_twice(cls):
    # a tiny space (16 archs) runs out of new architectures quickly
    tiny = SearchSpace(stages=[(8, 2, 2, 'ReLU')], expand_choices=(2, 4),
                       stem_channels=8, first_channels=8, head_channels=0)
    assert tiny.size == 16

    def check(search, archs):
        if archs is not None:
            texts = [str(a) for a in archs]
            assert len(set(texts)) == len(texts)
            assert not any(search.is_scored(a) for a in archs)

    search = run(cls(tiny, population_size=5, max_generations=6, seed=3,
                     max_retries=500), check=check)
    texts = [h['arch'] for h in search.history]
    assert len(texts) == len(set(texts)) == 16  # exhausted, no repeats
    assert search.ask() == []  # done


def test_never_evaluated_twice_default_space():
    scored = set()

    def check(search, archs):
        if archs is not None:
            assert not scored & {str(a) for a in archs}
            scored.update(str(a) for a in archs)

    search = run(EvolutionSearch(DEFAULT, population_size=20,
                                 max_generations=10, seed=0,
                                 mutation_ratio=0.05), check=check)
    texts = [h['arch'] for h in search.history]
    assert len(texts) == len(set(texts)) == 200


def test_tell_rejects_rescoring_and_bad_input():
    search = EvolutionSearch(SMALL, population_size=4, seed=0)
    archs = search.ask()
    assert search.ask() == archs  # asking again gives the same candidates
    with pytest.raises(ValueError, match='scores'):
        search.tell(archs, [1.0] * (len(archs) - 1))
    with pytest.raises(ValueError, match='twice'):
        search.tell([archs[0], archs[0]], [1.0, 2.0])
    with pytest.raises(ValueError, match='NaN'):
        search.tell(archs, [float('nan')] * len(archs))
    with pytest.raises(ValueError, match='layers'):
        search.tell(['k3e2'], [1.0])
    assert search.generation == 0 and search.history == []  # unchanged
    search.tell(archs, [1.0] * len(archs))
    with pytest.raises(ValueError, match='already scored'):
        search.tell([str(archs[1])], [2.0])
    assert search.generation == 1


# ---- 3. selection -------------------------------------------------------
@pytest.mark.parametrize('cls', ALGOS)
def test_population_is_top_k_of_all_scored(cls):
    space = DEFAULT
    k = 12

    def score(a):  # coarse, so ties occur and must break deterministically
        return float(sum(e >= 4 for e in a.expansions))

    def check(search, archs):
        if archs is None:
            everything = [(space.parse(h['arch']), h['score'])
                          for h in search.history]
            assert search.population == ranked(everything)[:k]
            assert search.best(3) == ranked(everything)[:3]
            assert search.best(k + 5) == ranked(everything)[:k + 5]

    search = run(cls(space, population_size=k, max_generations=8, seed=2),
                 score=score, check=check)
    scores = [s for _, s in search.population]
    assert scores == sorted(scores, reverse=True)
    assert len(search.history) > k  # selection actually discarded some


# ---- 4. determinism -----------------------------------------------------
@pytest.mark.parametrize('cls', ALGOS)
def test_seed_determinism(cls):

    def hist(seed):
        return run(cls(DEFAULT, population_size=10, max_generations=5,
                       seed=seed)).history

    assert hist(7) == hist(7)
    assert hist(7) != hist(8)


# ---- 5. resume ----------------------------------------------------------
@pytest.mark.parametrize('cls', ALGOS)
@pytest.mark.parametrize('stop_after_ask', [False, True])
def test_state_dict_resume(cls, stop_after_ask):
    constraint = make_constraint(DEFAULT, flops=middle_band(DEFAULT, 0.3,
                                                            0.7))
    kwargs = dict(population_size=10, max_generations=6, seed=5,
                  constraint=constraint)
    full = run(cls(DEFAULT, **kwargs))

    part = cls(DEFAULT, **kwargs)
    for _ in range(3):
        archs = part.ask()
        part.tell(archs, [fitness(a) for a in archs])
    if stop_after_ask:
        asked = part.ask()
    state = json.loads(json.dumps(part.state_dict()))
    # different seed and sizes: all restored from the state
    resumed = cls(DEFAULT, population_size=3, max_generations=2, seed=99,
                  constraint=constraint)
    resumed.load_state_dict(state)
    assert resumed.generation == 3 and not resumed.done
    if stop_after_ask:
        assert resumed.ask() == asked
    run(resumed)
    assert resumed.history == full.history
    assert resumed.population == full.population
    assert resumed.generation == full.generation == 6
    assert resumed.state_dict() == json.loads(json.dumps(full.state_dict()))


def test_load_state_dict_rejects_mismatch():
    state = EvolutionSearch(DEFAULT, population_size=4).state_dict()
    with pytest.raises(ValueError, match='RandomSearch'):
        RandomSearch(DEFAULT, population_size=4).load_state_dict(state)
    with pytest.raises(ValueError, match='search space'):
        EvolutionSearch(SMALL, population_size=4).load_state_dict(state)
    del state['history']
    with pytest.raises(ValueError, match='malformed'):
        EvolutionSearch(DEFAULT, population_size=4).load_state_dict(state)


# ---- 6. infeasible budgets ----------------------------------------------
@pytest.mark.parametrize('space', [SMALL, DEFAULT], ids=['small', 'default'])
def test_infeasible_budget(space):
    fmin, fmax = flops_range(space)
    for band in [(0, fmin - 1), (fmax + 1, None), (None, fmin / 2)]:
        with pytest.raises(ValueError) as info:
            make_constraint(space, flops=band)
        msg = str(info.value)
        assert _human(fmin) in msg and _human(fmax) in msg
        assert str(fmin) in msg and str(fmax) in msg
    assert 'M' in _human(fmin)
    pmin, pmax = params_range(space)
    with pytest.raises(ValueError) as info:
        make_constraint(space, params=(pmax + 1, pmax + 2))
    assert _human(pmin) in str(info.value) and \
        _human(pmax) in str(info.value)
    # the exact range is feasible
    assert make_constraint(space, flops=(fmin, fmin))(space.min_arch())
    assert make_constraint(space, flops=(fmax, fmax), params=(pmax, pmax))(
        space.max_arch())


def test_no_architecture_satisfies_constraint():
    # each budget is feasible alone, but no arch meets both
    fmin, _ = flops_range(DEFAULT)
    _, pmax = params_range(DEFAULT)
    constraint = make_constraint(DEFAULT, flops=(None, fmin),
                                 params=(pmax, None))
    search = EvolutionSearch(DEFAULT, constraint=constraint, max_retries=200)
    with pytest.raises(ValueError, match='no architecture satisfies'):
        search.ask()


def _told_gen0(**kwargs):
    search = EvolutionSearch(DEFAULT, population_size=10, seed=4, **kwargs)
    archs = search.ask()
    search.tell(archs, [fitness(a) for a in archs])
    return search, [a for a, _ in search.population]


def test_crossover_mixes_two_parents():
    search, parents = _told_gen0(crossover_ratio=1.0)
    children = search.ask()
    assert len(children) == 10
    for c in children:
        assert any(
            all(x in (y, z) for x, y, z in zip(c, a, b))
            for i, a in enumerate(parents) for b in parents[i + 1:]), str(c)


@pytest.mark.parametrize('ratio, lo, hi', [(0.05, 0.5, 3), (0.9, 15, 21)])
def test_mutation_rate(ratio, lo, hi):
    search, parents = _told_gen0(crossover_ratio=0.0, mutation_ratio=ratio)
    children = search.ask()
    assert len(children) == 10
    dist = [
        min(sum(x != y for x, y in zip(c, p)) for p in parents)
        for c in children
    ]
    assert lo <= sum(dist) / len(dist) <= hi, dist


def test_no_offspring_possible_returns_fewer():
    # neither operator can leave the (already scored) population
    search, _ = _told_gen0(crossover_ratio=0.0, mutation_ratio=0.0,
                           max_retries=300)
    assert search.ask() == []
    search.tell([], [])
    assert search.generation == 2 and len(search.history) == 10


# ---- 7. evolution beats random search -----------------------------------
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_evolution_beats_random(seed):
    kwargs = dict(population_size=20, max_generations=10, seed=seed)
    ea = EvolutionSearch(DEFAULT, **kwargs)
    gen0 = None
    while not ea.done:
        archs = ea.ask()
        ea.tell(archs, [fitness(a) for a in archs])
        if gen0 is None:
            gen0 = ea.best()[0][1]
    rs = run(RandomSearch(DEFAULT, **kwargs))
    assert len(ea.history) == len(rs.history) == 200  # same budget
    best_ea, best_rs = ea.best()[0][1], rs.best()[0][1]
    assert best_ea > best_rs + 3
    assert best_ea > gen0 + 10
    # the mean of the population improves too
    assert sum(s for _, s in ea.population) / 20 > gen0


# ---- 8. argument validation ---------------------------------------------
@pytest.mark.parametrize('kwargs, bad', [
    (dict(population_size=1), '1'),
    (dict(population_size=2.5), '2.5'),
    (dict(max_generations=0), '0'),
    (dict(crossover_ratio=1.5), '1.5'),
    (dict(crossover_ratio=-0.1), '-0.1'),
    (dict(mutation_ratio=2), '2'),
    (dict(mutation_ratio='0.5'), '0.5'),
    (dict(max_retries=0), '0'),
    (dict(constraint=3), '3'),
])
def test_bad_arguments(kwargs, bad):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=name) as info:
        EvolutionSearch(DEFAULT, **kwargs)
    assert bad in str(info.value)
    if 'ratio' not in name:
        with pytest.raises(ValueError, match=name):
            RandomSearch(DEFAULT, **kwargs)


@pytest.mark.parametrize('kwargs', [
    dict(flops=(10, 5)),
    dict(flops=(1, 2, 3)),
    dict(flops=('a', None)),
    dict(params=5),
])
def test_make_constraint_bad_bounds(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        make_constraint(DEFAULT, **kwargs)


def test_done_and_tell_after_done():
    search = run(EvolutionSearch(SMALL, population_size=3,
                                 max_generations=2))
    assert search.done and search.generation == 2
    assert search.ask() == []
    with pytest.raises(RuntimeError):
        search.tell([], [])
    with pytest.raises(ValueError, match='k'):
        search.best(0)
