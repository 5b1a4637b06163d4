"""The HTTP benchmark's table: a ratio that misses its aim says what stands in the way and which
flame graph to open; one that meets it says neither. Not timed: the rates here are made up."""
from __future__ import annotations

import pytest

from benchmarks import bench_http


def rates_and_ratios(ratio: float) -> tuple[dict, dict]:
    floors = {"hello": [5000.0], "bare_insert": [1000.0], "bare_read": [4000.0]}
    rates = {**floors, **{name: [ratio * floors[floor][0]] for name, floor in bench_http.FLOORS.items()}}
    return rates, {name: [ratio] for name in bench_http.FLOORS}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_missed_aim_names_its_obstacle_and_profile(kind):
    rates, ratios = rates_and_ratios(0.1)  # below every aim
    ratios_found = {f.name: f for f in bench_http.figures(kind, rates, ratios) if f.aim}
    assert len(ratios_found) == len(bench_http.FLOORS)
    for name, floor in bench_http.FLOORS.items():
        figure = ratios_found[f"http {kind}: {name} / {floor}"]
        assert figure.met is False
        assert bench_http.IN_THE_WAY[kind, name] in figure.note
        assert f"benchmarks/profiles/{kind}-{name}.svg" in figure.note


def test_a_met_aim_carries_no_obstacle():
    rates, ratios = rates_and_ratios(0.9)  # above every aim
    for figure in bench_http.figures("sqlite", rates, ratios):
        if figure.aim:
            assert figure.met is True
            assert "in the way" not in figure.note and "profiles/" not in figure.note
