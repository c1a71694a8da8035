"""The scripted experiment of docs/results.md, with one command.

    python tools/experiment.py [--data-root ../shared/data/aid150]
        [--work-dir work_dirs/aid150_experiment] [--num-archs 20]

On a folder-per-class scene dataset (default: the real AID sample, 20
classes), at 64x64 input, on a CPU:

1. the whole pipeline with B = 5 (``tools/demo.py``): supernet pretraining
   (``EnsembleSinglePathLoop``), fine-tuning (``SandwichFinetuneLoop``),
   evolutionary search and random search under the same FLOPs budget on
   the search split, retraining of the found subnet, and mmpretrain's
   MobileNetV2 and ResNet-18 trained from scratch for the same number of
   epochs (OA and mAP on the test split);
2. the same pipeline with B = 1 (single-path pretraining, as SPOS);
3. rank correlation for both supernets (``tools/rank_correlation.py``):
   ``--num-archs`` architectures sampled in a FLOPs band, one-shot scores
   from each supernet, each architecture trained once from scratch;
4. ``report.md`` and ``results.json`` in the work dir (tables: models with
   OA, mAP, FLOPs and params; EA against random; B = 1 against B = 5 with
   Kendall tau; wall clock of every stage) and the plots under ``plots/``.

Every step skips what an earlier run of the same work dir finished, so an
interrupted experiment continues where it stopped; stage times are those of
the run that did the work.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOLS = osp.join(ROOT, 'tools')
sys.path.insert(0, TOOLS)
from demo import StageTimes  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='pipeline B=5 and B=1, baselines, random search, '
        'rank correlation, report')
    parser.add_argument('--data-root',
                        default=osp.join(ROOT, '..', 'shared', 'data',
                                         'aid150'),
                        help='folder-per-class scene dataset')
    parser.add_argument('--work-dir',
                        default=osp.join('work_dirs', 'aid150_experiment'))
    parser.add_argument('--seed', type=int, default=0)
    g = parser.add_argument_group('scale (the defaults are the documented '
                                  'run)')
    g.add_argument('--pretrain-epochs', type=int, default=12)
    g.add_argument('--finetune-epochs', type=int, default=4)
    g.add_argument('--retrain-epochs', type=int, default=8,
                   help='also the stand-alone epochs of rank correlation')
    g.add_argument('--population-size', type=int, default=12)
    g.add_argument('--generations', type=int, default=5)
    g.add_argument('--num-archs', type=int, default=20,
                   help='architectures for Kendall tau')
    g.add_argument('--flops', type=float, nargs=2, default=(250e6, 400e6),
                   metavar=('LO', 'HI'),
                   help='FLOPs band (224x224) of the tau architectures')
    g.add_argument('--images-per-class', type=int,
                   help='use at most this many images of each class')
    parser.add_argument('--copy-plots-to', metavar='DIR',
                        help='also copy the plots there (e.g. docs/img)')
    return parser.parse_args()


class Steps:
    """Runs each step as its own process; keeps its wall clock in
    ``experiment_times.json``."""

    def __init__(self, work_dir):
        self.times = StageTimes(work_dir, 'experiment_times.json')

    def run(self, name, cmd, done_file):
        if osp.isfile(done_file):
            print(f'[experiment] {name}: done before ({done_file}), skipped',
                  flush=True)
            return
        print(f'[experiment] {name}: {" ".join(cmd)}', flush=True)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, cwd=ROOT)
        if r.returncode != 0:
            raise SystemExit(f'[experiment] {name} failed (exit '
                             f'{r.returncode}); rerun the same command to '
                             'continue from there')
        self.times.record(name, time.perf_counter() - t0, True)


def pipeline_cmd(args, work_dir, num_paths, extra):
    return [sys.executable, osp.join(TOOLS, 'demo.py'),
            '--data-root', args.data_root, '--work-dir', work_dir,
            '--seed', str(args.seed), '--num-paths', str(num_paths),
            '--pretrain-epochs', str(args.pretrain_epochs),
            '--finetune-epochs', str(args.finetune_epochs),
            '--retrain-epochs', str(args.retrain_epochs),
            '--population-size', str(args.population_size),
            '--generations', str(args.generations)] + extra + (
                ['--images-per-class', str(args.images_per_class)]
                if args.images_per_class else [])


def tau_cmd(args, run_dir, standalone_cfg, out_dir, standalone_dir):
    return [sys.executable, osp.join(TOOLS, 'rank_correlation.py'),
            osp.join(run_dir, 'configs', 'search.py'),
            '--checkpoint', osp.join(
                run_dir, 'finetune', f'epoch_{args.finetune_epochs}.pth'),
            '--standalone-config', standalone_cfg,
            '--standalone-dir', standalone_dir,
            '--num-archs', str(args.num_archs), '--seed', str(args.seed),
            '--flops', str(args.flops[0]), str(args.flops[1]),
            '--work-dir', out_dir]


def fmt(v, nd=2):
    return '-' if v is None else f'{v:.{nd}f}'


def report(args, wd, steps):
    """results.json, report.md and plots/ from what the steps wrote."""
    runs = {b: json.load(open(osp.join(wd, f'b{b}', 'summary.json')))
            for b in (5, 1)}
    tau = {b: json.load(open(osp.join(wd, 'tau', f'b{b}',
                                      'correlation.json')))
           for b in (5, 1)}
    standalone = [json.load(open(p)) for p in sorted(glob.glob(
        osp.join(wd, 'tau', 'standalone', '*', 'result.json')))]
    b5 = runs[5]
    info = b5['data']
    lines = [
        f"# RSBNet experiment on {info['source']}", '',
        f"{len(info['classes'])} classes; train / search / test = "
        f"{info['sizes']['train']} / {info['sizes']['search']} / "
        f"{info['sizes']['test']} images, 64x64 input; seed {args.seed}.",
        f"Epochs: pretrain {args.pretrain_epochs}, fine-tune "
        f"{args.finetune_epochs}, retrain {args.retrain_epochs}; search "
        f"K = {args.population_size}, G = {args.generations}, FLOPs "
        f"budget {b5['budget']}.", '',
        '## Models (test split)', '',
        '| model | MFLOPs@224 | params (M) | OA after stage 1 | OA / mAP '
        'inherited (after stage 2, BN recal.) | OA / mAP trained |',
        '|---|---|---|---|---|---|']
    names = dict(max='RSBNet largest (k5 e6)', min='RSBNet smallest (k3 e2)',
                 found='RSBNet found by EA (retrained)',
                 mobilenetv2='MobileNetV2 (mmpretrain), from scratch',
                 resnet18='ResNet-18 (mmpretrain), from scratch')
    for r in b5['rows']:
        lines.append(
            f"| {names.get(r['subnet'], r['subnet'])} | "
            f"{r['flops_224'] / 1e6:.1f} | {r['params'] / 1e6:.2f} | "
            f"{fmt(r['test_acc_after_pretrain'])} | "
            f"{fmt(r['test_acc_inherited'])} / "
            f"{fmt(r.get('test_map_inherited'))} | "
            f"{fmt(r['test_acc_retrained'])} / "
            f"{fmt(r.get('test_map_retrained'))} |")
    found = next(r for r in b5['rows'] if r['subnet'] == 'found')
    lines += ['', f"Found: `{found['arch']}`", '',
              '## Evolution against random search (search split, B = 5)',
              '', '| search | K x G | candidates | s / candidate | best '
              'accuracy | its MFLOPs |', '|---|---|---|---|---|---|']
    for name, s in b5['searches'].items():
        lines.append(
            f"| {name} | {s['population_size']} x {s['generations']} | "
            f"{s['evaluated']} | {s['s_per_candidate']:.2f} | "
            f"{s['best_score']:.2f} | {s['best_flops'] / 1e6:.1f} |")
    lines += ['', '## B = 1 against B = 5', '',
              '| B | largest OA (stage 2) | smallest OA (stage 2) | found '
              'MFLOPs | found OA inherited | found OA / mAP retrained | '
              'best search acc. | stage 1 time (min) | Kendall tau | '
              'Spearman rho |', '|---|---|---|---|---|---|---|---|---|---|']
    for b in (1, 5):
        rows = {r['subnet']: r for r in runs[b]['rows']}
        lines.append(
            f"| {b} | {fmt(rows['max']['test_acc_inherited'])} | "
            f"{fmt(rows['min']['test_acc_inherited'])} | "
            f"{rows['found']['flops_224'] / 1e6:.1f} | "
            f"{fmt(rows['found']['test_acc_inherited'])} | "
            f"{fmt(rows['found']['test_acc_retrained'])} / "
            f"{fmt(rows['found'].get('test_map_retrained'))} | "
            f"{runs[b]['searches']['evolution']['best_score']:.2f} | "
            f"{runs[b]['times_s']['pretrain'] / 60:.1f} | "
            f"{fmt(tau[b]['kendall_tau'])} | {fmt(tau[b]['spearman_rho'])} |")
    sa = [a['standalone'] for a in tau[5]['archs']]
    lines += ['', f"Kendall tau over {tau[5]['num_archs']} architectures "
              f"sampled in {args.flops[0] / 1e6:.0f}-"
              f"{args.flops[1] / 1e6:.0f} MFLOPs, each trained from "
              f"scratch for {args.retrain_epochs} epochs (stand-alone "
              f"test OA {min(sa):.1f}-{max(sa):.1f} %).", '',
              '## Wall clock (minutes)', '', '| stage | B = 5 | B = 1 |',
              '|---|---|---|']
    order = ('pretrain', 'finetune', 'search', 'search_random', 'retrain',
             'evaluate', 'baseline_mobilenetv2', 'baseline_resnet18')
    keys = [k for k in order if k in b5['times_s']]
    for k in keys:
        b1 = runs[1]['times_s'].get(k)
        lines.append(f"| {k} | {b5['times_s'][k] / 60:.1f} | "
                     f"{fmt(None if b1 is None else b1 / 60, 1)} |")
    sa_min = sum(s.get('time_s', 0) for s in standalone) / 60
    lines += [f"| rank correlation: {len(standalone)} stand-alone trainings "
              f"| {sa_min:.1f} (shared) | |"]
    for b in (5, 1):
        if f'tau_b{b}' in steps.times:
            lines.append(f"| rank correlation step, B = {b} (wall) | "
                         f"{steps.times[f'tau_b{b}'] / 60:.1f} | |")
    plots = {
        'search_curve.png': osp.join(wd, 'b5', 'search', 'search_curve.png'),
        'pareto.png': osp.join(wd, 'b5', 'search', 'pareto.png'),
        'random_search_curve.png': osp.join(wd, 'b5', 'search_random',
                                            'search_curve.png'),
        'found_arch.png': osp.join(wd, 'b5', 'search', 'best_arch.png'),
        'tau_b5.png': osp.join(wd, 'tau', 'b5', 'correlation.png'),
        'tau_b1.png': osp.join(wd, 'tau', 'b1', 'correlation.png'),
    }
    os.makedirs(osp.join(wd, 'plots'), exist_ok=True)
    lines += ['', '## Plots', '']
    for name, src in plots.items():
        if osp.isfile(src):
            shutil.copyfile(src, osp.join(wd, 'plots', name))
            if args.copy_plots_to:
                os.makedirs(args.copy_plots_to, exist_ok=True)
                shutil.copyfile(src, osp.join(args.copy_plots_to,
                                              f'experiment_{name}'))
            lines.append(f'![{name}](plots/{name})')
    text = '\n'.join(lines) + '\n'
    with open(osp.join(wd, 'report.md'), 'w') as f:
        f.write(text)
    with open(osp.join(wd, 'results.json'), 'w') as f:
        json.dump(dict(settings=vars(args), runs=runs, tau=tau,
                       standalone=standalone,
                       step_times_s=dict(steps.times)), f,
                  indent=1)
    print(text, flush=True)


def main():
    args = parse_args()
    args.data_root = osp.abspath(args.data_root)
    if not osp.isdir(args.data_root):
        raise SystemExit(f'--data-root {args.data_root}: no such folder '
                         '(expected one sub-folder of images per class)')
    wd = osp.abspath(args.work_dir)
    os.makedirs(wd, exist_ok=True)
    steps = Steps(wd)
    # the demo skips its finished stages itself; its summary marks the end
    steps.run('pipeline_b5', pipeline_cmd(
        args, osp.join(wd, 'b5'), 5, ['--random-search', '--baselines']),
        osp.join(wd, 'b5', 'summary.json'))
    steps.run('pipeline_b1', pipeline_cmd(args, osp.join(wd, 'b1'), 1, []),
              osp.join(wd, 'b1', 'summary.json'))
    standalone_dir = osp.join(wd, 'tau', 'standalone')
    standalone_cfg = osp.join(wd, 'b5', 'configs', 'retrain.py')
    for b in (5, 1):
        out = osp.join(wd, 'tau', f'b{b}')
        steps.run(f'tau_b{b}', tau_cmd(args, osp.join(wd, f'b{b}'),
                                       standalone_cfg, out, standalone_dir),
                  osp.join(out, 'correlation.json'))
    report(args, wd, steps)


if __name__ == '__main__':
    main()
