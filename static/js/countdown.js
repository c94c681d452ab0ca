/* Parley: keep "expires in …" current on pages left open. Served by the app, no framework.
   The server renders the same words (negotiations.views.common.countdown_text) and the deadline in the
   court's time zone; without JavaScript the page still says when the offer expires. */
(function () {
  "use strict";
  var MINUTE = 60 * 1000;
  var DAY = 24 * 60 * MINUTE;

  // The words, in the page's language, come with each countdown (data-words: its server side,
  // negotiations.views.common.countdown_words); these are for a page without them.
  var ENGLISH = {
    expired: "expired",
    "in": "expires in %(left)s",
    less: "less than a minute",
    day: ["%(count)d day", "%(count)d days"],
    hour: ["%(count)d hour", "%(count)d hours"],
    minute: ["%(count)d minute", "%(count)d minutes"]
  };

  function wordsOf(clock) {
    try {
      var given = JSON.parse(clock.getAttribute("data-words") || "null");
      return given && given["in"] ? given : ENGLISH;
    } catch (e) {
      return ENGLISH;
    }
  }

  function say(said, n, name) {
    return said[name][n === 1 ? 0 : 1].replace("%(count)d", String(n));
  }

  function words(said, left) {
    if (left <= 0) return said.expired;
    var minutes = Math.floor(left / MINUTE);
    var days = Math.floor(minutes / (24 * 60));
    var hours = Math.floor((minutes % (24 * 60)) / 60);
    var mins = minutes % 60;
    var parts;
    if (days) parts = [say(said, days, "day")].concat(hours ? [say(said, hours, "hour")] : []);
    else if (hours) parts = [say(said, hours, "hour")].concat(mins ? [say(said, mins, "minute")] : []);
    else if (mins) parts = [say(said, mins, "minute")];
    else parts = [said.less];
    return said["in"].replace("%(left)s", parts.join(" "));
  }

  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll(".countdown[data-expires]");
    Array.prototype.forEach.call(clocks, function (clock) {
      var at = Date.parse(clock.getAttribute("data-expires"));
      var text = clock.querySelector(".countdown__text");
      if (isNaN(at) || !text) return;
      var left = at - now;
      var said = words(wordsOf(clock), left);
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
