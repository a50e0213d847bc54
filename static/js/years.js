// Year comparison of a department; data come from the data-chart attribute (no inline script).
(function () {
  function draw() {
    var el = document.getElementById('years-chart');
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.dataset.chart);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: { data: ['全年预算数（万元）', '全年执行数（万元）', '执行率（%）', '平均自评得分'] },
      grid: { left: 56, right: 56, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: d.years },
      yAxis: [
        { type: 'value', name: '万元' },
        { type: 'value', name: '% / 分', min: 0, max: 100 }
      ],
      series: [
        { name: '全年预算数（万元）', type: 'bar', data: d.budget, itemStyle: { color: '#adb5bd' } },
        { name: '全年执行数（万元）', type: 'bar', data: d.spent, itemStyle: { color: '#0d6efd' } },
        { name: '执行率（%）', type: 'line', yAxisIndex: 1, data: d.execution, itemStyle: { color: '#fd7e14' } },
        { name: '平均自评得分', type: 'line', yAxisIndex: 1, data: d.score, itemStyle: { color: '#198754' } }
      ]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();
