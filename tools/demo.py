"""The whole RSBNet pipeline in minutes on a CPU: the README's first command.

    python tools/demo.py [--data-root DIR] [--work-dir work_dirs/demo]
        [--images-per-class N] [--quick]

1. data: a small SYNTHETIC scene dataset generated in code (4 classes:
   farmland, forest, water, urban; 64x64), or DIR, any folder-per-class
   scene dataset (e.g. ../shared/data/aid150), split 50/25/25 into
   train / search / test (seeded);
2. stage 1: supernet pretraining, EnsembleSinglePathLoop (B = 5, full width);
3. stage 2: fine-tuning with elastic width, SandwichFinetuneLoop;
4. stage 3: EvoSearchLoop under a FLOPs budget (inherited weights, BN
   recalibrated per candidate);
5. export of the found subnet, and a short retrain of it;
6. a summary table (accuracy of the max, min and found subnets, FLOPs,
   params, time per stage) and the search plots, in the work dir.

The configs are ``configs/rsbnet/demo/*.py``: the paper's configs scaled
down (64 px, a few epochs, K = 8, G = 4). Run again with the same work dir,
it skips the stages that finished and resumes an interrupted search.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
DEMO_CONFIGS = osp.join(ROOT, 'configs', 'rsbnet', 'demo')
PLACEHOLDER = 'work_dirs/demo/data'


def parse_args():
    parser = argparse.ArgumentParser(
        description='RSBNet end to end on a small dataset (CPU, minutes)')
    parser.add_argument(
        '--data-root',
        help='a folder-per-class scene dataset; default: generate a '
        'synthetic one')
    parser.add_argument('--work-dir', default=osp.join('work_dirs', 'demo'))
    parser.add_argument(
        '--images-per-class', type=int, default=None,
        help='use at most this many images of each class')
    parser.add_argument(
        '--quick', action='store_true',
        help='a reduced run (1 epoch a stage, K=4, G=2): for tests')
    parser.add_argument('--seed', type=int, default=0)
    g = parser.add_argument_group(
        'scale (defaults: configs/rsbnet/demo/*.py)')
    g.add_argument('--pretrain-epochs', type=int)
    g.add_argument('--finetune-epochs', type=int)
    g.add_argument('--retrain-epochs', type=int)
    g.add_argument('--num-paths', type=int,
                   help='B of stage 1 (ensemble single-path pretraining)')
    g.add_argument('--population-size', type=int, help='K of the search')
    g.add_argument('--generations', type=int, help='G of the search')
    g.add_argument('--random-search', action='store_true',
                   help='also run the random-search baseline with the same '
                   'budget and compare')
    g.add_argument('--baselines', action='store_true',
                   help="also train mmpretrain's MobileNetV2 and ResNet-18 "
                   'from scratch for the found subnet\'s whole budget '
                   '(pretrain + fine-tune + retrain epochs) and compare')
    return parser.parse_args()


def _replace(obj, old: str, new: str):
    """Replace the data placeholder in every string of a config."""
    if isinstance(obj, dict):
        return type(obj)((k, _replace(v, old, new)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_replace(v, old, new) for v in obj)
    if isinstance(obj, str) and obj.startswith(old):
        return new + obj[len(old):]
    return obj


def prepare_data(args, data_dir: str) -> dict:
    """Make (or find) the images and write the split files."""
    from rsbnet_mm.datasets.splits import (split_folder_dataset,
                                           write_ann_file, write_class_file)
    from rsbnet_mm.datasets.synthetic import make_synthetic_scenes
    if args.data_root:
        root = osp.abspath(args.data_root)
        if not osp.isdir(root):
            raise FileNotFoundError(
                f'--data-root {args.data_root}: no such folder (expected one '
                'sub-folder of images per class)')
        source = root
    else:
        cache = os.environ.get('RSBNET_CACHE', osp.join(
            osp.expanduser('~'), '.cache', 'rsbnet_mm'))
        per_class = 16 if args.quick else 80
        root = make_synthetic_scenes(
            osp.join(cache, f'demo_scenes_{per_class}'), num_classes=4,
            images_per_class=per_class, size=64, seed=args.seed)
        source = f'{root} (SYNTHETIC scenes generated in code)'
    names = ('train', 'search', 'test')
    splits = split_folder_dataset(root, [0.5, 0.25, 0.25], names,
                                  seed=args.seed)
    cap = args.images_per_class
    if cap:
        for name, ratio in zip(names, (0.5, 0.25, 0.25)):
            keep, seen = [], {}
            for path, label in splits[name]:
                seen[label] = seen.get(label, 0) + 1
                if seen[label] <= max(1, round(cap * ratio)):
                    keep.append((path, label))
            splits[name] = keep
    os.makedirs(data_dir, exist_ok=True)
    classes = sorted(e.name for e in os.scandir(root) if e.is_dir())
    write_class_file(osp.join(data_dir, 'classes.txt'), classes)
    for name in names:
        write_ann_file(osp.join(data_dir, f'{name}.txt'),
                       [(osp.join(root, p), y) for p, y in splits[name]])
    return dict(source=source, classes=classes,
                sizes={n: len(splits[n]) for n in names})


def load_cfg(name: str, args, data_dir: str, num_classes: int, stage: str):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(DEMO_CONFIGS, f'{name}_demo.py'))
    cfg = Config(_replace(cfg.to_dict(), PLACEHOLDER, data_dir))
    cfg.work_dir = osp.join(args.work_dir, stage)
    cfg.model.head.num_classes = num_classes
    cfg.data_preprocessor.num_classes = num_classes
    cfg.randomness = dict(seed=args.seed)
    cfg.experiment_name = stage
    epochs = dict(pretrain=args.pretrain_epochs,
                  finetune=args.finetune_epochs,
                  retrain=args.retrain_epochs).get(stage)
    if epochs:
        _set_epochs(cfg, epochs)
    if stage == 'pretrain' and args.num_paths:
        cfg.train_cfg.num_paths = args.num_paths
    if cfg.train_cfg.get('type') == 'rsbnet_mm.EvoSearchLoop':
        if args.population_size:
            cfg.train_cfg.population_size = args.population_size
        if args.generations:
            cfg.train_cfg.max_generations = args.generations
    if args.quick:
        if 'max_epochs' in cfg.train_cfg:
            _set_epochs(cfg, 1)
        if cfg.train_cfg.get('type') == 'rsbnet_mm.EvoSearchLoop':
            cfg.train_cfg.population_size = 4
            cfg.train_cfg.max_generations = 2
            cfg.train_cfg.calib_samples = 32
    # the resolved config, runnable with tools/train.py, search.py and
    # rank_correlation.py on the same data
    os.makedirs(osp.join(args.work_dir, 'configs'), exist_ok=True)
    cfg.dump(osp.join(args.work_dir, 'configs', f'{stage}.py'))
    return cfg


def _set_epochs(cfg, epochs: int) -> None:
    """Train ``epochs`` epochs: the loop, its last validation and the
    schedule (a one-epoch linear warm-up, then cosine) follow."""
    cfg.train_cfg.max_epochs = epochs
    if 'val_interval' in cfg.train_cfg:
        cfg.train_cfg.val_interval = epochs
    warmup = 1 if epochs > 2 else 0
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0,
             end=warmup, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=epochs - warmup, by_epoch=True,
             begin=warmup, end=epochs)
    ][0 if warmup else 1:]


def build_runner(cfg):
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    from _common import prepare_runner_cfg
    return prepare_runner_cfg(cfg)


class StageTimes(dict):
    """Wall clock per stage, kept in ``times.json`` of the work dir: a
    stage skipped on a rerun keeps the time of the run that did it (or,
    where none was kept, the span of its MMEngine logs)."""

    def __init__(self, work_dir: str, file_name: str = 'times.json'):
        self.path = osp.join(work_dir, file_name)
        super().__init__(json.load(open(self.path))
                         if osp.isfile(self.path) else {})

    def record(self, stage: str, seconds: float, ran: bool,
               stage_dir: str = None) -> None:
        if not ran and stage not in self and stage_dir:
            seconds = logged_seconds(stage_dir) or seconds
        if ran or stage not in self:
            self[stage] = seconds
            with open(self.path, 'w') as f:
                json.dump(self, f, indent=1)


def logged_seconds(stage_dir: str) -> float:
    """Seconds from the first to the last timestamped line of each MMEngine
    log in ``stage_dir/<timestamp>/``, summed over the runs."""
    import datetime
    import glob
    import re
    stamp = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - mmengine')
    total = 0.
    for log in glob.glob(osp.join(stage_dir, '*', '*.log')):
        with open(log) as f:
            found = [m.group(1) for m in map(stamp.match, f) if m]
        if len(found) > 1:
            first, last = (datetime.datetime.strptime(t, '%Y/%m/%d %H:%M:%S')
                           for t in (found[0], found[-1]))
            total += (last - first).total_seconds()
    return total


def run_stage(cfg, final_ckpt: str):
    """Train, unless an earlier run of the demo already finished it; the
    runner that trained, or None."""
    if osp.isfile(final_ckpt):
        print(f'found {final_ckpt}: stage done before, skipped', flush=True)
        return None
    runner = build_runner(cfg)
    runner.train()
    return runner


def train_and_test(cfg) -> tuple:
    """Train (unless done before) and test; (test metrics, whether it
    trained). A run that trains tests with its own runner; one done before
    tests its final checkpoint."""
    final = osp.join(cfg.work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    runner = run_stage(cfg, final)
    if runner is not None:
        return runner.test(), True
    cfg.load_from, cfg.resume = final, False
    return build_runner(cfg).test(), False


def run_search(cfg) -> bool:
    """Search; a search interrupted earlier is resumed, a finished one
    skipped; whether it ran."""
    state = osp.join(cfg.work_dir, 'search_state.json')
    if osp.isfile(state):
        with open(state) as f:
            gen = json.load(f)['searcher']['generation']
        if gen >= cfg.train_cfg.max_generations and osp.isfile(
                osp.join(cfg.work_dir, 'best_arch.yaml')):
            print(f'found {state}: search done before, skipped', flush=True)
            return False
        cfg.train_cfg.resume = True
    build_runner(cfg).train()
    return True


def _backbone_cost(backbone) -> tuple:
    """MMEngine's multiply-adds (224x224) and parameters of a backbone."""
    from mmengine.analysis import get_model_complexity_info
    backbone.eval()  # (some backbones' train() returns None)
    info = get_model_complexity_info(
        backbone, input_shape=(3, 224, 224), show_table=False,
        show_arch=False)
    return info['flops'], info['params']


def _search_result(work_dir: str) -> dict:
    """What a search wrote: its best, its size, its time per candidate."""
    with open(osp.join(work_dir, 'candidates.jsonl')) as f:
        recs = [json.loads(line) for line in f]
    with open(osp.join(work_dir, 'search_state.json')) as f:
        state = json.load(f)['searcher']
    best = max(recs, key=lambda r: r['score'])
    return dict(
        population_size=state['settings']['population_size'],
        generations=state['settings']['max_generations'],
        evaluated=len(recs), best_score=best['score'],
        best_arch=best['arch'], best_flops=best['flops'],
        s_per_candidate=sum(r.get('time_s', 0) for r in recs) /
        max(len(recs), 1))


def evaluate_subnets(ckpt: str, archs: dict, args, data_dir, num_classes):
    """Test OA and mAP of paths of the fine-tuned supernet (inherited
    weights, BN recalibrated on training images)."""
    from rsbnet_mm.engine import evaluate_arch
    from rsbnet_mm.engine.bn_calib import calib_batches
    cfg = load_cfg('search', args, data_dir, num_classes, 'evaluate')
    cfg.load_from = ckpt
    runner = build_runner(cfg)
    runner.load_checkpoint(ckpt)
    test_cfg = dict(cfg.train_cfg.dataloader)
    test_cfg['dataset'] = dict(test_cfg['dataset'],
                               ann_file=osp.join(data_dir, 'test.txt'))
    loader = runner.build_dataloader(test_cfg)
    evaluator = runner.build_evaluator(cfg.test_evaluator)
    evaluator.dataset_meta = loader.dataset.metainfo
    calib = calib_batches(cfg.train_cfg.calib_dataloader,
                          cfg.train_cfg.calib_samples)
    return {
        tag: _oa_map(evaluate_arch(runner.model, arch, loader, evaluator,
                                   calib, cfg.train_cfg.calib_samples))
        for tag, arch in archs.items()
    }


def _oa_map(metrics: dict) -> tuple:
    """(OA, mAP) in %, from mmpretrain's Accuracy and AveragePrecision."""
    return metrics['accuracy/top1'], metrics['multi-label/mAP']


def main():
    args = parse_args()
    args.work_dir = osp.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    import rsbnet_mm
    from mmengine.logging import MMLogger
    from rsbnet_mm import count_flops, count_params, parse_arch
    from rsbnet_mm.models.export import export_subnet_state
    from rsbnet_mm.utils import load_state_dict_safe
    import torch

    times, t_all = StageTimes(args.work_dir), time.perf_counter()
    data_dir = osp.join(args.work_dir, 'data')
    banner = lambda s: print(f'\n{"=" * 72}\n{s}\n{"=" * 72}', flush=True)  # noqa

    banner('data')
    t0 = time.perf_counter()
    info = prepare_data(args, data_dir)
    num_classes = len(info['classes'])
    times.record('data', time.perf_counter() - t0, True)
    print(f"images from {info['source']}\nclasses ({num_classes}): "
          f"{', '.join(info['classes'])}\nsplit sizes: {info['sizes']}")

    banner('stage 1/4: supernet pretraining (EnsembleSinglePathLoop, B=5)')
    t0 = time.perf_counter()
    cfg = load_cfg('pretrain', args, data_dir, num_classes, 'pretrain')
    pre_ckpt = osp.join(cfg.work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    ran = run_stage(cfg, pre_ckpt) is not None
    times.record('pretrain', time.perf_counter() - t0, ran, cfg.work_dir)

    banner('stage 2/4: fine-tuning with elastic width (SandwichFinetuneLoop)')
    t0 = time.perf_counter()
    cfg = load_cfg('finetune', args, data_dir, num_classes, 'finetune')
    cfg.load_from = pre_ckpt
    ft_ckpt = osp.join(cfg.work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    ran = run_stage(cfg, ft_ckpt) is not None
    times.record('finetune', time.perf_counter() - t0, ran, cfg.work_dir)

    banner('stage 3/4: evolutionary search (EvoSearchLoop, FLOPs <= 400M '
           'at 224x224)')
    t0 = time.perf_counter()
    cfg = load_cfg('search', args, data_dir, num_classes, 'search')
    cfg.load_from = ft_ckpt
    search_cfg = cfg
    ran = run_search(cfg)
    best = parse_arch(osp.join(cfg.work_dir, 'best_arch.yaml'))
    times.record('search', time.perf_counter() - t0, ran, cfg.work_dir)
    searches = {'evolution': _search_result(cfg.work_dir)}
    if args.random_search:
        banner('stage 3/4 baseline: random search, the same budget')
        t0 = time.perf_counter()
        cfg = load_cfg('search', args, data_dir, num_classes,
                       'search_random')
        cfg.load_from = ft_ckpt
        cfg.train_cfg.strategy = 'random'
        ran = run_search(cfg)
        times.record('search_random', time.perf_counter() - t0, ran,
                     cfg.work_dir)
        searches['random'] = _search_result(cfg.work_dir)

    banner('stage 4/4: export the found subnet and retrain it')
    t0 = time.perf_counter()
    state, _, _ = export_subnet_state(load_state_dict_safe(ft_ckpt), best)
    sub_ckpt = osp.join(args.work_dir, 'found_subnet.pth')
    torch.save(dict(state_dict=state, meta=dict(arch=str(best))), sub_ckpt)
    cfg = load_cfg('retrain', args, data_dir, num_classes, 'retrain')
    cfg.model.backbone.arch = str(best)
    cfg.load_from = sub_ckpt
    metrics, ran = train_and_test(cfg)
    retrained = _oa_map(metrics)
    times.record('retrain', time.perf_counter() - t0, ran)

    banner('summary')
    t0 = time.perf_counter()
    space = rsbnet_mm.SearchSpace()
    archs = dict(max=space.max_arch(), min=space.min_arch(), found=best)
    acc = evaluate_subnets(ft_ckpt, archs, args, data_dir, num_classes)
    acc_pre = evaluate_subnets(pre_ckpt, archs, args, data_dir, num_classes)
    times.record('evaluate', time.perf_counter() - t0, True)
    rows = []
    for tag, arch in archs.items():
        rows.append(dict(
            subnet=tag, arch=str(arch),
            flops_224=count_flops(arch), params=count_params(arch),
            test_acc_inherited=acc[tag][0], test_map_inherited=acc[tag][1],
            test_acc_after_pretrain=acc_pre[tag][0],
            test_acc_retrained=retrained[0] if tag == 'found' else None,
            test_map_retrained=retrained[1] if tag == 'found' else None))
    for name in (('mobilenetv2', 'resnet18') if args.baselines else ()):
        banner(f'baseline: {name} from scratch')
        t0 = time.perf_counter()
        cfg = load_cfg(f'baseline_{name}', args, data_dir, num_classes,
                       f'baseline_{name}')
        _set_epochs(cfg, sum(
            load_cfg(n, args, data_dir, num_classes, n).train_cfg.max_epochs
            for n in ('pretrain', 'finetune', 'retrain')))
        metrics, ran = train_and_test(cfg)
        times.record(f'baseline_{name}', time.perf_counter() - t0, ran)
        from mmpretrain.registry import MODELS
        flops, params = _backbone_cost(MODELS.build(cfg.model.backbone))
        oa, mean_ap = _oa_map(metrics)
        rows.append(dict(subnet=name, arch=cfg.model.backbone.type,
                         flops_224=flops, params=params,
                         test_acc_after_pretrain=None,
                         test_acc_inherited=None, test_map_inherited=None,
                         test_acc_retrained=oa, test_map_retrained=mean_ap,
                         epochs=cfg.train_cfg.max_epochs))
    times.record('total', time.perf_counter() - t_all, True)
    summary = dict(data=info, rows=rows, times_s=dict(times),
                   searches=searches,
                   budget=search_cfg.train_cfg.constraints,
                   quick=args.quick)
    with open(osp.join(args.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    lines = [
        f"RSBNet demo on {info['source']}",
        f"{num_classes} classes; train/search/test = "
        f"{info['sizes']['train']}/{info['sizes']['search']}/"
        f"{info['sizes']['test']} images at 64x64",
        '',
        '| subnet | MFLOPs@224 | params (M) | test OA after stage 1 '
        '| OA / mAP after stage 2 (inherited, BN recal.) | OA / mAP '
        'retrained (baselines: from scratch, same epochs in all) |',
        '|---|---|---|---|---|---|',
    ]
    def fmt(v):
        return '-' if v is None else f'{v:.2f}'

    for r in rows:
        lines.append(f"| {r['subnet']} | {r['flops_224'] / 1e6:.1f} | "
                     f"{r['params'] / 1e6:.2f} | "
                     f"{fmt(r['test_acc_after_pretrain'])} | "
                     f"{fmt(r['test_acc_inherited'])} / "
                     f"{fmt(r['test_map_inherited'])} | "
                     f"{fmt(r['test_acc_retrained'])} / "
                     f"{fmt(r['test_map_retrained'])} |")
    lines += ['', f'found: {best}', '']
    for name, r in searches.items():
        lines.append(
            f"{name} search: K={r['population_size']} G={r['generations']}, "
            f"{r['evaluated']} candidates, {r['s_per_candidate']:.2f} s per "
            f"candidate, best search-split accuracy {r['best_score']:.2f} "
            f"({r['best_flops'] / 1e6:.0f} MFLOPs)")
    lines += ['',
              'time per stage (s): ' + ', '.join(
                  f'{k} {v:.0f}' for k, v in times.items())]
    plots = [osp.join(search_cfg.work_dir, p)
             for p in ('search_curve.png', 'pareto.png')]
    lines += ['plots: ' + ', '.join(plots),
              f'summary: {osp.join(args.work_dir, "summary.json")}']
    text = '\n'.join(lines)
    with open(osp.join(args.work_dir, 'summary.md'), 'w') as f:
        f.write(text + '\n')
    MMLogger.get_current_instance()
    print(text, flush=True)


if __name__ == '__main__':
    main()
