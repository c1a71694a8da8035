import json
import random

import pytest

from rsbnet_mm import Arch, SearchSpace, dump_arch, parse_arch

SPACE = SearchSpace()


def test_table1_space():
    assert SPACE.num_layers == 21
    assert SPACE.kernel_choices == (3, 5)
    assert SPACE.expand_choices == (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5,
                                    6.0)
    assert [(l.in_channels, l.out_channels, l.stride)
            for l in SPACE.layers[:5]] == [(16, 24, 2), (24, 24, 1),
                                           (24, 24, 1), (24, 24, 1),
                                           (24, 40, 2)]
    assert SPACE.layers[-1].out_channels == 320
    assert SPACE.size == 18**21
    assert 2.2e26 < SPACE.size < 2.4e26


def test_text_round_trip():
    rng = random.Random(0)
    for _ in range(50):
        arch = SPACE.sample(rng)
        text = str(arch)
        assert len(text.split('-')) == 21
        assert parse_arch(text) == arch
        assert str(parse_arch(text)) == text
    assert str(SPACE.max_arch()).startswith('k5e6-k5e6')
    assert str(SPACE.min_arch()).startswith('k3e2-k3e2')
    assert 'k3e2.5' in str(Arch([(3, 2.5)]))


def test_file_forms(tmp_path):
    arch = SPACE.sample(1)
    yml = tmp_path / 'a.yaml'
    dump_arch(arch, str(yml), score=1.0)
    assert parse_arch(str(yml)) == arch
    js = tmp_path / 'a.json'
    js.write_text(json.dumps([dict(kernel=k, expansion=e) for k, e in arch]))
    assert parse_arch(str(js)) == arch
    js.write_text(json.dumps(arch.to_list()))
    assert parse_arch(str(js)) == arch


@pytest.mark.parametrize('text, match', [
    ('k3e6-' * 20 + 'k3e6-k3e6', 'has 21 layers, got 22'),
    ('k3e6-' * 19 + 'k3e6', 'has 21 layers, got 20'),
    ('k3e6-' * 7 + 'k7e6-' + 'k3e6-' * 12 + 'k3e6', 'layer 7: kernel 7'),
    ('k3e6-' * 20 + 'k3e6.2', 'layer 20: expansion 6.2'),
    ('k3e6-' * 3 + 'kXe6-' + 'k3e6-' * 16 + 'k3e6', "layer 3: token 'kXe6'"),
    ('k3e6-' * 20 + 'k3e1', 'layer 20: expansion 1 is not one of'),
])
def test_bad_text(text, match):
    with pytest.raises(ValueError, match=match):
        parse_arch(text)


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.yaml'):
        parse_arch(str(tmp_path / 'nope.yaml'))
    bad = tmp_path / 'bad.yaml'
    bad.write_text('arch: [k3e6, {unclosed')
    with pytest.raises(ValueError, match='bad.yaml'):
        parse_arch(str(bad))
    short = tmp_path / 'short.json'
    short.write_text(json.dumps([dict(kernel=3, expansion=6)] * 3))
    with pytest.raises(ValueError, match='got 3'):
        parse_arch(str(short))
    wrong = tmp_path / 'wrong.json'
    wrong.write_text(json.dumps([dict(kernel=3)] * 21))
    with pytest.raises(ValueError, match='layer 0'):
        parse_arch(str(wrong))


def test_bad_space_arguments():
    with pytest.raises(ValueError, match='kernel'):
        SearchSpace(kernel_choices=(3, 4))
    with pytest.raises(ValueError, match='stride'):
        SearchSpace(stages=[(8, 1, 3, 'ReLU')])
    with pytest.raises(ValueError, match='output_stride'):
        SPACE.strides_dilations(4)


def test_sampling_uniform_and_seeded():
    a = [SPACE.sample(3) for _ in range(2)]
    assert a[0] == a[1]
    rng = random.Random(0)
    kernels = [k for _ in range(400) for k in SPACE.sample(rng).kernels]
    frac5 = kernels.count(5) / len(kernels)
    assert 0.45 < frac5 < 0.55
    assert set(SPACE.sample(rng, max_width=True).expansions) == {6.0}


def test_sample_distinct():
    """Distinct architectures in draw order, filtered by the constraint,
    and a clear error when too few exist."""
    space = SearchSpace()
    rng = random.Random(0)
    archs = space.sample_distinct(5, rng, max_width=True)
    assert len(set(archs)) == 5
    assert all(e == space.max_expansion for a in archs for _, e in a)
    # the same draws as sampling one by one and keeping the new ones
    again, ref = random.Random(0), []
    while len(ref) < 5:
        a = space.sample(again, max_width=True)
        if a not in ref:
            ref.append(a)
    assert archs == ref
    only_k3 = lambda a: all(k == 3 for k, _ in a[:3])  # noqa: E731
    assert all(only_k3(a) for a in space.sample_distinct(4, 1,
                                                         constraint=only_k3))
    tiny = SearchSpace(stages=[(8, 1, 2, 'ReLU')], expand_choices=(2.0, ))
    with pytest.raises(ValueError, match='only 2 at full width'):
        tiny.sample_distinct(3, 0, max_width=True)
    with pytest.raises(ValueError, match='found only 0 of 1 .* inside'):
        space.sample_distinct(1, 0, constraint=lambda a: False,
                              max_draws=50)
