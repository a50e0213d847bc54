// Live scores: send the form to the server's scorer (nothing is saved) and show the result.
(function () {
  var form = document.getElementById('evaluation-form'); var timer;
  function update() {
    var data = new FormData(form); data.set('action', 'preview');
    fetch(form.dataset.preview, { method: 'POST', body: data, headers: { 'X-CSRFToken': data.get('csrf_token') } })
      .then(function (r) { return r.json(); }).then(function (res) {
        if (res.errors) { document.getElementById('live-note').textContent = '有 ' + Object.keys(res.errors).length + ' 处输入需修正：' + Object.values(res.errors)[0]; return; }
        document.getElementById('live-note').textContent = '预览分数（尚未保存）';
        Object.keys(res.rows).forEach(function (id) { var c = document.querySelector('[data-score="' + id + '"]'); if (c) c.firstChild.textContent = res.rows[id]; });
        ['total-score', 'total-score-row'].forEach(function (id) { document.getElementById(id).textContent = res.total; });
        ['grade', 'grade-row'].forEach(function (id) { document.getElementById(id).textContent = res.grade; });
      }).catch(function () { document.getElementById('live-note').textContent = '暂时无法预览分数（网络或服务器问题），保存后仍会计算。'; });
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(update, 400); });
  form.addEventListener('change', function () { clearTimeout(timer); timer = setTimeout(update, 100); });
})();
