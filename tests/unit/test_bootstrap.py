"""The bootstrap behind rpt_tiktok_vs_meta on cases whose answer is known without the code under test."""

import math

import numpy as np
import pytest

from dagster_project.stats import bootstrap
from dagster_project.stats.bootstrap import bootstrap_median_difference, key_seed


def test_identical_samples_give_an_interval_around_zero_and_no_verdict_of_difference():
    sample = np.random.default_rng(1).lognormal(mean=8, sigma=1, size=40)
    r = bootstrap_median_difference(sample, sample.copy(), seed=7)
    assert r.difference == 0.0
    assert r.ci_low < 0 < r.ci_high
    assert r.is_distinguishable is False
    assert (r.n_baseline, r.n_other) == (40, 40)


@pytest.mark.parametrize("shift", [10.0, -10.0])
def test_widely_separated_samples_are_distinguishable_with_the_right_sign(shift):
    rng = np.random.default_rng(2)
    baseline = rng.normal(50, 1, size=30)
    other = rng.normal(50 + shift, 1, size=25)
    r = bootstrap_median_difference(baseline, other, seed=11)
    assert r.is_distinguishable is True
    assert np.sign(r.difference) == np.sign(shift) == np.sign(r.ci_low) == np.sign(r.ci_high)
    assert r.difference == pytest.approx(float(np.median(other) - np.median(baseline)))
    assert r.ci_low <= r.difference <= r.ci_high
    assert abs(r.difference - shift) < 1.5


def test_interval_covers_the_true_median_difference_about_95_percent_of_the_time():
    # Exponential distributions: median = scale * ln 2, so the true difference is known exactly.
    true_diff = (3.0 - 1.0) * math.log(2)
    rng = np.random.default_rng(3)
    trials, covered = 200, 0
    for i in range(trials):
        baseline = rng.exponential(1.0, size=60)
        other = rng.exponential(3.0, size=60)
        r = bootstrap_median_difference(baseline, other, n_resamples=500, seed=1000 + i)
        covered += r.ci_low <= true_diff <= r.ci_high
    # a 95 % interval over 200 trials: the binomial sd is 1.5 points; the percentile bootstrap of a
    # median is known to run a little narrow on small samples, hence the lower bound of 0.88
    assert 0.88 <= covered / trials <= 0.995, covered / trials


def test_same_seed_same_interval_and_another_seed_another_interval():
    rng = np.random.default_rng(4)
    a, b = rng.gamma(2, 100, size=33), rng.gamma(2, 120, size=41)
    first = bootstrap_median_difference(a, b, seed=123)
    again = bootstrap_median_difference(list(a), list(b), seed=123)
    other_seed = bootstrap_median_difference(a, b, seed=124)
    assert first == again
    assert (first.ci_low, first.ci_high) != (other_seed.ci_low, other_seed.ci_high)
    assert first.difference == other_seed.difference  # the point estimate does not depend on the seed


def test_small_samples_get_medians_but_no_interval_and_no_verdict():
    r = bootstrap_median_difference([1, 2, 3, 4], [10, 20, 30, 40, 50, 60], min_n=5)
    assert (r.median_baseline, r.median_other, r.difference) == (2.5, 35.0, 32.5)
    assert r.ci_low is None and r.ci_high is None and r.is_distinguishable is None
    empty = bootstrap_median_difference([], [1.0, 2.0])
    assert empty.median_baseline is None and empty.difference is None and empty.is_distinguishable is None


def test_nan_is_refused_with_a_clear_error():
    with pytest.raises(ValueError, match="'other' contains NaN"):
        bootstrap_median_difference([1, 2, 3, 4, 5], [1, float("nan"), 3, 4, 5])


def test_key_seed_is_stable_and_separates_comparisons():
    assert key_seed(42, "acme", "all", "instagram_reels", "views_d7") == \
        key_seed(42, "acme", "all", "instagram_reels", "views_d7")
    assert key_seed(42, "acme", "all", "instagram_reels", "views_d7") != \
        key_seed(42, "acme", "all", "facebook_reels", "views_d7")
    assert 0 <= key_seed(42, "x") < 2**32


def test_input_order_does_not_change_the_interval():
    rng = np.random.default_rng(8)
    a, b = rng.exponential(5, size=25), rng.exponential(7, size=30)
    assert bootstrap_median_difference(a, b, seed=3) == bootstrap_median_difference(a[::-1], rng.permutation(b), seed=3)


@pytest.mark.parametrize("size", [2, 5, 6, 37, 120, 251])
def test_resampled_medians_are_np_median_of_the_same_draws(size):
    """The order-statistic shortcut gives exactly np.median of the drawn values (ties, odd and even
    sizes), from the same random draws."""
    sample = np.sort(np.round(np.random.default_rng(size).lognormal(5, 2, size), 0))
    fast = bootstrap._resampled_medians(np.random.default_rng(7), sample, 500)
    draws = np.random.default_rng(7).integers(0, size, size=(500, size))
    assert np.array_equal(fast, np.median(sample[draws], axis=1))
