// Where a message's recording cannot be fetched just now (Twilio down, a deleted recording), the player's place says
// why instead of showing an empty 0:00 player. The page works without this script: the player then shows nothing.
(function () {
  "use strict";
  document.querySelectorAll("audio[data-recording]").forEach(function (player) {
    player.addEventListener("error", function () {
      fetch(player.getAttribute("src"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? "" : r.text(); })
        .catch(function () { return "The recording could not be fetched: the admin pages cannot be reached."; })
        .then(function (reason) {
          if (!reason) { return; }
          var note = document.createElement("p");
          note.className = "recording-problem warning";
          note.textContent = reason;
          player.replaceWith(note);
        });
    });
  });
})();

// A note typed and not yet kept goes with "Mark handled" (the server keeps it with the message).
(function () {
  "use strict";
  document.querySelectorAll("form[data-takes-note]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var typed = document.getElementById(form.getAttribute("data-takes-note"));
      if (typed) { form.querySelector("input[name=note]").value = typed.value; }
    });
  });
})();

// A change that callers and texters meet at once (a revert) is asked about first.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();

// A form is sent once: a double click on Publish sent it twice, and the second, refused as "someone published a change
// to this field after you opened the page", showed "Not published" for the admin's own change. Sent again after 15 s
// (a network that lost the first), or once the page is shown again from the browser's history.
(function () {
  "use strict";
  var sending = [];
  document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }  // not confirmed
      if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
      form.setAttribute("data-sending", "");
      sending.push(form);
      window.setTimeout(function () { form.removeAttribute("data-sending"); }, 15000);
    });
  });
  window.addEventListener("pageshow", function () {
    sending.forEach(function (form) { form.removeAttribute("data-sending"); });
  });
})();

// Signing out forgets the editor's unpublished words kept in this browser: the next person at this computer does not
// find them (and publish them under their own name).
(function () {
  "use strict";
  var out = document.querySelector("form.signout");
  if (!out) { return; }
  out.addEventListener("submit", function () {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf("poems-line-draft:") === 0) { window.localStorage.removeItem(key); }
      }
    } catch (e) { /* no storage: nothing kept */ }
  });
})();

// A chart wider than a phone's screen opens at its right end: the latest days, where a morning's look begins.
(function () {
  "use strict";
  document.querySelectorAll(".chart-box[data-latest-right]").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth) { box.scrollLeft = box.scrollWidth; }
  });
})();
