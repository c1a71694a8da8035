"""Rank correlation of one-shot and stand-alone accuracies (the paper's Fig. 9).

    python tools/rank_correlation.py SEARCH_CONFIG --checkpoint SUPERNET.pth \
        --standalone-config RETRAIN_CONFIG [--num-archs 20] \
        [--flops LO HI] [--seed 0] [--work-dir DIR] [--cfg-options ...]

1. samples ``--num-archs`` architectures (seeded; optionally inside a FLOPs
   band counted at the search config's ``constraint_input_size``);
2. scores each with weights inherited from the supernet after BN
   recalibration, on the search config's dataloader and evaluator;
3. trains each from scratch with ``--standalone-config`` (a config with an
   ``rsbnet_mm.RSBNetSubNet`` backbone; its ``arch`` is set per run) and
   reads the metric of its final validation;
4. reports Kendall tau and Spearman rho, writes ``correlation.json`` and
   ``correlation.png`` (scatter) to the work dir.

Resumable: one-shot scores and finished stand-alone runs are kept in the
work dir (``oneshot.json``, ``standalone/<i>/result.json``) and not redone.
"""
import argparse
import json
import os
import os.path as osp
import random
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _common import add_common_args, load_config, parse_common  # noqa


def parse_args():
    parser = argparse.ArgumentParser(description='one-shot vs stand-alone')
    parser.add_argument('config', help='search config (EvoSearchLoop)')
    parser.add_argument('--checkpoint', required=True, help='supernet')
    parser.add_argument('--standalone-config', required=True,
                        help='training config of one RSBNetSubNet')
    parser.add_argument('--num-archs', type=int, default=20)
    parser.add_argument('--flops', type=float, nargs=2, default=None,
                        metavar=('LO', 'HI'), help='FLOPs band')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--standalone-dir',
        help='where the stand-alone runs live (default: WORK_DIR/'
        'standalone); give two supernets the same folder to train each '
        'architecture once')
    add_common_args(parser)
    return parse_common(parser)


def kendall_spearman(x, y):
    """Kendall tau-b and Spearman rho (scipy's); None where undefined (a
    constant list)."""
    import math

    from scipy import stats
    if len(set(x)) < 2 or len(set(y)) < 2:
        return None, None
    tau = float(stats.kendalltau(x, y).statistic)
    rho = float(stats.spearmanr(x, y).statistic)
    return (None if math.isnan(tau) else tau,
            None if math.isnan(rho) else rho)


def oneshot_scores(cfg, archs, path):
    """Inherited-weight score of each arch (cached in ``path``)."""
    done = json.load(open(path)) if osp.isfile(path) else {}
    todo = [a for a in archs if str(a) not in done]
    if todo:
        from _common import prepare_runner_cfg
        cfg.train_cfg.constraints = None
        runner = prepare_runner_cfg(cfg)
        runner.load_checkpoint(cfg.load_from)
        loop = runner.build_train_loop(cfg.train_cfg)
        for a in todo:
            done[str(a)] = float(loop.evaluate(a)[loop.score_key])
            with open(path, 'w') as f:
                json.dump(done, f, indent=1)
    import inspect
    from rsbnet_mm.search import EvoSearchLoop
    key = cfg.train_cfg.get(
        'score_key',
        inspect.signature(EvoSearchLoop).parameters['score_key'].default)
    return [done[str(a)] for a in archs], key


def standalone_score(args, arch, work_dir, score_key):
    """Train ``arch`` from scratch; its final validation metric."""
    result = osp.join(work_dir, 'result.json')
    if osp.isfile(result):
        with open(result) as f:
            done = json.load(f)
        if done['arch'] != str(arch):
            raise ValueError(
                f'{result} holds the run of {done["arch"]}, not of {arch}: '
                'another --seed, --flops or --num-archs used this folder')
        return done['score']
    import time
    t0 = time.perf_counter()
    from mmengine.config import Config
    from _common import prepare_runner_cfg
    cfg = Config.fromfile(args.standalone_config)
    cfg.model.backbone.arch = str(arch)
    cfg.work_dir = work_dir
    cfg.load_from = None
    cfg.experiment_name = osp.basename(work_dir)
    runner = prepare_runner_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    score = float(metrics[score_key])
    with open(result, 'w') as f:
        json.dump(dict(arch=str(arch), score=score,
                       time_s=time.perf_counter() - t0), f)
    return score


def plot(x, y, tau, rho, out, score_key):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(x, y, s=18)
    ax.set_xlabel(f'one-shot {score_key} (inherited weights)')
    ax.set_ylabel(f'stand-alone {score_key}')
    ax.set_title('Kendall tau undefined (constant scores)' if tau is None
                 else f'Kendall tau {tau:.2f}, Spearman {rho:.2f}')
    ax.grid(alpha=.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main():
    args = parse_args()
    cfg = load_config(args)
    os.makedirs(cfg.work_dir, exist_ok=True)
    import rsbnet_mm
    from rsbnet_mm.search import make_constraint
    from rsbnet_mm.utils import load_checkpoint_safe
    load_checkpoint_safe(args.checkpoint)
    cfg.load_from = args.checkpoint
    space = rsbnet_mm.SearchSpace.from_cfg(
        cfg.model.backbone.get('search_space'))
    size = cfg.train_cfg.get('constraint_input_size', (224, 224))
    constraint = make_constraint(
        space, flops=tuple(args.flops) if args.flops else None,
        input_size=size)
    archs = space.sample_distinct(args.num_archs, random.Random(args.seed),
                                  constraint=constraint,
                                  max_draws=10000 * args.num_archs)
    oneshot, key = oneshot_scores(cfg, archs,
                                  osp.join(cfg.work_dir, 'oneshot.json'))
    standalone = []
    for i, arch in enumerate(archs):
        wd = osp.join(args.standalone_dir or osp.join(cfg.work_dir,
                                                      'standalone'), str(i))
        os.makedirs(wd, exist_ok=True)
        standalone.append(standalone_score(args, arch, wd, key))
    tau, rho = kendall_spearman(oneshot, standalone)
    report = dict(
        num_archs=len(archs), seed=args.seed, flops_band=args.flops,
        score_key=key, kendall_tau=tau, spearman_rho=rho,
        archs=[dict(arch=str(a), flops=rsbnet_mm.count_flops(a, size, space),
                    oneshot=o, standalone=s)
               for a, o, s in zip(archs, oneshot, standalone)])
    with open(osp.join(cfg.work_dir, 'correlation.json'), 'w') as f:
        json.dump(report, f, indent=1)
    plot(oneshot, standalone, tau, rho,
         osp.join(cfg.work_dir, 'correlation.png'), key)
    print(json.dumps({k: report[k] for k in
                      ('num_archs', 'kendall_tau', 'spearman_rho')}))


if __name__ == '__main__':
    main()
