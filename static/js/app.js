// adminportal's only script: toasts for messages, the confirmation dialog, and small
// conveniences (filter roles as you type, select all, one open menu). Every page works without
// it; nothing here writes HTML from data (textContent only).
(function () {
  "use strict";

  // Words in the staff member's language, from Django's JavaScript catalogue (/jsi18n/, the
  // djangojs domain, loaded async so that it never holds up htmx); as written here until it
  // has loaded, or if it does not.
  const gettext = (text) => (window.gettext ? window.gettext(text) : text);
  const interpolate = (format, values) =>
    window.interpolate
      ? window.interpolate(format, values, true)
      : format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));

  const toasts = () => document.getElementById("toasts");
  const dialog = () => document.getElementById("dialog");

  function dismissLater(toast, level) {
    if (level === "success" || level === "info") {
      setTimeout(() => toast.remove(), 8000);
    }
  }

  // A link a message offers (e.g. "Restore"): only a path of adminportal, opened in the dialog.
  function actionLink(link) {
    const url = link && typeof link.url === "string" ? link.url : "";
    if (!url.startsWith("/") || url.startsWith("//") || url.startsWith("/\\")) return null;
    const action = document.createElement("a");
    action.className = "toast-action";
    action.href = url;
    action.textContent = String(link.label || "");
    action.setAttribute("hx-get", url);
    action.setAttribute("hx-target", "#dialog-body");
    action.setAttribute("hx-swap", "innerHTML");
    return action;
  }

  function showToast(text, level, link) {
    const toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "info");
    if (level === "error" || level === "warning") toast.setAttribute("role", "alert");
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    const action = actionLink(link);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", gettext("Dismiss"));
    close.textContent = "×";
    toast.append(...[paragraph, action, close].filter(Boolean));
    toasts().append(toast);
    if (action) htmx.process(action);
    else dismissLater(toast, level); // one with a link stays until dismissed
  }

  // The open confirmation's alert region, when `source` (what sent the request) is in it. A
  // modal <dialog> makes the rest of the page inert, so the answer to its action is said there,
  // never in a toast under the backdrop.
  function dialogAlert(source) {
    const box = dialog();
    if (!box.open || !(source instanceof Node) || !box.contains(source)) return null;
    return box.querySelector("[data-dialog-alert]");
  }

  function say(text, level, source, link) {
    const region = dialogAlert(source);
    if (!region) {
      showToast(text, level, link);
      return;
    }
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    region.append(paragraph);
  }

  // An answer to the dialog's action that left the page as it was (a refusal, a rate limit,
  // Auth0 failing; one that changed it closes the dialog): the dialog stays, with the message.
  // "Try again" when a later try may work (adminportal answered 429, 503 or 504), else only
  // "Close". The focus goes to Cancel/Close, so a second Enter does not send it again.
  function failedInDialog(form, xhr) {
    const ours = (xhr.getResponseHeader("HX-Trigger") || "").includes('"messages"');
    const submit = form.querySelector("button[type=submit]");
    const cancel = form.querySelector("[data-close-dialog]");
    if (submit && ours && [429, 503, 504].includes(xhr.status)) {
      submit.textContent = submit.dataset.retryLabel;
    } else {
      if (submit) submit.remove();
      if (cancel) cancel.textContent = cancel.dataset.closedLabel;
    }
    if (cancel) cancel.focus();
  }

  // Messages from htmx answers: HX-Trigger {"messages": [{"message", "tags", "link"?}]}.
  document.addEventListener("messages", (event) => {
    for (const item of event.detail.value || []) {
      say(item.message, item.tags, event.target, item.link);
    }
  });

  document.addEventListener("click", (event) => {
    const close = event.target.closest(".toast-close");
    if (close) close.closest(".toast").remove();
    const cancel = event.target.closest("[data-close-dialog]");
    if (cancel && cancel.closest("dialog")) {
      event.preventDefault();
      dialog().close();
    }
    // One "More options" menu open at a time; a click elsewhere closes it (not one in the
    // dialog: the menu holds the dialog's opener, which gets the focus back when it closes).
    if (event.target.closest("dialog")) return;
    for (const menu of document.querySelectorAll("details.menu[open]")) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.closest(".role-filter")) {
      event.preventDefault(); // filtering, not submitting the form
      return;
    }
    // Escape in the dialog is the dialog's: the menu behind it (its opener) stays open.
    if (event.key !== "Escape" || dialog().open) return;
    for (const menu of document.querySelectorAll("details.menu[open]")) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    }
  });

  // A confirmation swapped into the dialog opens it; HX-Trigger "closeDialog" closes it.
  let opener = null;
  let landing = null; // where the focus goes once the panel behind refreshes (below)
  // Opened once the swap has settled: htmx focuses [autofocus] again while settling.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target.id === "dialog-body" && !dialog().open) {
      // What asked for it (a button of a form loses the focus while the form waits).
      opener = event.detail.requestConfig?.elt || document.activeElement;
      landing = null;
      dialog().showModal();
    }
    if (landing && !landing.panel.isConnected) {
      const spot = landing;
      landing = null;
      if (!document.activeElement || document.activeElement === document.body) land(spot);
    }
  });
  // Sent with a change's answer (a success, or the member or role gone): the panel behind
  // refreshes, and the focus must not fall to the page with the opener.
  document.addEventListener("closeDialog", () => {
    if (!dialog().open) return;
    // A message's link (Restore) was acted on: the message goes with it, the focus to the page.
    const offering = opener?.closest("#toasts .toast");
    if (offering) {
      offering.remove();
      opener = focusable(document.querySelector("main h1"));
    }
    landing = spotOf(opener);
    dialog().close();
  });

  // Focus through a panel's refresh (section[id] swapped whole): back to the element with the
  // same label (a trash can, a row's menu) if it is still there, else to the action of the row
  // now in its place (the next one, or the one before), else to the panel's heading (the
  // page's, for the members table). A refresh that fails leaves the focus where it was.
  const ROWS = "tbody > tr, .role-list > li";
  const ROW_ACTION = "summary, a.icon-button";

  function spotOf(element) {
    const panel = element && element.closest("section[id]");
    if (!panel) return null;
    const index = [...panel.querySelectorAll(ROWS)].indexOf(element.closest(ROWS));
    return { panel, index, label: element.getAttribute("aria-label") };
  }

  function land({ panel: old, index, label }) {
    const panel = document.getElementById(old.id);
    if (!panel) return;
    const labelled = [...panel.querySelectorAll("[aria-label]")];
    let target = label && labelled.find((e) => e.getAttribute("aria-label") === label);
    if (!target && index >= 0) {
      const rows = [...panel.querySelectorAll(ROWS)];
      const around = [...rows.slice(index), ...rows.slice(0, index).reverse()];
      target = around.map((row) => row.querySelector(ROW_ACTION)).find(Boolean);
    }
    if (!target) target = focusable(panel.querySelector("h2") || document.querySelector("main h1"));
    if (target) target.focus();
  }

  // A heading the focus may be put on (not in the Tab order).
  function focusable(heading) {
    if (heading && !heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    return heading;
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const panel = event.detail.target;
    if (landing || !event.detail.shouldSwap || !panel.matches("section[id]")) return;
    if (panel.contains(document.activeElement)) landing = spotOf(document.activeElement);
  });
  document.addEventListener("DOMContentLoaded", () => {
    dialog().addEventListener("close", () => {
      document.getElementById("dialog-body").replaceChildren();
      if (opener && opener.isConnected) opener.focus();
      opener = null;
    });
    for (const toast of document.querySelectorAll("#toasts .toast:not(:has(.toast-action))")) {
      dismissLater(toast, (toast.className.match(/toast-(\w+)/) || [])[1]);
    }
  });

  // A picture that does not load (blocked, gone) goes, uncovering the initial under it (which
  // shows through a failed picture without JavaScript too).
  document.addEventListener("error", (event) => {
    const img = event.target;
    if (img instanceof HTMLImageElement && img.classList.contains("avatar")) img.remove();
  }, true);
  // Pictures that failed before this (deferred) script ran fired their error unheard.
  document.addEventListener("DOMContentLoaded", () => {
    for (const img of document.querySelectorAll("img.avatar")) {
      if (img.complete && img.naturalWidth === 0) img.remove();
    }
  });

  // An element listing a change Auth0 does not show yet (data-poll="seconds") gets the event
  // "poll" (in its hx-trigger) that often, so it refreshes itself, but not while one of its
  // menus is open: the refresh would close it. Decided here because htmx's trigger filters
  // ([...]) need eval, which the Content-Security-Policy refuses.
  function poll(element) {
    setTimeout(() => {
      if (!element.isConnected) return; // replaced by a refresh, which polls on if need be
      // Nor while a confirmation is open: its answer, not a refresh's, is what counts then.
      if (!element.querySelector("details[open]") && !dialog().open) {
        element.dispatchEvent(new CustomEvent("poll"));
      }
      poll(element);
    }, Number(element.dataset.poll) * 1000);
  }
  document.addEventListener("htmx:load", (event) => {
    const root = event.detail.elt;
    if (root.matches("[data-poll]")) poll(root);
    for (const element of root.querySelectorAll("[data-poll]")) poll(element);
  });

  // No double submits: buttons of a form wait for its answer. The button pressed loses the
  // focus while disabled: it gets it back, unless something else took it meanwhile.
  let pressed = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt.closest("form");
    if (form?.contains(document.activeElement)) pressed = document.activeElement;
    if (form) for (const b of form.querySelectorAll("button")) b.disabled = true;
    dialogAlert(form)?.replaceChildren(); // a new try: the last answer no longer stands
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt.closest("form");
    if (form) for (const b of form.querySelectorAll("button")) b.disabled = false;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (form && pressed?.isConnected && form.contains(pressed) && lost) pressed.focus();
    if (form) pressed = null;
    if (dialogAlert(form) && !event.detail.successful) failedInDialog(form, event.detail.xhr);
    if (landing && event.detail.elt === landing.panel && !event.detail.successful) landing = null;
  });
  // A change sent without an answer back (the connection dropped, a proxy's 502/503/504 when
  // the worker died) may have been made or not: say so, never "try again".
  const unknownOutcome = () =>
    gettext(
      "adminportal stopped answering while making this change, so it may or may not have " +
        "been made. Reload the page or see Activity to check before trying again.",
    );
  const isChange = (event) => (event.detail.requestConfig?.verb || "get") !== "get";
  document.addEventListener("htmx:sendError", (event) => {
    if (isChange(event)) say(unknownOutcome(), "error", event.target);
    else {
      const text = gettext(
        "adminportal could not be reached. Check your connection and try again.",
      );
      say(text, "error", event.target);
    }
  });
  // An error answer without a message of its own (a 500, a refused CSRF token after signing
  // in elsewhere, ...) must not look like nothing happened.
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    if ((xhr.getResponseHeader("HX-Trigger") || "").includes('"messages"')) return;
    if (isChange(event) && [502, 503, 504].includes(xhr.status)) {
      say(unknownOutcome(), "error", event.target);
      return;
    }
    const text = gettext(
      "adminportal could not do that (HTTP %(status)s). Reload the page and try again.",
    );
    say(interpolate(text, { status: xhr.status }), "error", event.target);
  });

  // Search roles as you type (the checked ones stay checked while hidden).
  function filterRoles(filter) {
    const box = document.querySelector(filter.dataset.filters);
    const text = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const choice of box.querySelectorAll(".role-choice")) {
      const match = choice.dataset.name.includes(text);
      choice.hidden = !match;
      if (match) shown += 1;
    }
    box.querySelector(".no-match").hidden = shown > 0;
  }
  document.addEventListener("input", (event) => {
    const filter = event.target.closest(".role-filter");
    if (filter) filterRoles(filter);
  });
  // Words typed (or restored by Back) before this deferred script ran filter too.
  document.addEventListener("DOMContentLoaded", () => {
    for (const filter of document.querySelectorAll(".role-filter")) {
      if (filter.value) filterRoles(filter);
    }
  });

  // The language form comes back to the address as it is now: a search or page that htmx
  // pushed since the page loaded is in the address bar, not in the form's "next".
  document.addEventListener("submit", (event) => {
    const next = event.target.closest("form.language")?.querySelector("input[name=next]");
    if (next) next.value = location.pathname + location.search;
  });

  // "Select all" ticks (or clears) every member of the table.
  const rowBoxes = (all) => all.closest("table").querySelectorAll("tbody input[type=checkbox]");
  document.addEventListener("change", (event) => {
    const all = event.target.closest(".select-all");
    if (all) for (const box of rowBoxes(all)) box.checked = all.checked;
  });
  // Ticked before this deferred script ran (no row ticked yet): select them all now.
  document.addEventListener("DOMContentLoaded", () => {
    for (const all of document.querySelectorAll(".select-all:checked")) {
      const boxes = rowBoxes(all);
      if (![...boxes].some((box) => box.checked)) for (const box of boxes) box.checked = true;
    }
  });
})();
