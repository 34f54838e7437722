// Live counts in the navigation: each [data-count-url] badge asks its small JSON endpoint ({"count": n})
// now and every 60 s, and shows the number (none at 0).
(function () {
  function refresh(el) {
    fetch(el.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        el.textContent = String(body.count);
        el.style.display = body.count === 0 ? "none" : "";
        el.setAttribute("aria-label", body.label || String(body.count));
      })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    var els = document.querySelectorAll("[data-count-url]");
    els.forEach(refresh);
    if (els.length) { setInterval(function () { els.forEach(refresh); }, 60000); }
  });
})();
