// Charts of the target-quality review page; data come from data-chart attributes (no inline script).
(function () {
  function rules(el) {
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el);
    chart.setOption({ tooltip: { renderMode: 'richText', trigger: 'axis' }, grid: { left: 8, right: 32, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: d.rules.map(function (r) { return r[0]; }) },
      series: [{ type: 'bar', data: d.rules.map(function (r) { return r[1]; }), itemStyle: { color: '#fd7e14' },
        label: { show: true, position: 'right' } }] });
    window.addEventListener('resize', function () { chart.resize(); });
  }
  function draw() {
    if (!window.trackerCharts) return;
    window.trackerCharts.averages(document.getElementById('quality-avg-chart'));
    window.trackerCharts.grades(document.getElementById('quality-grade-chart'));
    rules(document.getElementById('quality-rule-chart'));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();
