// The editor's counters, updated as one types (the page shows the same figures without this script, after Check).
// Text messages: accents folded and characters counted as the line sends them (GSM-7; outside it, UCS-2).
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€\f";
  var FOLD = {"á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U", "â": "a", "ê": "e",
              "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ç": "c"};
  function fold(text) { return text.replace(/[áíóúÁÍÓÚâêîôûëïç]/g, function (c) { return FOLD[c]; }); }
  function septets(text) { var n = 0; for (var i = 0; i < text.length; i++) { n += EXTENDED.indexOf(text[i]) >= 0 ? 2 : 1; } return n; }
  function plain(text) { for (var i = 0; i < text.length; i++) { var c = text[i]; if (BASIC.indexOf(c) < 0 && EXTENDED.indexOf(c) < 0) { return false; } } return true; }
  function segments(text) {
    if (!text) { return 1; }
    if (plain(text)) { var s = septets(text); return s <= 160 ? 1 : Math.ceil(s / 153); }
    return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
  }
  // As the check counts: typography made plain (the editor does so on publish), then what a text cannot carry plainly
  // (an emoji) left out, and named, so that the counter and the check give one figure.
  // (gsm.TYPOGRAPHY's table, the same characters.)
  var TYPO = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2013": "-",
              "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u2026": "..."};
  function typography(text) { return text.replace(/[\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2212\u00a0\u2026]/g, function (c) { return TYPO[c]; }); }
  function isPlain(c) { return BASIC.indexOf(c) >= 0 || EXTENDED.indexOf(c) >= 0; }
  function outside(text) { var seen = []; Array.from(text).forEach(function (c) { if (!isPlain(c) && seen.indexOf(c) < 0) { seen.push(c); } }); return seen; }
  function counted(text) { return Array.from(typography(text)).filter(isPlain).join(""); }
  // As the check counts (listening.word_count): a number read digit by digit ("9 1 1") is one word.
  function words(text) { var w = text.replace(/\b\d(?: \d)+\b/g, "0").trim().split(/\s+/); return w[0] ? w.length : 0; }
  var form = document.getElementById("editor");
  if (!form) { return; }
  var csrf = form.querySelector("input[name=csrf]").value;
  var timers = {};
  form.querySelectorAll("textarea[data-count]").forEach(function (area) {
    var box = area.parentNode.querySelector("[data-counters]");
    var column = area.closest("fieldset");
    if (!box) { return; }
    function update() {
      var text = area.value.replace(/\s+/g, " ").trim();
      var n = words(text);
      var part = box.querySelector("[data-words]");
      if (part) {
        var most = parseInt(part.getAttribute("data-max"), 10) || 0;
        part.textContent = n + (n === 1 ? " word" : " words") + (most && n > most ? ": at most " + most + ", take out " + (n - most) : "");
        part.className = most && n > most ? "error-text" : "";
      }
      part = box.querySelector("[data-seconds]");
      if (part) { part.textContent = "about " + Math.round(n * 60 / 150) + " s spoken"; }
      var bad = outside(typography(fold(text)));
      var sent = counted(fold(text));
      part = box.querySelector("[data-characters]");
      // A text answer is sent with its closing line: counted with it, as the check counts it.
      var closing = area.getAttribute("data-count") === "text" ? column.getAttribute("data-closing") : "";
      if (part) {
        var seg = segments(closing ? sent + "\n" + closing : sent);
        part.textContent = septets(sent) + " characters, " + seg + " text segment" + (seg === 1 ? "" : "s") + " as sent"
          + (bad.length ? "; take out " + bad.join(" ") + ": a text message cannot send " + (bad.length === 1 ? "it" : "them") + " plainly" : "");
        part.className = bad.length ? "error-text" : "";
      }
      part = box.querySelector("[data-first]");
      if (part) {
        var room = parseInt(column.getAttribute("data-room"), 10) || 0;
        var used = septets(sent);
        part.textContent = "as a first text, with the notice: this answer has " + used + " of the " + room + " characters it may have" + (used > room ? ": shorten it by " + (used - room) : "");
        part.className = used > room ? "error-text" : "";
      }
      part = box.querySelector("[data-score]");
      if (part && n < 10) {
        // Too short to score (as the check): no verdict left from a longer text.
        clearTimeout(timers[area.name]);
        part.textContent = part.textContent.replace(/: use shorter sentences and plainer words$/, "");
        part.className = "";
      }
      if (part && n >= 10) {
        clearTimeout(timers[area.name]);
        timers[area.name] = setTimeout(function () {
          var body = new URLSearchParams({csrf: csrf, lang: column.getAttribute("data-lang"), text: text});
          fetch(form.getAttribute("data-measure"), {method: "POST", body: body, credentials: "same-origin"})
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (data) {
              if (data && data.score !== null) {
                part.textContent = part.textContent.replace(/reading score [-\d.]+/, "reading score " + data.score)
                  .replace(/: use shorter sentences and plainer words$/, "") + (data.too_hard ? ": use shorter sentences and plainer words" : "");
                part.className = data.too_hard ? "error-text" : "";
              }
            }).catch(function () {});
        }, 600);
      }
    }
    area.addEventListener("input", update);
  });
})();

// Words typed and not yet published are kept in this browser as one types: a session that ends, a form that expired
// or a tab closed by mistake loses nothing. Opening the page again puts them back (with a way to discard them) where
// the field still holds what it held when they were typed; where a colleague published a change to it since, they are
// shown to copy from instead. Published, they are dropped. Kept field by field: two tabs do not undo each other.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }
  if (!form || !store) { return; }
  var key = "poems-line-draft:" + location.pathname;
  var fields = Array.prototype.slice.call(form.querySelectorAll("textarea[data-served], input[data-served]"));
  function was(field) { var w = form.querySelector("input[name='was-" + field.name + "']"); return w ? w.value : ""; }
  function served(field) { return field.getAttribute("data-served"); }
  // Words as the line keeps them: typography made plain (gsm.TYPOGRAPHY on the server) and spaces run together, so
  // words published with curly quotes are recognised as published, not as someone else's change.
  // Lists (phrases, examples) are kept one item a line: compared line by line.
  function kept_as(words, list) {
    var plain = words.replace(/[\u2018\u2019\u201a]/g, "'").replace(/[\u201c\u201d\u201e]/g, '"')
      .replace(/[\u2013\u2014\u2212]/g, "-").replace(/\u2026/g, "...").replace(/\u00a0/g, " ");
    if (list) {
      return plain.split("\n").map(function (line) { return line.trim(); }).filter(Boolean).join("\n");
    }
    return plain.split(/\s+/).join(" ").trim();
  }
  function read() {
    try { var entry = JSON.parse(store.getItem(key) || "null"); if (entry && entry.fields) { return entry; } } catch (e) { /* unreadable */ }
    return {at: 0, fields: {}};
  }
  function write(entry) {
    try {
      if (Object.keys(entry.fields).length) { store.setItem(key, JSON.stringify(entry)); } else { store.removeItem(key); }
    } catch (e) { /* storage full or refused: the page still works */ }
  }
  function keep(event) {
    var field = event.target;
    if (!field.hasAttribute || !field.hasAttribute("data-served")) { return; }
    var entry = read();
    if (field.value !== served(field)) { entry.fields[field.name] = {value: field.value, was: was(field)}; } else { delete entry.fields[field.name]; }
    entry.at = Date.now();
    write(entry);
  }
  var saved = read();
  if (Object.keys(saved.fields).length && !form.hasAttribute("data-posted")) {
    var restored = [], shownBefore = {}, elsewhere = [];
    fields.forEach(function (field) {
      var kept = saved.fields[field.name];
      if (!kept) { return; }
      var list = /(^|-)(examples|phrases)$/.test(field.name);
      if (kept_as(kept.value, list) === kept_as(served(field) || "", list)) { delete saved.fields[field.name]; return; }  // published since
      // Questions just brought from "Not understood" are in the examples: the kept words wait for the next visit.
      if (form.hasAttribute("data-adding") && /(^|-)examples$/.test(field.name)) { return; }
      if (kept.was !== was(field)) {  // a colleague published this field since: theirs stays, these are shown
        elsewhere.push({label: (form.querySelector("label[for='in-" + field.name + "']") || {}).textContent || field.name, words: kept.value});
        delete saved.fields[field.name];
        return;
      }
      if (kept.value !== field.value) {
        shownBefore[field.name] = field.value;
        field.value = kept.value;
        field.dispatchEvent(new Event("input"));
        restored.push(field);
      }
    });
    write(saved);
    if (restored.length) {
      // Each field put back is named and marked where it is: Publish sends every field, so words typed in another tab
      // and forgotten would otherwise go out beside the one change the admin meant (an exploratory admin's draft did).
      var marks = [];
      var labels = restored.map(function (field) {
        var label = form.querySelector("label[for='in-" + field.name + "']");
        field.classList.add("restored");
        if (label) {
          var mark = document.createElement("span");
          mark.className = "restored-mark";
          mark.textContent = " (your words put back, not yet published)";
          label.appendChild(mark);
          marks.push(mark);
        }
        var name = label ? label.firstChild.textContent.trim() : field.name;
        // Beside other languages' columns, which have the same labels: the language too ("Text message answer (Español)").
        var column = field.closest("fieldset.language");
        var legend = column && form.querySelectorAll("fieldset.language").length > 1 ? column.querySelector("legend") : null;
        return legend ? name + " (" + legend.firstChild.textContent.trim() + ")" : name;
      });
      var note = document.createElement("p");
      note.className = "notice draft";
      note.setAttribute("role", "status");
      note.textContent = "Your words not yet published (typed " + new Date(saved.at).toLocaleString() + ") were put back in " +
        labels.join(", ") + ". Read them before you publish: Publish sends them too. Or ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.textContent = "discard them";
      discard.addEventListener("click", function () {
        var entry = read();
        restored.forEach(function (field) {
          field.value = shownBefore[field.name];
          field.dispatchEvent(new Event("input"));
          field.classList.remove("restored");
          delete entry.fields[field.name];
        });
        marks.forEach(function (mark) { mark.remove(); });
        write(entry);
        note.remove();
      });
      note.appendChild(discard);
      form.parentNode.insertBefore(note, form);
    }
    if (elsewhere.length) {
      var box = document.createElement("details");
      box.className = "notice draft-elsewhere";
      box.open = true;
      var summary = document.createElement("summary");
      summary.textContent = "Someone published a change to " + elsewhere.length + " field" + (elsewhere.length === 1 ? "" : "s") +
        " you had typed in without publishing: the page shows theirs. Your words, to copy from:";
      box.appendChild(summary);
      elsewhere.forEach(function (item) {
        var head = document.createElement("p"); head.textContent = item.label; box.appendChild(head);
        var words = document.createElement("pre"); words.className = "paste"; words.textContent = item.words; box.appendChild(words);
      });
      form.parentNode.insertBefore(box, form);
    }
  }
  form.addEventListener("input", keep);
  // Kept again as the form goes: words typed before a sign-out in another tab (which forgets them) come back when the
  // session that ended is opened again.
  form.addEventListener("submit", function () { fields.forEach(function (field) { keep({target: field}); }); });
})();

// A page the editor's form was posted to (Check, Listen, a refusal) stands in the history as the editor's own address:
// Back and Reload open the editor again, with the words typed put back from this browser (above), instead of asking
// to send the form again ("Confirm form resubmission", which means nothing to most admins).
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (form && form.hasAttribute("data-posted") && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", location.href);
  }
})();
