"""The weekly client report: its figures are the mart's, it needs no network, it names definitions."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from dagster_project.analyst.report import ReportError, latest_complete_week, parse_week, write_report


def report_json(path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r"<script type='application/json' id='report-data'>(.*?)</script>", text, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def cell(html: str, surface: str, metric: str) -> str:
    row = re.search(rf"<tr data-surface='{surface}'>(.*?)</tr>", html, re.S).group(1)
    return re.search(rf"<td data-metric='{metric}'>(.*?)</td>", row).group(1)


def test_one_brand_report_equals_the_mart_row(paid_db, tmp_path):
    out = tmp_path / "r.html"
    data = write_report(paid_db, "2026-W45", "acme", out)
    with duckdb.connect(str(paid_db), read_only=True) as conn:
        mart = {r[0]: r[1:] for r in conn.execute(
            "SELECT surface, views, engagement_rate, avg_watch_seconds_per_view, posts_published, engagements "
            "FROM rpt_platform_comparison_weekly WHERE brand = 'acme' AND iso_week = '2026-W45'").fetchall()}
    assert {r["surface"] for r in data.surfaces} == set(mart)
    html = out.read_text(encoding="utf-8")
    for row in report_json(out)["surfaces"]:
        views, rate, watch, posts, engagements = mart[row["surface"]]
        assert (row["views"], row["posts"], row["engagements"]) == (views, posts, engagements)
        assert row["engagement_rate"] == pytest.approx(rate, rel=1e-12)
        assert row["watch_seconds_per_view"] == pytest.approx(watch, rel=1e-12)
        assert cell(html, row["surface"], "views") == f"{views:,}"
        assert cell(html, row["surface"], "engagement_rate") == f"{rate * 100:.2f}%"
        assert cell(html, row["surface"], "watch_seconds_per_view") == f"{watch:,.1f}"


def test_all_brands_report_sums_and_recomputes_rates(paid_db, tmp_path):
    out = tmp_path / "all.html"
    write_report(paid_db, "2026-W46", None, out)
    with duckdb.connect(str(paid_db), read_only=True) as conn:
        mart = {r[0]: r[1:] for r in conn.execute(
            "SELECT surface, sum(views), sum(engagements)::DOUBLE / sum(views) FROM rpt_platform_comparison_weekly "
            "WHERE iso_week = '2026-W46' GROUP BY 1").fetchall()}
        paid = {r[0]: r[1:] for r in conn.execute(
            "SELECT surface, sum(spend_reporting)::DOUBLE, 1000 * sum(spend_reporting)::DOUBLE / sum(impressions) "
            "FROM fct_ad_daily WHERE metric_date BETWEEN '2026-11-09' AND '2026-11-15' GROUP BY 1").fetchall()}
    data = report_json(out)
    assert {r["surface"]: (r["views"], pytest.approx(r["engagement_rate"])) for r in data["surfaces"]} == \
        {s: (v, pytest.approx(e)) for s, (v, e) in mart.items()}
    assert {r["surface"]: (pytest.approx(r["spend"]), pytest.approx(r["cpm"])) for r in data["paid"]} == \
        {s: (pytest.approx(v), pytest.approx(c)) for s, (v, c) in paid.items()}
    # the trend covers the weeks up to the report week (at most eight)
    assert sorted({r["iso_week"] for r in data["trend"]}) == ["2026-W44", "2026-W45", "2026-W46"]


def test_report_is_self_contained_and_explains_itself(organic_db, tmp_path):
    out = tmp_path / "o.html"
    write_report(organic_db, latest_complete_week(organic_db), None, out)
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "report references the network"
    assert "<link" not in html and "@import" not in html
    for basis in ("tiktok.video_views", "instagram.views", "facebook.fb_reels_total_plays", "youtube.views"):
        assert basis in html
    assert "Data maturity" in html and "restatement window" in html
    assert "Paid media: not in the published marts yet" in html


def test_bad_inputs_are_clear_errors(organic_db, tmp_path):
    with pytest.raises(ReportError, match="YYYY-Www"):
        parse_week("2026-46")
    with pytest.raises(ReportError, match="no rows"):
        write_report(organic_db, "2020-W01", None, tmp_path / "x.html")
    with pytest.raises(ReportError, match="unknown brand"):
        write_report(organic_db, "2026-W45", "nobody", tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_cli_report_writes_the_file(organic_db, tmp_path, capsys):
    from dagster_project.analyst.cli import main

    out = tmp_path / "cli.html"
    assert main(["report", "--week", "2026-W45", "--brand", "globex", "--out", str(out),
                 "--published", str(organic_db)]) == 0
    assert out.exists() and "2026-W45" in capsys.readouterr().out
    assert main(["report", "--week", "bogus", "--published", str(organic_db)]) == 1


def test_a_week_with_a_downward_restatement_says_so(organic_db, tmp_path):
    db = tmp_path / "restated.duckdb"
    db.write_bytes(organic_db.read_bytes())
    with duckdb.connect(str(db)) as conn:
        conn.execute("UPDATE rpt_platform_comparison_weekly SET days_restated_down = 2, views = -5 "
                     "WHERE brand = 'acme' AND surface = 'instagram_reels' AND iso_week = '2026-W45'")
    one = write_report(db, "2026-W45", "acme", tmp_path / "acme.html")
    [note] = [n for n in one.notes if "downward restatement" in n]
    assert note.startswith("Instagram Reels:") and "on 2 day(s) of this week;" in note
    every = write_report(db, "2026-W45", None, tmp_path / "all.html")
    assert [n for n in every.notes if "downward restatement" in n] == [note.replace("week;", "week for 1 brand(s);")]
    assert "downward restatement" in (tmp_path / "all.html").read_text(encoding="utf-8")
    for other in (write_report(db, "2026-W45", "globex", tmp_path / "g.html"),
                  write_report(db, "2026-W44", "acme", tmp_path / "w44.html")):
        assert not [n for n in other.notes if "downward restatement" in n]
