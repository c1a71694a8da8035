"""Benchmarks of rsbnet_mm, one subcommand per stage.

    python tools/benchmark.py supernet [--input-size 128] [--batch-size 8]
        [--repeats 10] [--threads 2] [--out FILE.json]

Prints a JSON report (and writes it to ``--out``). Timings of models that are
compared are taken side by side in one process, repetitions interleaved
(A, B, A, B, ...), and reported as medians, so that load from other
processes hits every model alike.

Subcommands:
    supernet  the supernet's overhead over exported subnets (max and min
              width, fwd+bwd in train mode), whether time follows FLOPs from
              max to min width, the speed of the analytic FLOPs counter and
              memory.
    pretrain  stage 1: training throughput (images/s) of an ensemble
              single-path step (B paths, one update) against training the
              exported largest subnet alone, on the same real images.
    finetune  stage 2: the same for a sandwich step (B kernel paths at the
              smallest, largest and random widths: 3B passes, one update),
              next to what its FLOPs predict.
    search    stage 3: time per candidate (BN recalibration + evaluation of
              the search images) and the supernet's evaluation time
              against the exported subnet's, same architectures.
"""
import argparse
import json
import os
import os.path as osp
import platform
import random
import resource
import statistics
import sys
import time
from typing import Callable, Dict, List, Sequence, Tuple

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))


# ---- helpers shared by the subcommands ----------------------------------
def _settings(args, **extra) -> dict:
    import torch
    out = dict(
        input_size=args.input_size,
        batch_size=args.batch_size,
        repeats=args.repeats,
        warmup=args.warmup,
        threads=torch.get_num_threads(),
        torch=torch.__version__,
        python=platform.python_version(),
        machine=platform.machine(),
        cuda=torch.cuda.is_available(),
        timing='time.perf_counter per repetition, models interleaved '
        'A, B, A, B, ...; median reported (min_ms: the fastest '
        'repetition, the least disturbed by other processes)',
        loadavg_1min=round(os.getloadavg()[0], 2),
        cpu_count=os.cpu_count())
    out.update(extra)
    return out


def _peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return rss / (1024.0**2 if sys.platform == 'darwin' else 1024.0)


def _quiet_init(model) -> None:
    """``model.init_weights()`` without MMEngine's per-parameter log."""
    import logging

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def _fwd_bwd(model, x) -> None:
    """One training step's compute: forward, sum of the outputs, backward."""
    outs = model(x)
    if not isinstance(outs, (tuple, list)):
        outs = (outs, )
    loss = sum(o.sum() for o in outs)
    loss.backward()


def _interleaved(cases: Dict[str, Tuple[Callable, Callable]], repeats: int,
                 warmup: int) -> Dict[str, List[float]]:
    """Time each case's ``run`` ``repeats`` times, cases interleaved.

    A case is ``(setup, run)``; ``setup`` (path selection, zeroing grads)
    runs before each repetition, outside the timed region. Each case is
    warmed up ``warmup`` times first. Returns seconds per repetition.
    """
    for setup, run in cases.values():
        for _ in range(warmup):
            setup()
            run()
    times: Dict[str, List[float]] = {k: [] for k in cases}
    for _ in range(repeats):
        for name, (setup, run) in cases.items():
            setup()
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    return times


def _median_ms(ts: Sequence[float]) -> float:
    return round(statistics.median(ts) * 1e3, 3)


def _saved_activation_mb(model, x) -> float:
    """MB of the tensors autograd saves for backward in one forward
    (storages counted once, parameters and their views excluded): the
    activation memory of a training step, measured without a GPU."""
    import torch
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    seen: Dict[int, int] = {}

    def pack(t):
        s = t.untyped_storage()
        ptr = s.data_ptr()
        if ptr not in params:
            seen[ptr] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        outs = model(x)
    del outs
    return round(sum(seen.values()) / 2**20, 2)


def _cuda_peak_mb(model, x, setup: Callable) -> float:
    import torch
    model = model.cuda()
    x = x.cuda()
    setup()
    _fwd_bwd(model, x)  # warm up (cudnn, allocator)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    setup()
    _fwd_bwd(model, x)
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - base
    model.cpu()
    return round(peak / 2**20, 2)


# ---- supernet -----------------------------------------------------------
def bench_supernet(args) -> dict:
    """Supernet vs exported subnet at max / min width, time vs FLOPs,
    FLOPs-counter throughput, memory."""
    import torch

    from rsbnet_mm import count_flops
    from rsbnet_mm.models import RSBNetSuperNet

    torch.manual_seed(args.seed)
    size, batch = args.input_size, args.batch_size
    net = RSBNetSuperNet()
    _quiet_init(net)
    net.train()
    space = net.space
    rng = random.Random(args.seed)
    if args.random_kernels:
        # max / min widths with random (fixed) kernels per layer
        kernels = [rng.choice(space.kernel_choices) for _ in space.layers]
        max_arch = space.parse([(k, space.max_expansion) for k in kernels])
        min_arch = space.parse([(k, space.min_expansion) for k in kernels])
    else:
        max_arch, min_arch = space.max_arch(), space.min_arch()
    archs = dict(max=max_arch, min=min_arch)
    exported = {w: net.export(a).train() for w, a in archs.items()}
    x = torch.randn(batch, 3, size, size)

    def case(model, arch=None):
        def setup():
            if arch is not None:
                net.set_arch(arch)
            model.zero_grad(set_to_none=True)

        return setup, lambda: _fwd_bwd(model, x)

    cases = {}
    for w, a in archs.items():
        cases[f'supernet_{w}'] = case(net, a)
        cases[f'exported_{w}'] = case(exported[w])
    times = _interleaved(cases, args.repeats, args.warmup)
    med = {k: _median_ms(v) for k, v in times.items()}
    fastest = {k: round(min(v) * 1e3, 3) for k, v in times.items()}
    load_after = round(os.getloadavg()[0], 2)

    # per-repetition ratios (paired: the two runs were back to back)
    def paired(a, b):
        return round(
            statistics.median(p / q for p, q in zip(times[a], times[b])), 3)

    flops = {w: count_flops(a, size) for w, a in archs.items()}
    min_over_max_time = round(med['supernet_min'] / med['supernet_max'], 3)
    min_over_max_flops = round(flops['min'] / flops['max'], 3)

    # the analytic counter on pre-sampled architectures
    pool = [space.sample(rng) for _ in range(args.num_archs)]
    count_flops(pool[0], size)  # fill the per-size table cache
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        for a in pool:
            count_flops(a, size)
        rates.append(len(pool) / (time.perf_counter() - t0))

    # memory of one fwd+bwd per measured model
    memory = dict(
        method='saved_for_backward_mb: bytes of the tensors autograd saves '
        'in one train-mode forward (unique storages, parameters excluded), '
        'via torch.autograd.graph.saved_tensors_hooks' +
        ('; cuda_peak_mb: torch.cuda.max_memory_allocated over one fwd+bwd'
         ' minus memory allocated before it' if torch.cuda.is_available()
         else '; no CUDA, so no allocator peak') +
        '; peak_rss_mb: resource.getrusage ru_maxrss of the process')
    for name, (setup, _) in cases.items():
        model = net if name.startswith('supernet') else exported[
            name.split('_')[1]]
        setup()
        entry = dict(saved_for_backward_mb=_saved_activation_mb(model, x))
        if torch.cuda.is_available():
            entry['cuda_peak_mb'] = _cuda_peak_mb(model, x, setup)
        memory[name] = entry
    memory['peak_rss_mb'] = round(_peak_rss_mb(), 1)

    ratio = {
        w: round(med[f'supernet_{w}'] / med[f'exported_{w}'], 3)
        for w in archs
    }
    return dict(
        benchmark='supernet',
        settings=_settings(
            args,
            mode='train (BN batch statistics), loss = sum of the outputs, '
            'grads set to None before each step (outside the timing)',
            archs={w: str(a)
                   for w, a in archs.items()},
            random_kernels=args.random_kernels,
            seed=args.seed),
        median_ms=med,
        min_ms=fastest,
        loadavg_1min_after_timing=load_after,
        supernet_over_exported_fwd_bwd=ratio,
        supernet_over_exported_paired_median=dict(
            max=paired('supernet_max', 'exported_max'),
            min=paired('supernet_min', 'exported_min')),
        supernet_over_exported_min_ms={
            w: round(fastest[f'supernet_{w}'] / fastest[f'exported_{w}'], 3)
            for w in archs
        },
        targets_met=dict(
            supernet_over_exported_le_1_10=all(r <= 1.10
                                               for r in ratio.values()),
            time_ratio_over_flops_ratio_le_1_3=min_over_max_time /
            min_over_max_flops <= 1.3,
            archs_counted_per_second_ge_10000=statistics.median(rates) >=
            10000),
        flops=flops,
        min_over_max_time=min_over_max_time,
        min_over_max_time_exported=round(
            med['exported_min'] / med['exported_max'], 3),
        min_over_max_flops=min_over_max_flops,
        time_ratio_over_flops_ratio=round(
            min_over_max_time / min_over_max_flops, 3),
        archs_counted=len(pool),
        archs_counted_per_second=round(statistics.median(rates)),
        memory=memory,
        peak_rss_mb=memory['peak_rss_mb'])


def _add_supernet(sub) -> None:
    p = sub.add_parser(
        'supernet',
        help='supernet vs exported subnet, time vs FLOPs, FLOPs counter',
        description=bench_supernet.__doc__)
    p.add_argument('--input-size', type=int, default=128)
    p.add_argument('--batch-size', type=int, default=8)
    p.add_argument('--repeats', type=int, default=10,
                   help='timed repetitions per model')
    p.add_argument('--warmup', type=int, default=2,
                   help='untimed repetitions per model first')
    p.add_argument('--threads', type=int, default=2,
                   help='torch.set_num_threads')
    p.add_argument('--num-archs', type=int, default=20000,
                   help='architectures for the FLOPs-counter throughput')
    p.add_argument('--random-kernels', action='store_true',
                   help='max / min widths with random fixed kernels instead '
                   'of set_max() / set_min()')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', help='also write the JSON report here')
    p.set_defaults(func=bench_supernet)


def _image_batches(root: str, size: int, batch: int, n_batches: int,
                   seed: int):
    """``n_batches`` mmpretrain batches of real images from a
    folder-per-class dataset (resized to ``size``), or synthetic scenes."""
    import numpy as np
    import torch
    from mmcv import imread, imresize
    from mmpretrain.structures import DataSample

    from rsbnet_mm.datasets.splits import scan_folder
    from rsbnet_mm.datasets.synthetic import make_synthetic_scenes
    if root is None or not osp.isdir(root):
        root = make_synthetic_scenes(
            osp.join(osp.expanduser('~'), '.cache', 'rsbnet_mm',
                     'demo_scenes_80'), images_per_class=80)
    by_class = scan_folder(root)
    classes = sorted(by_class)
    items = [(osp.join(root, p), y) for y, c in enumerate(classes)
             for p in by_class[c]]
    random.Random(seed).shuffle(items)
    batches = []
    for b in range(n_batches):
        chunk = items[b * batch:(b + 1) * batch]
        inputs = [
            torch.from_numpy(
                np.ascontiguousarray(
                    imresize(imread(p), (size, size)).transpose(2, 0, 1)))
            for p, _ in chunk
        ]
        samples = [DataSample().set_gt_label(y) for _, y in chunk]
        batches.append(dict(inputs=inputs, data_samples=samples))
    return root, classes, batches


def _classifier(backbone, num_classes):
    """mmpretrain's ImageClassifier around ``backbone`` (as the demo's)."""
    from mmpretrain.registry import MODELS
    return MODELS.build(dict(
            type='ImageClassifier',
            data_preprocessor=dict(type='ClsDataPreprocessor',
                                   mean=[123.675, 116.28, 103.53],
                                   std=[58.395, 57.12, 57.375],
                                   to_rgb=True, num_classes=num_classes),
            backbone=backbone,
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=num_classes,
                      in_channels=1280,
                      loss=dict(type='CrossEntropyLoss'))))


def _super_and_exported(num_classes):
    """A supernet classifier, and a function that exports one of its
    paths to a static classifier with the same weights."""
    from rsbnet_mm.models import find_supernet
    supermodel = _classifier(dict(type='rsbnet_mm.RSBNetSuperNet'),
                             num_classes)
    _quiet_init(supermodel)
    supernet = find_supernet(supermodel)

    def exported(arch):
        sub = _classifier(dict(type='rsbnet_mm.RSBNetSubNet', arch=str(arch),
                               init_cfg=None), num_classes)
        sub.backbone.load_state_dict(
            supernet.export_state_dict(arch, sub.backbone))
        sub.head.load_state_dict(supermodel.head.state_dict())
        return sub

    return supermodel, supernet, exported


def bench_train_step(args) -> dict:
    """Images/s of one update of stage 1 (``pretrain``: B full-width
    single paths, what EnsembleSinglePathLoop does per mini-batch) or of
    stage 2 (``finetune``: the sandwich rule's 3B paths, as
    SandwichFinetuneLoop) next to a plain training step of the exported
    largest subnet, on the same batches of real images, interleaved."""
    import torch
    from mmengine.optim import OptimWrapper
    from mmengine.registry import init_default_scope

    from rsbnet_mm import count_flops
    from rsbnet_mm.engine.loops import multi_path_step, sandwich_paths
    init_default_scope('mmpretrain')
    root, classes, batches = _image_batches(args.data_root, args.input_size,
                                            args.batch_size, 4, args.seed)
    supermodel, supernet, exported = _super_and_exported(len(classes))
    space = supernet.space
    submodel = exported(space.max_arch())
    opt = lambda m: OptimWrapper(torch.optim.SGD(m.parameters(), lr=0.01,
                                                 momentum=0.9))  # noqa
    super_optim, sub_optim = opt(supermodel), opt(submodel)
    supermodel.train(), submodel.train()
    rng = random.Random(args.seed)
    state = dict(i=0, paths=None, flops=[])
    size = (args.input_size, ) * 2

    def next_batch():
        state['i'] += 1
        return batches[state['i'] % len(batches)]

    def sample_paths():
        if args.command == 'pretrain':
            state['paths'] = [(f'path{j}', a) for j, a in enumerate(
                space.sample_distinct(args.num_paths, rng, max_width=True))]
        else:
            state['paths'] = sandwich_paths(space, rng, args.num_paths,
                                            space.expand_choices)
        state['flops'].append(sum(count_flops(a, size, space)
                                  for _, a in state['paths']))

    cases = {
        'multi_path': (sample_paths, lambda: multi_path_step(
            supermodel, super_optim, next_batch(), supernet,
            state['paths'])),
        'exported_max': (lambda: None, lambda: submodel.train_step(
            next_batch(), sub_optim)),
    }
    times = _interleaved(cases, args.repeats, args.warmup)
    med = {k: statistics.median(v) for k, v in times.items()}
    ips = {k: round(args.batch_size / v, 2) for k, v in med.items()}
    passes = len(state['paths'])
    flops_ratio = statistics.mean(state['flops']) / count_flops(
        space.max_arch(), size, space)
    loop = dict(pretrain='EnsembleSinglePathLoop',
                finetune='SandwichFinetuneLoop')[args.command]
    return dict(
        benchmark=args.command,
        settings=_settings(args, data_root=root, classes=len(classes),
                           num_paths=args.num_paths, loop=loop,
                           passes_per_update=passes,
                           optimizer='SGD lr 0.01 momentum 0.9'),
        median_ms={k: _median_ms(v) for k, v in times.items()},
        images_per_s=dict(
            multi_path_update=ips['multi_path'],
            exported_max_alone=ips['exported_max']),
        update_over_exported_time=round(med['multi_path'] /
                                        med['exported_max'], 3),
        update_over_exported_flops=round(flops_ratio, 3),
        time_over_flops=round(
            med['multi_path'] / med['exported_max'] / flops_ratio, 3),
        per_pass_over_exported=round(
            med['multi_path'] / med['exported_max'] / passes, 3),
        note=f'one {loop} update runs {passes} forward/backward passes '
        'over each image; update_over_exported_flops is what their FLOPs '
        'predict against one pass of the exported largest subnet, '
        'time_over_flops how far the measured time is from that.',
        peak_rss_mb=round(_peak_rss_mb(), 1))


def bench_search(args) -> dict:
    """Time per candidate of EvoSearchLoop: set the architecture and
    recalibrate BN on ``--calib-samples`` images, then evaluate
    ``--search-images`` images; the supernet's evaluation against the
    exported subnet's (same weights, same images), random architectures,
    interleaved."""
    import torch
    from mmengine.registry import init_default_scope

    from rsbnet_mm.engine.bn_calib import recalibrated_bn
    init_default_scope('mmpretrain')
    n_calib = -(-args.calib_samples // args.batch_size)
    n_eval = -(-args.search_images // args.batch_size)
    root, classes, batches = _image_batches(
        args.data_root, args.input_size, args.batch_size, n_calib + n_eval,
        args.seed)
    calib, search = batches[:n_calib], batches[n_calib:]
    supermodel, supernet, exported = _super_and_exported(len(classes))
    supermodel.eval()
    space = supernet.space
    rng = random.Random(args.seed)
    state = dict(sub=None)

    def new_candidate():
        arch = space.sample(rng)
        supernet.set_arch(arch)
        state['sub'] = exported(arch).eval()

    def recalibrate():
        with recalibrated_bn(supermodel, calib, args.calib_samples):
            pass

    def evaluate(model):
        with torch.no_grad():
            for b in search:
                model.test_step(b)

    cases = {
        'recalibrate_bn': (new_candidate, recalibrate),
        'evaluate_supernet': (lambda: None, lambda: evaluate(supermodel)),
        'evaluate_exported': (lambda: None,
                              lambda: evaluate(state['sub'])),
    }
    times = _interleaved(cases, args.repeats, args.warmup)
    med = {k: statistics.median(v) for k, v in times.items()}
    per_candidate = med['recalibrate_bn'] + med['evaluate_supernet']
    return dict(
        benchmark='search',
        settings=_settings(args, data_root=root, classes=len(classes),
                           calib_samples=args.calib_samples,
                           search_images=len(search) * args.batch_size),
        median_ms={k: _median_ms(v) for k, v in times.items()},
        s_per_candidate=round(per_candidate, 3),
        candidates_per_hour=round(3600 / per_candidate, 1),
        recalibration_share=round(med['recalibrate_bn'] / per_candidate, 3),
        supernet_over_exported_eval=round(
            med['evaluate_supernet'] / med['evaluate_exported'], 3),
        peak_rss_mb=round(_peak_rss_mb(), 1))


def _add_real_image_parser(sub, name, help, func, batch_size, repeats):
    default_root = osp.normpath(osp.join(osp.dirname(osp.abspath(
        __file__)), '..', '..', 'shared', 'data', 'aid150'))
    p = sub.add_parser(name, help=help, description=func.__doc__)
    p.add_argument('--data-root', default=default_root,
                   help='folder-per-class images (default: the AID sample; '
                   'synthetic scenes if absent)')
    p.add_argument('--input-size', type=int, default=64)
    p.add_argument('--batch-size', type=int, default=batch_size)
    p.add_argument('--repeats', type=int, default=repeats)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', help='also write the JSON report here')
    p.set_defaults(func=func)
    return p


def _add_train_steps(sub) -> None:
    p = _add_real_image_parser(
        sub, 'pretrain', 'ensemble single-path step vs exported max subnet',
        bench_train_step, 32, 6)
    p.add_argument('--num-paths', type=int, default=5)
    p = _add_real_image_parser(
        sub, 'finetune', 'sandwich step vs exported max subnet',
        bench_train_step, 32, 4)
    p.add_argument('--num-paths', type=int, default=2,
                   help='B kernel paths (3B passes; the demo uses 2)')


def _add_search(sub) -> None:
    p = _add_real_image_parser(
        sub, 'search', 'time per search candidate', bench_search, 64, 5)
    p.add_argument('--calib-samples', type=int, default=64)
    p.add_argument('--search-images', type=int, default=1000)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmarks of rsbnet_mm (one subcommand per stage).')
    sub = parser.add_subparsers(dest='command', required=True)
    _add_supernet(sub)
    _add_train_steps(sub)
    _add_search(sub)
    args = parser.parse_args(argv)

    import torch
    torch.set_num_threads(args.threads)
    report = args.func(args)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
