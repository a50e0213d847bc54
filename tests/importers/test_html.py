"""Web pages saved as .html: rowspan/colspan tables."""

from __future__ import annotations

from tests.importers.builders import build_html
from tests.importers.conftest import project_signature
from tracker.importers import parse_file
from tracker.importers.html import parse_html


def test_round_trip_with_rowspans(seed_doc):
    page = build_html(seed_doc)
    assert "rowspan='5'" in page
    doc = parse_file("page.html", page.encode("gb18030"))
    assert doc.source_format == "html"
    assert project_signature(doc) == project_signature(seed_doc)
    assert doc.warnings == []


def test_whitespace_and_line_breaks_as_a_browser_shows_them():
    page = """<html><body>
    <p>1、亮化项目绩效目标表</p>
    <table>
      <tr><td>绩效目标</td><td colspan="3">1.完成路灯安装<br/>2.保障夜间出行</td></tr>
      <tr><th>一级<br>指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th></tr>
      <tr><td rowspan="2">产出指标</td><td>数量指标</td><td>路灯
          数量</td><td>&ge;120盏</td></tr>
      <tr><td>时效指标</td><td>完成时间</td><td>10月底前</td></tr>
      <tr><td>效益指标</td><td>社会效益指标</td><td>出行
          safe  area</td><td>明显提升</td></tr>
      <tr><td>满意度指标</td><td>服务对象满意度指标</td><td>满意度</td><td>≥90%</td></tr>
    </table></body></html>"""
    doc = parse_html(page)
    (p,) = doc.projects
    assert p.name == "亮化项目" and p.goal == "1.完成路灯安装\n2.保障夜间出行"
    assert [(i.level1, i.level2, i.level3, i.target_raw) for i in p.indicators] == [
        ("产出指标", "数量指标", "路灯数量", "≥120盏"),  # a source line break between Chinese: nothing
        ("产出指标", "时效指标", "完成时间", "10月底前"),
        ("效益指标", "社会效益指标", "出行 safe area", "明显提升"),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%"),
    ]
