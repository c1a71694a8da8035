from .evolution import (BaseSearch, EvolutionSearch, RandomSearch,
                        make_constraint)
from .loop import EvoSearchLoop
from .plots import pareto_front, plot_arch, plot_search

__all__ = [
    'BaseSearch', 'EvolutionSearch', 'RandomSearch', 'make_constraint',
    'EvoSearchLoop', 'plot_search', 'plot_arch', 'pareto_front'
]
