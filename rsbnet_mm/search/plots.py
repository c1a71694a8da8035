"""Plots of a search: score per generation, score against FLOPs."""
import json
import os.path as osp
from typing import List, Tuple


def pareto_front(points: List[Tuple[float, float]]) -> List[Tuple[float, float]]:
    """(flops, score) points not dominated by one with fewer or equal FLOPs
    and a higher score, sorted by FLOPs."""
    front, best = [], float('-inf')
    for f, s in sorted(points, key=lambda p: (p[0], -p[1])):
        if s > best:
            front.append((f, s))
            best = s
    return front


def plot_search(candidates_file: str, out_dir: str,
                score_key: str = 'score') -> List[str]:
    """Write ``search_curve.png`` and ``pareto.png``; return their paths."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    with open(candidates_file) as f:
        records = [json.loads(line) for line in f if line.strip()]
    if not records:
        return []
    gens = sorted({r['generation'] for r in records})
    best_so_far, mean, best = [], [], float('-inf')
    for g in gens:
        scores = [r['score'] for r in records if r['generation'] == g]
        best = max(best, max(scores))
        best_so_far.append(best)
        mean.append(sum(scores) / len(scores))
    paths = []
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([g + 1 for g in gens], best_so_far, 'o-', label='best so far')
    ax.plot([g + 1 for g in gens], mean, 's--', label='mean of generation')
    ax.set_xlabel('generation')
    ax.set_ylabel(score_key)
    ax.legend()
    ax.grid(alpha=.3)
    fig.tight_layout()
    paths.append(osp.join(out_dir, 'search_curve.png'))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)

    pts = [(r['flops'] / 1e6, r['score']) for r in records]
    front = pareto_front(pts)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=12, alpha=.6,
               c=[r['generation'] for r in records], cmap='viridis',
               label='candidates')
    ax.step([p[0] for p in front], [p[1] for p in front], 'r-', where='post',
            label='Pareto front')
    ax.set_xlabel('MFLOPs')
    ax.set_ylabel(score_key)
    ax.legend()
    ax.grid(alpha=.3)
    fig.tight_layout()
    paths.append(osp.join(out_dir, 'pareto.png'))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    return paths


def plot_arch(arch, space, out_file: str, title: str = '') -> str:
    """Draw an architecture as the paper's Fig. 6: one bar per searchable
    layer, height = expansion ratio, colour = kernel size, stages
    separated and labelled with their output channels."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    colours = {k: c for k, c in zip(space.kernel_choices,
                                    ('tab:blue', 'tab:orange', 'tab:green',
                                     'tab:red'))}
    fig, ax = plt.subplots(figsize=(max(6, 0.38 * len(arch)), 2.8))
    for i, ((k, e), layer) in enumerate(zip(arch, space.layers)):
        ax.bar(i, e, color=colours.get(k, 'grey'), edgecolor='black',
               linewidth=.5)
        ax.text(i, e + 0.1, f'{e:g}', ha='center', fontsize=7)
    ends = space.stage_ends()
    for end in ends[:-1]:
        ax.axvline(end + 0.5, color='grey', lw=.8, ls=':')
    start = 0
    for (c, _, _, _), end in zip(space.stages, ends):
        ax.text((start + end) / 2, -0.9, f'{c} ch', ha='center', fontsize=8)
        start = end + 1
    for k, c in colours.items():
        ax.bar(0, 0, color=c, label=f'{k}x{k} depthwise')
    ax.set_ylim(0, space.max_expansion + 1)
    ax.set_xlim(-0.6, len(arch) - 0.4)
    ax.set_xticks([])
    ax.set_ylabel('expansion')
    ax.set_title(title or str(arch), fontsize=8)
    ax.legend(fontsize=7, loc='upper right', ncol=len(colours))
    fig.tight_layout()
    fig.savefig(out_file, dpi=120)
    plt.close(fig)
    return out_file
