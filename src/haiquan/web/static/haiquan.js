// Every page: move the keyboard and the screen reader to what needs attention first (an error page's
// heading, a form's error summary: any element marked data-focus), once the page has loaded.
document.addEventListener('DOMContentLoaded', function () {
  var target = document.querySelector('[data-focus]');
  if (target) {
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  }
});
