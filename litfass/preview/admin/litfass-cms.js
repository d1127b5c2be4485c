// litfass in Decap CMS: new items get the slug `litfass new` would make, and the preview
// pane wears the site's own stylesheet.
(function () {
  "use strict";
  var GERMAN = { "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "SS" };
  var MAX = 80;

  // As litfass/slugs.py: German transliteration, then ASCII, lower case, words joined by '-'.
  function slugify(text) {
    var german = String(text).replace(/[ÄÖÜäöüßẞ]/g, function (ch) { return GERMAN[ch]; });
    var ascii = german.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    var words = ascii.toLowerCase().replace(/'/g, "").split(/[^a-z0-9]+/).filter(Boolean);
    var slug = "";
    for (var i = 0; i < words.length; i++) {
      var longer = slug ? slug + "-" + words[i] : words[i];
      if (longer.length > MAX) { break; }  // cut at a word boundary, as python-slugify does
      slug = longer;
    }
    return slug || (words.length ? words[0].slice(0, MAX) : "seite");
  }

  // Decap's German phrases leave the login button in English ("Login"): the editor reads
  // German, so the button says "Anmelden". Every other phrase stays Decap's own.
  var german = CMS.getLocale("de");
  if (german && german.auth) {
    var auth = Object.assign({}, german.auth, { login: "Anmelden", loggingIn: "Anmeldung läuft …" });
    CMS.registerLocale("de", Object.assign({}, german, { auth: auth }));
  }

  // Decap writes a list's label in lower case in its heading and button ("2 frühere
  // adressen"): German nouns keep their capital, so the field's own label is put back.
  function properCase() {
    var bars = document.querySelectorAll("[class*='-TopBarContainer']");
    for (var i = 0; i < bars.length; i++) {
      var control = bars[i].closest("[class*='-ControlContainer']");
      var label = control && control.querySelector("label");
      if (!label) { continue; }
      var name = label.textContent.replace(/\s*\(optional\)\s*$/, "").trim();
      var lower = name.toLowerCase();
      if (!name || lower === name) { continue; }
      var walker = document.createTreeWalker(bars[i], NodeFilter.SHOW_TEXT);
      for (var text = walker.nextNode(); text; text = walker.nextNode()) {
        if (text.nodeValue.indexOf(lower) >= 0) {
          text.nodeValue = text.nodeValue.split(lower).join(name);
        }
      }
    }
  }
  new MutationObserver(properCase).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true
  });

  // Beside /admin/ wherever the site lives: at the host's root or in a folder of it.
  CMS.registerPreviewStyle(new URL("../static/style.css", document.currentScript.src).pathname);
  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var entry = event.entry;
      var data = entry.get("data");
      // Only new items: an existing item keeps the address its file name gives it.
      if (entry.get("newRecord") && !data.get("slug")) {
        return data.set("slug", slugify(data.get("title") || ""));
      }
      return data;
    }
  });
})();
