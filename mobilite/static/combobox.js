/*
 * mobilite — autocomplete following the WAI-ARIA combobox pattern (editable combobox, list autocomplete).
 *
 * Progressive enhancement: without this script the forms work as they are.
 *  - <input data-combobox-source="URL">: a text field (the work place). Suggestions come from URL?q=…;
 *    picking one writes its text in the field, which the server resolves as it would a typed one.
 *  - <select data-combobox-source="URL"> (single or multiple): the select stays in the form, hidden, and
 *    holds the value; a text field takes its label and its place. A multiple select shows the chosen items
 *    as a list of buttons that remove them.
 * Keyboard: Down and Up move in the list (Down opens it), Enter picks, Escape closes (and, when closed,
 * empties the field), Tab leaves. Messages come from data-combobox-* attributes, so the page's language.
 */
(function () {
  "use strict";

  var counter = 0;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s\-'’]+/g, " ").trim();
  }

  function message(root, name, n) {
    var text = root.getAttribute("data-combobox-" + name) || "";
    return text.replace("{n}", String(n));
  }

  function Combobox(source) {
    counter += 1;
    this.source = source;
    this.select = source.tagName === "SELECT" ? source : null;
    this.multiple = !!(this.select && this.select.multiple);
    this.url = source.getAttribute("data-combobox-source");
    this.items = [];
    this.active = -1;
    this.request = 0;
    this.timer = null;
    this.build("combobox-" + counter);
  }

  Combobox.prototype.build = function (prefix) {
    var source = this.source;
    var wrapper = document.createElement("div");
    wrapper.className = "combobox";
    source.parentNode.insertBefore(wrapper, source);

    var input;
    if (this.select) {
      // The label and the error messages point at the select's id: the text field takes it over.
      input = document.createElement("input");
      input.type = "text";
      input.id = this.select.id;
      this.select.id = this.select.id + "-choice";
      ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
        if (source.hasAttribute(name)) input.setAttribute(name, source.getAttribute(name));
      });
      this.select.hidden = true;
      this.select.setAttribute("aria-hidden", "true");
      this.select.tabIndex = -1;
      wrapper.appendChild(input);
      wrapper.appendChild(this.select);
      if (!this.multiple) input.value = this.selectedLabel();
      var help = source.getAttribute("data-combobox-help-id");
      var helpText = source.getAttribute("data-combobox-help");
      if (help && helpText && document.getElementById(help)) document.getElementById(help).textContent = helpText;
    } else {
      input = source;
      wrapper.appendChild(input);
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");

    var list = document.createElement("ul");
    list.id = prefix + "-list";
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      if (!label.id) label.id = prefix + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    input.setAttribute("aria-controls", list.id);
    wrapper.appendChild(list);

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    this.wrapper = wrapper;
    this.input = input;
    this.list = list;
    this.status = status;

    if (this.multiple) {
      this.chosen = document.createElement("ul");
      this.chosen.className = "combobox-chosen";
      wrapper.appendChild(this.chosen);
      this.renderChosen();
    }

    var self = this;
    input.addEventListener("input", function () { self.schedule(); });
    input.addEventListener("keydown", function (event) { self.keydown(event); });
    input.addEventListener("blur", function () { self.blur(); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) self.pick(Number(option.getAttribute("data-index")));
    });
  };

  Combobox.prototype.options = function () {
    return this.select ? Array.prototype.filter.call(this.select.options, function (o) { return o.value !== ""; }) : [];
  };

  Combobox.prototype.selectedLabel = function () {
    var option = this.select.options[this.select.selectedIndex];
    return option && option.value !== "" ? option.text : "";
  };

  Combobox.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.fetch(); }, 150);
  };

  Combobox.prototype.fetch = function () {
    var query = this.input.value.trim();
    var self = this;
    var ticket = ++this.request;
    if (!query) { this.show([]); return; }
    if (!this.url) { this.show(this.localMatches(query)); return; }
    var url = this.url + (this.url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
    window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) {
        if (ticket !== self.request) return;  // an older answer arriving late
        var items = data.suggestions || [];
        if (self.select) {
          // Only what the select offers can be chosen.
          var known = {};
          self.options().forEach(function (o) { known[o.value] = true; });
          items = items.filter(function (item) { return known[item.value]; });
        }
        self.show(items);
      })
      .catch(function () { if (ticket === self.request) self.show(self.select ? self.localMatches(query) : []); });
  };

  Combobox.prototype.localMatches = function (query) {
    var words = fold(query).split(" ");
    return this.options().filter(function (o) {
      var text = fold(o.text).split(" ");
      return words.every(function (w) { return text.some(function (t) { return t.indexOf(w) === 0; }); });
    }).slice(0, 10).map(function (o) {
      return { value: o.value, label: o.text, hint: o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "" };
    });
  };

  Combobox.prototype.show = function (items) {
    var list = this.list;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-index", String(index));
      option.appendChild(document.createTextNode(item.label));
      if (item.hint) {
        var hint = document.createElement("span");
        hint.className = "combobox-hint";
        hint.textContent = item.hint;
        option.appendChild(document.createTextNode(" "));
        option.appendChild(hint);
      }
      list.appendChild(option);
    });
    var open = items.length > 0 && document.activeElement === this.input;  // an answer after leaving opens nothing
    list.hidden = !open;
    this.input.setAttribute("aria-expanded", open ? "true" : "false");
    var root = this.source;
    if (!this.input.value.trim()) this.status.textContent = "";
    else if (!items.length) this.status.textContent = message(root, "none", 0);
    else this.status.textContent = message(root, items.length === 1 ? "one" : "many", items.length);
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Combobox.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Combobox.prototype.move = function (step) {
    if (!this.items.length) return;
    var next = this.active + step;
    if (next < 0) next = this.items.length - 1;
    if (next >= this.items.length) next = 0;
    var options = this.list.querySelectorAll('[role="option"]');
    if (this.active >= 0) options[this.active].setAttribute("aria-selected", "false");
    this.active = next;
    options[next].setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({ block: "nearest" });
  };

  Combobox.prototype.keydown = function (event) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!this.isOpen()) {
          if (this.items.length) { this.list.hidden = false; this.input.setAttribute("aria-expanded", "true"); }
          else { this.fetch(); return; }
          if (event.altKey) return;
        }
        this.move(1);
        break;
      case "ArrowUp":
        if (this.isOpen()) { event.preventDefault(); this.move(-1); }
        break;
      case "Enter":
        if (this.isOpen() && this.active >= 0) { event.preventDefault(); this.pick(this.active); }
        break;
      case "Escape":
        if (this.isOpen()) { event.preventDefault(); this.close(); }
        else if (this.input.value) { event.preventDefault(); this.input.value = ""; if (this.select && !this.multiple) this.select.value = ""; }
        break;
      default:
        break;
    }
  };

  Combobox.prototype.pick = function (index) {
    var item = this.items[index];
    if (!item) return;
    if (this.multiple) {
      this.options().forEach(function (o) { if (o.value === item.value) o.selected = true; });
      this.input.value = "";
      this.renderChosen();
    } else {
      if (this.select) this.select.value = item.value;
      this.input.value = item.label;
    }
    this.close();
    this.input.focus();
  };

  Combobox.prototype.blur = function () {
    window.clearTimeout(this.timer);
    this.request += 1;  // forget the answers still on their way
    this.close();
    if (!this.select) return;
    var text = fold(this.input.value);
    if (this.multiple) return;  // a half-typed word adds nothing; the chosen list says what is kept
    if (!text) { this.select.value = ""; return; }
    var exact = this.options().filter(function (o) { return fold(o.text) === text; });
    if (exact.length === 1) this.select.value = exact[0].value;
    this.input.value = this.selectedLabel();  // the field always shows what will be sent
  };

  Combobox.prototype.renderChosen = function () {
    var self = this;
    var chosen = this.chosen;
    while (chosen.firstChild) chosen.removeChild(chosen.firstChild);
    this.options().forEach(function (o) {
      if (!o.selected) return;
      var item = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = o.text;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = message(self.source, "remove", 0);
      remove.setAttribute("aria-label", remove.textContent + " " + o.text);  // the name starts with the visible text
      remove.addEventListener("click", function () {
        o.selected = false;
        self.renderChosen();
        self.input.focus();
      });
      item.appendChild(text);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(remove);
      chosen.appendChild(item);
    });
    chosen.hidden = !chosen.firstChild;
  };

  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-combobox-source]"), function (element) {
      if (!element.hasAttribute("data-combobox-ready")) {
        element.setAttribute("data-combobox-ready", "");
        new Combobox(element);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  else enhance(document);
})();
