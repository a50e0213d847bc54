// Charts drawn with the vendored ECharts; data come from data-* attributes.
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
      plan.push(+(m / 12 * 100).toFixed(1));
      rate.push(budget > 0 ? +(spent / budget * 100).toFixed(1) : null);
    }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v == null ? '—' : v + '%'; } },
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
