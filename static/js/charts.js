// Charts drawn with the vendored ECharts; data come from data-* attributes.
// Tooltips are drawn in the canvas (renderMode 'richText'): HTML tooltips need inline styles, which the CSP refuses.
window.trackerCharts = {
  // Cumulative execution rate per month against time progress (序时进度).
  execution: function (el) {
    if (!el || !window.echarts) return;
    var budget = parseFloat(el.dataset.budget || '0');
    var monthly = JSON.parse(el.dataset.monthly || '{}');
    var months = [], rate = [], plan = [], spent = 0;
    for (var m = 1; m <= 12; m++) {
      months.push(m + '月');
      spent += parseFloat(monthly[m] || monthly[String(m)] || 0);
      plan.push(+(m / 12 * 100).toFixed(2));  // rates: 2 decimals, as on the pages (tracker/domain/formatting.py)
      rate.push(budget > 0 ? +(spent / budget * 100).toFixed(2) : null);
    }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { renderMode: 'richText', trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : Number(v).toFixed(2) + '%'; } },
      legend: { data: ['累计执行率', '序时进度'] },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', axisLabel: { formatter: '{value}%' }, max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
      series: [
        { name: '累计执行率', type: 'bar', data: rate, itemStyle: { color: '#0d6efd' } },
        { name: '序时进度', type: 'line', data: plan, lineStyle: { type: 'dashed' }, itemStyle: { color: '#fd7e14' } }
      ]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }
};
window.trackerCharts.departments = function (el) {
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.dataset.chart);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { renderMode: 'richText', trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : Number(v).toFixed(2) + '%'; } },
    grid: { left: 48, right: 16, top: 24, bottom: 60 },
    xAxis: { type: 'category', data: d.departments, axisLabel: { interval: 0, rotate: d.departments.length > 4 ? 30 : 0 } },
    yAxis: { type: 'value', axisLabel: { formatter: '{value}%' },
      max: function (v) { return Math.ceil(Math.max(v.max, d.time_progress || 0, 10) * 1.15 / 10) * 10; } },
    series: [{ name: '执行率', type: 'bar', data: d.rates, itemStyle: { color: '#0d6efd' },
      markLine: d.time_progress == null ? undefined : { symbol: 'none', lineStyle: { color: '#fd7e14', type: 'dashed' },
        label: { position: 'insideEndTop', formatter: '序时进度 ' + d.time_progress + '%' }, data: [{ yAxis: d.time_progress }] } }]
  });
  window.addEventListener('resize', function () { chart.resize(); });
};
window.trackerCharts.lights = function (el) {
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.dataset.chart);
  var colors = { '红': '#dc3545', '黄': '#ffc107', '绿': '#198754', '蓝': '#0d6efd', '灰': '#adb5bd' };
  var data = d.lights.filter(function (l) { return l[1] > 0; })
    .map(function (l) { return { name: l[0] + '灯', value: l[1], itemStyle: { color: colors[l[0]] } }; });
  var chart = echarts.init(el);
  chart.setOption({ tooltip: { renderMode: 'richText', trigger: 'item' }, legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['40%', '70%'], data: data, label: { formatter: '{b} {c}' } }] });
  window.addEventListener('resize', function () { chart.resize(); });
};
window.trackerCharts.averages = function (el) {
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.dataset.chart);
  var chart = echarts.init(el);
  chart.setOption({ tooltip: { renderMode: 'richText', trigger: 'axis' }, grid: { left: 40, right: 16, top: 16, bottom: 60 },
    xAxis: { type: 'category', data: d.departments, axisLabel: { interval: 0, rotate: d.departments.length > 4 ? 30 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ type: 'bar', data: d.averages, itemStyle: { color: '#198754' }, label: { show: true, position: 'top' } }] });
  window.addEventListener('resize', function () { chart.resize(); });
};
window.trackerCharts.grades = function (el) {
  if (!el || !window.echarts) return;
  var d = JSON.parse(el.dataset.chart);
  var colors = { '优': '#198754', '良': '#0d6efd', '中': '#ffc107', '差': '#dc3545' };
  var chart = echarts.init(el);
  chart.setOption({ tooltip: { renderMode: 'richText', trigger: 'axis' }, grid: { left: 40, right: 16, top: 16, bottom: 28 },
    xAxis: { type: 'category', data: d.grades.map(function (g) { return g[0]; }) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: d.grades.map(function (g) { return { value: g[1], itemStyle: { color: colors[g[0]] } }; }),
      label: { show: true, position: 'top' } }] });
  window.addEventListener('resize', function () { chart.resize(); });
};
// Draw every chart the page marks with data-chart-kind (no inline scripts: see the CSP).
document.querySelectorAll('[data-chart-kind]').forEach(function (el) {
  var draw = window.trackerCharts[el.dataset.chartKind];
  if (draw) draw(el);
});
