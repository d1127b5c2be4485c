// The calendar's topic and region filters, applied in place and combinable.
// Without JavaScript every filter link opens its own page, which lists the same events.
(function () {
  "use strict";
  var root = document.querySelector("[data-event-filter]");
  if (!root) return;
  var groups = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
  var items = Array.prototype.slice.call(document.querySelectorAll(".calendar .event-item"));
  var months = Array.prototype.slice.call(document.querySelectorAll(".calendar .month-group"));
  var status = document.getElementById("filter_status");
  var state = {};

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    groups.forEach(function (group) {
      state[group.dataset.param] = params.get(group.dataset.param) || "";
    });
  }

  function writeUrl() {
    var params = new URLSearchParams();
    groups.forEach(function (group) {
      var value = state[group.dataset.param];
      if (value) params.set(group.dataset.param, value);
    });
    var query = params.toString();
    window.history.pushState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function matches(item) {
    var topic = state.thema;
    var region = state.region;
    var topics = (item.dataset.topics || "").split(" ");
    return (!topic || topics.indexOf(topic) !== -1) && (!region || item.dataset.region === region);
  }

  function apply() {
    var shown = 0;
    items.forEach(function (item) {
      var visible = matches(item);
      item.hidden = !visible;
      if (visible) shown += 1;
    });
    months.forEach(function (month) {
      month.hidden = !month.querySelector(".event-item:not([hidden])");
    });
    groups.forEach(function (group) {
      var value = state[group.dataset.param];
      group.querySelectorAll("a[data-value]").forEach(function (link) {
        if (link.dataset.value === value) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      });
    });
    var text = shown === 0 ? root.dataset.none : shown === 1 ? root.dataset.countOne : root.dataset.count;
    status.textContent = text.replace("{count}", String(shown));
  }

  groups.forEach(function (group) {
    group.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-value]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      state[group.dataset.param] = link.dataset.value;
      apply();
      writeUrl();
    });
  });
  window.addEventListener("popstate", function () {
    readUrl();
    apply();
  });
  root.classList.add("is-enhanced");
  readUrl();
  apply();
})();
