// One Plotly configuration for every chart of the pages (decision 0023): no mode bar at all (its
// "share to the cloud" button would send a chart's data to a third party; no link or logo to plotly.com,
// no server URL to send to), and the page's language: Vietnamese month names (Th1..Th12), a comma for
// decimals and a dot for thousands. The pages' Content-Security-Policy (connect-src 'self') refuses any
// request elsewhere all the same.
(function () {
  var months = [];
  var short = [];
  for (var m = 1; m <= 12; m++) { months.push('Tháng ' + m); short.push('Th' + m); }
  Plotly.register({
    moduleType: 'locale',
    name: 'vi',
    dictionary: {},
    format: {
      days: ['Chủ nhật', 'Thứ hai', 'Thứ ba', 'Thứ tư', 'Thứ năm', 'Thứ sáu', 'Thứ bảy'],
      shortDays: ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'],
      months: months,
      shortMonths: short,
      date: '%d/%m/%Y',
      decimal: ',',
      thousands: '.',
    },
  });
  var vi = document.documentElement.lang !== 'en';
  window.HQ_PLOTLY_CONFIG = Object.freeze({
    displayModeBar: false,
    displaylogo: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    plotlyServerURL: '',
    modeBarButtonsToRemove: ['sendChartToCloud', 'sendDataToCloud', 'editInChartStudio'],
    responsive: true,
    locale: vi ? 'vi' : 'en',
  });
  // The separators as the language writes them (1.234,5 / 1,234.5), for layouts that name none.
  window.HQ_SEPARATORS = vi ? ',.' : '.,';
  var nf = new Intl.NumberFormat(vi ? 'vi-VN' : 'en-GB', {maximumFractionDigits: 1});
  window.HQ_NUM = function (x) { return x === null || x === undefined ? '—' : nf.format(x); };
  // A chart's text for screen readers: the figure hidden from them, its summary in a caption beside it.
  window.HQ_SUMMARY = function (el, text) {
    el.setAttribute('aria-hidden', 'true');
    var cap = el.nextElementSibling;
    if (!cap || !cap.classList.contains('chart-summary')) {
      cap = document.createElement('p');
      cap.className = 'chart-summary sr-only';
      el.parentNode.insertBefore(cap, el.nextSibling);
    }
    cap.textContent = text;
  };
  // Traces as sentences: "name: label value; label value; ..." (at most `limit` points per trace).
  window.HQ_DESCRIBE = function (traces, limit) {
    return traces.map(function (t) {
      var xs = t.x || [], ys = t.y || [], n = Math.min(xs.length, limit || 12);
      var start = Math.max(0, xs.length - n), parts = [];
      for (var i = start; i < xs.length; i++) parts.push(xs[i] + ' ' + window.HQ_NUM(ys[i]));
      return (t.name ? t.name + ': ' : '') + parts.join('; ');
    }).join('. ');
  };
})();
