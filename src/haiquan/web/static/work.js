/* The officer's work pages: focus on the error summary, a draft of the decision kept in this browser
   (localStorage, by declaration number) until it is recorded, the live count of new checks on the queue,
   and the warning before the session ends. The pages work without it; it only adds. */
(function () {
  "use strict";

  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  var FIELDS = ["kind", "reason", "fraud_found", "findings", "full_inspection"];

  function readForm(form) {
    var out = {};
    FIELDS.forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      els.forEach(function (el) {
        if (el.type === "radio") { if (el.checked) { out[name] = el.value; } }
        else if (el.type === "checkbox") { out[name] = el.checked ? "on" : ""; }
        else { out[name] = el.value; }
      });
    });
    return out;
  }

  function isEmpty(values) {
    return FIELDS.every(function (name) { return !values[name]; });
  }

  function writeForm(form, values) {
    FIELDS.forEach(function (name) {
      var els = form.querySelectorAll("[name='" + name + "']");
      els.forEach(function (el) {
        if (el.type === "radio") { el.checked = el.value === values[name]; }
        else if (el.type === "checkbox") { el.checked = values[name] === "on"; }
        else if (values[name] !== undefined) { el.value = values[name]; }
      });
    });
  }

  function keepDraft() {
    var marker = document.getElementById("draft");
    if (!marker || !window.localStorage) { return; }
    var key = marker.getAttribute("data-key");
    if (marker.getAttribute("data-saved") === "1") { localStorage.removeItem(key); }
    var form = document.getElementById("decision-form");
    if (!form) { return; }
    var stored = localStorage.getItem(key);
    if (stored && isEmpty(readForm(form))) {
      try {
        writeForm(form, JSON.parse(stored));
        var note = document.getElementById("draft-note");
        if (note) { note.hidden = false; }
      } catch (e) { localStorage.removeItem(key); }
    }
    var save = function () {
      var values = readForm(form);
      if (isEmpty(values)) { localStorage.removeItem(key); } else { localStorage.setItem(key, JSON.stringify(values)); }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
  }

  function pollNews() {
    var banner = document.getElementById("queue-news");
    if (!banner) { return; }
    var since = banner.getAttribute("data-since");
    var every = parseInt(banner.getAttribute("data-every") || "30000", 10);
    var timer = null;
    var ask = function () {
      fetch("/queue/news?since=" + encodeURIComponent(since), {credentials: "same-origin", redirect: "manual"})
        .then(function (r) {
          if (!r.ok || (r.headers.get("content-type") || "").indexOf("json") < 0) { throw new Error("ended"); }
          return r.json();
        })
        .then(function (body) {
          if (body.count > 0) {
            banner.querySelector("span").textContent = banner.getAttribute("data-text").replace("{count}", body.count);
            banner.hidden = false;
          }
        })
        .catch(function () { clearInterval(timer); });
    };
    timer = setInterval(ask, every);
    window.hqPollNews = ask;  // the browser tests ask at once instead of waiting 30 s
  }

  function warnBeforeTheEnd() {
    var box = document.getElementById("session-warning");
    if (!box) { return; }
    // a page view is recorded as activity at most once a minute: count a minute less than the timeout
    var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) - 60;
    var warn = parseInt(box.getAttribute("data-warn-seconds"), 10);
    var timers = [];
    var arm = function (seconds) {
      timers.forEach(clearTimeout);
      timers = [
        setTimeout(function () { box.hidden = false; }, Math.max(0, seconds - warn) * 1000),
        setTimeout(function () { window.location.href = box.getAttribute("data-login"); }, seconds * 1000)
      ];
    };
    document.getElementById("session-stay").addEventListener("click", function () {
      fetch("/session/alive", {credentials: "same-origin", redirect: "manual"})
        .then(function (r) {
          if (!r.ok) { throw new Error("ended"); }
          box.hidden = true;
          arm(idle);
        })
        .catch(function () { window.location.href = box.getAttribute("data-login"); });
    });
    window.hqSessionTimer = arm;  // the browser tests shorten the wait
    arm(idle);
  }

  function foldFilters() {
    // on a phone the list comes first: the queue's filters fold unless one is in use
    var box = document.querySelector(".filters-box");
    if (box && !box.getAttribute("data-active") && window.matchMedia("(max-width: 640px)").matches) {
      box.open = false;
    }
  }

  function printButton() {
    var button = document.getElementById("print-record");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  }

  focusErrors();
  keepDraft();
  pollNews();
  warnBeforeTheEnd();
  printButton();
  foldFilters();
})();
