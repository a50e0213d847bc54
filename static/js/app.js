// Behaviour that used to sit in inline scripts and on* attributes, which the
// Content-Security-Policy (script-src 'self') does not run.
(function () {
  // Long operations: show progress once a marked form is submitted.
  document.querySelectorAll('form[data-busy]').forEach(function (f) {
    f.addEventListener('submit', function () {
      f.classList.add('busy');
      f.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    });
  });
  // <select data-autosubmit>: submit its form on change.
  document.querySelectorAll('[data-autosubmit]').forEach(function (el) {
    el.addEventListener('change', function () { el.form.submit(); });
  });
  // <button data-confirm="…">: ask first.
  document.querySelectorAll('[data-confirm]').forEach(function (el) {
    el.addEventListener('click', function (e) { if (!window.confirm(el.getAttribute('data-confirm'))) e.preventDefault(); });
  });
  // <form data-confirm-submit="…">: ask before submitting.
  document.querySelectorAll('form[data-confirm-submit]').forEach(function (f) {
    f.addEventListener('submit', function (e) { if (!window.confirm(f.getAttribute('data-confirm-submit'))) e.preventDefault(); });
  });
  // <input data-select-on-click>: select the whole value (a token to copy).
  document.querySelectorAll('[data-select-on-click]').forEach(function (el) {
    el.addEventListener('click', function () { el.select(); });
  });
  // <button data-print>
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () { window.print(); });
  });
  // Sizes computed on the server: data-width / data-left in percent.
  document.querySelectorAll('[data-width]').forEach(function (el) { el.style.width = el.getAttribute('data-width') + '%'; });
  document.querySelectorAll('[data-left]').forEach(function (el) { el.style.left = el.getAttribute('data-left') + '%'; });
})();
