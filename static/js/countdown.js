/* Parley: keep "expires in …" current on pages left open. Served by the app, no framework.
   The server renders the same words (negotiations.views.common.countdown_text) and the deadline in the
   court's time zone; without JavaScript the page still says when the offer expires. */
(function () {
  "use strict";
  var MINUTE = 60 * 1000;
  var DAY = 24 * 60 * MINUTE;

  function unit(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function words(left) {
    if (left <= 0) return "expired";
    var minutes = Math.floor(left / MINUTE);
    var days = Math.floor(minutes / (24 * 60));
    var hours = Math.floor((minutes % (24 * 60)) / 60);
    var mins = minutes % 60;
    var parts;
    if (days) parts = [unit(days, "day")].concat(hours ? [unit(hours, "hour")] : []);
    else if (hours) parts = [unit(hours, "hour")].concat(mins ? [unit(mins, "minute")] : []);
    else if (mins) parts = [unit(mins, "minute")];
    else parts = ["less than a minute"];
    return "expires in " + parts.join(" ");
  }

  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll(".countdown[data-expires]");
    Array.prototype.forEach.call(clocks, function (clock) {
      var at = Date.parse(clock.getAttribute("data-expires"));
      var text = clock.querySelector(".countdown__text");
      if (isNaN(at) || !text) return;
      var left = at - now;
      var said = words(left);
      if (text.textContent !== said) text.textContent = said;
      clock.classList.toggle("countdown--urgent", left > 0 && left <= DAY);
      clock.classList.toggle("countdown--passed", left <= 0);
    });
  }

  if (!window.parleyCountdown) {
    window.parleyCountdown = true;  // included by more than one part of a page: run once
    tick();
    window.setInterval(tick, MINUTE);
  }
})();
