"""EvoSearchLoop: constrained evolutionary search with inherited weights
(SPEC §6), as the ``train_cfg`` of a search config."""
import json
import logging
import os
import os.path as osp
import time
from typing import Dict, Optional, Sequence, Tuple, Union

from mmengine.dist import broadcast_object_list, get_world_size, is_main_process
from mmengine.logging import print_log
from mmengine.runner import BaseLoop
from mmengine.utils import ProgressBar

from ..engine.bn_calib import calib_batches
from ..engine.evaluate import evaluate_arch
from ..flops import count_flops, count_params, flops_range
from ..models.utils import find_supernet
from ..registry import LOOPS
from ..space import Arch, dump_arch
from .evolution import EvolutionSearch, RandomSearch, make_constraint

STATE_FILE = 'search_state.json'
CANDIDATES_FILE = 'candidates.jsonl'


@LOOPS.register_module()
class EvoSearchLoop(BaseLoop):
    """Evolutionary search of the supernet's paths under a FLOPs / params
    budget, each candidate scored with inherited weights after BN
    recalibration (SPEC §6, Algorithm 3).

    Candidates are made on rank 0 and broadcast; each is evaluated
    data-parallel over the search split by the evaluator. The whole search
    state is saved every generation to ``work_dir/search_state.json``;
    with ``resume=True`` (``tools/search.py --resume``) the search continues
    from it and ends exactly as an uninterrupted run with the same seed.

    Work dir outputs: ``candidates.jsonl`` (one line per evaluated
    candidate), ``best_arch.yaml``, ``topk_archs.yaml``, ``search_curve.png``
    (best and mean score per generation) and ``pareto.png`` (score against
    FLOPs with the Pareto front).

    Args:
        dataloader: the search split.
        evaluator: any mmpretrain / mmseg / mmdet evaluator.
        score_key: the metric to maximise, e.g. ``accuracy/top1``,
            ``mIoU``, ``pascal_voc/mAP``.
        calib_dataloader: dataloader (config) for BN recalibration; the
            runner's ``train_dataloader`` config by default.
        calib_samples: samples used to recalibrate BN for each candidate.
        constraints: ``dict(flops=(lo, hi), params=(lo, hi))``; either may
            be absent, a bound may be None. FLOPs are counted analytically
            at ``constraint_input_size``.
        constraint_input_size: input size of the FLOPs constraint (224x224:
            the paper's convention) whatever the search data's size.
        strategy: ``'evolution'`` or ``'random'`` (the paper's baseline).
        population_size, max_generations, crossover_ratio, mutation_ratio:
            the GA's K, G and ratios (SPEC §6).
        seed: the search's seed.
        topk: architectures written to ``topk_archs.yaml``.
        resume: continue from ``work_dir/search_state.json``.
    """

    def __init__(self,
                 runner,
                 dataloader,
                 evaluator,
                 score_key: str = 'accuracy/top1',
                 calib_dataloader=None,
                 calib_samples: int = 256,
                 constraints: Optional[Dict[str, Sequence]] = None,
                 constraint_input_size: Union[int, Tuple[int, int]] = (224,
                                                                        224),
                 strategy: str = 'evolution',
                 population_size: int = 50,
                 max_generations: int = 30,
                 crossover_ratio: float = 0.5,
                 mutation_ratio: float = 0.25,
                 seed: int = 0,
                 topk: int = 10,
                 resume: bool = False,
                 fp16: bool = False):
        super().__init__(runner, dataloader)
        if isinstance(evaluator, (dict, list)):
            evaluator = runner.build_evaluator(evaluator)
        self.evaluator = evaluator
        if hasattr(self.dataloader.dataset, 'metainfo'):
            self.evaluator.dataset_meta = self.dataloader.dataset.metainfo
        self.score_key = score_key
        self.calib_cfg = calib_dataloader
        self.calib_samples = calib_samples
        self.fp16 = fp16
        self.topk = topk
        self.resume = resume
        self.supernet = find_supernet(runner.model)
        self.space = self.supernet.space
        if isinstance(constraint_input_size, int):
            constraint_input_size = (constraint_input_size, ) * 2
        self.input_size = tuple(constraint_input_size)
        constraints = dict(constraints or {})
        unknown = set(constraints) - {'flops', 'params'}
        if unknown:
            raise ValueError(f'constraints may hold flops and params, got '
                             f'{sorted(unknown)}')
        # raises before any evaluation when no architecture fits
        constraint = make_constraint(
            self.space,
            flops=constraints.get('flops'),
            params=constraints.get('params'),
            input_size=self.input_size)
        # what the saved state records, so that resuming under another
        # budget, input size or score is refused instead of mixing them
        self._terms = dict(
            constraints={k: [None if b is None else float(b) for b in v]
                         for k, v in sorted(constraints.items())
                         if v is not None},
            constraint_input_size=list(self.input_size),
            score_key=score_key)
        flops = constraints.get('flops')
        if flops and flops[1] is not None and \
                flops[1] >= flops_range(self.space, self.input_size)[1]:
            print_log(
                f'FLOPs budget {flops[1] / 1e6:.0f}M is above the largest '
                'architecture of the space '
                f'({flops_range(self.space, self.input_size)[1] / 1e6:.0f}M '
                'multiply-adds): it does not constrain the search',
                logger='current', level=logging.WARNING)
        kwargs = dict(
            population_size=population_size,
            max_generations=max_generations,
            constraint=constraint,
            seed=seed)
        if strategy == 'evolution':
            self.searcher = EvolutionSearch(
                self.space,
                crossover_ratio=crossover_ratio,
                mutation_ratio=mutation_ratio,
                **kwargs)
        elif strategy == 'random':
            self.searcher = RandomSearch(self.space, **kwargs)
        else:
            raise ValueError(
                f"strategy must be 'evolution' or 'random', got {strategy!r}")
        self.strategy = strategy
        self.seed = seed
        self._calib_batches = None
        self._iter = 0
        self.candidate_times = []

    # MMEngine's Runner.train() reads these from its train loop
    @property
    def iter(self) -> int:
        return self.searcher.generation

    @property
    def epoch(self) -> int:
        return self.searcher.generation

    @property
    def max_iters(self) -> int:
        return self.searcher.max_generations

    @property
    def max_epochs(self) -> int:
        return self.searcher.max_generations

    def _path(self, name: str) -> str:
        return osp.join(self.runner.work_dir, name)

    # ---- evaluation ----------------------------------------------------
    def _calib(self) -> list:
        if self._calib_batches is None:
            cfg = self.calib_cfg or self.runner.cfg.get('train_dataloader')
            if cfg is None:
                raise ValueError('EvoSearchLoop needs calib_dataloader or a '
                                 'train_dataloader for BN recalibration')
            self._calib_batches = calib_batches(cfg, self.calib_samples,
                                                self.seed)
        return self._calib_batches

    def evaluate(self, arch: Arch) -> Dict[str, float]:
        """Metrics of one path: set it, recalibrate BN, run the evaluator."""
        metrics = evaluate_arch(self.runner.model, arch, self.dataloader,
                                self.evaluator, self._calib(),
                                self.calib_samples, self.fp16)
        if self.score_key not in metrics:
            raise KeyError(f'score_key {self.score_key!r} is not among the '
                           f'evaluator metrics {sorted(metrics)}')
        return metrics

    # ---- state -----------------------------------------------------------
    def _save_state(self) -> None:
        if not is_main_process():
            return
        state = dict(strategy=self.strategy, **self._terms,
                     searcher=self.searcher.state_dict())
        tmp = self._path(STATE_FILE + '.tmp')
        with open(tmp, 'w') as f:
            json.dump(state, f)
        os.replace(tmp, self._path(STATE_FILE))  # atomic

    def _load_state(self) -> bool:
        path = self._path(STATE_FILE)
        state = None
        if is_main_process() and osp.isfile(path):
            with open(path) as f:
                state = json.load(f)
        if get_world_size() > 1:  # rank 0's file: no shared disk needed
            obj = [state]
            broadcast_object_list(obj, src=0)
            state = obj[0]
        if state is None:
            print_log(f'no search state at {path}: starting a new search',
                      logger='current')
            return False
        if state.get('strategy') != self.strategy:
            raise ValueError(f'{path} is a {state.get("strategy")!r} search, '
                             f'this config runs {self.strategy!r}')
        for key, ours in self._terms.items():
            theirs = state.get(key, ours)  # (states of before 2026-12-05)
            if theirs != ours:
                raise ValueError(
                    f'{path} was searched with {key}={theirs!r}; this config '
                    f'asks for {key}={ours!r}. Resume with the settings of '
                    'that search, or use another work_dir for a new one')
        self.searcher.load_state_dict(state['searcher'])
        if is_main_process():
            self._truncate_candidates()
        print_log(
            f'resumed search from {path} at generation '
            f'{self.searcher.generation}/{self.searcher.max_generations}',
            logger='current')
        return True

    def _record(self, arch: Arch, score: float, metrics: dict) -> dict:
        return dict(
            arch=str(arch),
            flops=count_flops(arch, self.input_size, self.space),
            params=count_params(arch, self.space),
            score=score,
            generation=self.searcher.generation,
            metrics={k: float(v) for k, v in metrics.items()
                     if isinstance(v, (int, float))})

    def _write_candidates(self, records, mode='a') -> None:
        with open(self._path(CANDIDATES_FILE), mode) as f:
            for r in records:
                f.write(json.dumps(r) + '\n')

    def _truncate_candidates(self) -> None:
        """Drop the lines of a generation that did not finish, so the log
        agrees with the saved state."""
        path = self._path(CANDIDATES_FILE)
        lines = open(path).read().splitlines() if osp.isfile(path) else []
        done = {h['arch'] for h in self.searcher.history}
        kept, seen = [], set()
        for line in lines:
            r = json.loads(line)
            if r['arch'] in done and r['arch'] not in seen:
                kept.append(r)
                seen.add(r['arch'])
        for h in self.searcher.history:  # a log lost with the work dir
            if h['arch'] not in seen:
                arch = self.space.parse(h['arch'])
                kept.append(dict(h, flops=count_flops(arch, self.input_size,
                                                      self.space),
                                 params=count_params(arch, self.space)))
        self._write_candidates(kept, mode='w')

    # ---- main --------------------------------------------------------------
    def run(self):
        self.runner.call_hook('before_train')
        resumed = self.resume and self._load_state()
        if not resumed and is_main_process():
            open(self._path(CANDIDATES_FILE), 'w').close()  # a new log
        active = self.supernet.arch
        while not self.searcher.done:
            self.run_generation()
        self.supernet.set_arch(active)
        if is_main_process():
            self.write_results()
        self.runner.call_hook('after_train')
        return self.runner.model

    def run_generation(self) -> None:
        gen = self.searcher.generation
        # every rank holds the same seeded searcher; rank 0's list is used
        candidates = self.searcher.ask()
        if get_world_size() > 1:
            obj = [[str(a) for a in candidates]]
            broadcast_object_list(obj, src=0)
            candidates = [self.space.parse(a) for a in obj[0]]
        scores, records = [], []
        bar = ProgressBar(len(candidates)) if is_main_process() else None
        for arch in candidates:
            t0 = time.perf_counter()
            metrics = self.evaluate(arch)
            elapsed = time.perf_counter() - t0
            self.candidate_times.append(elapsed)
            score = float(metrics[self.score_key])
            scores.append(score)
            records.append(dict(self._record(arch, score, metrics),
                                time_s=round(elapsed, 3)))
            if bar is not None:
                bar.update()
        self.searcher.tell(candidates, scores)
        if is_main_process():
            self._write_candidates(records)
            self._save_state()
            pop = [s for _, s in self.searcher.population]
            best_arch, best = self.searcher.best(1)[0]
            print_log(
                f'\n[{self.strategy} search] generation {gen + 1}/'
                f'{self.searcher.max_generations}: {len(candidates)} '
                f'candidates, best {self.score_key}={best:.4f} '
                f'({count_flops(best_arch, self.input_size, self.space) / 1e6:.1f}'
                f' MFLOPs), population mean {sum(pop) / max(len(pop), 1):.4f}'
                f', {sum(self.candidate_times) / max(len(self.candidate_times), 1):.2f}'
                ' s/candidate',
                logger='current')

    def write_results(self) -> None:
        """best_arch.yaml, topk_archs.yaml and the plots."""
        best = self.searcher.best(self.topk)
        if not best:
            return
        arch, score = best[0]
        dump_arch(arch, self._path('best_arch.yaml'),
                  score=score, score_key=self.score_key,
                  flops=count_flops(arch, self.input_size, self.space),
                  params=count_params(arch, self.space),
                  flops_input_size=list(self.input_size))
        import yaml
        with open(self._path('topk_archs.yaml'), 'w') as f:
            yaml.safe_dump([
                dict(arch=str(a), score=s,
                     flops=count_flops(a, self.input_size, self.space),
                     params=count_params(a, self.space)) for a, s in best
            ], f, sort_keys=False)
        from .plots import plot_arch, plot_search
        plot_search(self._path(CANDIDATES_FILE), self.runner.work_dir,
                    self.score_key)
        plot_arch(arch, self.space, self._path('best_arch.png'),
                  f'best: {self.score_key} {score:.2f}, '
                  f'{count_flops(arch, self.input_size, self.space) / 1e6:.0f}'
                  ' MFLOPs')
        print_log(f'best architecture ({self.score_key}={score:.4f}): '
                  f'{arch}\nwritten to {self._path("best_arch.yaml")}',
                  logger='current')
