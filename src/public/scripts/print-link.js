// "Print this list": where JavaScript runs, open the print dialogue instead of following the
// link to the print view (which is what happens without JavaScript). No inline script: the
// Content-Security-Policy allows scripts from this site only.
document.addEventListener('click', function (event) {
  var link = event.target instanceof Element ? event.target.closest('a.js-print-link') : null;
  if (!link || typeof window.print !== 'function') return;
  event.preventDefault();
  window.print();
});
