// Before first paint: the saved theme, else the system's (loaded blocking from <head>).
(function () {
  var saved = null;
  try { saved = localStorage.getItem('labs.theme'); } catch (e) {}
  var dark = saved ? saved === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
})();
