// One Plotly configuration for every chart of the pages: no mode-bar button sends a chart or its data to a
// cloud service ("Share chart...", on by default in plotly.js 4), no link or logo to plotly.com, and no
// server URL to send to even if a button were added. The pages' Content-Security-Policy (connect-src
// 'self') refuses any such request all the same.
window.HQ_PLOTLY_CONFIG = Object.freeze({
  displaylogo: false,
  showLink: false,
  showSendToCloud: false,
  showEditInChartStudio: false,
  plotlyServerURL: '',
  modeBarButtonsToRemove: ['sendChartToCloud', 'sendDataToCloud', 'editInChartStudio'],
  responsive: true,
});
