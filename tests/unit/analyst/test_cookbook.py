"""Every query of docs/cookbook.md runs and returns rows."""

from __future__ import annotations

import pytest

from dagster_project.analyst.cookbook import recipes
from dagster_project.analyst.db import connect

RECIPES = recipes()


def test_cookbook_has_the_questions():
    assert len(RECIPES) >= 6
    assert all(r.title and r.sql for r in RECIPES)


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.title.split(".")[0] for r in RECIPES])
def test_recipe_returns_rows(recipe, paid_db):
    with connect(paid_db) as conn:
        cursor = conn.execute(recipe.sql)
        rows = cursor.fetchall()
    assert rows, f"{recipe.title}: no rows"
