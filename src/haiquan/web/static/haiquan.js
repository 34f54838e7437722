// Every page, once loaded:
// - a box that scrolls sideways (a wide table on a phone) is reachable by keyboard and named after the
//   section it is in, so a keyboard or screen-reader user can scroll it too (WCAG 2.1.1);
// - the keyboard and the screen reader move to what needs attention first (an error page's heading, a
//   form's error summary: any element marked data-focus).
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('.scroll').forEach(function (box) {
    if (!box.hasAttribute('tabindex')) box.setAttribute('tabindex', '0');
    if (!box.hasAttribute('role')) box.setAttribute('role', 'region');
    if (!box.hasAttribute('aria-label') && !box.hasAttribute('aria-labelledby')) {
      var section = box.closest('section, .card, main');
      var heading = section && section.querySelector('h1, h2, h3, caption');
      box.setAttribute('aria-label', heading ? heading.textContent.trim() : document.title);
    }
  });
  var target = document.querySelector('[data-focus]');
  if (target) {
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  }
});
