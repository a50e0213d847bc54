// Job request page: poll the JSON endpoint until the scheduler process has finished the job.
(function () {
  var box = document.getElementById('job-status');
  if (!box) return;
  var bar = document.getElementById('job-bar');
  var state = document.getElementById('job-state');
  var progress = document.getElementById('job-progress');
  var message = document.getElementById('job-message');
  var link = document.getElementById('job-result-link');
  bar.style.width = (bar.getAttribute('data-percent') || '100') + '%';

  function show(d) {
    state.textContent = d.state_label;
    state.className = 'badge ' + (d.state === 'done' ? 'bg-success' : d.state === 'failed' ? 'bg-danger' : 'bg-secondary');
    if (d.progress_total) {
      progress.textContent = d.progress_done + ' / ' + d.progress_total + ' 个项目';
      bar.style.width = d.percent + '%';
    }
    if (d.finished) {
      bar.classList.remove('progress-bar-striped', 'progress-bar-animated');
      bar.style.width = d.state === 'done' ? '100%' : bar.style.width;
      bar.classList.add(d.state === 'failed' ? 'bg-danger' : 'bg-success');
      message.textContent = d.message;
      message.className = 'alert ' + (d.state === 'done' ? 'alert-success' : 'alert-danger');
      if (d.state === 'done') link.classList.remove('d-none');
      if (!d.progress_total) progress.textContent = '';
    }
  }

  function poll() {
    fetch(box.getAttribute('data-url'), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { show(d); if (!d.finished) setTimeout(poll, 2000); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (box.getAttribute('data-finished') !== 'true') setTimeout(poll, 1000);
})();
